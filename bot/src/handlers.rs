//! Buttons, selects and forms: stateless. The `custom_id` says what and which case; the case
//! is reloaded and the presser's roles re-checked on every press, so old cards keep working
//! after a restart, and nothing waits in memory for a reply.

use chrono::Days;
use flow::{
    Action, Actor, CandidateName, Case, CaseId, CaseText, DateKey, Dato, NewCase, PersonRef,
    Reason, StepState,
};
use serenity::all::{
    ActionRowComponent, ComponentInteraction, ComponentInteractionDataKind, Context as Ctx,
    CreateActionRow, CreateAllowedMentions, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateModal, EditInteractionResponse, InputTextStyle,
    Interaction, Member, Message, MessageFlags, ModalInteraction,
};
use storage::GuildSettings;

use crate::commands::rekruttering::reopen;
use crate::custom_id::{ComponentId, Form, Verb};
use crate::errors::explain;
use crate::i18n::{clip, escape, Tr};
use crate::publish::{self, Pressed};
use crate::render::card;
use crate::server;
use crate::service;
use crate::types::{BotError, Data, InputError};

/// How long a change may take before the press is answered "working on it" first: Discord
/// drops an interaction not answered within 3 s, and a change can wait behind a checkpoint or
/// a backup.
pub const DEFER_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// Every component and modal interaction comes here.
pub async fn on_interaction(ctx: &Ctx, data: &Data, interaction: &Interaction) {
    let (pressed, locale, custom_id, guild) = match interaction {
        Interaction::Component(c) => (
            Pressed::component(c),
            c.locale.as_str(),
            c.data.custom_id.as_str(),
            c.guild_id,
        ),
        Interaction::Modal(m) => (
            Pressed::modal(m),
            m.locale.as_str(),
            m.data.custom_id.as_str(),
            m.guild_id,
        ),
        _ => return,
    };
    let span = tracing::info_span!(
        "interaction",
        id = %interaction.id(),
        guild = guild.map(|g| g.get()),
        custom_id,
    );
    let _entered = span.enter();
    let result = match interaction {
        Interaction::Component(c) => on_component(ctx, data, c, &pressed).await,
        Interaction::Modal(m) => on_modal(ctx, data, m, &pressed).await,
        _ => return,
    };
    if let Err(err) = result {
        if err.is_for_user() {
            tracing::debug!(error = %err, "refused");
        } else {
            tracing::error!(error = %err, "an interaction failed");
        }
        let settings = settings_of_interaction(data, interaction).await;
        let text = explain(&err, Tr::reader(&data.texts, locale, &settings));
        if let Err(e) = pressed.ephemeral(ctx, &text).await {
            tracing::warn!(error = %e, "could not tell the user why");
        }
    }
}

/// Runs a change, answering the press "working on it" first if the change takes longer than
/// [`DEFER_AFTER`], so Discord does not drop the interaction while the change waits.
async fn within_window<T>(
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

/// The person acting, with the process roles their Discord roles give them here.
pub fn actor_of(settings: &GuildSettings, member: &Member) -> Actor {
    let roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
    Actor {
        person: PersonRef {
            id: flow::PersonId(member.user.id.get()),
            name: member.display_name().to_owned(),
        },
        roles: server::roles_of_member(settings, &roles),
    }
}

/// The settings of the server an interaction is about: its own, or for a reminder's button
/// pressed in a DM, the reminder's server. The defaults when there is none.
async fn settings_of_interaction(data: &Data, interaction: &Interaction) -> GuildSettings {
    let guild = match interaction {
        Interaction::Component(c) => match (c.guild_id, ComponentId::parse(&c.data.custom_id)) {
            (Some(g), _) => Some(g.get()),
            (
                None,
                Some(ComponentId::Press {
                    verb: Verb::ReminderDone(id) | Verb::Snooze(id),
                    ..
                }),
            ) => storage::reminder_ref(data.db.pool(), id)
                .await
                .ok()
                .flatten()
                .map(|(guild, _, _)| guild),
            _ => None,
        },
        Interaction::Modal(m) => m.guild_id.map(|g| g.get()),
        _ => None,
    };
    match guild {
        Some(g) => server::settings_or_default(data, g)
            .await
            .unwrap_or_else(|_| GuildSettings::new(g)),
        None => GuildSettings::new(0),
    }
}

async fn on_component(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    pressed: &Pressed<'_>,
) -> Result<(), BotError> {
    let Some(ComponentId::Press { verb, case, step }) = ComponentId::parse(&c.data.custom_id)
    else {
        return Err(BotError::UnknownComponent);
    };
    if let Verb::ReminderDone(id) | Verb::Snooze(id) = verb {
        // Reminder buttons also come from DMs, without a server: the reminder says which.
        return crate::reminders::buttons::on_press(ctx, data, c, verb, id, case, step).await;
    }
    if verb == Verb::Tick {
        return crate::reminders::checklist::on_tick(ctx, data, c, case, step).await;
    }
    let (Some(guild), Some(member)) = (c.guild_id, c.member.as_ref()) else {
        return Err(BotError::NotInServer);
    };
    let settings = server::settings_or_default(data, guild.get()).await?;
    let actor = actor_of(&settings, member);
    let tr = Tr::reader(&data.texts, &c.locale, &settings);
    let shown = step.clone();
    let action = match verb {
        Verb::Done => Action::Complete { step },
        Verb::Choose(outcome) => Action::Choose { step, outcome },
        Verb::Approve => Action::Approve { step },
        Verb::Accept => Action::RecordAccept { step },
        Verb::Decline => Action::RecordDecline { step },
        Verb::Skip | Verb::Reject | Verb::Date(_) | Verb::Candidates => {
            return open_form(ctx, data, c, &settings, &actor, verb, case, step, tr).await;
        }
        Verb::Help => return ask_hr(ctx, data, c, &settings, &actor, case, tr).await,
        Verb::MoreSteps => return show_step(ctx, data, c, &settings, case, tr).await,
        Verb::Reopen(version) => {
            let what = (case, step, version);
            return reopen::on_press(ctx, data, c, &settings, &actor, what, tr).await;
        }
        Verb::ReminderDone(_) | Verb::Snooze(_) | Verb::Tick => {
            return Err(BotError::UnknownComponent)
        }
    };
    let work = service::act(data, &settings, case, &actor, &action);
    let changed = within_window(ctx, pressed, work).await?;
    answer_with_view(ctx, data, &settings, pressed, &changed, &shown, tr).await
}

/// Whether a press came from the private view of one step (an ephemeral message of ours),
/// rather than from the card.
fn from_private_view(message: Option<&Message>) -> bool {
    message
        .and_then(|m| m.flags)
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL))
}

/// Answers a press or form: from the private view of a step, by showing that view as the step
/// is now (done, without its buttons), then sending what the change owes the thread; otherwise
/// as the card does.
async fn answer_with_view(
    ctx: &Ctx,
    data: &Data,
    settings: &GuildSettings,
    pressed: &Pressed<'_>,
    changed: &service::Changed,
    step: &flow::StepId,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    if !from_private_view(pressed.message()) {
        return publish::answer_and_publish(ctx, data, settings, pressed, &changed.case).await;
    }
    let (content, rows) = step_view(data, settings, &changed.case, step, tr);
    let answered = pressed.show(ctx, clip(&content, 2000), rows).await;
    publish::publish_change(&ctx.http, data, settings, &changed.case).await;
    answered.map_err(BotError::from)
}

/// A form for what a button cannot say by itself; opened only if the action would be allowed.
#[allow(clippy::too_many_arguments)]
async fn open_form(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    settings: &GuildSettings,
    actor: &Actor,
    verb: Verb,
    case: CaseId,
    step: flow::StepId,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    let placeholder = Reason::parse("-").expect("a dash is a reason");
    let loaded = service::load(data, settings.guild, case).await?;
    let (probe, form) = match verb {
        Verb::Skip => (
            Action::Skip {
                step: step.clone(),
                reason: placeholder,
            },
            Form::SkipReason,
        ),
        Verb::Reject => (
            Action::Reject {
                step: step.clone(),
                reason: placeholder,
            },
            Form::RejectReason,
        ),
        Verb::Date(key) => {
            // A date the engine takes from whoever may set this one: not past, a start after
            // the søknadsfrist, within `flow::engine::latest_date`.
            let today = flow::engine::oslo_today(data.clock.now());
            let probe = match key {
                DateKey::Soknadsfrist => today,
                DateKey::Startdato => {
                    loaded.dates.soknadsfrist.unwrap_or(today).max(today) + Days::new(1)
                }
            };
            (
                Action::SetDate {
                    key,
                    date: Dato::from_naive(probe),
                },
                Form::Date(key),
            )
        }
        Verb::Candidates => {
            let name = CandidateName::parse("-").expect("a dash is a name");
            (
                Action::SetCandidates {
                    step: step.clone(),
                    names: vec![name],
                },
                Form::Candidates,
            )
        }
        _ => return Err(BotError::UnknownComponent),
    };
    flow::apply(&data.process, &loaded, actor, &probe, data.clock.now())?;
    let id = ComponentId::Modal {
        form,
        case,
        step: step.clone(),
    }
    .to_string();
    let step_title = tr.step(&step);
    let (title, input) = match form {
        Form::SkipReason | Form::RejectReason => {
            let title = if form == Form::SkipReason {
                "form-skip-title"
            } else {
                "form-reject-title"
            };
            let input =
                CreateInputText::new(InputTextStyle::Paragraph, tr.t("field-reason"), "reason")
                    .max_length(Reason::MAX_CHARS as u16)
                    .required(true)
                    .placeholder(clip(
                        &tr.args(
                            "form-reason-placeholder",
                            &[("step", step_title.as_str().into())],
                        ),
                        100,
                    ));
            (tr.t(title), input)
        }
        Form::Date(key) => {
            let input =
                CreateInputText::new(InputTextStyle::Short, tr.t(&format!("date-{key}")), "date")
                    .placeholder(clip(&tr.t("form-date-placeholder"), 100))
                    .min_length(8)
                    .max_length(10)
                    .required(true);
            (tr.t(&format!("form-date-title-{key}")), input)
        }
        Form::Candidates => {
            let input =
                CreateInputText::new(InputTextStyle::Paragraph, tr.t("field-candidates"), "names")
                    .placeholder(clip(&tr.t("form-candidates-placeholder"), 100))
                    .max_length(1000)
                    .required(true);
            (tr.t("form-candidates-title"), input)
        }
        Form::Reopen(_) => return Err(BotError::UnknownComponent),
    };
    let modal =
        CreateModal::new(id, clip(&title, 45)).components(vec![CreateActionRow::InputText(input)]);
    c.create_response(ctx, CreateInteractionResponse::Modal(modal))
        .await?;
    Ok(())
}

/// How often one person may ask HR for help on one case.
pub const HELP_GAP: chrono::Duration = chrono::Duration::hours(1);

/// *Be HR om hjelp*: the chart's "Bistand ved behov", a ping to HR in the case's thread, at
/// most once an hour per person and case. Recorded in the outbox like a change's line, so it
/// is sent even if Discord or the bot fails just then, and emptied of the name by the purge.
async fn ask_hr(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    settings: &GuildSettings,
    actor: &Actor,
    case: CaseId,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    let loaded = service::load(data, settings.guild, case).await?;
    crate::authz::may_ask_for_help(data, &loaded, actor)?;
    if settings.roles.hr.is_none() {
        return Err(BotError::NotSetUp(vec!["role-hr"]));
    }
    let now = data.clock.now();
    let asked = storage::ask_for_help(
        data.db.pool(),
        settings.guild,
        case,
        loaded.version,
        &actor.person,
        now,
        HELP_GAP,
    )
    .await?;
    let text = match asked {
        Ok(_) => tr.t("reply-help-sent"),
        Err(last) => tr.args(
            "reply-help-already",
            &[("when", tr.when(last).as_str().into())],
        ),
    };
    let msg = CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true);
    let answered = c
        .create_response(ctx, CreateInteractionResponse::Message(msg))
        .await;
    crate::announce::send_owed(&ctx.http, data, settings, case).await;
    answered?;
    Ok(())
}

/// The select of further open steps: shows the chosen step's buttons, only to the chooser.
async fn show_step(
    ctx: &Ctx,
    data: &Data,
    c: &ComponentInteraction,
    settings: &GuildSettings,
    case: CaseId,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
        return Err(BotError::UnknownComponent);
    };
    let chosen = values.first().map(|v| flow::StepId::new(v.as_str()));
    let loaded = service::load(data, settings.guild, case).await?;
    let Some(step) = chosen.as_ref().and_then(|s| data.process.step(s)) else {
        return Err(BotError::UnknownComponent);
    };
    if !loaded.is_step_open(&step.id) {
        return Err(flow::Refusal::NotCurrentStep {
            step: step.id.clone(),
        }
        .into());
    }
    let (content, rows) = step_view(data, settings, &loaded, &step.id, tr);
    let msg = CreateInteractionResponseMessage::new()
        .content(clip(&content, 2000))
        .components(rows)
        .ephemeral(true);
    c.create_response(ctx, CreateInteractionResponse::Message(msg))
        .await?;
    Ok(())
}

/// The private view of one step: its title and guide in the reader's words, with the step's
/// buttons as the card shows them while it is open; once finished, who finished it and when,
/// and no buttons.
fn step_view(
    data: &Data,
    settings: &GuildSettings,
    case: &Case,
    step: &flow::StepId,
    tr: Tr<'_>,
) -> (String, Vec<CreateActionRow>) {
    let title = format!("**{}**", tr.step(step));
    let Some(def) = data.process.step(step) else {
        return (title, Vec::new());
    };
    match case.steps.get(step) {
        Some(StepState::Open { .. }) if case.status.is_open() => {
            let guide = tr.t(&flow::texts::ids::step_guide(step));
            let buttons = card::step_buttons(case, def, Tr::shared(&data.texts, settings), false);
            (
                format!("{title}\n{guide}"),
                vec![CreateActionRow::Buttons(buttons)],
            )
        }
        Some(StepState::Done { by, at, .. }) | Some(StepState::Skipped { by, at, .. }) => {
            let id = if matches!(case.steps.get(step), Some(StepState::Skipped { .. })) {
                "view-step-skipped"
            } else {
                "view-step-done"
            };
            let line = tr.args(
                id,
                &[
                    ("by", escape(&by.name).as_str().into()),
                    ("when", tr.when(*at).as_str().into()),
                ],
            );
            (format!("{title}\n{line}"), Vec::new())
        }
        _ => (
            format!("{title}\n{}", tr.t("view-step-not-open")),
            Vec::new(),
        ),
    }
}

/// The text a person typed into a form field.
fn field<'a>(m: &'a ModalInteraction, id: &str) -> &'a str {
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

fn text_input<T>(
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

async fn on_modal(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    pressed: &Pressed<'_>,
) -> Result<(), BotError> {
    let Some(id) = ComponentId::parse(&m.data.custom_id) else {
        return Err(BotError::UnknownComponent);
    };
    let (Some(guild), Some(member)) = (m.guild_id, m.member.as_ref()) else {
        return Err(BotError::NotInServer);
    };
    let settings = server::settings_or_default(data, guild.get()).await?;
    let actor = actor_of(&settings, member);
    let tr = Tr::reader(&data.texts, &m.locale, &settings);
    let (form, case, step) = match id {
        ComponentId::NewCase => {
            // The role may have been taken away while the form was open.
            crate::authz::may_open_cases(&settings, member)?;
            return new_case(ctx, data, m, pressed, &settings, actor, tr).await;
        }
        ComponentId::Modal { form, case, step } => (form, case, step),
        ComponentId::Press { .. } => return Err(BotError::UnknownComponent),
    };
    let shown = step.clone();
    let action = match form {
        Form::SkipReason => Action::Skip {
            step,
            reason: text_input("reason", Reason::parse(field(m, "reason")))?,
        },
        Form::RejectReason => Action::Reject {
            step,
            reason: text_input("reason", Reason::parse(field(m, "reason")))?,
        },
        Form::Date(key) => {
            let typed = field(m, "date");
            let date = Dato::parse(typed)
                .map_err(|e| BotError::Input(InputError::Date { input: e.input }))?;
            Action::SetDate { key, date }
        }
        Form::Candidates => {
            let names = field(m, "names")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(CandidateName::parse)
                .collect::<Result<Vec<_>, _>>();
            let names = text_input("candidates", names)?;
            if names.is_empty() {
                return Err(BotError::Input(InputError::Text {
                    field: "candidates",
                    error: flow::TextError::Empty,
                }));
            }
            Action::SetCandidates { step, names }
        }
        Form::Reopen(version) => {
            let reason = text_input("reason", Reason::parse(field(m, "reason")))?;
            let what = (case, step, version);
            return reopen::on_submit(ctx, data, m, &settings, &actor, what, reason, tr).await;
        }
    };
    let work = service::act(data, &settings, case, &actor, &action);
    let changed = within_window(ctx, pressed, work).await?;
    answer_with_view(ctx, data, &settings, pressed, &changed, &shown, tr).await
}

/// The form of `/rekruttering ny` was sent: open the case, its thread and its card. The case
/// is stored first, with its thread and card owed (`crate::announce`): if Discord refuses the
/// thread now, the manager is told the case is registered and the thread follows, and it is
/// opened when Discord lets it, never as a second case.
async fn new_case(
    ctx: &Ctx,
    data: &Data,
    m: &ModalInteraction,
    pressed: &Pressed<'_>,
    settings: &GuildSettings,
    actor: Actor,
    tr: Tr<'_>,
) -> Result<(), BotError> {
    let missing = server::missing(settings);
    if !missing.is_empty() {
        return Err(BotError::NotSetUp(missing));
    }
    let note = field(m, "note").trim();
    let draft = NewCase {
        title: text_input("title", CaseText::parse(field(m, "title")))?,
        unit: text_input("unit", CaseText::parse(field(m, "unit")))?,
        note: if note.is_empty() {
            None
        } else {
            Some(text_input("note", CaseText::parse(note))?)
        },
    };
    // Opening the thread takes a few calls to Discord: answer "working on it" first.
    pressed
        .respond(
            ctx,
            CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(true),
            ),
        )
        .await?;
    let changed = service::open_case(data, settings, draft, actor.person).await?;
    let published = crate::announce::send_owed(&ctx.http, data, settings, changed.case.id).await;
    let text = match (published.thread, &published.error) {
        (Some(thread), _) => tr.args(
            "reply-case-opened",
            &[
                ("case", changed.case.id.0.into()),
                ("thread", format!("<#{thread}>").as_str().into()),
            ],
        ),
        (None, error) => {
            if let Some(e) = error {
                tracing::warn!(case = changed.case.id.0, error = %e, "case stored; its thread is retried");
            }
            let channel = settings
                .case_channel
                .map(|c| format!("<#{c}>"))
                .unwrap_or_default();
            tr.args(
                "reply-case-opened-no-thread",
                &[
                    ("case", changed.case.id.0.into()),
                    ("channel", channel.as_str().into()),
                ],
            )
        }
    };
    m.edit_response(
        ctx,
        EditInteractionResponse::new()
            .content(text)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}
