//! The bot's guild permissions (docs: topics--permissions.mdx). No channel overwrites are
//! modelled: @everyone and the bot's managed role decide.

use serde_json::Value;

use super::ApiError;
use crate::state::State;
use crate::world::{perms, World};

const ADMINISTRATOR: u64 = 1 << 3;

/// The bot's guild permissions for what it asks (no channel overwrites are modelled).
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
    if ch.kind == 1 || op == "create_dm" {
        return Ok(());
    }
    let have = w.bot_guild_permissions();
    if have & ADMINISTRATOR != 0 {
        return Ok(());
    }
    let thread = ch.kind == 11 || ch.kind == 12;
    let private_outsider = ch.kind == 12 && !ch.members.contains(&w.bot_id);
    if have & perms::VIEW_CHANNEL == 0 || (private_outsider && have & perms::MANAGE_THREADS == 0) {
        return Err(ApiError::new(403, 50001, "Missing Access"));
    }
    let need = match op {
        "create_message" if thread => perms::SEND_MESSAGES_IN_THREADS,
        "create_message" => perms::SEND_MESSAGES,
        "get_message" | "list_messages" => perms::READ_MESSAGE_HISTORY,
        "create_thread_from_message" => perms::CREATE_PUBLIC_THREADS,
        "create_thread" if body["type"].as_u64() == Some(11) => perms::CREATE_PUBLIC_THREADS,
        "create_thread" => perms::CREATE_PRIVATE_THREADS,
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
