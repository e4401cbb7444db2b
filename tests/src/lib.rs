//! What every end-to-end test starts from: the sandbox server with its people, the real bot
//! on a fresh SQLite file, a clock the test moves, and helpers that act as those people do.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use flow::{Case, CaseId, Lang, ManualClock, StepId};
use los::harness::{cast, world, Harness, TempDb};
use sandbox::{Answer, World};
use serde_json::Value;

pub use los::harness::cast::*;

/// A running bot and sandbox for one test.
pub struct Kit {
    pub h: Harness,
    pub clock: ManualClock,
    pub db: TempDb,
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

impl Kit {
    pub async fn start() -> Kit {
        Kit::start_in(test_world()).await
    }

    pub async fn start_in(world: World) -> Kit {
        let db = TempDb::new("e2e").expect("a temp folder");
        // Monday 4 January 2027, 10:00 in Oslo.
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap());
        let h = Harness::start(world, &db.path, Arc::new(clock.clone()))
            .await
            .expect("the sandbox and the bot start");
        Kit { h, clock, db }
    }

    /// Started, set up by the administrator, and with one case opened by Lise Leder.
    pub async fn with_case() -> (Kit, u64) {
        let kit = Kit::start().await;
        kit.h.set_up().await.expect("setup");
        let thread = kit
            .h
            .open_case(LEDER, "Rådgiver", "Bydel Frogner")
            .await
            .expect("a case");
        (kit, thread)
    }

    pub fn guild(&self) -> u64 {
        self.h.sandbox.world().guild_id
    }

    /// The case whose thread this is, as stored.
    pub async fn case(&self, thread: u64) -> Case {
        let pool = self.h.data().db.pool();
        let id = storage::case_by_thread(pool, self.guild(), thread)
            .await
            .unwrap()
            .expect("a case for the thread");
        storage::load_case(pool, self.guild(), id)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn case_id(&self, thread: u64) -> CaseId {
        self.case(thread).await.id
    }

    /// `who` presses the button `text_id` of `step` on the card.
    pub async fn press(&self, who: u64, thread: u64, text_id: &str, step: &str) -> Answer {
        self.h
            .press(who, thread, text_id, step)
            .await
            .unwrap_or_else(|e| panic!("{who} pressing {text_id} on {step}: {e:#}"))
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
        let t = self.h.tr(self.lang_of(who));
        let labelled: Vec<(String, &str)> = fields.iter().map(|(id, v)| (t.t(id), *v)).collect();
        let labelled: Vec<(&str, &str)> = labelled.iter().map(|(l, v)| (l.as_str(), *v)).collect();
        self.h
            .sandbox
            .member(who)
            .in_channel(thread)
            .submit_modal(&labelled)
            .await
            .unwrap_or_else(|e| panic!("{who} submitting the form of {step}: {e:#}"))
    }

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

    /// The text of message `id` in the texts of `lang`.
    pub fn t(&self, lang: Lang, id: &str) -> String {
        self.h.tr(lang).t(id)
    }

    pub fn step_title(&self, lang: Lang, step: &str) -> String {
        self.h.tr(lang).step(&StepId::new(step))
    }

    /// Presses Utført (or Enig) on each of these steps, by this person.
    pub async fn done(&self, who: u64, thread: u64, steps: &[&str]) {
        for step in steps {
            self.press(who, thread, "btn-done", step).await;
        }
    }

    /// Waits until the thread has a line containing `needle` (lines are posted right after
    /// the answer to the press).
    pub async fn line(&self, thread: u64, needle: &str) -> Value {
        let needle = needle.to_owned();
        self.h
            .sandbox
            .wait_for_message(thread, move |m| {
                m["content"].as_str().is_some_and(|c| c.contains(&needle))
            })
            .await
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// The message id of the case card in the thread.
    pub fn card_id(&self, thread: u64) -> u64 {
        self.h.card(thread).expect("a card")["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("a card id")
    }

    pub fn card_text(&self, thread: u64) -> String {
        sandbox::actor::message_text(&self.h.card(thread).expect("a card"))
    }

    pub fn card_buttons(&self, thread: u64) -> Vec<String> {
        sandbox::actor::button_labels(&self.h.card(thread).expect("a card"))
    }

    pub fn open_steps(case: &Case) -> Vec<String> {
        let mut v: Vec<String> = case.open_steps().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    /// Stops the bot cleanly (the database stays).
    pub async fn stop(self) {
        self.h.sandbox.assert_no_failures();
        self.h.stop().await;
    }
}

/// The members of the cast, for tests that name them.
pub fn member_name(id: u64) -> &'static str {
    match id {
        cast::LEDER => "Lise Leder",
        cast::HR => "Hanne HR",
        cast::TILLITSVALGT => "Tore Tillitsvalgt",
        cast::GODKJENNER => "Gunnar Godkjenner",
        cast::KOLLEGA => "Kari Kollega",
        _ => "someone",
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
