//! A batch of reminders made ready to send. Each guild's settings are read once per pass
//! ([`SettingsCache`]), each case and its card once per batch, in one snapshot
//! (`storage::cases_for_sending`); the reminders are grouped by the place they go into outbox
//! rows of at most [`PER_MESSAGE`] (a journey's reminders apart, in rows of their own: see
//! `journey_chunks`), and the rows are written to the outbox in one transaction,
//! before anything is sent.
//!
//! The case read here is the one the message is composed from, a few seconds later at most
//! (the batch being sent meanwhile): a step done in between may still be reminded of once,
//! and its button then says it is done.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use flow::{Case, Role, Target};
use storage::{ClaimedReminder, Destination, GuildSettings, Outgoing};

use crate::guild;
use crate::i18n::{Tr, CONTENT_MAX};
use crate::render::journey;
use crate::types::Data;

/// Reminders merged into one message at most (so it stays under 2000 characters).
pub const PER_MESSAGE: usize = 5;

/// A nonce for a set of reminders: stable for the same set, at most 25 characters.
pub fn nonce_of(ids: &[i64]) -> String {
    let text: Vec<String> = ids.iter().map(i64::to_string).collect();
    storage::nonce("r", &format!("r{}", text.join(",")))
}

/// The roles the process gives the reminder's step.
pub fn roles_of(process: &flow::Process, r: &ClaimedReminder) -> Vec<Role> {
    r.step
        .as_ref()
        .and_then(|s| process.step(s))
        .map(|s| s.roles.clone())
        .unwrap_or_default()
}

/// A claimed reminder and what the batch read about it.
#[derive(Clone)]
pub struct BatchMember {
    pub reminder: ClaimedReminder,
    /// `None`: the case is gone.
    pub case: Option<Arc<Case>>,
    /// The case's thread (else its card's channel).
    pub thread: Option<u64>,
    /// The case's card message.
    pub card: Option<u64>,
    /// A journey reminder's journey (its `thread` is then the journey's private thread).
    pub journey: Option<Arc<flow::journey::Journey>>,
}

/// One outbox row and everything needed to send and settle it.
pub struct Job {
    pub row: Outgoing,
    pub members: Vec<BatchMember>,
    pub settings: Arc<GuildSettings>,
}

/// Each guild's settings, read once per pass.
#[derive(Default)]
pub struct SettingsCache(HashMap<u64, Arc<GuildSettings>>);

impl SettingsCache {
    async fn get(&mut self, data: &Data, guild: u64) -> storage::Result<Arc<GuildSettings>> {
        if let Some(s) = self.0.get(&guild) {
            return Ok(s.clone());
        }
        let settings = Arc::new(guild::load_or_default(&data.db, guild).await?);
        self.0.insert(guild, settings.clone());
        Ok(settings)
    }
}

/// Claims up to `limit` due reminders and makes them jobs, their rows opened in the outbox.
/// Answers the jobs and how many reminders were claimed.
pub async fn claim(
    data: &Data,
    owner: &str,
    cache: &mut SettingsCache,
    limit: u32,
    now: DateTime<Utc>,
) -> storage::Result<(Vec<Job>, usize)> {
    let db = &data.db;
    let claimed = storage::claim_due(db, now, limit, owner).await?;
    let count = claimed.len();
    if count == 0 {
        return Ok((Vec::new(), 0));
    }
    let members = read(data, claimed).await?;
    // A journey's reminders go in messages of their own (with a tick button per item).
    let mut by_place: BTreeMap<(u64, Destination, bool), Vec<BatchMember>> = BTreeMap::new();
    for m in members {
        let settings = cache.get(data, m.reminder.guild).await?;
        let place = place(&data.process, &settings, &m);
        let journey = m.reminder.kind.is_journey();
        by_place
            .entry((m.reminder.guild, place, journey))
            .or_default()
            .push(m);
    }
    let mut jobs = Vec::new();
    for ((guild, destination, journey), members) in by_place {
        let settings = cache.get(data, guild).await?;
        let chunks = if journey {
            journey_chunks(data, &settings, members)
        } else {
            members.chunks(PER_MESSAGE).map(<[_]>::to_vec).collect()
        };
        for chunk in chunks {
            let ids: Vec<i64> = chunk.iter().map(|m| m.reminder.id).collect();
            jobs.push(Job {
                row: Outgoing {
                    nonce: nonce_of(&ids),
                    guild,
                    destination,
                    reminders: ids,
                    attempts: 0,
                    last_error: None,
                    next_attempt_at: now,
                    // One claim, one epoch: the row is held under it.
                    epoch: chunk[0].reminder.epoch,
                },
                members: chunk,
                settings: settings.clone(),
            });
        }
    }
    let rows: Vec<Outgoing> = jobs.iter().map(|j| j.row.clone()).collect();
    let lost = storage::open_outgoing_many(db, &rows, now).await?;
    Ok((held(jobs, &lost), count))
}

/// The jobs whose rows were opened: a row whose claim another process took over meanwhile
/// (`lost`) is that process's to send, never this one's.
pub fn held(jobs: Vec<Job>, lost: &[String]) -> Vec<Job> {
    if !lost.is_empty() {
        tracing::warn!(
            rows = lost.len(),
            "reminders claimed here were taken over before their message was written"
        );
    }
    jobs.into_iter()
        .filter(|j| !lost.contains(&j.row.nonce))
        .collect()
}

/// A place's journey reminders as the messages they go out in, in order: at most
/// [`journey::REMINDERS_PER_MESSAGE`] each (a tick button per item), and no more than fit in
/// Discord's 2000 characters with the heading, each line counted as long as it can be when
/// sent (with the note that it is late).
fn journey_chunks(
    data: &Data,
    settings: &GuildSettings,
    members: Vec<BatchMember>,
) -> Vec<Vec<BatchMember>> {
    let tr = Tr::shared(&data.texts, settings);
    let heading = journey::reminder_heading(tr, journey::REMINDERS_PER_MESSAGE)
        .chars()
        .count();
    let room = CONTENT_MAX.saturating_sub(heading + 1);
    let mut chunks: Vec<Vec<BatchMember>> = Vec::new();
    let mut used = 0;
    for m in members {
        let length = match (&m.case, &m.journey) {
            (Some(case), Some(j)) => {
                let late = m.reminder.due + chrono::Duration::days(1);
                journey::reminder_line(tr, case, j, m.thread, &m.reminder, late)
                    .chars()
                    .count()
                    + 1
            }
            _ => 0,
        };
        match chunks.last_mut() {
            Some(last) if last.len() < journey::REMINDERS_PER_MESSAGE && used + length <= room => {
                last.push(m);
                used += length;
            }
            _ => {
                chunks.push(vec![m]);
                used = length;
            }
        }
    }
    chunks
}

/// Open outbox rows taken by this process (after a restart, tried again after a failure, or
/// left by a process that died) as jobs: their reminders claimed again under the row's new
/// epoch, with the nonce they were (maybe) sent with.
pub async fn reopen(
    data: &Data,
    cache: &mut SettingsCache,
    rows: Vec<(Outgoing, Vec<ClaimedReminder>)>,
) -> storage::Result<Vec<Job>> {
    let mut jobs = Vec::new();
    for (row, claimed) in rows {
        let members = read(data, claimed).await?;
        let settings = cache.get(data, row.guild).await?;
        jobs.push(Job {
            row,
            members,
            settings,
        });
    }
    Ok(jobs)
}

/// The claimed reminders with their cases and threads, in the order given.
async fn read(data: &Data, claimed: Vec<ClaimedReminder>) -> storage::Result<Vec<BatchMember>> {
    let mut wanted: BTreeMap<u64, Vec<flow::CaseId>> = BTreeMap::new();
    for r in &claimed {
        wanted.entry(r.guild).or_default().push(r.case);
    }
    type Found = (Arc<Case>, Option<u64>, Option<u64>);
    let mut found: HashMap<(u64, flow::CaseId), Found> = HashMap::new();
    let mut journeys: HashMap<(u64, flow::CaseId), (Arc<flow::journey::Journey>, Option<u64>)> =
        HashMap::new();
    for (guild, mut cases) in wanted {
        cases.sort_unstable();
        cases.dedup();
        for c in storage::cases_for_sending(&data.db, guild, &cases).await? {
            found.insert((guild, c.case.id), (Arc::new(c.case), c.thread, c.card));
        }
        let of_journeys: Vec<flow::CaseId> = claimed
            .iter()
            .filter(|r| r.guild == guild && r.kind.is_journey())
            .map(|r| r.case)
            .collect();
        if !of_journeys.is_empty() {
            for row in storage::journeys_of(&data.db, guild, &of_journeys).await? {
                journeys.insert(
                    (guild, row.journey.case),
                    (Arc::new(row.journey), row.thread),
                );
            }
        }
    }
    Ok(claimed
        .into_iter()
        .map(|r| {
            let (case, thread, card) = match found.get(&(r.guild, r.case)) {
                Some((case, thread, card)) => (Some(case.clone()), *thread, *card),
                None => (None, None, None),
            };
            if r.kind.is_journey() {
                // Said in the journey's private thread, never in the case's.
                let (journey, thread) = match journeys.get(&(r.guild, r.case)) {
                    Some((j, thread)) => (Some(j.clone()), *thread),
                    None => (None, None),
                };
                return BatchMember {
                    reminder: r,
                    case,
                    thread,
                    card: None,
                    journey,
                };
            }
            BatchMember {
                reminder: r,
                case,
                thread,
                card,
                journey: None,
            }
        })
        .collect())
}

/// The direct messages of the case's manager (its deputy while one is named), else a channel
/// (the HR channel, the case's thread), or nowhere if there is none. A journey's reminders go
/// to the new hire's or the buddy's direct messages too, and their thread is the journey's.
fn place(process: &flow::Process, settings: &GuildSettings, m: &BatchMember) -> Destination {
    let roles = roles_of(process, &m.reminder);
    let person = |p: &flow::PersonRef| match p.id.0 {
        0 => Destination::channel(m.thread),
        id => Destination::User(storage::UserId(id)),
    };
    let journey = m.journey.as_deref();
    match (m.reminder.target, &m.case) {
        (Target::NewHire, _) => journey.map_or(Destination::Nowhere, |j| person(&j.new_hire)),
        (Target::Buddy, Some(case)) => {
            let buddy = journey.and_then(|j| j.buddy.as_ref());
            person(buddy.unwrap_or_else(|| case.reminded_manager()))
        }
        (Target::Manager, Some(case)) => person(case.reminded_manager()),
        (Target::Buddy | Target::Manager, None) => Destination::channel(m.thread),
        (Target::HrChannel, _) => Destination::channel(settings.hr_channel.or(m.thread)),
        (Target::Responsible, Some(case)) if roles.is_empty() || roles.contains(&Role::Manager) => {
            Destination::User(storage::UserId(case.reminded_manager().id.0))
        }
        (Target::Responsible, _) => Destination::channel(m.thread),
    }
}
