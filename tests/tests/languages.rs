//! Norwegian and English members each see their own language; the commands are registered
//! with Norwegian (`no`) and English localizations.

use flow::Lang;
use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_member_reads_their_own_language() {
    let (kit, thread) = Kit::with_case().await;
    // Harriet reads English; the first step is the manager's.
    let harriet = kit.h.sandbox.member(HR_EN).in_channel(thread);
    let card_id = kit.card_id(thread);
    let refused = harriet.press("Utført", card_id).await.unwrap();
    assert!(refused.ephemeral());
    let english = kit
        .h
        .tr(Lang::En)
        .step(&flow::StepId::new("stilling_vakant"));
    assert!(refused.text().contains(&english), "{}", refused.text());
    let hanne = kit.h.sandbox.member(HR).in_channel(thread);
    let norsk = hanne.press("Utført", card_id).await.unwrap();
    let nb = kit
        .h
        .tr(Lang::Nb)
        .step(&flow::StepId::new("stilling_vakant"));
    assert!(norsk.text().contains(&nb), "{}", norsk.text());
    assert_ne!(refused.text(), norsk.text());

    let mine_en = kit
        .h
        .member(HR_EN)
        .slash("rekruttering", &["mine"], &[])
        .await
        .unwrap();
    let mine_nb = kit
        .h
        .member(LEDER)
        .slash("rekruttering", &["mine"], &[])
        .await
        .unwrap();
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
    let cmd = kit.h.sandbox.command("rekruttering").expect("registered");
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
    let setup = kit.h.sandbox.command("oppsett").expect("registered");
    assert_eq!(
        setup["default_member_permissions"]
            .to_string()
            .trim_matches('"'),
        "8",
        "administrators only"
    );
    kit.stop().await;
}
