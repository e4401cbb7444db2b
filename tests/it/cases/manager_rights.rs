//! Who may act on a case, from both sides: the server's manager role only lets a person open
//! cases; a case's manager's part is its own manager's, their deputy's and HR's acting for
//! them, recorded as such. Opening a case re-checks the role when the form is sent; asking HR
//! for help is for those with a part in the case; a reminder's buttons in a DM refuse someone
//! who has left the server.

use chrono::{Duration, TimeZone, Utc};
use flow::{EventKind, Lang, StepId};
use los_e2e::*;
use sandbox::{Answer, World};

/// The server's manager role: Lise and Kari may open cases.
const MANAGER_ROLE: u64 = 505;
/// Another role, which the administrator later makes the manager role instead.
const OTHER_ROLE: u64 = 506;

fn managers_world() -> World {
    let mut w = test_world()
        .role(MANAGER_ROLE, "Leder")
        .role(OTHER_ROLE, "Ledergruppe");
    for m in &mut w.members {
        if m.id == LEDER || m.id == KOLLEGA {
            m.roles.push(MANAGER_ROLE);
        }
    }
    w
}

/// Set up with the manager role, and Lise's case open.
async fn lises_case() -> (Kit, u64) {
    let kit = Kit::start_in(managers_world()).await;
    kit.set_up().await;
    set_manager_role(&kit, MANAGER_ROLE).await;
    let thread = kit.open_case(LEDER, "Rådgiver", "Bydel Frogner").await;
    (kit, thread)
}

async fn set_manager_role(kit: &Kit, role: u64) {
    let role = role.to_string();
    kit.member(ADMIN)
        .slash("oppsett", &["roller"], &[("leder", role.as_str())])
        .await
        .expect("the administrator sets the manager role");
}

async fn slash(
    kit: &Kit,
    who: u64,
    thread: u64,
    path: &[&str],
    options: &[(&str, &str)],
) -> Answer {
    kit.member_in(who, thread)
        .slash("rekruttering", path, options)
        .await
        .unwrap_or_else(|e| panic!("{who} /rekruttering {path:?}: {e:#}"))
}

async fn history_text(kit: &Kit, who: u64, thread: u64) -> String {
    let answer = slash(kit, who, thread, &["historikk"], &[]).await;
    answer.text()
}

fn on_behalf(kit: &Kit, who: &str) -> String {
    kit.tr(Lang::Nb).args(
        "event-on-behalf",
        &[("who", who.into()), ("manager", "Lise Leder".into())],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_manager_is_refused_on_lises_steps_and_on_closing_or_reopening_her_case() {
    let (kit, thread) = lises_case().await;
    let case = kit.case_id(thread).await;
    let sak = case.0.to_string();
    let before = kit.case(thread).await.version;

    let pressed = kit
        .press(KOLLEGA, thread, "btn-done", "stilling_vakant")
        .await;
    assert!(pressed.ephemeral(), "refused only to her");
    assert!(
        pressed.text().contains("Lise Leder"),
        "says whose step it is: {}",
        pressed.text()
    );
    assert_eq!(kit.case(thread).await.version, before, "nothing changed");

    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    let version = kit.case(thread).await.version;
    let reopen = slash(
        &kit,
        KOLLEGA,
        thread,
        &["gjenapne"],
        &[("sak", &sak), ("steg", "stilling_vakant")],
    )
    .await;
    assert!(reopen.ephemeral());
    assert!(
        reopen.buttons().is_empty(),
        "no way on: {:?}",
        reopen.buttons()
    );
    assert!(reopen.text().contains("Lise Leder"), "{}", reopen.text());

    let close = slash(
        &kit,
        KOLLEGA,
        thread,
        &["avslutt"],
        &[("sak", &sak), ("grunn", "Feil sak")],
    )
    .await;
    assert!(close.ephemeral());
    assert!(close.text().contains("Lise Leder"), "{}", close.text());
    let after = kit.case(thread).await;
    assert!(after.status.is_open(), "still open");
    assert_eq!(after.version, version, "nothing changed");

    // Nor may she make herself the deputy.
    let kari = KOLLEGA.to_string();
    let named = slash(
        &kit,
        KOLLEGA,
        thread,
        &["stedfortreder"],
        &[("sak", &sak), ("person", &kari)],
    )
    .await;
    assert!(named.ephemeral());
    assert_eq!(kit.case(thread).await.deputy, None);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deputy_and_hr_act_on_lises_steps_for_her_and_the_history_says_so() {
    let (kit, thread) = lises_case().await;
    let case = kit.case_id(thread).await;
    let sak = case.0.to_string();
    let kari = KOLLEGA.to_string();

    let named = slash(
        &kit,
        LEDER,
        thread,
        &["stedfortreder"],
        &[("sak", &sak), ("person", &kari)],
    )
    .await;
    assert!(named.ephemeral(), "{}", named.text());
    assert_eq!(
        kit.case(thread).await.deputy.map(|d| d.id.0),
        Some(KOLLEGA),
        "{}",
        named.text()
    );
    kit.line(thread, "Kari Kollega til stedfortreder").await;
    let card = kit.card_text(thread);
    assert!(
        card.contains(&format!("Stedfortreder: <@{KOLLEGA}>")),
        "the card names the deputy: {card}"
    );
    let mine = slash(&kit, KOLLEGA, thread, &["mine"], &[]).await;
    assert!(
        mine.text()
            .contains(&kit.step_title(Lang::Nb, "stilling_vakant")),
        "Lise's step waits for her deputy too: {}",
        mine.text()
    );

    // The deputy does Lise's step, for her.
    let done = kit
        .press(KOLLEGA, thread, "btn-done", "stilling_vakant")
        .await;
    assert!(!done.ephemeral(), "accepted: {}", done.text());
    kit.line(thread, &on_behalf(&kit, "Kari Kollega")).await;
    // HR does the next, for her too.
    kit.press(HR, thread, "btn-done", "tidlig_involvering")
        .await;
    kit.line(thread, &on_behalf(&kit, "Hanne HR")).await;

    let history = history_text(&kit, LEDER, thread).await;
    assert!(
        history.contains(&on_behalf(&kit, "Kari Kollega"))
            && history.contains(&on_behalf(&kit, "Hanne HR")),
        "{history}"
    );
    let stored = storage::history(kit.db(), kit.guild(), case, 100, 0)
        .await
        .unwrap();
    let by = |step: &str| {
        stored
            .iter()
            .find(|e| {
                e.event.kind == EventKind::StepCompleted && e.event.step == Some(StepId::new(step))
            })
            .map(|e| {
                (
                    e.event.actor.as_ref().map(|p| p.id.0),
                    e.event.on_behalf.as_ref().map(|p| p.id.0),
                )
            })
    };
    assert_eq!(by("stilling_vakant"), Some((Some(KOLLEGA), Some(LEDER))));
    assert_eq!(by("tidlig_involvering"), Some((Some(HR), Some(LEDER))));

    // Removed, the deputy is refused again.
    let removed = slash(&kit, LEDER, thread, &["stedfortreder"], &[("sak", &sak)]).await;
    assert!(removed.ephemeral());
    assert_eq!(kit.case(thread).await.deputy, None);
    let refused = kit
        .press(
            KOLLEGA,
            thread,
            "outcome-vurderer_behov-nyansettelse",
            "vurderer_behov",
        )
        .await;
    assert!(refused.ephemeral(), "{}", refused.text());

    // HR may go back to a step (in HR's own right), and name the deputy again.
    let preview = slash(
        &kit,
        HR,
        thread,
        &["gjenapne"],
        &[("sak", &sak), ("steg", "tidlig_involvering")],
    )
    .await;
    assert_eq!(preview.buttons(), vec![kit.t(Lang::Nb, "btn-reopen")]);
    slash(
        &kit,
        HR,
        thread,
        &["stedfortreder"],
        &[("sak", &sak), ("person", &kari)],
    )
    .await;
    // The deputy closes Lise's case, for her.
    let closed = slash(
        &kit,
        KOLLEGA,
        thread,
        &["avslutt"],
        &[("sak", &sak), ("grunn", "Stillingen er trukket")],
    )
    .await;
    assert!(closed.text().contains(&sak), "{}", closed.text());
    let after = kit.case(thread).await;
    assert!(!after.status.is_open());
    let stored = storage::history(kit.db(), kit.guild(), case, 100, 0)
        .await
        .unwrap();
    let close = stored
        .iter()
        .find(|e| e.event.kind == EventKind::CaseClosed)
        .expect("closed");
    assert_eq!(close.event.on_behalf.as_ref().map(|p| p.id.0), Some(LEDER));
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_case_form_rechecks_the_manager_role_when_it_is_sent() {
    let kit = Kit::start_in(managers_world()).await;
    kit.set_up().await;
    set_manager_role(&kit, MANAGER_ROLE).await;
    let kari = kit.member(KOLLEGA);
    let opened = kari.slash("rekruttering", &["ny"], &[]).await.unwrap();
    assert!(opened.modal.is_some(), "she may: {}", opened.text());
    // While the form is open, the administrator gives the right to open cases to another role.
    set_manager_role(&kit, OTHER_ROLE).await;
    let t = kit.tr(Lang::Nb);
    let sent = kari
        .submit_modal(&[
            (t.t("field-title").as_str(), "Rådgiver"),
            (t.t("field-unit").as_str(), "Bydel Frogner"),
        ])
        .await
        .unwrap();
    assert!(sent.ephemeral());
    assert!(
        sent.text().contains("Ledergruppe") || sent.text().contains(&t.t("role-manager")),
        "says who may: {}",
        sent.text()
    );
    assert!(
        kit.discord().threads(CASES).is_empty(),
        "no thread was opened"
    );
    let open = storage::open_cases(kit.db(), kit.guild()).await.unwrap();
    assert!(open.is_empty(), "no case was stored: {open:?}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_hr_for_help_is_for_those_with_a_part_in_the_case() {
    let (kit, thread) = lises_case().await;
    let help = kit.t(Lang::Nb, "btn-help");
    let pings = |kit: &Kit| {
        kit.discord()
            .messages(thread)
            .iter()
            .filter(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("<@&{HR_ROLE}>")) && c.contains("🆘"))
            })
            .count()
    };
    for outsider in [KOLLEGA, TILLITSVALGT] {
        let card = kit.card_id(thread);
        let answer = kit
            .member_in(outsider, thread)
            .press(&help, card)
            .await
            .unwrap();
        assert!(answer.ephemeral());
        assert!(
            answer
                .text()
                .contains(&kit.t(Lang::Nb, "refusal-not-on-case")),
            "{}",
            answer.text()
        );
    }
    assert_eq!(pings(&kit), 0, "HR was not pinged");
    let card = kit.card_id(thread);
    let asked = kit
        .member_in(LEDER, thread)
        .press(&help, card)
        .await
        .unwrap();
    assert!(
        asked.text().contains(&kit.t(Lang::Nb, "reply-help-sent")),
        "{}",
        asked.text()
    );
    kit.line(thread, "🆘").await;
    assert_eq!(pings(&kit), 1);
    kit.stop().await;
}

/// Lise's case, a week on: her stall reminder about the first step is in her DM, with its
/// buttons. Answers the DM message and the labels of its two buttons.
async fn with_reminder_in_dm(kit: &Kit, to: u64) -> (u64, String, String) {
    // Monday 11 January 2027 at 09:00 in Oslo: five working days after the case was opened.
    kit.set_clock(Utc.with_ymd_and_hms(2027, 1, 11, 8, 0, 0).unwrap());
    kit.kick().await;
    let dms = kit.dms(to);
    let msg = dms
        .iter()
        .rev()
        .find(|m| !sandbox::actor::button_labels(m).is_empty())
        .unwrap_or_else(|| panic!("no reminder with buttons in {to}'s DM: {dms:#?}"));
    let id = msg["id"].as_str().and_then(|s| s.parse().ok()).unwrap();
    (
        id,
        kit.t(Lang::Nb, "btn-reminder-done"),
        kit.t(Lang::Nb, "btn-reminder-snooze"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminder_buttons_in_a_dm_refuse_someone_who_has_left_the_server() {
    let (kit, thread) = Kit::with_case().await;
    let (msg, done, snooze) = with_reminder_in_dm(&kit, LEDER).await;
    let case = kit.case(thread).await;
    let reminders = storage::reminders_for_case(kit.db(), kit.guild(), case.id)
        .await
        .unwrap();
    assert!(kit.discord().remove_member(LEDER), "Lise leaves the server");

    let lise = kit.member(LEDER).in_dm();
    for label in [&done, &snooze] {
        let answer = lise.press(label, msg).await.unwrap();
        assert!(
            answer
                .text()
                .contains(&kit.t(Lang::Nb, "refusal-left-server")),
            "{label}: {}",
            answer.text()
        );
    }
    let after = kit.case(thread).await;
    assert_eq!(after, case, "the case is as it was");
    assert!(after.is_step_open(&StepId::new("stilling_vakant")));
    let now = storage::reminders_for_case(kit.db(), kit.guild(), case.id)
        .await
        .unwrap();
    assert_eq!(now, reminders, "no reminder moved or added");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deputy_gets_the_managers_reminders_and_acts_on_them_for_her() {
    let (kit, thread) = Kit::with_case().await;
    let sak = kit.case_id(thread).await.0.to_string();
    let kari = KOLLEGA.to_string();
    slash(
        &kit,
        LEDER,
        thread,
        &["stedfortreder"],
        &[("sak", &sak), ("person", &kari)],
    )
    .await;
    let (msg, done, _) = with_reminder_in_dm(&kit, KOLLEGA).await;
    assert!(
        kit.dms(LEDER).is_empty(),
        "to the deputy instead of the manager"
    );
    let answer = kit.member(KOLLEGA).in_dm().press(&done, msg).await.unwrap();
    assert!(
        answer.text().contains("registrert som utført"),
        "{}",
        answer.text()
    );
    let case = kit.case(thread).await;
    assert!(case.steps[&StepId::new("stilling_vakant")].is_finished());
    kit.line(thread, &on_behalf(&kit, "Kari Kollega")).await;
    // The next reminder, once she is removed, goes to Lise again.
    slash(&kit, HR, thread, &["stedfortreder"], &[("sak", &sak)]).await;
    kit.line(thread, "fjernet Kari Kollega som stedfortreder")
        .await;
    kit.advance(Duration::days(7));
    kit.kick().await;
    assert!(!kit.dms(LEDER).is_empty(), "Lise hears of her case again");
    kit.stop().await;
}
