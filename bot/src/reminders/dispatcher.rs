//! The one loop that sends reminders: claim what is due, group it by the place it goes, write
//! each message to the outbox, send it with the outbox nonce, then mark it. A crash anywhere
//! leaves either an unsent claim (released on start) or an open outbox row (sent again with
//! the same nonce, which Discord answers with the message already posted).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use flow::{Role, Target};
use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateMessage, Http, HttpError, Nonce, RoleId, UserId,
};
use storage::{ClaimedReminder, GuildSettings, OutboxEnd, Outgoing};

use super::render;
use crate::i18n::Tr;
use crate::publish::SHARED_LANG;
use crate::server;
use crate::types::Data;

/// Reminders claimed per pass; more are taken in the next pass right away.
pub const BATCH: u32 = 50;
/// Reminders merged into one message at most (so it stays under 2000 characters).
pub const PER_MESSAGE: usize = 5;
/// Failed sends are tried again this many times before the reminders are given up.
pub const MAX_ATTEMPTS: u32 = 10;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub messages_sent: usize,
    pub reminders_sent: usize,
    pub cancelled: usize,
    pub retried: usize,
    pub failed: usize,
    /// A storage error that cut the pass short; the next pass tries again.
    pub error: Option<String>,
}

/// The dispatcher's state between passes.
pub struct Dispatcher {
    pub data: Arc<Data>,
    pub http: Arc<Http>,
    /// Who claims: this process.
    pub owner: String,
    recovered: bool,
}

impl Dispatcher {
    pub fn new(data: Arc<Data>, http: Arc<Http>) -> Dispatcher {
        let owner = format!(
            "los-{}-{}",
            std::process::id(),
            data.clock.now().timestamp_micros()
        );
        Dispatcher {
            data,
            http,
            owner,
            recovered: false,
        }
    }

    /// One pass. Never fails: what went wrong is in the outcome and retried later.
    pub async fn run_once(&mut self) -> Outcome {
        let mut out = Outcome::default();
        if let Err(e) = self.pass(&mut out).await {
            tracing::warn!(error = %e, "reminder pass cut short");
            out.error = Some(e.to_string());
        }
        out
    }

    async fn pass(&mut self, out: &mut Outcome) -> storage::Result<()> {
        let now = self.data.clock.now();
        let db = self.data.db.pool();
        if !self.recovered {
            // We are the only sender: whatever is still claimed was claimed by a process that
            // died. Free the loose claims; the members of open outbox rows are taken again
            // below, so they go out with the nonce they were (maybe) sent with.
            let released = storage::release_stale_claims(db, now + Duration::days(1)).await?;
            let open = storage::outgoing_due(db, None).await?;
            for row in &open {
                storage::claim_members(db, &row.reminders, now, &self.owner).await?;
            }
            if released > 0 || !open.is_empty() {
                tracing::info!(
                    released,
                    open = open.len(),
                    "reminders resumed after a restart"
                );
            }
            self.recovered = true;
        }
        let claimed = storage::claim_due(db, now, BATCH, &self.owner).await?;
        for row in self.group(claimed, now).await? {
            storage::open_outgoing(db, &row, now).await?;
        }
        for row in storage::outgoing_due(db, Some(now)).await? {
            let rerouted = self.deliver(&row, now, out).await?;
            for row in rerouted {
                storage::open_outgoing(db, &row, now).await?;
                self.deliver(&row, now, out).await?;
            }
        }
        Ok(())
    }

    /// Where each reminder goes, and the claimed batch as outbox rows: one per place, at most
    /// [`PER_MESSAGE`] reminders each.
    async fn group(
        &self,
        claimed: Vec<ClaimedReminder>,
        now: DateTime<Utc>,
    ) -> storage::Result<Vec<Outgoing>> {
        let mut by_place: BTreeMap<(u64, String), Vec<i64>> = BTreeMap::new();
        for r in claimed {
            let place = self.place(&r).await?;
            by_place.entry((r.guild, place)).or_default().push(r.id);
        }
        let mut rows = Vec::new();
        for ((guild, destination), ids) in by_place {
            for chunk in ids.chunks(PER_MESSAGE) {
                rows.push(Outgoing {
                    nonce: nonce_of(chunk),
                    guild,
                    destination: destination.clone(),
                    reminders: chunk.to_vec(),
                    attempts: 0,
                    last_error: None,
                    next_attempt_at: now,
                });
            }
        }
        Ok(rows)
    }

    /// `u:<user>` for a direct message to the case's manager, else `c:<channel>`.
    async fn place(&self, r: &ClaimedReminder) -> storage::Result<String> {
        let db = self.data.db.pool();
        let settings = storage::load_settings(db, r.guild).await?;
        let thread = self.thread_of(r.guild, r.case).await?;
        let case = storage::load_case(db, r.guild, r.case).await?;
        let roles = self.roles_of(r);
        Ok(match (r.target, case) {
            (Target::HrChannel, _) => match settings.and_then(|s| s.hr_channel).or(thread) {
                Some(ch) => format!("c:{ch}"),
                None => "c:0".into(),
            },
            (Target::Responsible, Some(case))
                if roles.is_empty() || roles.contains(&Role::Manager) =>
            {
                format!("u:{}", case.owner.id.0)
            }
            (Target::Responsible, _) => format!("c:{}", thread.unwrap_or(0)),
        })
    }

    fn roles_of(&self, r: &ClaimedReminder) -> Vec<Role> {
        r.step
            .as_ref()
            .and_then(|s| self.data.process.step(s))
            .map(|s| s.roles.clone())
            .unwrap_or_default()
    }

    async fn thread_of(&self, guild: u64, case: flow::CaseId) -> storage::Result<Option<u64>> {
        let card = storage::card(self.data.db.pool(), guild, case).await?;
        Ok(card.map(|c| c.thread.unwrap_or(c.channel)))
    }

    /// Sends one outbox row and settles it. Returns rows it was moved to (a closed DM goes to
    /// the case threads instead).
    async fn deliver(
        &self,
        row: &Outgoing,
        now: DateTime<Utc>,
        out: &mut Outcome,
    ) -> storage::Result<Vec<Outgoing>> {
        let db = self.data.db.pool();
        let members = storage::claim_members(db, &row.reminders, now, &self.owner).await?;
        let settings = storage::load_settings(db, row.guild)
            .await?
            .unwrap_or_else(|| GuildSettings::new(row.guild));
        let reminder_settings = server::reminder_settings(&settings);
        let tr = Tr {
            texts: &self.data.texts,
            lang: SHARED_LANG,
        };
        let mut lines = Vec::new();
        let (mut keep, mut drop) = (Vec::new(), Vec::new());
        let mut late = Vec::new();
        let mut roles: Vec<u64> = Vec::new();
        let mut actionable = Vec::new();
        for r in &members {
            let case = storage::load_case(db, r.guild, r.case).await?;
            let wanted = case.filter(|c| {
                flow::plan_reminders(&self.data.process, c, &reminder_settings)
                    .iter()
                    .any(|p| p.key == storage::planned_key(&r.key))
            });
            match wanted {
                Some(case) => {
                    let thread = self.thread_of(r.guild, r.case).await?;
                    let day =
                        render::deadline_day(&self.data.process, &case, &reminder_settings, r);
                    lines.push(render::line(tr, &case, thread, r, day, now));
                    if render::is_late(r, now) {
                        late.push(r.id);
                    }
                    if r.target == Target::Responsible && row.destination.starts_with("c:") {
                        let ids = server::role_ids(&settings);
                        roles.extend(self.roles_of(r).iter().filter_map(|role| ids.get(role)));
                    }
                    if let (Target::Responsible, Some(step)) = (r.target, &r.step) {
                        actionable.push((r.id, r.case, step.clone(), r.kind));
                    }
                    keep.push(r.id);
                }
                None => drop.push(r.id),
            }
        }
        if keep.is_empty() {
            out.cancelled += drop.len();
            storage::close_outgoing(db, &row.nonce, OutboxEnd::Cancelled, &drop, &[], &[], now)
                .await?;
            return Ok(Vec::new());
        }
        roles.sort_unstable();
        roles.dedup();
        let mention = roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(" ");
        let content = render::message(
            tr,
            &lines,
            (!mention.is_empty()).then_some(mention.as_str()),
        );
        let message = CreateMessage::new()
            .content(content)
            .components(super::buttons::rows(tr, &actionable))
            .nonce(Nonce::String(row.nonce.clone()))
            .enforce_nonce(true)
            .allowed_mentions(
                CreateAllowedMentions::new().roles(roles.into_iter().map(RoleId::new)),
            );
        match self.send(&row.destination, message).await {
            Ok(()) => {
                out.messages_sent += 1;
                out.reminders_sent += keep.len();
                out.cancelled += drop.len();
                storage::close_outgoing(db, &row.nonce, OutboxEnd::Sent, &keep, &late, &drop, now)
                    .await?;
                Ok(Vec::new())
            }
            Err(e) => self.failed(row, &members, e, now, out).await,
        }
    }

    async fn send(&self, destination: &str, message: CreateMessage) -> Result<(), serenity::Error> {
        let channel = match destination.split_once(':') {
            Some(("u", user)) => {
                let user = UserId::new(user.parse().unwrap_or(1).max(1));
                user.create_dm_channel(&self.http).await?.id
            }
            Some((_, ch)) => ChannelId::new(ch.parse().unwrap_or(1).max(1)),
            None => ChannelId::new(1),
        };
        channel.send_message(&self.http, message).await.map(|_| ())
    }

    async fn failed(
        &self,
        row: &Outgoing,
        members: &[ClaimedReminder],
        e: serenity::Error,
        now: DateTime<Utc>,
        out: &mut Outcome,
    ) -> storage::Result<Vec<Outgoing>> {
        let db = self.data.db.pool();
        let ids: Vec<i64> = members.iter().map(|r| r.id).collect();
        let error = e.to_string();
        match classify(&e) {
            Failure::DmClosed => {
                tracing::info!(destination = %row.destination, "direct messages closed: to the case thread instead");
                let mut moved: BTreeMap<String, Vec<i64>> = BTreeMap::new();
                for r in members {
                    let thread = self.thread_of(r.guild, r.case).await?.unwrap_or(0);
                    moved.entry(format!("c:{thread}")).or_default().push(r.id);
                }
                storage::close_outgoing(db, &row.nonce, OutboxEnd::Rerouted, &[], &[], &[], now)
                    .await?;
                Ok(moved
                    .into_iter()
                    .map(|(destination, reminders)| Outgoing {
                        nonce: nonce_of_text(&format!("{}>{destination}", row.nonce)),
                        guild: row.guild,
                        destination,
                        reminders,
                        attempts: 0,
                        last_error: Some(error.clone()),
                        next_attempt_at: now,
                    })
                    .collect())
            }
            Failure::Gone => {
                tracing::info!(destination = %row.destination, "channel gone: its reminders are cancelled");
                out.cancelled += ids.len();
                storage::close_outgoing(db, &row.nonce, OutboxEnd::Cancelled, &[], &[], &ids, now)
                    .await?;
                // A case's own thread gone: nothing of that case can be told there any more.
                for r in members {
                    let thread = self.thread_of(r.guild, r.case).await?;
                    if thread.is_some_and(|t| row.destination == format!("c:{t}")) {
                        storage::cancel_reminders_for_case(db, r.guild, r.case).await?;
                    }
                }
                Ok(Vec::new())
            }
            Failure::Transient if row.attempts + 1 < MAX_ATTEMPTS => {
                let wait = backoff(row.attempts);
                tracing::warn!(error = %error, attempt = row.attempts + 1, retry_in_s = wait.num_seconds(), "reminder not sent; will retry");
                out.retried += ids.len();
                storage::retry_outgoing(db, row, &error, now + wait).await?;
                Ok(Vec::new())
            }
            Failure::Transient | Failure::Refused => {
                tracing::error!(error = %error, destination = %row.destination, "reminder given up");
                out.failed += ids.len();
                storage::retry_outgoing(db, row, &error, now).await?;
                storage::close_outgoing(db, &row.nonce, OutboxEnd::Failed, &ids, &[], &[], now)
                    .await?;
                Ok(Vec::new())
            }
        }
    }
}

enum Failure {
    /// The person does not take direct messages from the bot (50007).
    DmClosed,
    /// The channel is gone (10003) or the bot cannot see it any more.
    Gone,
    /// Rate limits, Discord's 5xx, the network: try again later.
    Transient,
    /// Discord refused the message itself: trying again will not help.
    Refused,
}

fn classify(e: &serenity::Error) -> Failure {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) => {
            let status = resp.status_code.as_u16();
            match (status, resp.error.code) {
                (403, 50007) => Failure::DmClosed,
                (404, 10003) | (403, 50001) => Failure::Gone,
                (429, _) | (500..=599, _) => Failure::Transient,
                _ => Failure::Refused,
            }
        }
        serenity::Error::Http(HttpError::Request(_)) | serenity::Error::Io(_) => Failure::Transient,
        serenity::Error::Http(HttpError::RateLimitI64F64 | HttpError::RateLimitUtf8) => {
            Failure::Transient
        }
        _ => Failure::Transient,
    }
}

/// 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff(failed_attempts: u32) -> Duration {
    let secs = 30_i64.saturating_mul(1_i64 << failed_attempts.min(7));
    Duration::seconds(secs.min(3600))
}

/// A nonce for a set of reminders: stable for the same set, at most 25 characters.
pub fn nonce_of(ids: &[i64]) -> String {
    let text: Vec<String> = ids.iter().map(i64::to_string).collect();
    nonce_of_text(&format!("r{}", text.join(",")))
}

fn nonce_of_text(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("r{hash:016x}")
}
