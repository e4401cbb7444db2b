//! Everything a person may not do is refused politely, only to them, in their language, and
//! changes nothing.

use flow::{Lang, NewCase, PersonId, PersonRef};
use los_e2e::*;

/// Opens a case and walks it to the approval.
async fn at_approval() -> (Kit, u64) {
    let (kit, thread) = Kit::with_case().await;
    through_announcement(&kit, thread, "01.02.2027").await;
    through_applications(&kit, thread).await;
    recommend(&kit, thread, "Kari Nordmann").await;
    (kit, thread)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_the_role_presses_approve() {
    let (kit, thread) = at_approval().await;
    let before = kit.case(thread).await.version;
    let answer = kit
        .press(KOLLEGA, thread, "btn-approve", "til_godkjenning")
        .await;
    assert!(answer.ephemeral(), "a refusal is shown only to the presser");
    let text = answer.text();
    assert!(
        text.contains(&kit.t(Lang::Nb, "role-approver")),
        "names whose step it is: {text}"
    );
    assert_eq!(kit.case(thread).await.version, before, "nothing changed");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_button_on_an_old_card_says_who_did_it_and_when() {
    let (kit, thread) = Kit::with_case().await;
    let card_id = kit.card_id(thread);
    let lise = kit.member_in(LEDER, thread);
    let old_card = lise.snapshot(card_id).unwrap();
    kit.press(LEDER, thread, "btn-done", "stilling_vakant")
        .await;
    let version = kit.case(thread).await.version;
    let answer = lise.press_on_snapshot("Utført", &old_card).await.unwrap();
    assert!(answer.ephemeral());
    let text = answer.text();
    assert!(
        text.contains("Lise Leder") && text.contains("04.01.2027 kl. 10:00"),
        "{text}"
    );
    assert_eq!(kit.case(thread).await.version, version);
    kit.stop().await;
}

on_both! {
async fn two_people_pressing_done_at_the_same_moment_one_wins_the_other_is_told(on: Backend) {
    for _ in 0..3 {
        let (kit, thread) = Kit::with_case_on(on).await;
        to_adm_arbeid(&kit, thread).await;
        kit.press_form(
            HR,
            thread,
            "btn-skip",
            "adm_arbeid",
            &[("field-reason", "Finnes")],
        )
        .await;
        // Both the manager and HR may mark the HR-system step; both press on the same card.
        let card_id = kit.card_id(thread);
        let lise = kit.member_in(LEDER, thread);
        let hanne = kit.member_in(HR, thread);
        let card = lise.snapshot(card_id).unwrap();
        let a = lise.start_press_on("Utført", &card).unwrap();
        let b = hanne.start_press_on("Utført", &card).unwrap();
        let (a, b) = tokio::join!(lise.wait(a), hanne.wait(b));
        let (a, b) = (a.unwrap(), b.unwrap());
        let refused: Vec<_> = [&a, &b].into_iter().filter(|x| x.ephemeral()).collect();
        assert_eq!(
            refused.len(),
            1,
            "exactly one is refused: {} / {}",
            a.text(),
            b.text()
        );
        let told = refused[0].text();
        assert!(
            told.contains("Lise Leder") || told.contains("Hanne HR"),
            "{told}"
        );
        let case = kit.case(thread).await;
        let done = kit
            .history(case.id)
            .await
            .iter()
            .filter(|e| e.event.kind == flow::EventKind::StepCompleted)
            .filter(|e| e.event.step.as_ref().map(|s| s.as_str()) == Some("endringer_hr_system"))
            .count();
        assert_eq!(done, 1, "the step was completed exactly once");
        kit.stop().await;
    }
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_from_another_server_is_not_there() {
    let kit = Kit::build().set_up().start().await;
    let elsewhere = 4242;
    let draft = NewCase {
        title: flow::CaseText::parse("Hemmelig stilling").unwrap(),
        unit: flow::CaseText::parse("Annen kommune").unwrap(),
        note: None,
    };
    let owner = PersonRef {
        id: PersonId(77),
        name: "Annen Leder".into(),
    };
    let now = chrono::Utc::now();
    let case = storage::create_case(
        kit.db(),
        elsewhere,
        |id| flow::start(kit.process(), id, draft, owner, now),
        |_| Vec::new(),
    )
    .await
    .unwrap();
    let id = case.id.0.to_string();
    let status = kit
        .slash(HR, "rekruttering", &["status"], &[("sak", &id)])
        .await;
    assert!(status.ephemeral());
    assert!(!status.text().contains("Hemmelig"), "{}", status.text());
    assert!(status.text().contains(&id), "{}", status.text());
    let close = kit
        .slash(
            HR,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "x")],
        )
        .await;
    assert!(close.ephemeral());
    let still = storage::load_case(kit.db(), elsewhere, case.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        still.status.is_open(),
        "the other server's case is untouched"
    );
    let listed = kit
        .member(HR)
        .autocomplete("rekruttering", &["status"], &[("sak", "")], "sak")
        .await
        .unwrap();
    assert!(
        listed.choices.is_empty(),
        "autocomplete offers only this server's cases: {:?}",
        listed.choices
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_date_is_refused_and_changes_nothing() {
    let (kit, thread) = Kit::with_case().await;
    to_utlyser_stilling(&kit, thread).await;
    let before = kit.case(thread).await.version;
    for bad in ["31.02.2027", "2027-02-01", "i morgen"] {
        let answer = kit
            .press_form(
                LEDER,
                thread,
                "btn-date-soknadsfrist",
                "utlyser_stilling",
                &[("date-soknadsfrist", bad)],
            )
            .await;
        assert!(answer.ephemeral());
        assert!(answer.text().contains("dd.mm.åååå"), "{}", answer.text());
    }
    let past = kit
        .press_form(
            LEDER,
            thread,
            "btn-date-soknadsfrist",
            "utlyser_stilling",
            &[("date-soknadsfrist", "01.12.2026")],
        )
        .await;
    assert!(past.text().contains("01.12.2026"), "{}", past.text());
    assert_eq!(kit.case(thread).await.version, before);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4000_character_reason_is_refused_with_its_length() {
    let (kit, thread) = Kit::with_case().await;
    to_adm_arbeid(&kit, thread).await;
    let before = kit.case(thread).await.version;
    let long = "å".repeat(4000);
    let answer = kit
        .press_form(
            HR,
            thread,
            "btn-skip",
            "adm_arbeid",
            &[("field-reason", &long)],
        )
        .await;
    assert!(answer.ephemeral());
    assert!(
        answer.text().contains("4000") && answer.text().contains("1000"),
        "{}",
        answer.text()
    );
    let slash = kit
        .slash(
            HR,
            "rekruttering",
            &["avslutt"],
            &[
                ("sak", &kit.case_id(thread).await.0.to_string()),
                ("grunn", &long),
            ],
        )
        .await;
    assert!(
        slash.ephemeral() && slash.text().contains("4000"),
        "{}",
        slash.text()
    );
    assert_eq!(kit.case(thread).await.version, before);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reason_full_of_mentions_and_markdown_pings_nobody() {
    let (kit, thread) = Kit::with_case().await;
    to_adm_arbeid(&kit, thread).await;
    let reason =
        "@everyone @here <@1004> <@&503> **fet** __under__ `kode` [lenke](https://x.example)";
    kit.press_form(
        HR,
        thread,
        "btn-skip",
        "adm_arbeid",
        &[("field-reason", reason)],
    )
    .await;
    let posted = kit.line(thread, "fet").await;
    let content = posted["content"].as_str().unwrap();
    assert!(
        content.contains("\\@everyone") && content.contains("\\*\\*fet\\*\\*"),
        "{content}"
    );
    // The request is recorded once its answer is sent: wait for it.
    let request = kit
        .request_where(|r| {
            r.method == "POST"
                && r.body
                    .as_ref()
                    .is_some_and(|b| b["content"].as_str().is_some_and(|c| c.contains("fet")))
        })
        .await;
    let body = request.body.expect("a body");
    let allowed = &body["allowed_mentions"];
    assert_eq!(
        allowed["parse"],
        serde_json::json!([]),
        "no @everyone, no role or user parsing"
    );
    let ids = |k: &str| -> Vec<String> {
        allowed[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    assert!(!ids("users").contains(&"1004".to_string()), "{allowed}");
    assert!(!ids("roles").contains(&"503".to_string()), "{allowed}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soknadsfrist_with_no_end_is_refused_politely_with_the_last_date_taken() {
    let (kit, thread) = Kit::with_case().await;
    to_utlyser_stilling(&kit, thread).await;
    let before = kit.case(thread).await.version;
    // "No end date", as people type it; today is 04.01.2027.
    let answer = kit
        .press_form(
            LEDER,
            thread,
            "btn-date-soknadsfrist",
            "utlyser_stilling",
            &[("date-soknadsfrist", "31.12.9999")],
        )
        .await;
    assert!(answer.ephemeral(), "shown only to the one who typed it");
    let text = answer.text();
    assert!(
        text.contains("31.12.9999") && text.contains("04.01.2028"),
        "says what was typed and the last day taken: {text}"
    );
    assert!(text.contains("senest"), "in the manager's language: {text}");
    assert_eq!(kit.case(thread).await.version, before, "nothing changed");
    kit.stop().await;
}
