//! Norwegian and English members each see their own language; the commands are registered
//! with Norwegian (`no`) and English localizations.

use flow::Lang;
use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_member_reads_their_own_language() {
    let (kit, thread) = Kit::with_case().await;
    // Gunnar reads English; the first step is the manager's (HR could do it for her).
    let card_id = kit.card_id(thread);
    let refused = kit.press_in(GODKJENNER, thread, "Utført", card_id).await;
    assert!(refused.ephemeral());
    let english = kit.step_title(Lang::En, "stilling_vakant");
    assert!(refused.text().contains(&english), "{}", refused.text());
    let norsk = kit.press_in(TILLITSVALGT, thread, "Utført", card_id).await;
    let nb = kit.step_title(Lang::Nb, "stilling_vakant");
    assert!(norsk.text().contains(&nb), "{}", norsk.text());
    assert_ne!(refused.text(), norsk.text());

    let mine_en = kit.slash(HR_EN, "rekruttering", &["mine"], &[]).await;
    let mine_nb = kit.slash(LEDER, "rekruttering", &["mine"], &[]).await;
    assert!(
        mine_nb.text().contains(&nb),
        "Lise's own step, in Norwegian: {}",
        mine_nb.text()
    );
    assert!(
        mine_en.text().contains(&kit.t(Lang::En, "mine-nothing")),
        "{}",
        mine_en.text()
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_with_norwegian_and_english_names() {
    let kit = Kit::start().await;
    let cmd = kit.command("rekruttering");
    assert_eq!(cmd["name_localizations"]["en-US"], "recruitment");
    assert_eq!(cmd["name_localizations"]["en-GB"], "recruitment");
    assert_eq!(cmd["name_localizations"]["no"], "rekruttering");
    assert!(cmd["description_localizations"]["no"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    let ny = cmd["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "ny")
        .unwrap();
    assert_eq!(ny["name_localizations"]["en-US"], "new");
    let setup = kit.command("oppsett");
    assert_eq!(
        setup["default_member_permissions"]
            .to_string()
            .trim_matches('"'),
        "8",
        "administrators only"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_members_refusal_names_the_step_as_the_card_shows_it() {
    let (kit, thread) = Kit::with_case().await;
    let nb = kit.step_title(Lang::Nb, "stilling_vakant");
    let en = kit.step_title(Lang::En, "stilling_vakant");
    assert!(kit.card_text(thread).contains(&nb), "the card is in bokmål");
    let done = kit.t(Lang::Nb, "btn-done");
    let refused = kit
        .press_in(GODKJENNER, thread, &done, kit.card_id(thread))
        .await;
    assert!(refused.ephemeral());
    let text = refused.text();
    assert!(
        text.contains(&format!("{nb} ({en})")),
        "the card's name, then his: {text}"
    );
    assert!(
        text.contains("belongs to the case's manager"),
        "in English: {text}"
    );
    // A bokmål member is told in bokmål, with nothing in parentheses.
    let norsk = kit
        .press_in(KOLLEGA, thread, &done, kit.card_id(thread))
        .await;
    assert!(norsk.text().contains(&nb), "{}", norsk.text());
    assert!(!norsk.text().contains(&en), "{}", norsk.text());
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_form_asks_for_the_date_in_english() {
    let kit = Kit::build().set_up().start().await;
    // Harriet, HR and English, opens a case herself: she is its manager too.
    let thread = kit.open_case(HR_EN, "Adviser", "Bydel Frogner").await;
    kit.done(HR_EN, thread, &["stilling_vakant", "tidlig_involvering"])
        .await;
    kit.press(
        HR_EN,
        thread,
        "outcome-vurderer_behov-nyansettelse",
        "vurderer_behov",
    )
    .await;
    let skip = kit.press(HR_EN, thread, "btn-skip", "adm_arbeid").await;
    let reason = skip.modal.expect("a form")["components"][0]["components"][0].clone();
    assert_eq!(reason["label"], kit.t(Lang::En, "field-reason"));
    let placeholder = reason["placeholder"].as_str().unwrap_or_default();
    assert!(
        placeholder.contains(&format!(
            "{} ({})",
            kit.step_title(Lang::Nb, "adm_arbeid"),
            kit.step_title(Lang::En, "adm_arbeid")
        )) && placeholder.contains("why?"),
        "{placeholder}"
    );
    kit.member_in(HR_EN, thread)
        .submit_modal(&[(&kit.t(Lang::En, "field-reason"), "The position exists")])
        .await
        .unwrap();
    kit.done(
        HR_EN,
        thread,
        &[
            "endringer_hr_system",
            "sjekk_rapport_hr1072l",
            "sjekk_overtallige",
            "behovsanalyse",
            "ny_utlysning",
            "legger_til_involverte",
        ],
    )
    .await;
    let form = kit
        .press(HR_EN, thread, "btn-date-soknadsfrist", "utlyser_stilling")
        .await;
    let modal = form.modal.expect("a form");
    let input = &modal["components"][0]["components"][0];
    assert_eq!(input["label"], kit.t(Lang::En, "date-soknadsfrist"));
    let placeholder = input["placeholder"].as_str().unwrap_or_default();
    assert_eq!(placeholder, kit.t(Lang::En, "form-date-placeholder"));
    assert!(placeholder.contains("dd.mm.yyyy"), "{placeholder}");
    assert!(!placeholder.contains("åååå"), "{placeholder}");
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_language_setting_switches_the_card_to_english() {
    let (kit, thread) = Kit::with_case().await;
    let shown = kit.slash(ADMIN, "oppsett", &["vis"], &[]).await.text();
    assert!(shown.contains(&kit.t(Lang::Nb, "language-nb")), "{shown}");
    let english = kit.choice("cmd-oppsett-sprak", "sprak-en");
    let set = kit
        .slash(ADMIN, "oppsett", &["sprak"], &[("sprak", &english)])
        .await;
    assert!(
        set.text().contains(&kit.t(Lang::Nb, "language-en")),
        "shown in the settings: {}",
        set.text()
    );
    assert_eq!(kit.settings().await.language, Lang::En);

    // The open case's card turns English at its next change.
    let done = kit.t(Lang::Nb, "btn-done");
    kit.press_in(LEDER, thread, &done, kit.card_id(thread))
        .await;
    let card = kit.card_text(thread);
    let next_en = kit.step_title(Lang::En, "tidlig_involvering");
    assert!(card.contains(&next_en), "{card}");
    assert!(card.contains("1 of 38 steps"), "{card}");
    assert_eq!(
        kit.card_buttons(thread),
        [
            kit.t(Lang::En, "btn-done"),
            kit.t(Lang::En, "btn-help"),
            kit.t(Lang::En, "btn-chart")
        ]
    );
    kit.line(thread, &next_en).await;

    // A new case is English from the start; a bokmål member is told in bokmål, naming the
    // step as the English card does.
    let second = kit.open_case(LEDER, "Konsulent", "Bydel Grorud").await;
    let card = kit.card_text(second);
    assert!(
        card.contains(&kit.step_title(Lang::En, "stilling_vakant")),
        "{card}"
    );
    let refused = kit
        .press(KOLLEGA, second, "btn-done", "stilling_vakant")
        .await;
    let text = refused.text();
    assert!(
        text.contains(&format!(
            "{} ({})",
            kit.step_title(Lang::En, "stilling_vakant"),
            kit.step_title(Lang::Nb, "stilling_vakant")
        )) && text.contains("hører til sakens leder"),
        "{text}"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notification_level_is_stored_and_shown() {
    let kit = Kit::build().set_up().start().await;
    let shown = kit.slash(ADMIN, "oppsett", &["vis"], &[]).await.text();
    assert!(
        shown.contains(&kit.t(Lang::Nb, "notifications-when_asked")),
        "the default: {shown}"
    );
    let cmd = kit.command("oppsett");
    let varsler = cmd["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "varsler")
        .expect("registered");
    assert_eq!(varsler["name_localizations"]["en-US"], "notifications");
    let choices = varsler["options"][0]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 3);
    assert!(choices
        .iter()
        .all(|c| c["name_localizations"]["en-GB"].is_string()));
    let digest_only = kit.choice("cmd-oppsett-varsler", "niva-digest_only");
    let set = kit
        .slash(ADMIN, "oppsett", &["varsler"], &[("niva", &digest_only)])
        .await;
    assert!(
        set.text()
            .contains(&kit.t(Lang::Nb, "notifications-digest_only")),
        "{}",
        set.text()
    );
    assert_eq!(
        kit.settings().await.notifications,
        storage::NotificationLevel::DigestOnly
    );
    // Someone who is not an administrator may not change it.
    let every_step = kit.choice("cmd-oppsett-varsler", "niva-every_step");
    let refused = kit
        .slash(LEDER, "oppsett", &["varsler"], &[("niva", &every_step)])
        .await;
    assert!(refused.ephemeral());
    assert_eq!(
        kit.settings().await.notifications,
        storage::NotificationLevel::DigestOnly
    );
    kit.stop().await;
}
