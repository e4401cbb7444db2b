//! The one way a change travels: reload the case, let the engine decide, store the result in
//! one transaction, wake the reminder loop if the change planned something sooner. Discord is
//! not touched here: the caller publishes what was stored ([`crate::publish`]).

use flow::{Action, Actor, Case, CaseId, Event, NewCase, PersonRef, StepId};
use storage::{GuildSettings, StorageError};

use crate::guild;
use crate::types::{BotError, Data};
use crate::wake;

/// A change that was stored.
pub struct Changed {
    pub case: Case,
    pub events: Vec<Event>,
}

/// How often a change is tried again when someone else changed the case in between. The
/// engine then decides afresh, so a second press of the same button is refused as done.
const ATTEMPTS: usize = 3;

/// Applies an action to a case in this guild and stores it.
#[tracing::instrument(
    name = "change",
    skip_all,
    fields(guild = settings.guild, case = case_id.0, step = action.step().map(StepId::as_str))
)]
pub async fn act(
    data: &Data,
    settings: &GuildSettings,
    case_id: CaseId,
    actor: &Actor,
    action: &Action,
) -> Result<Changed, BotError> {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let case = load(data, settings.guild, case_id).await?;
        match save(data, settings, &case, actor, action).await {
            Err(stale @ BotError::Stale { .. }) => last = Some(stale),
            done => return done,
        }
    }
    Err(last.unwrap_or_else(|| BotError::Internal("no attempt was made".into())))
}

/// Applies an action to the case only as it was at `version` (what the person was shown):
/// if anyone changed the case since, nothing is done and they are told so.
#[tracing::instrument(
    name = "change",
    skip_all,
    fields(guild = settings.guild, case = case_id.0, step = action.step().map(StepId::as_str), version = version)
)]
pub async fn act_on_version(
    data: &Data,
    settings: &GuildSettings,
    case_id: CaseId,
    version: i64,
    actor: &Actor,
    action: &Action,
) -> Result<Changed, BotError> {
    let case = load(data, settings.guild, case_id).await?;
    if case.version != version {
        return Err(BotError::CaseChanged(case_id.0));
    }
    match save(data, settings, &case, actor, action).await {
        Err(BotError::Stale { .. }) => Err(BotError::CaseChanged(case_id.0)),
        done => done,
    }
}

/// Lets the engine decide on the case as loaded, and stores the result over that version.
async fn save(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    actor: &Actor,
    action: &Action,
) -> Result<Changed, BotError> {
    let reminder_settings = guild::reminder_settings(settings);
    let applied = flow::apply(&data.process, case, actor, action, data.clock.now())?;
    let wanted = flow::plan_reminders(&data.process, &applied.case, &reminder_settings);
    match data
        .db
        .save_applied(settings.guild, case.version, applied, wanted.clone())
        .await
    {
        Ok(applied) => {
            wake::after_change(data, &wanted, &applied.events);
            Ok(Changed {
                case: applied.case,
                events: applied.events,
            })
        }
        Err(StorageError::Stale { by, at }) => Err(BotError::Stale { by, at }),
        Err(e) => Err(e.into()),
    }
}

/// The case as stored now, in this guild.
pub async fn load(data: &Data, guild: u64, case_id: CaseId) -> Result<Case, BotError> {
    storage::load_case(&data.db, guild, case_id)
        .await?
        .ok_or(BotError::CaseNotFound(case_id.0))
}

/// Opens a new case owned by the person who asked.
#[tracing::instrument(name = "open_case", skip_all, fields(guild = settings.guild))]
pub async fn open_case(
    data: &Data,
    settings: &GuildSettings,
    draft: NewCase,
    owner: PersonRef,
) -> Result<Changed, BotError> {
    let now = data.clock.now();
    let reminder_settings = guild::reminder_settings(settings);
    let mut events = Vec::new();
    let case = storage::create_case(
        &data.db,
        settings.guild,
        |id| {
            let applied = flow::start(&data.process, id, draft, owner, now);
            events = applied.events.clone();
            applied
        },
        |case| flow::plan_reminders(&data.process, case, &reminder_settings),
    )
    .await?;
    wake::now(data);
    Ok(Changed { case, events })
}
