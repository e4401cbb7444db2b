//! Who may do what, where the engine cannot see it: opening a case (a guild setting), and
//! being on the guild at all when a button is pressed in a DM. What may be done on a case
//! itself (whose steps, closing, going back, naming a deputy, asking HR for help) is the
//! engine's rule (`flow::engine::apply`, `permitted`, `may_ask_for_help`); README.md ("Roles
//! and who may do what") writes both down.

use flow::{Actor, Role, StepId};
use serenity::all::{GuildId, Http, HttpError, Member, User};
use storage::GuildSettings;

use crate::guild::actor_of;
use crate::types::BotError;

/// The guild's manager role, if one is set, means only this: who may open cases. Checked
/// when `/rekruttering ny` opens the form and again when the form is sent, since the role (or
/// the setting) may have been taken away in between.
pub fn may_open_cases(settings: &GuildSettings, member: &Member) -> Result<(), BotError> {
    let Some(manager_role) = settings.roles.manager else {
        return Ok(());
    };
    if member.roles.iter().any(|r| r.get() == manager_role) {
        return Ok(());
    }
    Err(flow::Refusal::NotYourRole {
        step: StepId::new(""),
        allowed: vec![Role::Manager],
    }
    .into())
}

/// The person pressing a button in a DM, as the guild knows them now: Discord sends no
/// member there, and still delivers presses from people who have left the guild. Asked of
/// Discord itself (`GET /guilds/{guild}/members/{user}`), not the cache, which without the
/// privileged members intent never hears that someone left. Someone no longer on the guild
/// is refused ([`BotError::LeftGuild`]); a member gets their roles there.
pub async fn dm_actor(
    http: &Http,
    guild: u64,
    settings: &GuildSettings,
    user: &User,
) -> Result<Actor, BotError> {
    match http.get_member(GuildId::new(guild), user.id).await {
        Ok(member) => Ok(actor_of(settings, &member)),
        Err(e) if is_unknown_member(&e) => {
            tracing::info!(
                guild,
                user = user.id.get(),
                "a button was pressed by someone who left the server"
            );
            Err(BotError::LeftGuild)
        }
        Err(e) => Err(e.into()),
    }
}

/// 404 / 10007 Unknown Member (or 10013 Unknown User): not on the guild.
fn is_unknown_member(e: &serenity::Error) -> bool {
    matches!(
        e,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 404 && matches!(r.error.code, 10007 | 10013)
    )
}
