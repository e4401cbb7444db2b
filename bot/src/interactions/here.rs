//! What every handler of a press or a form starts from: the guild it was made in, with its
//! settings, the person acting with the process roles they hold there, and their words; and
//! the few tools all of them use (answering in time, reading a form's fields).

use flow::Actor;
use serenity::all::{ActionRowComponent, Context as Ctx, GuildId, Member, ModalInteraction};
use storage::GuildSettings;

use crate::guild;
use crate::i18n::Tr;
use crate::publish::Pressed;
use crate::types::{BotError, Data, InputError};

/// How long a change may take before the press is answered "working on it" first: Discord
/// drops an interaction not answered within 3 s, and a change can wait behind a checkpoint or
/// a backup.
pub const DEFER_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// A press or form made in a guild: the guild's settings, who acted, and their words.
pub struct Here<'a> {
    pub settings: GuildSettings,
    pub actor: Actor,
    pub tr: Tr<'a>,
}

impl<'a> Here<'a> {
    /// The guild and person of an interaction; refused outside a guild (a DM).
    pub async fn of(
        data: &'a Data,
        guild: Option<GuildId>,
        member: Option<&Member>,
        locale: &str,
    ) -> Result<Here<'a>, BotError> {
        let (Some(guild), Some(member)) = (guild, member) else {
            return Err(BotError::NotInGuild);
        };
        let settings = guild::settings_or_default(data, guild.get()).await?;
        let actor = guild::actor_of(&settings, member);
        let tr = Tr::reader(&data.texts, locale, &settings);
        Ok(Here {
            settings,
            actor,
            tr,
        })
    }
}

/// Runs a change, answering the press "working on it" first if the change takes longer than
/// [`DEFER_AFTER`], so Discord does not drop the interaction while the change waits.
pub async fn within_window<T>(
    ctx: &Ctx,
    pressed: &Pressed<'_>,
    work: impl std::future::Future<Output = T>,
) -> T {
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => return done,
        _ = tokio::time::sleep(DEFER_AFTER) => {}
    }
    if let Err(e) = pressed.defer(ctx).await {
        tracing::warn!(error = %e, "could not defer a slow press");
    }
    work.await
}

/// The text a person typed into a form field.
pub fn field<'m>(m: &'m ModalInteraction, id: &str) -> &'m str {
    m.data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == id => t.value.as_deref(),
            _ => None,
        })
        .unwrap_or("")
}

/// A typed text the flow refused, as the input error the person is told of.
pub fn text_input<T>(
    field_name: &'static str,
    parsed: Result<T, flow::TextError>,
) -> Result<T, BotError> {
    parsed.map_err(|error| {
        BotError::Input(InputError::Text {
            field: field_name,
            error,
        })
    })
}
