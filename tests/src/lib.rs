//! The one kit of the end-to-end tests (`tests/it/`): the sandbox server with its people, the
//! real bot on a fresh SQLite file, a clock the test moves, and words for what those people do
//! and what they see.
//!
//! A test reads as what happens: `kit.press(LEDER, thread, "btn-done", "stilling_vakant")`,
//! `kit.at(eight(date(2027, 2, 8)))` (the clock moves and the reminder loop makes a pass),
//! `kit.count_in_dms(LEDER, &kit.manager_line(step))`. Where Discord itself misbehaves (a
//! request that hangs, a channel someone deleted) a test says so through [`Kit::discord`];
//! where it looks behind the bot's back into the database, through [`Kit::db`] or one of the
//! readers here. Everything panics with what it was doing when it fails: a test is a script.
//!
//! Two starts: [`Kit::start`] for the process tests (Discord's limits but a per-channel
//! message bucket wide enough for presses a millisecond apart; not yet set up), and
//! [`Kit::reminders`] for the reminder tests (Discord's own limits, which the bot's pacing must
//! keep; already set up; 09:00 on day one).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use flow::{
    Action, Actor as Person, CandidateName, Case, CaseId, DateKey, Dato, Lang, ManualClock,
    OutcomeId, PersonId, PersonRef, Reason, Role, StepId,
};
use los::harness::{Harness, Noise, TempDb};
use los::i18n::Tr;
use sandbox::{Actor, Answer, ChannelRec, RequestRecord, Sandbox, World};
use serde_json::Value;

pub use los::harness::cast::*;
pub use los::harness::world;
/// What one pass of the reminder loop did.
pub use los::jobs::PassOutcome as Outcome;

/// Monday 4 January 2027, 09:00 in Oslo: where the reminder tests begin.
pub fn day_one() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap()
}

/// Monday 4 January 2027, 10:00 in Oslo: where the process tests begin.
pub fn ten_on_day_one() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 08:00 Oslo time on a day (when the reminders go out), as UTC.
pub fn eight(d: NaiveDate) -> DateTime<Utc> {
    flow::oslo_instant(d, NaiveTime::from_hms_opt(8, 0, 0).unwrap())
}

/// How many times `needle` occurs in the contents of `messages`.
pub fn count(messages: &[Value], needle: &str) -> usize {
    messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .map(|c| c.matches(needle).count())
        .sum()
}

/// A message's id, as a number.
pub fn id_of(message: &Value) -> u64 {
    message["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a message without an id: {message:#}"))
}

/// The sandbox server for process tests: Discord's limits, but a per-channel message bucket
/// wide enough that a test pressing a button a millisecond after the last is not paced like a
/// person (the rate-limit behaviour itself is tested with Discord's own 5 per 5 s).
pub fn test_world() -> World {
    let mut w = world();
    w.config.buckets.insert(
        "POST /channels/{channel_id}/messages".into(),
        (50, Duration::from_secs(1)),
    );
    w
}

/// The members of the cast, for tests that name them.
pub fn member_name(id: u64) -> &'static str {
    match id {
        ADMIN => "Ada Admin",
        LEDER => "Lise Leder",
        HR => "Hanne HR",
        TILLITSVALGT => "Tore Tillitsvalgt",
        GODKJENNER => "Gunnar Godkjenner",
        KOLLEGA => "Kari Kollega",
        HR_EN => "Harriet HR",
        _ => "someone",
    }
}

/// A running bot and sandbox for one test.
pub struct Kit {
    h: Harness,
    clock: ManualClock,
    db: TempDb,
}

/// How a kit starts ([`Kit::build`], [`Kit::reminders`]), then [`Build::start`].
pub struct Build {
    world: World,
    at: DateTime<Utc>,
    discord_timeout: Duration,
    set_up: bool,
    lease: los::shards::LeaseTimes,
    backend: Backend,
}

/// The database a kit's bot runs on: a SQLite file of its own (the default, as the README's
/// commands run it), or a PostgreSQL database of its own on the server `LOS_TEST_POSTGRES`
/// names (as `DATABASE_URL=postgres://…` runs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Build {
    /// On this database engine ([`Backend`]). On PostgreSQL the shard leases last 6 s instead
    /// of 30: there [`Kit::restart`] is what a crash is to a deployment (several processes may
    /// share the database, so the new process cannot know the old one is gone and waits out
    /// its leases, as a survivor would), and a restart must fit in the sandbox's wait for the
    /// IDENTIFY. SQLite's single process ends its predecessor's leases at once.
    pub fn on(mut self, backend: Backend) -> Build {
        self.backend = backend;
        if backend == Backend::Postgres {
            self.lease =
                los::shards::LeaseTimes::new(Duration::from_secs(6), Duration::from_secs(2))
                    .expect("6 s leases fenced 2 s early work");
        }
        self
    }

    /// On this server instead.
    pub fn world(mut self, world: World) -> Build {
        self.world = world;
        self
    }

    /// A bot that gives up any one request to Discord after `timeout` (a hung request).
    pub fn discord_timeout(mut self, timeout: Duration) -> Build {
        self.discord_timeout = timeout;
        self
    }

    /// A bot whose shard leases have these times (a test of self-fencing).
    pub fn lease(mut self, times: los::shards::LeaseTimes) -> Build {
        self.lease = times;
        self
    }

    /// Set up by the administrator (`/oppsett`: roles, channels, links) once started.
    pub fn set_up(mut self) -> Build {
        self.set_up = true;
        self
    }

    pub async fn start(self) -> Kit {
        let set_up = self.set_up;
        let kit = self.start_unset().await;
        if set_up {
            kit.set_up().await;
        }
        kit
    }

    /// Started, not yet set up even if asked for (a test that waits for something first, such
    /// as every shard, then calls [`Kit::set_up`]).
    pub async fn start_unset(self) -> Kit {
        let name = temp_name();
        let db = TempDb::new(&name).expect("a temp folder");
        let database = match self.backend {
            Backend::Sqlite => db.path.display().to_string(),
            Backend::Postgres => pg_url(&name).await,
        };
        let clock = ManualClock::new(self.at);
        let h = Harness::start_on(
            self.world,
            &database,
            Arc::new(clock.clone()),
            self.discord_timeout,
            self.lease,
        )
        .await
        .expect("the sandbox and the bot start");
        Kit { h, clock, db }
    }
}

/// The URL of a fresh, empty PostgreSQL database of its own on the server `LOS_TEST_POSTGRES`
/// names (the schema comes with the first open). Its name: `los_e2e_`, the start of `test` in
/// letters, digits and `_`, the test process's id and a number (PostgreSQL keeps 63 bytes of a
/// name, so it is kept shorter than that).
pub async fn pg_url(test: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let admin = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES names a server");
    let short: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(32)
        .collect();
    let name = format!(
        "los_e2e_{short}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    storage::create_postgres_database(&admin, &name)
        .await
        .expect("a test database is created");
    let slash = admin
        .rfind('/')
        .filter(|at| *at > "postgres://".len())
        .expect("LOS_TEST_POSTGRES ends in /<database>");
    format!("{}/{name}", &admin[..slash])
}

/// An end-to-end test that holds on both engines: `NAME::sqlite` on a SQLite file of its own,
/// `NAME::postgres` on a PostgreSQL database of its own (ignored, with the reason, where no
/// server is named: see `tests/build.rs`). The body gets the [`Backend`] to build its kit on.
#[macro_export]
macro_rules! on_both {
    ($(#[doc = $doc:expr])* async fn $name:ident($on:ident: Backend) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[doc = $doc])*
            async fn run($on: $crate::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(los_postgres),
                ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
            )]
            async fn postgres() {
                run($crate::Backend::Postgres).await;
            }
        }
    };
}

/// A fresh folder name per kit: the test's name (its thread's) and a number.
fn temp_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let thread = std::thread::current();
    let test: String = thread
        .name()
        .unwrap_or("e2e")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{test}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Starting.
impl Kit {
    /// The process tests' start, to be built on: [`test_world`], 10:00 on day one, not set up.
    pub fn build() -> Build {
        Build {
            world: test_world(),
            at: ten_on_day_one(),
            discord_timeout: los::config::DEFAULT_DISCORD_TIMEOUT,
            set_up: false,
            lease: los::shards::LeaseTimes::DEFAULT,
            backend: Backend::Sqlite,
        }
    }

    /// The reminder tests' start, to be built on: Discord's own limits ([`world`]: 5 messages
    /// per 5 s in a channel, which the bot's pacing must keep), 09:00 on day one, set up.
    pub fn reminders() -> Build {
        Build {
            world: world(),
            at: day_one(),
            ..Kit::build()
        }
        .set_up()
    }

    /// The process tests' start ([`Kit::build`]).
    pub async fn start() -> Kit {
        Kit::build().start().await
    }

    /// The process tests' start on another server.
    pub async fn start_in(world: World) -> Kit {
        Kit::build().world(world).start().await
    }

    /// Started, set up by the administrator, and with one case opened by Lise Leder.
    pub async fn with_case() -> (Kit, u64) {
        Kit::with_case_on(Backend::Sqlite).await
    }

    /// [`Kit::with_case`] on this database engine.
    pub async fn with_case_on(backend: Backend) -> (Kit, u64) {
        let kit = Kit::build().on(backend).set_up().start().await;
        let thread = kit.open_case(LEDER, "Rådgiver", "Bydel Frogner").await;
        (kit, thread)
    }
}

/// The clock, and the reminder loop that follows it.
impl Kit {
    pub fn now(&self) -> DateTime<Utc> {
        flow::Clock::now(&self.clock)
    }

    /// Sets the bot's clock to `at`, and moves the sandbox's forward by as much (never back),
    /// so what Discord decides by time follows (threads archive, nonces are forgotten).
    pub fn set_clock(&self, at: DateTime<Utc>) {
        self.h.set_clock(&self.clock, at);
    }

    /// Sets the bot's clock alone: Discord's stays where it is, and still remembers what it
    /// remembers for a while (the nonces of the last minutes), as when the bot is down or
    /// restarted within moments of real time while its story jumps ahead.
    pub fn set_bot_clock(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    /// Moves both clocks forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.h.advance_clock(&self.clock, by);
    }

    /// Moves the clocks to `at` and waits for a pass of the reminder loop that saw the time.
    pub async fn at(&self, at: DateTime<Utc>) -> Outcome {
        self.set_clock(at);
        self.kick().await
    }

    /// Asks the reminder loop for a pass now and waits until it has made one.
    pub async fn kick(&self) -> Outcome {
        self.h
            .kick_reminders()
            .await
            .unwrap_or_else(|e| panic!("a pass of the reminder loop: {e:#}"))
    }

    /// Wakes the reminder loop as a stored change does, without waiting for its pass.
    pub fn wake_reminders(&self) {
        self.h.data().reminders_changed.notify_one();
    }
}

/// What people do.
impl Kit {
    /// A member, acting in the case channel until moved (`.in_channel`, `.in_dm`).
    pub fn member(&self, who: u64) -> Actor {
        self.h.member(who)
    }

    /// A member, acting in a channel, thread or DM channel.
    pub fn member_in(&self, who: u64, channel: u64) -> Actor {
        self.h.sandbox.member(who).in_channel(channel)
    }

    /// The administrator sets up roles, channels and the documentation link (`/oppsett`).
    pub async fn set_up(&self) {
        self.h
            .set_up()
            .await
            .unwrap_or_else(|e| panic!("setting up the server: {e:#}"));
    }

    /// `/rekruttering ny` and its form, by `who`; answers the thread the case got.
    pub async fn open_case(&self, who: u64, title: &str, unit: &str) -> u64 {
        self.h
            .open_case(who, title, unit)
            .await
            .unwrap_or_else(|e| panic!("{} opening a case: {e:#}", member_name(who)))
    }

    /// Lise Leder opens a case for Bydel Frogner: its id and its thread.
    pub async fn open(&self, title: &str) -> (CaseId, u64) {
        let thread = self.open_case(LEDER, title, "Bydel Frogner").await;
        (self.case_id(thread).await, thread)
    }

    /// `who` types a slash command in the case channel: `/cmd path… option:value…`.
    pub async fn slash(
        &self,
        who: u64,
        cmd: &str,
        path: &[&str],
        options: &[(&str, &str)],
    ) -> Answer {
        self.slash_in(who, CASES, cmd, path, options).await
    }

    /// `who` types a slash command in a channel or thread.
    pub async fn slash_in(
        &self,
        who: u64,
        channel: u64,
        cmd: &str,
        path: &[&str],
        options: &[(&str, &str)],
    ) -> Answer {
        self.member_in(who, channel)
            .slash(cmd, path, options)
            .await
            .unwrap_or_else(|e| {
                let who = member_name(who);
                panic!("{who} typing /{cmd} {path:?} {options:?}: {e:#}")
            })
    }

    /// `who` presses the button `text_id` of `step` on the card.
    pub async fn press(&self, who: u64, thread: u64, text_id: &str, step: &str) -> Answer {
        self.h
            .press(who, thread, text_id, step)
            .await
            .unwrap_or_else(|e| panic!("{} pressing {text_id} on {step}: {e:#}", member_name(who)))
    }

    /// `who` presses a button that opens a form, and fills it in (fields by text id).
    pub async fn press_form(
        &self,
        who: u64,
        thread: u64,
        text_id: &str,
        step: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let opened = self.press(who, thread, text_id, step).await;
        assert!(
            opened.modal.is_some(),
            "{text_id} on {step} opened no form: {}",
            opened.text()
        );
        let t = self.tr(self.lang_of(who));
        let labelled: Vec<(String, &str)> = fields.iter().map(|(id, v)| (t.t(id), *v)).collect();
        let labelled: Vec<(&str, &str)> = labelled.iter().map(|(l, v)| (l.as_str(), *v)).collect();
        self.member_in(who, thread)
            .submit_modal(&labelled)
            .await
            .unwrap_or_else(|e| panic!("{who} submitting the form of {step}: {e:#}"))
    }

    /// Presses Utført (or Enig) on each of these steps, by this person.
    pub async fn done(&self, who: u64, thread: u64, steps: &[&str]) {
        for step in steps {
            self.press(who, thread, "btn-done", step).await;
        }
    }

    /// `who` presses the button labelled `label` on a message in a channel or thread.
    pub async fn press_in(&self, who: u64, channel: u64, label: &str, message: u64) -> Answer {
        self.member_in(who, channel)
            .press(label, message)
            .await
            .unwrap_or_else(|e| panic!("{} pressing {label:?}: {e:#}", member_name(who)))
    }

    /// `who` presses the button labelled `label` on a message the bot sent them by DM.
    pub async fn press_in_dm(&self, who: u64, label: &str, message: u64) -> Answer {
        self.h
            .sandbox
            .member(who)
            .in_dm()
            .press(label, message)
            .await
            .unwrap_or_else(|e| panic!("{} pressing {label:?} in a DM: {e:#}", member_name(who)))
    }

    /// The visible label of a button for a step on the card (see [`Harness::label_on_card`]).
    pub async fn label_on_card(
        &self,
        thread: u64,
        text_id: &str,
        step: &str,
    ) -> anyhow::Result<String> {
        self.h.label_on_card(thread, text_id, step).await
    }

    /// `who` as the engine sees them: the cast's name and server roles (the manager holds
    /// none: a case's manager is whoever opened it).
    pub fn person(&self, who: u64) -> Person {
        let roles: &[Role] = match who {
            HR | HR_EN => &[Role::Hr],
            TILLITSVALGT => &[Role::UnionRep],
            GODKJENNER => &[Role::Approver],
            _ => &[],
        };
        Person {
            person: PersonRef {
                id: PersonId(who),
                name: member_name(who).into(),
            },
            roles: roles.iter().copied().collect(),
        }
    }

    /// `who` changes a case through the service, as a button does, without the round trip.
    pub async fn act(&self, who: u64, case: CaseId, action: Action) {
        let person = self.person(who);
        los::change::act(
            self.h.data(),
            &self.settings().await,
            case,
            &person,
            &action,
        )
        .await
        .unwrap_or_else(|e| panic!("{action:?} by {}: {e}", member_name(who)));
    }

    /// `who` marks a step done through the service.
    pub async fn complete(&self, who: u64, case: CaseId, step: &str) {
        let step = StepId::new(step);
        self.act(who, case, Action::Complete { step }).await;
    }

    /// Plays the case from its start to the start date, the way the demo does.
    pub async fn to_start_date(&self, case: CaseId, start: NaiveDate) {
        for (who, action) in self.plan(start) {
            self.act(who, case, action).await;
        }
    }

    /// Plays the case from its start until `step` is open (and nothing after it).
    pub async fn play_until(&self, case: CaseId, step: &str) {
        let start = flow::engine::oslo_today(self.now()) + chrono::Days::new(60);
        for (who, action) in self.plan(start) {
            if self.case_by_id(case).await.is_step_open(&StepId::new(step)) {
                return;
            }
            self.act(who, case, action).await;
        }
        panic!("{step} never opened");
    }

    /// The moves from a case's start to its start date, by whom.
    fn plan(&self, start: NaiveDate) -> Vec<(u64, Action)> {
        let s = |id: &str| StepId::new(id);
        let done = |id: &str| Action::Complete { step: s(id) };
        let skip = |id: &str| Action::Skip {
            step: s(id),
            reason: Reason::parse("Ikke aktuelt").unwrap(),
        };
        let today = flow::engine::oslo_today(self.now());
        let frist = Dato::from_naive(today + chrono::Days::new(14));
        vec![
            (LEDER, done("stilling_vakant")),
            (LEDER, done("tidlig_involvering")),
            (
                LEDER,
                Action::Choose {
                    step: s("vurderer_behov"),
                    outcome: OutcomeId::new("nyansettelse"),
                },
            ),
            (HR, skip("adm_arbeid")),
            (HR, done("endringer_hr_system")),
            (HR, done("sjekk_rapport_hr1072l")),
            (HR, done("sjekk_overtallige")),
            (LEDER, done("behovsanalyse")),
            (LEDER, done("ny_utlysning")),
            (LEDER, done("legger_til_involverte")),
            (
                LEDER,
                Action::SetDate {
                    key: DateKey::Soknadsfrist,
                    date: frist,
                },
            ),
            (HR, done("annonse_arkivert")),
            (HR, skip("papirsoknader")),
            (LEDER, done("info_til_sokere")),
            (LEDER, done("arkiverer_sokerliste")),
            (LEDER, done("behandler_soknader")),
            (HR, done("sjekker_fortrinnsrett")),
            (LEDER, done("planlegger_intervjuer")),
            (LEDER, skip("lokalt_rad")),
            (
                LEDER,
                Action::SetCandidates {
                    step: s("skriver_innstilling"),
                    names: vec![CandidateName::parse("Kari Nordmann").unwrap()],
                },
            ),
            (LEDER, done("skriver_innstilling")),
            (LEDER, done("dialog_tillitsvalgt")),
            (TILLITSVALGT, done("dialog_tillitsvalgt")),
            (
                GODKJENNER,
                Action::Approve {
                    step: s("til_godkjenning"),
                },
            ),
            (LEDER, done("ringer_kandidat")),
            (
                LEDER,
                Action::RecordAccept {
                    step: s("svar_paa_tilbud"),
                },
            ),
            (
                LEDER,
                Action::SetDate {
                    key: DateKey::Startdato,
                    date: Dato::from_naive(start),
                },
            ),
        ]
    }

    /// The demo's whole case, from vacancy to welcome (it sets the server up first); answers
    /// its thread. The demo's transcript goes to `transcript`.
    pub async fn play_whole_case(&self, transcript: &mut Vec<u8>) -> u64 {
        los::demo::play_whole_case(&self.h, &self.clock, transcript)
            .await
            .unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(transcript)))
    }
}

/// What people see.
impl Kit {
    /// The messages in a channel, thread or DM channel, oldest first, as they are now.
    pub fn messages(&self, channel: u64) -> Vec<Value> {
        self.h.sandbox.messages(channel)
    }

    /// The messages the bot sent `who` by DM.
    pub fn dms(&self, who: u64) -> Vec<Value> {
        self.h.sandbox.dms(who)
    }

    /// Every message the bot sent anywhere the reminders go: Lise's DMs, the HR channel and
    /// the case threads.
    pub fn everywhere(&self) -> Vec<Value> {
        let mut all = self.dms(LEDER);
        all.extend(self.messages(HR_CHANNEL));
        for t in self.threads() {
            all.extend(self.messages(t.id));
        }
        all
    }

    /// The messages in a channel whose content contains `needle`.
    pub fn lines_with(&self, channel: u64, needle: &str) -> Vec<Value> {
        self.messages(channel)
            .into_iter()
            .filter(|m| m["content"].as_str().is_some_and(|c| c.contains(needle)))
            .collect()
    }

    /// How many times `needle` was posted in a channel.
    pub fn count_in(&self, channel: u64, needle: &str) -> usize {
        count(&self.messages(channel), needle)
    }

    /// How many times `needle` came to `who` by DM.
    pub fn count_in_dms(&self, who: u64, needle: &str) -> usize {
        count(&self.dms(who), needle)
    }

    /// How many times `needle` went out anywhere the reminders go ([`Kit::everywhere`]).
    pub fn count_everywhere(&self, needle: &str) -> usize {
        count(&self.everywhere(), needle)
    }

    /// Waits until a channel has a message containing `needle` (lines are posted right after
    /// the answer to the press).
    pub async fn line(&self, channel: u64, needle: &str) -> Value {
        let needle = needle.to_owned();
        self.message_where(channel, move |m| {
            m["content"].as_str().is_some_and(|c| c.contains(&needle))
        })
        .await
    }

    /// Waits until a channel has a message for which `f` holds.
    pub async fn message_where(&self, channel: u64, f: impl Fn(&Value) -> bool) -> Value {
        self.h
            .sandbox
            .wait_for_message(channel, f)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// The case card in a thread: the bot's latest message there with an embed.
    pub fn card(&self, thread: u64) -> Value {
        self.h
            .card(thread)
            .unwrap_or_else(|e| panic!("the card: {e:#}"))
    }

    /// The message id of the case card in the thread.
    pub fn card_id(&self, thread: u64) -> u64 {
        id_of(&self.card(thread))
    }

    pub fn card_text(&self, thread: u64) -> String {
        sandbox::actor::message_text(&self.card(thread))
    }

    pub fn card_buttons(&self, thread: u64) -> Vec<String> {
        sandbox::actor::button_labels(&self.card(thread))
    }

    /// The case threads, oldest first.
    pub fn threads(&self) -> Vec<ChannelRec> {
        self.h.sandbox.threads(CASES)
    }

    /// A thread's name, as Discord shows it.
    pub fn thread_name(&self, thread: u64) -> String {
        self.h
            .sandbox
            .channel(thread)
            .unwrap_or_else(|| panic!("no thread {thread}"))
            .name
    }

    /// Whether Discord shows a thread archived now.
    pub fn is_archived(&self, thread: u64) -> bool {
        self.h
            .sandbox
            .channel(thread)
            .and_then(|c| c.thread)
            .is_some_and(|t| t.archived)
    }

    /// A registered command, as Discord stores it.
    pub fn command(&self, name: &str) -> Value {
        self.h
            .sandbox
            .command(name)
            .unwrap_or_else(|| panic!("/{name} is not registered"))
    }

    /// Who each of the bot's messages in a channel notified, in order.
    pub fn pings(&self) -> Vec<sandbox::Ping> {
        self.h.sandbox.pings()
    }

    /// How loud the bot was: what it posted in the server and whom it pinged.
    pub fn noise(&self) -> Noise {
        self.h.noise()
    }

    /// Every request the bot sent on a route (`POST /channels/{channel_id}/messages`).
    pub fn requests_on(&self, route: &str) -> Vec<RequestRecord> {
        self.h.sandbox.requests_on(route)
    }

    /// Waits until the bot has sent a request for which `f` holds (recorded once answered).
    pub async fn request_where(&self, f: impl Fn(&RequestRecord) -> bool) -> RequestRecord {
        self.h
            .sandbox
            .wait_for_request(f)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// Discord itself, for what a test makes it do (a hung request, a deleted channel) and
    /// what only it knows (every request, the DM channels).
    pub fn discord(&self) -> &Sandbox {
        &self.h.sandbox
    }

    /// Panics naming everything the bot did that Discord would refuse.
    #[track_caller]
    pub fn assert_no_failures(&self) {
        self.h.sandbox.assert_no_failures();
    }
}

/// The texts people read.
impl Kit {
    /// The text `id` in `lang`.
    pub fn t(&self, lang: Lang, id: &str) -> String {
        self.tr(lang).t(id)
    }

    pub fn tr(&self, lang: Lang) -> Tr<'_> {
        self.h.tr(lang)
    }

    pub fn texts(&self) -> &flow::Texts {
        self.h.texts()
    }

    /// The label of a slash command option's choice (`cmd-oppsett-varsler`, `niva-digest_only`)
    /// as a bokmål member picks it.
    pub fn choice(&self, command: &str, choice: &str) -> String {
        self.texts()
            .attribute(Lang::Nb, command, Some(choice))
            .unwrap_or_else(|| panic!("no choice {choice} of {command}"))
    }

    pub fn step_title(&self, lang: Lang, step: &str) -> String {
        self.tr(lang).step(&StepId::new(step))
    }

    /// A step's title in bokmål, as the reminders and the card name it.
    pub fn title(&self, step: &str) -> String {
        self.step_title(Lang::Nb, step)
    }

    /// The language `who` reads (their Discord locale).
    pub fn lang_of(&self, who: u64) -> Lang {
        let locale = self
            .h
            .sandbox
            .world()
            .members
            .iter()
            .find(|m| m.id == who)
            .map(|m| m.locale.clone())
            .unwrap_or_default();
        Lang::from_locale(&locale)
    }

    /// The line of a reminder to the manager about a step, as it begins in the DM: "«…» skal
    /// være gjort innen", or, once the deadline has passed (sent late or snoozed past it),
    /// "«…» skulle vært gjort innen". Both begin with what this returns.
    pub fn manager_line(&self, step: &str) -> String {
        format!("«{}» sk", self.title(step))
    }

    /// The line of the same reminder to HR.
    pub fn hr_line(&self, step: &str) -> String {
        format!("«{}» er fortsatt åpen", self.title(step))
    }

    /// The manager's reminder line about `step` of one case.
    pub fn manager_line_of(&self, case: CaseId, title: &str, step: &str) -> String {
        format!("Sak #{} {title}: «{}» sk", case.0, self.title(step))
    }

    /// HR's reminder line about `step` of one case.
    pub fn hr_line_of(&self, case: CaseId, title: &str, step: &str) -> String {
        format!(
            "sak #{} {title}: «{}» er fortsatt åpen",
            case.0,
            self.title(step)
        )
    }
}

/// What the bot stored, read behind its back.
impl Kit {
    /// The sandbox server's id.
    pub fn guild(&self) -> u64 {
        self.h.sandbox.world().guild_id
    }

    /// The files of a message the bot sent, with their bytes, as the sandbox took them.
    pub fn attachments(&self, message: &Value) -> Vec<sandbox::Attachment> {
        self.h.sandbox.attachments_of(message)
    }

    /// The running bot's database.
    pub fn db(&self) -> &storage::Db {
        &self.h.data().db
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db.path
    }

    /// The process the bot runs (`prompts/process.toml`).
    pub fn process(&self) -> &flow::Process {
        &self.h.data().process
    }

    /// The case whose thread this is, as stored.
    pub async fn case(&self, thread: u64) -> Case {
        self.case_by_id(self.case_id(thread).await).await
    }

    pub async fn case_id(&self, thread: u64) -> CaseId {
        storage::case_by_thread(self.db(), self.guild(), thread)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no case for the thread {thread}"))
    }

    pub async fn case_by_id(&self, id: CaseId) -> Case {
        storage::load_case(self.db(), self.guild(), id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no case {}", id.0))
    }

    /// The open steps of a case, sorted.
    pub fn open_steps(case: &Case) -> Vec<String> {
        let mut v: Vec<String> = case.open_steps().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    /// The stored reminders of a case.
    pub async fn reminders_of(&self, case: CaseId) -> Vec<storage::StoredReminder> {
        storage::reminders_for_case(self.db(), self.guild(), case)
            .await
            .unwrap()
    }

    /// The server's settings, as saved (the server must be set up).
    pub async fn settings(&self) -> storage::GuildSettings {
        self.saved_settings().await.expect("the server is set up")
    }

    /// The server's settings, if any were saved.
    pub async fn saved_settings(&self) -> Option<storage::GuildSettings> {
        storage::load_settings(self.db(), self.guild())
            .await
            .unwrap()
    }

    /// Sets the server's HR digest schedule (to keep it out of a test's way).
    pub async fn digest_at(&self, cron: &str) {
        let mut settings = self.settings().await;
        settings.reminders.digest_cron = Some(cron.into());
        storage::save_settings(self.db(), &settings).await.unwrap();
    }

    /// The history of a case, oldest first.
    pub async fn history(&self, case: CaseId) -> Vec<storage::HistoryEntry> {
        storage::history(self.db(), self.guild(), case, 10_000, 0)
            .await
            .unwrap()
    }

    /// The server's open cases.
    pub async fn open_cases(&self) -> Vec<CaseId> {
        storage::open_cases(self.db(), self.guild()).await.unwrap()
    }

    /// Where the bot keeps a case's card.
    pub async fn stored_card(&self, case: CaseId) -> storage::CaseCard {
        storage::card(self.db(), self.guild(), case)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no card stored for case {}", case.0))
    }

    /// The messages the outbox still owes Discord, whatever their time.
    pub async fn outgoing(&self) -> Vec<storage::Outgoing> {
        storage::outgoing_due(self.db(), None).await.unwrap()
    }

    /// When the outbox next has something to try.
    pub async fn next_outgoing_at(&self) -> Option<DateTime<Utc>> {
        storage::next_outgoing_at(self.db()).await.unwrap()
    }
}

/// The bot's life.
impl Kit {
    /// Stops the bot and starts it again on the same database (the process's state is gone);
    /// the sandbox stays. Also starts a bot that is [`Kit::down`].
    pub async fn restart(&mut self) {
        self.h
            .restart()
            .await
            .unwrap_or_else(|e| panic!("the bot starts again: {e:#}"));
    }

    /// The bot goes down (its process state is gone, its database closed); the sandbox stays.
    pub async fn down(&mut self) {
        if let Some(bot) = self.h.bot.take() {
            let data = bot.data.clone();
            bot.stop().await;
            data.db.close().await;
        }
    }

    /// Stops the bot cleanly (the database stays), after checking that Discord refused
    /// nothing the bot sent.
    #[track_caller]
    pub fn stop(self) -> impl std::future::Future<Output = ()> {
        self.assert_no_failures();
        self.h.stop()
    }
}

/// The first three steps, choosing a new hire: the administrative work is open.
pub async fn to_adm_arbeid(kit: &Kit, thread: u64) {
    kit.done(LEDER, thread, &["stilling_vakant", "tidlig_involvering"])
        .await;
    kit.press(
        LEDER,
        thread,
        "outcome-vurderer_behov-nyansettelse",
        "vurderer_behov",
    )
    .await;
}

/// Phase 1 for a new hire and the announcement, with the deadline `frist` (dd.mm.åååå), up
/// to the applications (the optional steps skipped with a reason).
pub async fn through_announcement(kit: &Kit, thread: u64, frist: &str) {
    to_utlyser_stilling(kit, thread).await;
    kit.press_form(
        LEDER,
        thread,
        "btn-date-soknadsfrist",
        "utlyser_stilling",
        &[("date-soknadsfrist", frist)],
    )
    .await;
    kit.done(HR, thread, &["annonse_arkivert"]).await;
}

/// The first steps for a new hire (the administrative work skipped), the HR-side checks and
/// the announcement up to its date step, which is then open.
pub async fn to_utlyser_stilling(kit: &Kit, thread: u64) {
    to_adm_arbeid(kit, thread).await;
    kit.press_form(
        HR,
        thread,
        "btn-skip",
        "adm_arbeid",
        &[("field-reason", "Stillingen finnes")],
    )
    .await;
    kit.done(
        HR,
        thread,
        &[
            "endringer_hr_system",
            "sjekk_rapport_hr1072l",
            "sjekk_overtallige",
        ],
    )
    .await;
    kit.done(
        LEDER,
        thread,
        &["behovsanalyse", "ny_utlysning", "legger_til_involverte"],
    )
    .await;
}

/// The applications, up to writing the recommendation.
pub async fn through_applications(kit: &Kit, thread: u64) {
    kit.press_form(
        HR,
        thread,
        "btn-skip",
        "papirsoknader",
        &[("field-reason", "Ingen papirsøknader")],
    )
    .await;
    kit.done(
        LEDER,
        thread,
        &[
            "info_til_sokere",
            "arkiverer_sokerliste",
            "behandler_soknader",
        ],
    )
    .await;
    kit.done(HR, thread, &["sjekker_fortrinnsrett"]).await;
    kit.done(LEDER, thread, &["planlegger_intervjuer"]).await;
    kit.press_form(
        LEDER,
        thread,
        "btn-skip",
        "lokalt_rad",
        &[("field-reason", "Ikke aktuelt")],
    )
    .await;
}

/// Names the candidates, writes the recommendation and gets the union's agreement.
pub async fn recommend(kit: &Kit, thread: u64, names: &str) {
    kit.press_form(
        LEDER,
        thread,
        "btn-candidates",
        "skriver_innstilling",
        &[("field-candidates", names)],
    )
    .await;
    kit.press(LEDER, thread, "btn-done", "skriver_innstilling")
        .await;
    kit.press(LEDER, thread, "btn-agree", "dialog_tillitsvalgt")
        .await;
    kit.press(TILLITSVALGT, thread, "btn-agree", "dialog_tillitsvalgt")
        .await;
}
