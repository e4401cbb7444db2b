//! What the reminder tests share: a bot on the sandbox with a manual clock, a case driven to
//! a start date through the service (as the buttons do, without the presses' round trips),
//! and reading reminders back from what the sandbox received.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use flow::{
    Action, Actor, CandidateName, CaseId, DateKey, Dato, ManualClock, OutcomeId, PersonId,
    PersonRef, Reason, Role, StepId,
};
use los::harness::{cast::*, world, Harness, TempDb};
use los::jobs::PassOutcome;
use sandbox::World;
use serde_json::Value;

pub struct Bot {
    pub h: Harness,
    pub clock: ManualClock,
    pub db: TempDb,
}

/// 09:00 Oslo on Monday 4 January 2027.
pub fn day_one() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 08:00 Oslo time on a day, as UTC.
pub fn eight(d: NaiveDate) -> DateTime<Utc> {
    flow::oslo_instant(d, NaiveTime::from_hms_opt(8, 0, 0).unwrap())
}

impl Bot {
    pub async fn start(name: &str) -> Bot {
        Bot::start_in(name, world()).await
    }

    pub async fn start_in(name: &str, world: World) -> Bot {
        Bot::start_with(name, world, los::config::DEFAULT_DISCORD_TIMEOUT).await
    }

    /// A bot that gives up any one request to Discord after `timeout`.
    pub async fn start_with(name: &str, world: World, timeout: std::time::Duration) -> Bot {
        let db = TempDb::new(name).unwrap();
        let clock = ManualClock::new(day_one());
        let h = Harness::start_with(world, &db.path, Arc::new(clock.clone()), timeout)
            .await
            .unwrap();
        h.set_up().await.unwrap();
        Bot { h, clock, db }
    }

    /// Sets the server's HR digest schedule (to keep it out of a test's way).
    pub async fn digest_at(&self, cron: &str) {
        let db = self.h.data().db.pool();
        let guild = self.h.sandbox.world().guild_id;
        let mut settings = storage::load_settings(db, guild).await.unwrap().unwrap();
        settings.reminders.digest_cron = Some(cron.into());
        storage::save_settings(db, &settings).await.unwrap();
    }

    /// Moves the clock and waits for a dispatcher pass that saw the new time.
    pub async fn at(&self, t: DateTime<Utc>) -> PassOutcome {
        self.clock.set(t);
        self.kick().await
    }

    pub async fn kick(&self) -> PassOutcome {
        let bot = self.h.bot.as_ref().expect("the bot runs");
        bot.reminders.kick().await.expect("the dispatcher answers")
    }

    pub fn actor(&self, id: u64, name: &str, roles: &[Role]) -> Actor {
        Actor {
            person: PersonRef {
                id: PersonId(id),
                name: name.into(),
            },
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        }
    }

    /// Opens a case by the manager; its id and thread.
    pub async fn open(&self, title: &str) -> (CaseId, u64) {
        let thread = self
            .h
            .open_case(LEDER, title, "Bydel Frogner")
            .await
            .unwrap();
        let guild = self.h.sandbox.world().guild_id;
        let case = storage::case_by_thread(self.h.data().db.pool(), guild, thread)
            .await
            .unwrap()
            .expect("the thread has a case");
        (case, thread)
    }

    pub async fn act(&self, who: &Actor, case: CaseId, action: Action) {
        let data = self.h.data();
        let guild = self.h.sandbox.world().guild_id;
        let settings = storage::load_settings(data.db.pool(), guild)
            .await
            .unwrap()
            .unwrap();
        los::change::act(data, &settings, case, who, &action)
            .await
            .unwrap_or_else(|e| panic!("{action:?} by {}: {e}", who.person.name));
    }

    /// Plays the case from its start to the start date, the way the demo does.
    pub async fn to_start_date(&self, case: CaseId, start: NaiveDate) {
        for (who, action) in self.plan(start) {
            self.act(&who, case, action).await;
        }
    }

    /// Plays the case from its start until `step` is open (and nothing after it).
    pub async fn play_until(&self, case: CaseId, step: &str) {
        let guild = self.h.sandbox.world().guild_id;
        let start = flow::engine::oslo_today(flow::Clock::now(&self.clock)) + chrono::Days::new(60);
        for (who, action) in self.plan(start) {
            let loaded = storage::load_case(self.h.data().db.pool(), guild, case)
                .await
                .unwrap()
                .unwrap();
            if loaded.is_step_open(&StepId::new(step)) {
                return;
            }
            self.act(&who, case, action).await;
        }
        panic!("{step} never opened");
    }

    /// The moves from a case's start to its start date, by whom.
    fn plan(&self, start: NaiveDate) -> Vec<(Actor, Action)> {
        let leder = self.actor(LEDER, "Lise Leder", &[]);
        let hr = self.actor(HR, "Hanne HR", &[Role::Hr]);
        let tv = self.actor(TILLITSVALGT, "Tore Tillitsvalgt", &[Role::UnionRep]);
        let god = self.actor(GODKJENNER, "Gunnar Godkjenner", &[Role::Approver]);
        let s = |id: &str| StepId::new(id);
        let done = |id: &str| Action::Complete { step: s(id) };
        let skip = |id: &str| Action::Skip {
            step: s(id),
            reason: Reason::parse("Ikke aktuelt").unwrap(),
        };
        let today = flow::engine::oslo_today(flow::Clock::now(&self.clock));
        let frist = Dato::from_naive(today + chrono::Days::new(14));
        vec![
            (&leder, done("stilling_vakant")),
            (&leder, done("tidlig_involvering")),
            (
                &leder,
                Action::Choose {
                    step: s("vurderer_behov"),
                    outcome: OutcomeId::new("nyansettelse"),
                },
            ),
            (&hr, skip("adm_arbeid")),
            (&hr, done("endringer_hr_system")),
            (&hr, done("sjekk_rapport_hr1072l")),
            (&hr, done("sjekk_overtallige")),
            (&leder, done("behovsanalyse")),
            (&leder, done("ny_utlysning")),
            (&leder, done("legger_til_involverte")),
            (
                &leder,
                Action::SetDate {
                    key: DateKey::Soknadsfrist,
                    date: frist,
                },
            ),
            (&hr, done("annonse_arkivert")),
            (&hr, skip("papirsoknader")),
            (&leder, done("info_til_sokere")),
            (&leder, done("arkiverer_sokerliste")),
            (&leder, done("behandler_soknader")),
            (&hr, done("sjekker_fortrinnsrett")),
            (&leder, done("planlegger_intervjuer")),
            (&leder, skip("lokalt_rad")),
            (
                &leder,
                Action::SetCandidates {
                    step: s("skriver_innstilling"),
                    names: vec![CandidateName::parse("Kari Nordmann").unwrap()],
                },
            ),
            (&leder, done("skriver_innstilling")),
            (&leder, done("dialog_tillitsvalgt")),
            (&tv, done("dialog_tillitsvalgt")),
            (
                &god,
                Action::Approve {
                    step: s("til_godkjenning"),
                },
            ),
            (&leder, done("ringer_kandidat")),
            (
                &leder,
                Action::RecordAccept {
                    step: s("svar_paa_tilbud"),
                },
            ),
            (
                &leder,
                Action::SetDate {
                    key: DateKey::Startdato,
                    date: Dato::from_naive(start),
                },
            ),
        ]
        .into_iter()
        .map(|(who, action)| (who.clone(), action))
        .collect()
    }

    /// Every message the bot sent anywhere the reminders go: the manager's DMs, the HR channel
    /// and the case threads.
    pub fn everywhere(&self) -> Vec<Value> {
        let sb = &self.h.sandbox;
        let mut all = sb.dms(LEDER);
        all.extend(sb.messages(HR_CHANNEL));
        for t in sb.threads(CASES) {
            all.extend(sb.messages(t.id));
        }
        all
    }

    /// How many times a text was received in `messages`.
    pub fn count(messages: &[Value], needle: &str) -> usize {
        messages
            .iter()
            .filter_map(|m| m["content"].as_str())
            .map(|c| c.matches(needle).count())
            .sum()
    }

    pub fn step_title(&self, step: &str) -> String {
        self.h.tr(flow::Lang::Nb).step(&StepId::new(step))
    }

    /// The line of a reminder to the manager about a step, as it begins in the DM: "«…» skal
    /// være gjort innen", or, once the deadline has passed (sent late or snoozed past it),
    /// "«…» skulle vært gjort innen". Both begin with what this returns.
    pub fn manager_line(&self, step: &str) -> String {
        format!("«{}» sk", self.step_title(step))
    }

    /// The line of the same reminder to HR.
    pub fn hr_line(&self, step: &str) -> String {
        format!("«{}» er fortsatt åpen", self.step_title(step))
    }

    /// The stored reminders of a case.
    pub async fn stored(&self, case: CaseId) -> Vec<storage::StoredReminder> {
        let guild = self.h.sandbox.world().guild_id;
        storage::reminders_for_case(self.h.data().db.pool(), guild, case)
            .await
            .unwrap()
    }

    /// The manager's reminder line about `step` of one case.
    pub fn manager_line_of(&self, case: CaseId, title: &str, step: &str) -> String {
        format!("Sak #{} {title}: «{}» sk", case.0, self.step_title(step))
    }

    /// HR's reminder line about `step` of one case.
    pub fn hr_line_of(&self, case: CaseId, title: &str, step: &str) -> String {
        format!(
            "sak #{} {title}: «{}» er fortsatt åpen",
            case.0,
            self.step_title(step)
        )
    }

    /// The bot goes down (its process state is gone); the sandbox stays.
    pub async fn down(&mut self) {
        if let Some(bot) = self.h.bot.take() {
            let data = bot.data.clone();
            bot.stop().await;
            data.db.close().await;
        }
    }

    pub async fn stop(self) {
        self.h.stop().await;
    }
}
