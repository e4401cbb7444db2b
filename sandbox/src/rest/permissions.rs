//! The bot's permissions in a channel (docs: topics--permissions.mdx): @everyone and the bot's
//! managed role, then the channel's permission overwrites (a thread uses its parent's).

use serde_json::Value;

use super::ApiError;
use crate::state::State;
use crate::world::{kinds, perms, World};

/// Refuses what the bot may not do in the channel: 50001 Missing Access without VIEW_CHANNEL
/// (or in a private thread it is not in, without MANAGE_THREADS), 50013 Missing Permissions
/// without the permission the operation needs.
pub(super) fn check_permissions(
    s: &State,
    w: &World,
    op: &str,
    channel_id: u64,
    body: &Value,
) -> Result<(), ApiError> {
    let Some(ch) = s.channels.get(&channel_id) else {
        return Ok(()); // answered as Unknown Channel by the operation
    };
    if ch.kind == kinds::DM || op == "create_dm" {
        return Ok(());
    }
    let have = s.bot_permissions_in(w, channel_id);
    let thread = ch.is_thread();
    let private_outsider = ch.kind == kinds::PRIVATE_THREAD && !ch.members.contains(&w.bot_id);
    if have & perms::VIEW_CHANNEL == 0 || (private_outsider && have & perms::MANAGE_THREADS == 0) {
        return Err(ApiError::new(403, 50001, "Missing Access"));
    }
    let need = match op {
        "create_message" if thread => perms::SEND_MESSAGES_IN_THREADS,
        "create_message" => perms::SEND_MESSAGES,
        "get_message" | "list_messages" => perms::READ_MESSAGE_HISTORY,
        "create_thread_from_message" => perms::CREATE_PUBLIC_THREADS,
        // A forum post is a message: SEND_MESSAGES (CREATE_PUBLIC_THREADS is ignored).
        "create_thread" if ch.kind == kinds::FORUM => perms::SEND_MESSAGES,
        "create_thread" if body["type"].as_u64() == Some(12) => perms::CREATE_PRIVATE_THREADS,
        "create_thread" if ch.kind == kinds::TEXT && body["type"].as_u64().is_none() => {
            perms::CREATE_PRIVATE_THREADS
        }
        "create_thread" => perms::CREATE_PUBLIC_THREADS,
        "add_thread_member" => perms::SEND_MESSAGES_IN_THREADS,
        "add_my_message_reaction" => perms::ADD_REACTIONS | perms::READ_MESSAGE_HISTORY,
        _ => 0,
    };
    if have & need != need {
        return Err(ApiError::new(
            403,
            50013,
            format!(
                "Missing Permissions (needs {:#x}, has {have:#x})",
                need & !have
            ),
        ));
    }
    Ok(())
}
