//! Sending jobs and settling them. Jobs for one destination form a lane, sent one after the
//! other in order; up to [`CONCURRENCY`] lanes are under way at once, every request through
//! the shared [`Pacer`](crate::pace::Pacer). Each message is sent with its outbox nonce and
//! `enforce_nonce`, then marked sent together with closing its row, in one transaction.
//!
//! A send that fails is settled as [`crate::publish::delivery`] says: tried again later (with the same
//! nonce when it may have been posted), moved from a closed DM to the case thread, or given
//! up; never is anything meant for another place cancelled. When a place refuses a message,
//! the rest of its lane is settled the same way without asking Discord again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use flow::Target;
use futures::stream::{self, StreamExt};
use serenity::all::{CreateAllowedMentions, CreateMessage, Nonce, RoleId};
use storage::{NotificationLevel, OutboxEnd, Outgoing};

use super::batch::{roles_of, BatchMember, Job};
use super::destinations;
use super::dispatcher::{Dispatcher, PassOutcome};
use crate::guild;
use crate::i18n::Tr;
use crate::publish::delivery::{self, backoff, Failure, Problem, GIVE_UP};
use crate::render::{journey, reminder};
use storage::Destination;

/// Destinations sent to at once. The pacer sets the rate; this only keeps enough requests
/// ready that a slow reply or a commit waiting for the disk does not leave the pace unused.
pub const CONCURRENCY: usize = 16;

/// What a message says, and what becomes of its reminders.
struct Composed {
    message: CreateMessage,
    keep: Vec<i64>,
    late: Vec<i64>,
    /// Reminders the case no longer wants: cancelled whatever happens to the message.
    drop: Vec<i64>,
}

impl Dispatcher {
    /// Sends every job, one lane per destination; then, the same way, the rows that closed
    /// DMs moved to case threads. Stops a lane at its first storage error (the rest of it
    /// stays open in the outbox for the next pass) and reports the error in the outcome.
    pub(super) async fn deliver_all(&self, jobs: Vec<Job>) -> PassOutcome {
        let mut out = PassOutcome::default();
        let mut jobs = jobs;
        // A moved row goes to a channel, and a channel never moves a row again; the bound is
        // only a guard.
        for _ in 0..3 {
            if jobs.is_empty() {
                break;
            }
            let results: Vec<(PassOutcome, Vec<Job>)> = stream::iter(lanes(jobs))
                .map(|lane| self.lane(lane))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            jobs = Vec::new();
            for (done, moved) in results {
                out.add(done);
                jobs.extend(moved);
            }
        }
        out
    }

    async fn lane(&self, lane: Vec<Job>) -> (PassOutcome, Vec<Job>) {
        let mut out = PassOutcome::default();
        let mut moved = Vec::new();
        // Once the place has refused a message, the rest of the lane is settled the same way
        // without asking again (a place that refuses one refuses the next).
        let mut refused: Option<(Failure, String)> = None;
        for job in lane {
            match self.deliver(job, &mut out, &mut refused).await {
                Ok(more) => moved.extend(more),
                Err(e) => {
                    tracing::warn!(error = %e, "reminder not settled; the next pass takes it up");
                    out.error.get_or_insert(e.to_string());
                    break;
                }
            }
        }
        (out, moved)
    }

    /// Sends one job and settles it (or, after the place refused an earlier one, settles it as
    /// that one). Returns the jobs it was moved to (a closed DM goes to the case threads
    /// instead), already in the outbox. Its span names the guild, and the cases and steps the
    /// message reminds of.
    #[tracing::instrument(
        name = "reminder_message",
        skip_all,
        fields(
            guild = job.row.guild,
            cases = ?job.members.iter().map(|m| m.reminder.case.0).collect::<Vec<_>>(),
            steps = ?job
                .members
                .iter()
                .filter_map(|m| m.reminder.step.as_ref().map(|s| s.as_str()))
                .collect::<Vec<_>>(),
        )
    )]
    async fn deliver(
        &self,
        job: Job,
        out: &mut PassOutcome,
        refused: &mut Option<(Failure, String)>,
    ) -> storage::Result<Vec<Job>> {
        let db = &self.data.db;
        let now = self.data.clock.now();
        let Some(c) = self.compose(&job, now) else {
            let drop: Vec<i64> = job.members.iter().map(|m| m.reminder.id).collect();
            out.cancelled += drop.len();
            let held =
                storage::close_outgoing(db, &job.row, OutboxEnd::Cancelled, &[], &[], &drop, now)
                    .await?;
            taken_over(held, &job.row);
            return Ok(Vec::new());
        };
        let to = job.row.destination;
        if to == Destination::Nowhere {
            return self.nowhere(&job, out, now).await;
        }
        if let Some((failure, error)) = refused.clone() {
            return self.failed(job, &c, failure, error, now, out).await;
        }
        let sent = destinations::send(
            &self.http,
            &self.data.pacer,
            &self.dms,
            to,
            c.message.clone(),
        )
        .await;
        match sent {
            Ok(()) => {
                out.messages_sent += 1;
                out.reminders_sent += c.keep.len();
                crate::ops::metrics::reminders_sent(c.keep.len(), c.late.len());
                out.cancelled += c.drop.len();
                let row = &job.row;
                let held = storage::close_outgoing(
                    db,
                    row,
                    OutboxEnd::Sent,
                    &c.keep,
                    &c.late,
                    &c.drop,
                    now,
                )
                .await?;
                taken_over(held, row);
                delivery::worked(&self.data, row.guild, row.destination).await;
                Ok(Vec::new())
            }
            Err(e) => {
                let failure = delivery::classify(&e);
                let error = e.to_string();
                if !matches!(failure, Failure::Transient | Failure::DmClosed) {
                    *refused = Some((failure, error.clone()));
                }
                self.failed(job, &c, failure, error, now, out).await
            }
        }
    }

    /// The message for a job, from the cases as the batch read them; `None` when the cases
    /// want none of its reminders any more.
    fn compose(&self, job: &Job, now: DateTime<Utc>) -> Option<Composed> {
        let reminder_settings = guild::reminder_settings(&job.settings);
        let tr = Tr::shared(&self.data.texts, &job.settings);
        let in_channel = matches!(job.row.destination, Destination::Channel(_));
        let (mut lines, mut keep, mut late, mut drop) = (vec![], vec![], vec![], vec![]);
        let mut roles: Vec<u64> = Vec::new();
        let mut actionable = Vec::new();
        let mut ticks = Vec::new();
        for m in &job.members {
            let r = &m.reminder;
            if r.kind.is_journey() {
                // A journey's reminder: wanted while its journey still plans it.
                let remind_at = reminder_settings.deadlines.remind_at;
                let key = storage::planned_key(&r.key);
                let wanted = m
                    .case
                    .as_deref()
                    .zip(m.journey.as_deref())
                    .filter(|(_, j)| j.reminders(remind_at).iter().any(|p| p.key == key));
                let Some((case, j)) = wanted else {
                    drop.push(r.id);
                    continue;
                };
                lines.push(journey::reminder_line(tr, case, j, m.thread, r, now));
                ticks.extend(journey::Tickable::of(tr, j, r));
                if reminder::is_late(r, now) {
                    late.push(r.id);
                }
                keep.push(r.id);
                continue;
            }
            let wanted = m.case.as_deref().filter(|c| {
                flow::plan_reminders(&self.data.process, c, &reminder_settings)
                    .iter()
                    .any(|p| p.key == storage::planned_key(&r.key))
            });
            let Some(case) = wanted else {
                drop.push(r.id);
                continue;
            };
            let day = reminder::deadline_day(&self.data.process, case, &reminder_settings, r);
            lines.push(reminder::line(tr, case, m.thread, r, day, now));
            if reminder::is_late(r, now) {
                late.push(r.id);
            }
            if r.target == Target::Responsible && in_channel {
                let ids = guild::role_ids(&job.settings);
                roles.extend(
                    roles_of(&self.data.process, r)
                        .iter()
                        .filter_map(|role| ids.get(role)),
                );
            }
            if let (Target::Responsible, Some(step)) = (r.target, &r.step) {
                let nudge = matches!(
                    r.kind,
                    flow::ReminderKind::Stalled | flow::ReminderKind::StalledEscalation
                );
                let link = reminder::card_link(job.row.guild, m.thread, m.card);
                actionable.push(reminder::Offer::new(
                    &self.data.process,
                    case,
                    r.id,
                    step,
                    nudge,
                    !in_channel,
                    link,
                    now,
                ));
            }
            keep.push(r.id);
        }
        if keep.is_empty() {
            return None;
        }
        roles.sort_unstable();
        roles.dedup();
        let mention = roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(" ");
        // A journey's reminders have messages of their own (`batch`): a heading of their
        // own and a tick button per item.
        let of_journeys = job.members.iter().all(|m| m.reminder.kind.is_journey());
        let (content, rows) = if of_journeys {
            (
                journey::reminder_message(tr, &lines),
                journey::reminder_rows(&ticks),
            )
        } else {
            let content = reminder::message(
                tr,
                &lines,
                (!mention.is_empty()).then_some(mention.as_str()),
            );
            (content, reminder::rows(tr, &actionable))
        };
        // The roles are named either way; they are pinged unless the server chose that
        // nothing in it pings (the digest and direct messages carry it then).
        let quiet = guild::notification_level(&job.settings) == NotificationLevel::DigestOnly;
        let allowed = if quiet {
            CreateAllowedMentions::new()
        } else {
            CreateAllowedMentions::new().roles(roles.into_iter().map(RoleId::new))
        };
        let message = CreateMessage::new()
            .content(content)
            .components(rows)
            .nonce(Nonce::String(job.row.nonce.clone()))
            .enforce_nonce(true)
            .allowed_mentions(allowed);
        Some(Composed {
            message,
            keep,
            late,
            drop,
        })
    }

    /// Settles a job whose message was not (surely) delivered; see [`crate::publish::delivery`].
    async fn failed(
        &self,
        job: Job,
        c: &Composed,
        failure: Failure,
        error: String,
        now: DateTime<Utc>,
        out: &mut PassOutcome,
    ) -> storage::Result<Vec<Job>> {
        let db = &self.data.db;
        let row = &job.row;
        let ids: Vec<i64> = job.members.iter().map(|m| m.reminder.id).collect();
        // The case whose own thread the place is, if it is one.
        let thread_of = job
            .members
            .iter()
            .find(|m| {
                m.thread
                    .is_some_and(|t| row.destination == Destination::channel(Some(t)))
            })
            .map(|m| m.reminder.case);
        // Past its time by more than `GIVE_UP`: the oldest reminder in it decides.
        let oldest = job
            .members
            .iter()
            .map(|m| m.reminder.due)
            .min()
            .unwrap_or(now);
        let expired = now - oldest >= GIVE_UP;
        match failure {
            Failure::DmClosed => {
                tracing::info!(destination = %row.destination, "direct messages closed: to the case thread instead");
                let moved = moved_to_threads(&job, &error, now);
                let held =
                    storage::close_outgoing(db, row, OutboxEnd::Rerouted, &[], &[], &[], now)
                        .await?;
                if !taken_over(held, row) {
                    return Ok(Vec::new());
                }
                let rows: Vec<Outgoing> = moved.iter().map(|j| j.row.clone()).collect();
                let lost = storage::open_outgoing_many(db, &rows, now).await?;
                Ok(super::batch::held(moved, &lost))
            }
            // A case's thread deleted never comes back: what was for it is given up.
            Failure::Gone if thread_of.is_some() => {
                delivery::record(
                    &self.data,
                    row.guild,
                    row.destination,
                    Problem::UnknownChannel,
                    thread_of,
                    &error,
                )
                .await;
                self.give_up(&job, c, &error, now, out).await
            }
            Failure::Transient if !expired => {
                let wait = backoff(row.attempts);
                tracing::warn!(error = %error, attempt = row.attempts + 1, retry_in_s = wait.num_seconds(), "reminder not sent; will retry with its nonce");
                out.retried += ids.len();
                let held = storage::retry_outgoing(db, row, &error, now + wait).await?;
                taken_over(held, row);
                Ok(Vec::new())
            }
            Failure::Gone | Failure::Place(_) | Failure::Refused if !expired => {
                if let Some(problem) = delivery::problem_of(failure) {
                    if failure == Failure::Refused {
                        tracing::error!(error = %error, destination = %row.destination, "Discord refused a reminder message");
                    }
                    // Refused messages are the bot's to mend, not HR's: told only if given up.
                    if problem != Problem::Refused {
                        delivery::record(
                            &self.data,
                            row.guild,
                            row.destination,
                            problem,
                            thread_of,
                            &error,
                        )
                        .await;
                    }
                }
                // Not posted: the reminders go back to the queue, to come out in a new message
                // wherever they belong then.
                let attempts = job
                    .members
                    .iter()
                    .map(|m| m.reminder.attempts)
                    .max()
                    .unwrap_or(1);
                let wait = backoff(attempts.saturating_sub(1));
                out.retried += c.keep.len();
                out.cancelled += c.drop.len();
                let held =
                    storage::requeue_outgoing(db, row, &c.keep, &c.drop, &error, now + wait, now)
                        .await?;
                taken_over(held, row);
                Ok(Vec::new())
            }
            // Tried for `GIVE_UP`: given up, and HR told.
            _ => {
                let problem = match failure {
                    Failure::Place(p) => p,
                    Failure::Gone => Problem::UnknownChannel,
                    _ => Problem::Unreachable,
                };
                delivery::record(
                    &self.data,
                    row.guild,
                    row.destination,
                    problem,
                    thread_of,
                    &error,
                )
                .await;
                self.give_up(&job, c, &error, now, out).await
            }
        }
    }

    /// The job's wanted reminders are failed for good (the others cancelled).
    async fn give_up(
        &self,
        job: &Job,
        c: &Composed,
        error: &str,
        now: DateTime<Utc>,
        out: &mut PassOutcome,
    ) -> storage::Result<Vec<Job>> {
        let db = &self.data.db;
        let row = &job.row;
        tracing::error!(error = %error, destination = %row.destination, reminders = c.keep.len(), "reminders given up");
        out.failed += c.keep.len();
        crate::ops::metrics::reminders_failed(c.keep.len());
        out.cancelled += c.drop.len();
        let held = storage::retry_outgoing(db, row, error, now).await?
            && storage::close_outgoing(db, row, OutboxEnd::Failed, &c.keep, &[], &c.drop, now)
                .await?;
        taken_over(held, row);
        Ok(Vec::new())
    }

    /// No place at all (no HR channel set and no case thread): the job's reminders are
    /// cancelled; nothing else of their cases is.
    async fn nowhere(
        &self,
        job: &Job,
        out: &mut PassOutcome,
        now: DateTime<Utc>,
    ) -> storage::Result<Vec<Job>> {
        let db = &self.data.db;
        let row = &job.row;
        tracing::warn!(destination = %row.destination, "no place for these reminders: cancelled");
        let ids: Vec<i64> = job.members.iter().map(|m| m.reminder.id).collect();
        out.cancelled += ids.len();
        let held =
            storage::close_outgoing(db, row, OutboxEnd::Cancelled, &[], &[], &ids, now).await?;
        taken_over(held, row);
        Ok(Vec::new())
    }
}

/// Whether `row` was still held by this process when it was settled (`held`). When not, its
/// lease ran out and another process took it over (with the same nonce, so the message is
/// seen once): that one settles it; nothing was changed here.
fn taken_over(held: bool, row: &Outgoing) -> bool {
    if !held {
        tracing::warn!(
            epoch = row.epoch,
            destination = %row.destination,
            "a reminder message was taken over by another sender before it was settled here"
        );
    }
    held
}

/// Jobs grouped by destination, each lane in the jobs' order, lanes in order of first job.
fn lanes(jobs: Vec<Job>) -> Vec<Vec<Job>> {
    let mut index: BTreeMap<Destination, usize> = BTreeMap::new();
    let mut lanes: Vec<Vec<Job>> = Vec::new();
    for job in jobs {
        match index.get(&job.row.destination) {
            Some(i) => lanes[*i].push(job),
            None => {
                index.insert(job.row.destination, lanes.len());
                lanes.push(vec![job]);
            }
        }
    }
    lanes
}

/// A job whose DM is closed, as jobs for the case threads of its reminders.
fn moved_to_threads(job: &Job, error: &str, now: DateTime<Utc>) -> Vec<Job> {
    let mut by_thread: BTreeMap<Destination, Vec<BatchMember>> = BTreeMap::new();
    for m in &job.members {
        let destination = Destination::channel(m.thread);
        by_thread.entry(destination).or_default().push(m.clone());
    }
    by_thread
        .into_iter()
        .map(|(destination, members)| Job {
            row: Outgoing {
                nonce: storage::nonce("r", &format!("{}>{destination}", job.row.nonce)),
                guild: job.row.guild,
                destination,
                reminders: members.iter().map(|m| m.reminder.id).collect(),
                attempts: 0,
                last_error: Some(error.to_owned()),
                next_attempt_at: now,
                // The same claim: its reminders stay claimed under it.
                epoch: job.row.epoch,
            },
            members,
            settings: job.settings.clone(),
        })
        .collect()
}
