//! The buttons on a reminder: only those that can work for the step's kind, asked of the
//! engine (`flow::engine::permitted`) for the people the message goes to.
//!
//! - A step its people simply mark done (a task, a "ved behov" step, a system step, the union
//!   gate): *Utført* completes it through the engine, as the card's button does (card,
//!   history and reminders follow), and *Minn meg på i morgen* queues a copy of the reminder
//!   for 08:00 on the next working day.
//! - Any other step (a choice such as *Vurderer behov* or the answer to an offer, an approval,
//!   a date, naming candidates, or a task that cannot be done yet): *Åpne saken*, a link
//!   straight to the case card, and the snooze. A busy manager on a phone wants one tap to
//!   the place where the decision can be made, with the step's guide, the candidates and the
//!   buttons the card offers; a choice made blind in a DM sends the case down a branch, and a
//!   reason or a date needs a form that Discord opens only in the server. Offering *Utført*
//!   there would only answer "this step cannot be marked done".
//!
//! Both buttons work in a DM, where Discord sends no server: the reminder's row says which
//! server and case. Snooze asks `permitted` whether the presser may act on the step at all.

use chrono::Days;
use flow::engine::{permitted, Permit};
use flow::{Action, Actor, Case, CaseId, PersonId, PersonRef, Process, Refusal, Role, StepId};
use serenity::all::{
    ButtonStyle, ComponentInteraction, Context as Ctx, CreateActionRow, CreateButton,
    CreateInteractionResponse, CreateInteractionResponseMessage,
};
use storage::GuildSettings;

use crate::custom_id::{ComponentId, Verb};
use crate::handlers::actor_of;
use crate::i18n::{clip, Tr};
use crate::publish;
use crate::server;
use crate::service;
use crate::types::{BotError, Data};

/// A reminder someone can act on, and what its message offers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub reminder: i64,
    pub case: CaseId,
    pub step: StepId,
    /// A nudge about a stalled step (the buttons prefer a reminder about a deadline).
    pub nudge: bool,
    /// *Utført* can work: those the message goes to may mark the step done now.
    pub complete: bool,
    /// Where the case card is, for *Åpne saken*.
    pub link: Option<String>,
}

impl Offer {
    /// What a reminder about `step` of `case` offers at `now`, for the people it goes to: the
    /// case's manager in a DM (`to_manager`), else whoever holds the step's roles.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        process: &Process,
        case: &Case,
        reminder: i64,
        step: &StepId,
        nudge: bool,
        to_manager: bool,
        link: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Offer {
        let actor = if to_manager {
            // A press in a DM carries no server roles: the manager by ownership alone.
            Actor {
                person: case.owner.clone(),
                roles: Default::default(),
            }
        } else {
            Actor {
                person: PersonRef {
                    id: PersonId(0),
                    name: String::new(),
                },
                roles: process
                    .step(step)
                    .map(|s| s.roles.iter().copied().collect())
                    .unwrap_or_default(),
            }
        };
        let complete =
            permitted(process, case, &actor, step, now).is_ok_and(|p| p.allows(&Permit::Complete));
        Offer {
            reminder,
            case: case.id,
            step: step.clone(),
            nudge,
            complete,
            link,
        }
    }
}

/// The link to a case's card (else its thread) for *Åpne saken*.
pub fn card_link(guild: u64, thread: Option<u64>, card: Option<u64>) -> Option<String> {
    let thread = thread?;
    Some(match card {
        Some(message) => format!("https://discord.com/channels/{guild}/{thread}/{message}"),
        None => format!("https://discord.com/channels/{guild}/{thread}"),
    })
}

/// The buttons for the reminders of one message that someone can act on: a row per step
/// (at most five, Discord's limit), titled with the step when there are several. Of several
/// reminders about one step, the buttons act on the one about its deadline, not the nudge.
pub fn rows(tr: Tr<'_>, offers: &[Offer]) -> Vec<CreateActionRow> {
    let mut offers = offers.to_vec();
    offers.sort_by_key(|o| (o.nudge, o.reminder));
    let mut seen = std::collections::BTreeSet::new();
    offers.retain(|o| seen.insert((o.case, o.step.clone())));
    let titled = offers.len() > 1;
    offers
        .iter()
        .take(5)
        .map(|o| {
            let label = |text_id: &str| {
                let plain = tr.t(text_id);
                if titled {
                    clip(&format!("{plain}: {}", tr.step(&o.step)), 80)
                } else {
                    plain
                }
            };
            let custom = |verb| {
                ComponentId::Press {
                    verb,
                    case: o.case,
                    step: o.step.clone(),
                }
                .to_string()
            };
            let mut buttons = Vec::new();
            if o.complete {
                buttons.push(
                    CreateButton::new(custom(Verb::ReminderDone(o.reminder)))
                        .label(label("btn-reminder-done"))
                        .style(ButtonStyle::Success),
                );
            } else if let Some(url) = &o.link {
                buttons.push(CreateButton::new_link(url).label(label("btn-reminder-open")));
            }
            buttons.push(
                CreateButton::new(custom(Verb::Snooze(o.reminder)))
                    .label(label("btn-reminder-snooze"))
                    .style(ButtonStyle::Secondary),
            );
            CreateActionRow::Buttons(buttons)
        })
        .collect()
}

/// A press on a reminder's button.
pub async fn on_press(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    verb: Verb,
    reminder: i64,
    case: CaseId,
    step: StepId,
) -> Result<(), BotError> {
    let Some((guild, of_case, _key)) = storage::reminder_ref(data.db.pool(), reminder).await?
    else {
        return Err(BotError::UnknownComponent);
    };
    if of_case != case || c.guild_id.is_some_and(|g| g.get() != guild) {
        return Err(BotError::UnknownComponent);
    }
    let settings = storage::load_settings(data.db.pool(), guild)
        .await?
        .unwrap_or_else(|| GuildSettings::new(guild));
    let actor = match c.member.as_ref() {
        Some(member) => actor_of(&settings, member),
        // In a DM Discord sends no member, also for someone who has left the server: asked.
        None => crate::authz::dm_actor(&ctx.http, guild, &settings, &c.user).await?,
    };
    let tr = Tr::reader(&data.texts, &c.locale, &settings);
    let complete = Action::Complete { step: step.clone() };
    let (text, changed) = match verb {
        Verb::Snooze(_) => {
            // Only someone whose step it is may move its reminder, whatever its kind, and
            // also before it opens (a legal deadline is reminded of before its step is
            // reached).
            let loaded = service::load(data, guild, case).await?;
            let now = data.clock.now();
            match permitted(&data.process, &loaded, &actor, &step, now) {
                Ok(_) => {}
                Err(Refusal::NotCurrentStep { .. })
                    if holds_a_role(data, &loaded, &actor, &step) => {}
                Err(refusal) => return Err(refusal.into()),
            }
            let today = flow::engine::oslo_today(now);
            let next = flow::calendar::working_day_on_or_after(today + Days::new(1));
            let at = server::reminder_settings(&settings).deadlines.remind_at;
            let due = flow::oslo_instant(next, at);
            storage::snooze(data.db.pool(), reminder, due, now).await?;
            data.reminders_changed.notify_one();
            let text = tr.args(
                "reply-reminder-snoozed",
                &[("when", tr.when(due).as_str().into())],
            );
            (text, None)
        }
        _ => {
            let changed = service::act(data, &settings, case, &actor, &complete).await?;
            let text = tr.args(
                "reply-reminder-done",
                &[("step", tr.step(&step).as_str().into())],
            );
            (text, Some(changed))
        }
    };
    let msg = CreateInteractionResponseMessage::new()
        .content(clip(&text, 2000))
        .ephemeral(true);
    // The thread and the card hear of it whatever became of the answer.
    let answered = c
        .create_response(ctx, CreateInteractionResponse::Message(msg))
        .await;
    if let Some(changed) = changed {
        publish::publish_change(&ctx.http, data, &settings, &changed.case).await;
    }
    answered.map_err(BotError::from)
}

/// Whether the person holds one of the step's roles on the case.
fn holds_a_role(data: &Data, case: &Case, actor: &Actor, step: &StepId) -> bool {
    let held = case.roles_of(actor);
    data.process
        .step(step)
        .is_some_and(|s| s.roles.iter().any(|r: &Role| held.contains(r)))
}
