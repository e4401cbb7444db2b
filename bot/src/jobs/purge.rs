//! The daily retention purge ([`daily`]), and after it ([`scrub`]) the case's messages in
//! Discord emptied of names and free text too. The purge (`storage::purge`) erases them from
//! the database; the same names and reasons stand in what the bot posted: the message the
//! thread was started from (the manager), every line in the thread (who did what, the
//! candidates, the reasons), the card of the closed case (who closed it and why), the
//! onboarding checklist (who ticked what) and the new hire's journey checklist in its private
//! thread (the new hire, the buddy, the manager, who ticked what; the first message's welcome
//! and pings long replaced by it). Each is edited to what the purged case says now
//! ("slettet" where a name or a reason was) and keeps its id, so the thread still reads as the
//! case's anonymous timeline. A message someone deleted is gone already; an archived thread is
//! unarchived for the edits and archived again. A case is recorded as scrubbed only when every
//! message is done; until then each chores pass tries again.

use flow::{Case, CaseId};
use serenity::all::{ChannelId, CreateAllowedMentions, EditMessage, EditThread, Http, MessageId};
use storage::{AnnouncementKind, GuildSettings};

use chrono::NaiveDate;

use crate::guild;
use crate::i18n::{clip, escape, CONTENT_MAX};
use crate::publish::announce::{unarchive, ARCHIVED};
use crate::publish::{self, checklist, shared};
use crate::render::{self, lines, thread};
use crate::types::{discord_code, BotError, Data};

/// Cases scrubbed in one pass at most.
const PER_PASS: u32 = 20;
/// Discord's codes for a message or channel that is gone.
const GONE: [isize; 2] = [10003, 10008];

/// Runs the retention purge once per Oslo day, and again at the next pass of the chores loop
/// (within a minute) while it reports the database not clean yet: a reader held up the
/// checkpoint, and the erased names are still in the write-ahead log.
pub async fn daily(data: &Data, last: &mut Option<NaiveDate>) {
    let now = data.clock.now();
    let today = flow::engine::oslo_today(now);
    if *last == Some(today) {
        return;
    }
    let months = flow::ReminderSettings::default().retention_months;
    match storage::purge(&data.db, now, months).await {
        Ok(report) => {
            if !report.cases.is_empty() {
                tracing::info!(
                    cases = report.cases.len(),
                    "personal data of ended cases deleted"
                );
            }
            if report.clean {
                *last = Some(today);
            } else {
                tracing::info!("erased data not yet out of the write-ahead log; will try again");
            }
        }
        Err(e) => tracing::warn!(error = %e, "retention purge failed; will try again"),
    }
}

/// Scrubs the messages of purged cases not scrubbed yet. Returns how many cases it finished.
pub async fn scrub(data: &Data, http: &Http) -> usize {
    let cases = match storage::cases_to_scrub(&data.db, PER_PASS).await {
        Ok(cases) => cases,
        Err(e) => {
            tracing::warn!(error = %e, "scrub: cannot list purged cases");
            return 0;
        }
    };
    let mut done = 0;
    for (guild, case) in cases {
        match scrub_case(data, http, guild, case).await {
            Ok(()) => {
                let now = data.clock.now();
                match storage::mark_scrubbed(&data.db, guild, case, now).await {
                    Ok(()) => done += 1,
                    Err(e) => tracing::warn!(case = case.0, error = %e, "scrubbed, not recorded"),
                }
            }
            Err(e) => {
                tracing::warn!(case = case.0, error = %e, "case messages not yet scrubbed; will retry");
            }
        }
    }
    if done > 0 {
        tracing::info!(
            cases = done,
            "names and reasons removed from Discord messages"
        );
    }
    done
}

async fn scrub_case(data: &Data, http: &Http, guild: u64, case_id: CaseId) -> Result<(), BotError> {
    let settings = guild::settings_or_default(data, guild).await?;
    let db = &data.db;
    let Some(case) = storage::load_case(db, guild, case_id).await? else {
        return Ok(());
    };
    let place = storage::case_place(db, guild, case_id)
        .await?
        .unwrap_or_default();
    let mut editor = Editor {
        http,
        archived: Vec::new(),
    };
    let result = edit_all(data, &mut editor, &settings, &case, place).await;
    for thread in std::mem::take(&mut editor.archived) {
        if let Err(e) = thread
            .edit_thread(http, EditThread::new().archived(true))
            .await
        {
            tracing::warn!(error = %e, "scrub: could not archive the thread again");
        }
    }
    result
}

async fn edit_all(
    data: &Data,
    editor: &mut Editor<'_>,
    settings: &GuildSettings,
    case: &Case,
    place: storage::CasePlace,
) -> Result<(), BotError> {
    let tr = shared(data, settings);
    let channel = place.card.map(|c| c.channel).or(settings.case_channel);
    if let (Some(starter), Some(channel)) = (place.starter.or(place.thread), channel) {
        editor
            .content(channel, starter, &thread::starter_text(tr, case))
            .await?;
    }
    for line in storage::posted_lines(&data.db, settings.guild, case.id).await? {
        let text = match &line.kind {
            AnnouncementKind::Change => {
                let events =
                    storage::events_of_version(&data.db, settings.guild, case.id, line.version)
                        .await?;
                lines::change_lines(&data.process, &events, tr).join("\n")
            }
            AnnouncementKind::Help { asker } => tr.args(
                "line-help",
                &[
                    ("hr", tr.role(flow::Role::Hr).as_str().into()),
                    ("who", escape(&asker.name).as_str().into()),
                    ("title", escape(case.title.as_str()).as_str().into()),
                ],
            ),
        };
        editor.content(line.channel, line.message, &text).await?;
    }
    if let Some(card) = place.card {
        let rendered = publish::shared_card(data, settings, case);
        let edit = EditMessage::new()
            .embed(rendered.embed)
            .components(rendered.rows);
        editor
            .edit(card.thread.unwrap_or(card.channel), card.message, edit)
            .await?;
    }
    checklist::refresh(data, editor.http, settings, case).await?;
    journey(data, editor, settings, case).await
}

/// The journey's checklist, the one message the bot posted in its private thread (its first
/// words, welcoming and pinging the new hire, were replaced by the heading when the journey
/// was shown anew), edited to the purged journey: people by "slettet", no mentions, no buttons.
async fn journey(
    data: &Data,
    editor: &mut Editor<'_>,
    settings: &GuildSettings,
    case: &Case,
) -> Result<(), BotError> {
    let Some(row) = storage::journey(&data.db, settings.guild, case.id).await? else {
        return Ok(());
    };
    let (Some(thread), Some(message)) = (row.thread, row.message) else {
        return Ok(());
    };
    let (heading, embed, rows) =
        render::journey::checklist(shared(data, settings), &row.journey, case);
    let edit = EditMessage::new()
        .content(heading)
        .embed(embed)
        .components(rows)
        .allowed_mentions(CreateAllowedMentions::new());
    editor.edit(thread, message, edit).await
}

/// Edits messages, taking threads out of the archive when Discord refuses an edit there.
struct Editor<'a> {
    http: &'a Http,
    /// Threads unarchived for the edits, to archive again after.
    archived: Vec<ChannelId>,
}

impl Editor<'_> {
    async fn content(&mut self, channel: u64, message: u64, text: &str) -> Result<(), BotError> {
        let edit = EditMessage::new()
            .content(clip(text, CONTENT_MAX))
            .allowed_mentions(CreateAllowedMentions::new());
        self.edit(channel, message, edit).await
    }

    /// Edits a message; one that is gone counts as done.
    async fn edit(
        &mut self,
        channel: u64,
        message: u64,
        edit: EditMessage,
    ) -> Result<(), BotError> {
        let channel = ChannelId::new(channel);
        let message = MessageId::new(message);
        match channel.edit_message(self.http, message, edit.clone()).await {
            Ok(_) => Ok(()),
            Err(e) if discord_code(&e).is_some_and(|c| GONE.contains(&c)) => Ok(()),
            Err(e) if discord_code(&e) == Some(ARCHIVED) => {
                unarchive(self.http, channel).await?;
                self.archived.push(channel);
                match channel.edit_message(self.http, message, edit).await {
                    Ok(_) => Ok(()),
                    Err(e) if discord_code(&e).is_some_and(|c| GONE.contains(&c)) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}
