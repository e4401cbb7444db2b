//! The real bot against the local Discord sandbox, with a real SQLite file: what the demo
//! plays and what the end-to-end tests drive. People act through the sandbox's scripted
//! users, finding buttons by their visible label.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use flow::{Clock, Lang, Texts};
use sandbox::{Actor, Answer, HttpMode, Member, Role, Sandbox, World};
use serde_json::Value;

use crate::app::{self, Running};
use crate::i18n::Tr;
use crate::types::Data;

/// Who is who on the sandbox server.
pub mod cast {
    pub const ADMIN_ROLE: u64 = 501;
    pub const HR_ROLE: u64 = 502;
    pub const UNION_ROLE: u64 = 503;
    pub const APPROVER_ROLE: u64 = 504;

    pub const CASES: u64 = 701;
    pub const HR_CHANNEL: u64 = 702;
    pub const ONBOARDING: u64 = 703;

    pub const ADMIN: u64 = 1001;
    pub const LEDER: u64 = 1002;
    pub const HR: u64 = 1003;
    pub const TILLITSVALGT: u64 = 1004;
    pub const GODKJENNER: u64 = 1005;
    /// A member with no role in the process.
    pub const KOLLEGA: u64 = 1006;
    /// A second HR adviser, who reads English.
    pub const HR_EN: u64 = 1007;
}

/// A municipality's server: the roles of the process, the three channels, and its people.
pub fn world() -> World {
    use cast::*;
    let mut world = World::new()
        .role(HR_ROLE, "HR")
        .role(UNION_ROLE, "Tillitsvalgt")
        .role(APPROVER_ROLE, "Leder med delegasjonsmyndighet")
        .channel(CASES, "rekruttering")
        .channel(HR_CHANNEL, "hr")
        .channel(ONBOARDING, "onboarding")
        .member(Member::new(ADMIN, "Ada Admin").roles(&[ADMIN_ROLE]))
        .member(Member::new(LEDER, "Lise Leder"))
        .member(Member::new(HR, "Hanne HR").roles(&[HR_ROLE]))
        .member(Member::new(TILLITSVALGT, "Tore Tillitsvalgt").roles(&[UNION_ROLE]))
        .member(
            Member::new(GODKJENNER, "Gunnar Godkjenner")
                .roles(&[APPROVER_ROLE])
                .locale("en-US"),
        )
        .member(Member::new(KOLLEGA, "Kari Kollega"))
        .member(
            Member::new(HR_EN, "Harriet HR")
                .roles(&[HR_ROLE])
                .locale("en-GB"),
        );
    // Our tests and the demo wait on the event they expect (a line in the thread, a request),
    // never on a quiet period.
    world.config.answer_settle = std::time::Duration::ZERO;
    // A token shaped like a real one, so the binary's own configuration check accepts it.
    world.token = "c2FuZGJveC1ib3Q.los-sandbox.token-for-tests".into();
    // Administrator (bit 3) for /oppsett.
    world.roles.push(Role {
        id: ADMIN_ROLE,
        name: "Admin".into(),
        permissions: 1 << 3,
    });
    world
}

/// The presses that bring a fresh case (as `/rekruttering ny` opened it) to the approval, each
/// by someone whose step it is: for cases written straight into a database (the benchmark's
/// seeds, the process tests), where the approver is nudged in the case thread.
pub fn to_approval(case: &flow::Case) -> Vec<(flow::Actor, flow::Action)> {
    use flow::{Action, Actor, OutcomeId, PersonId, PersonRef, Role, StepId};
    let person = |id: u64, roles: &[Role]| Actor {
        person: PersonRef {
            id: PersonId(id),
            name: "Person".into(),
        },
        roles: roles.iter().copied().collect(),
    };
    let leder = person(case.owner.id.0, &[]);
    let hr = person(cast::HR, &[Role::Hr]);
    let tv = person(cast::TILLITSVALGT, &[Role::UnionRep]);
    let s = |id: &str| StepId::new(id);
    let done = |id: &str| Action::Complete { step: s(id) };
    let skip = |id: &str| Action::Skip {
        step: s(id),
        reason: flow::Reason::parse("Ikke aktuelt").expect("a reason"),
    };
    let frist = flow::Dato::from_naive(
        flow::engine::oslo_today(chrono::Utc::now()) + chrono::Days::new(14),
    );
    vec![
        (leder.clone(), done("stilling_vakant")),
        (leder.clone(), done("tidlig_involvering")),
        (
            leder.clone(),
            Action::Choose {
                step: s("vurderer_behov"),
                outcome: OutcomeId::new("nyansettelse"),
            },
        ),
        (hr.clone(), skip("adm_arbeid")),
        (hr.clone(), done("endringer_hr_system")),
        (hr.clone(), done("sjekk_rapport_hr1072l")),
        (hr.clone(), done("sjekk_overtallige")),
        (leder.clone(), done("behovsanalyse")),
        (leder.clone(), done("ny_utlysning")),
        (leder.clone(), done("legger_til_involverte")),
        (
            leder.clone(),
            Action::SetDate {
                key: flow::DateKey::Soknadsfrist,
                date: frist,
            },
        ),
        (hr.clone(), done("annonse_arkivert")),
        (hr.clone(), skip("papirsoknader")),
        (leder.clone(), done("info_til_sokere")),
        (leder.clone(), done("arkiverer_sokerliste")),
        (leder.clone(), done("behandler_soknader")),
        (hr.clone(), done("sjekker_fortrinnsrett")),
        (leder.clone(), done("planlegger_intervjuer")),
        (leder.clone(), skip("lokalt_rad")),
        (
            leder.clone(),
            Action::SetCandidates {
                step: s("skriver_innstilling"),
                names: vec![flow::CandidateName::parse("Kari Nordmann").expect("a name")],
            },
        ),
        (leder.clone(), done("skriver_innstilling")),
        (leder, done("dialog_tillitsvalgt")),
        (tv, done("dialog_tillitsvalgt")),
    ]
}

/// The bot and the sandbox, running.
pub struct Harness {
    pub sandbox: Sandbox,
    pub bot: Option<Running>,
    pub database: String,
    pub clock: Arc<dyn Clock>,
    /// How long the bot waits for any one request before giving it up (as in production,
    /// `LOS_DISCORD_TIMEOUT_SECS`).
    pub discord_timeout: std::time::Duration,
    /// The shard leases' times the bot runs with.
    pub lease: crate::shards::LeaseTimes,
}

impl Harness {
    /// Starts the sandbox and the bot on the SQLite file at `database`.
    pub async fn start(
        world: World,
        database: &Path,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Harness> {
        Harness::start_with(
            world,
            database,
            clock,
            crate::config::DEFAULT_DISCORD_TIMEOUT,
        )
        .await
    }

    /// [`Harness::start`] with the bot's request timeout set (a test of a hung request).
    pub async fn start_with(
        world: World,
        database: &Path,
        clock: Arc<dyn Clock>,
        discord_timeout: std::time::Duration,
    ) -> anyhow::Result<Harness> {
        Harness::start_leased(
            world,
            database,
            clock,
            discord_timeout,
            crate::shards::LeaseTimes::DEFAULT,
        )
        .await
    }

    /// [`Harness::start_with`] with the shard leases' times (a test of self-fencing).
    pub async fn start_leased(
        world: World,
        database: &Path,
        clock: Arc<dyn Clock>,
        discord_timeout: std::time::Duration,
        lease: crate::shards::LeaseTimes,
    ) -> anyhow::Result<Harness> {
        let database = database.display().to_string();
        Harness::start_on(world, &database, clock, discord_timeout, lease).await
    }

    /// [`Harness::start_leased`] on any database the bot can run on: a SQLite path or URL, or
    /// a PostgreSQL URL (as `DATABASE_URL` names it in production).
    pub async fn start_on(
        world: World,
        database: &str,
        clock: Arc<dyn Clock>,
        discord_timeout: std::time::Duration,
        lease: crate::shards::LeaseTimes,
    ) -> anyhow::Result<Harness> {
        let sandbox = Sandbox::start(world).await?;
        let mut h = Harness {
            sandbox,
            bot: None,
            database: database.to_owned(),
            clock,
            discord_timeout,
            lease,
        };
        h.start_bot().await?;
        Ok(h)
    }

    async fn start_bot(&mut self) -> anyhow::Result<()> {
        let db = storage::Db::open_any(&self.database).await?;
        let data = app::data(db, self.clock.clone())?;
        let http = self.http()?;
        let guild = self.sandbox.world().guild_id;
        self.bot = Some(app::start_with(http, data, Some(guild), self.lease).await?);
        self.sandbox
            .wait_for_commands_registered()
            .await
            .context("the bot did not register its commands")?;
        Ok(())
    }

    /// The bot's `Http` for the sandbox: serenity's rate limiter on, over TLS to the sandbox
    /// standing in for `discord.com`, through the same client settings as in production
    /// ([`app::client_builder`]: every request bounded by the timeout).
    fn http(&self) -> anyhow::Result<serenity::all::Http> {
        let ca = reqwest::Certificate::from_der(self.sandbox.ca_der()).context("CA certificate")?;
        let client = app::client_builder(self.discord_timeout)
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca)
            .resolve("discord.com", self.sandbox.tls_addr())
            .build()
            .context("reqwest client")?;
        Ok(self
            .sandbox
            .http_builder(HttpMode::Tls)?
            .client(client)
            .build())
    }

    /// Stops the bot (the process's state is gone) and starts it again on the same database.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if let Some(bot) = self.bot.take() {
            let data = bot.data.clone();
            bot.stop().await;
            data.db.close().await;
        }
        let before = self
            .sandbox
            .gateway_ops()
            .iter()
            .filter(|op| **op == 2)
            .count() as u32;
        self.start_bot().await?;
        self.sandbox.wait_identified(before + 1).await?;
        Ok(())
    }

    pub fn data(&self) -> &Arc<Data> {
        &self.bot.as_ref().expect("the bot runs").data
    }

    pub fn texts(&self) -> &Texts {
        &self.data().texts
    }

    /// A member, acting in the case channel unless moved.
    pub fn member(&self, id: u64) -> Actor {
        self.sandbox.member(id).in_channel(cast::CASES)
    }

    /// The administrator sets up roles and channels with `/oppsett`.
    pub async fn set_up(&self) -> anyhow::Result<Answer> {
        use cast::*;
        let admin = self.member(ADMIN);
        let roles = [
            ("hr", HR_ROLE.to_string()),
            ("tillitsvalgt", UNION_ROLE.to_string()),
            ("godkjenner", APPROVER_ROLE.to_string()),
        ];
        let roles: Vec<(&str, &str)> = roles.iter().map(|(k, v)| (*k, v.as_str())).collect();
        admin.slash("oppsett", &["roller"], &roles).await?;
        let channels = [
            ("saker", CASES.to_string()),
            ("hr", HR_CHANNEL.to_string()),
            ("onboarding", ONBOARDING.to_string()),
        ];
        let channels: Vec<(&str, &str)> = channels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        admin.slash("oppsett", &["kanaler"], &channels).await?;
        Ok(admin
            .slash(
                "oppsett",
                &["lenke"],
                &[
                    ("nokkel", "webcruiter"),
                    (
                        "url",
                        "https://oslo.infocaption.com/986.guide?pageNumber=17",
                    ),
                ],
            )
            .await?)
    }

    /// `/rekruttering ny` and its form, by `who`; answers the thread the case got.
    pub async fn open_case(&self, who: u64, title: &str, unit: &str) -> anyhow::Result<u64> {
        let t = self.tr(Lang::from_locale(&self.locale_of(who)));
        let actor = self.member(who);
        let opened = actor.slash("rekruttering", &["ny"], &[]).await?;
        if opened.modal.is_none() {
            return Err(anyhow!("no form opened: {}", opened.text()));
        }
        let answer = actor
            .submit_modal(&[
                (t.t("field-title").as_str(), title),
                (t.t("field-unit").as_str(), unit),
            ])
            .await?;
        let threads = self.sandbox.threads(cast::CASES);
        let thread = threads
            .last()
            .ok_or_else(|| anyhow!("no thread was opened: {}", answer.text()))?;
        Ok(thread.id)
    }

    fn locale_of(&self, who: u64) -> String {
        self.sandbox
            .world()
            .members
            .iter()
            .find(|m| m.id == who)
            .map(|m| m.locale.clone())
            .unwrap_or_else(|| "no".into())
    }

    pub fn tr(&self, lang: Lang) -> Tr<'_> {
        Tr::of(self.texts(), lang)
    }

    /// The language of the server's shared messages (the card, its buttons), as set up.
    pub async fn shared_lang(&self) -> anyhow::Result<Lang> {
        let guild = self.sandbox.world().guild_id;
        Ok(storage::load_settings(&self.data().db, guild)
            .await?
            .map(|s| s.language)
            .unwrap_or(Lang::Nb))
    }

    /// The case card in a thread: the bot's latest message there with an embed.
    pub fn card(&self, thread: u64) -> anyhow::Result<Value> {
        self.sandbox
            .messages(thread)
            .into_iter()
            .rev()
            .find(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty()))
            .ok_or_else(|| anyhow!("no card in thread {thread}"))
    }

    /// The visible label of a button for a step on the card: plain (`Utført`) when it is the
    /// only open step, else with the step's title (`Utført: Bestiller utstyr`).
    pub async fn label_on_card(
        &self,
        thread: u64,
        text_id: &str,
        step: &str,
    ) -> anyhow::Result<String> {
        let t = self.tr(self.shared_lang().await?);
        let plain = t.t(text_id);
        let titled = format!("{plain}: {}", t.step(&flow::StepId::new(step)));
        let labels = sandbox::actor::button_labels(&self.card(thread)?);
        [plain, crate::i18n::clip(&titled, crate::i18n::LABEL_MAX)]
            .into_iter()
            .find(|l| labels.contains(l))
            .ok_or_else(|| {
                anyhow!("no {text_id:?} button for {step} on the card; it has {labels:?}")
            })
    }

    /// `who` presses the button `text_id` of `step` on the case card in `thread`.
    pub async fn press(
        &self,
        who: u64,
        thread: u64,
        text_id: &str,
        step: &str,
    ) -> anyhow::Result<Answer> {
        let label = self.label_on_card(thread, text_id, step).await?;
        let card = self.card(thread)?;
        let id = card["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("card without id"))?;
        Ok(self
            .sandbox
            .member(who)
            .in_channel(thread)
            .press(&label, id)
            .await?)
    }

    /// Sets the bot's clock to `at` and moves the sandbox's clock forward by as much (never
    /// back), so what Discord decides by time follows the test's clock: threads archive after
    /// their idle time, nonces are forgotten after a few minutes, interaction windows pass.
    pub fn set_clock(&self, clock: &flow::ManualClock, at: chrono::DateTime<chrono::Utc>) {
        let by = at - clock.now();
        clock.set(at);
        if let Ok(by) = by.to_std() {
            self.sandbox.advance(by);
        }
    }

    /// Moves the bot's clock and the sandbox's forward together (see [`Harness::set_clock`]).
    pub fn advance_clock(&self, clock: &flow::ManualClock, by: chrono::Duration) {
        self.set_clock(clock, clock.now() + by);
    }

    /// Asks the reminder loop for a pass now (after the test or demo moved the clock) and
    /// waits until it has done one.
    pub async fn kick_reminders(&self) -> anyhow::Result<crate::jobs::PassOutcome> {
        let bot = self
            .bot
            .as_ref()
            .ok_or_else(|| anyhow!("the bot is not running"))?;
        bot.reminders.kick().await
    }

    /// Stops the bot and waits for it.
    pub async fn stop(mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
    }
}

/// How loud the bot was: the messages it posted in the server's channels and threads (not
/// direct messages), and how many times it pinged each person and role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Noise {
    pub messages: usize,
    /// Pings per person or role, by name (`@HR`, `@Lise Leder`).
    pub pings: std::collections::BTreeMap<String, usize>,
}

impl Noise {
    /// The pings of one person or role (0 when none).
    pub fn pings_of(&self, name: &str) -> usize {
        self.pings.get(name).copied().unwrap_or(0)
    }

    /// One line for a transcript: `57 meldinger; varsler: @HR 3, @Lise Leder 9`.
    pub fn summary(&self) -> String {
        let pings: Vec<String> = self
            .pings
            .iter()
            .map(|(who, n)| format!("{who} {n}"))
            .collect();
        format!(
            "{} meldinger i kanaler og tråder; varsler (pings): {}",
            self.messages,
            if pings.is_empty() {
                "ingen".to_owned()
            } else {
                pings.join(", ")
            }
        )
    }
}

impl Harness {
    /// What the bot posted in the server so far, and whom it pinged, as the sandbox saw it.
    pub fn noise(&self) -> Noise {
        let world = self.sandbox.world();
        let in_server: Vec<sandbox::Ping> = self
            .sandbox
            .pings()
            .into_iter()
            .filter(|p| self.sandbox.channel(p.channel).is_some_and(|c| c.kind != 1))
            .collect();
        let mut noise = Noise {
            messages: in_server.len(),
            ..Noise::default()
        };
        let name_of_user = |id: u64| {
            world
                .members
                .iter()
                .find(|m| m.id == id)
                .map_or_else(|| format!("@{id}"), |m| format!("@{}", m.name))
        };
        let name_of_role = |id: u64| {
            world
                .roles
                .iter()
                .find(|r| r.id == id)
                .map_or_else(|| format!("@&{id}"), |r| format!("@{}", r.name))
        };
        for p in &in_server {
            for u in &p.users {
                *noise.pings.entry(name_of_user(*u)).or_default() += 1;
            }
            for r in &p.roles {
                *noise.pings.entry(name_of_role(*r)).or_default() += 1;
            }
        }
        noise
    }
}

/// A temporary folder with a database file path in it, removed when dropped.
pub struct TempDb {
    pub dir: PathBuf,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new(name: &str) -> anyhow::Result<TempDb> {
        let dir =
            std::env::temp_dir().join(format!("los-{name}-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("los.db");
        Ok(TempDb { dir, path })
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
