//! What people read across cases: status, my pending actions, HR's overview, the history.

use flow::Lang;
use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_mine_overview_and_history() {
    let (kit, thread) = Kit::with_case().await;
    to_adm_arbeid(&kit, thread).await;
    let id = kit.case_id(thread).await.0.to_string();

    // In the case's thread, status needs no case number.
    let status = kit
        .slash_in(KOLLEGA, thread, "rekruttering", &["status"], &[])
        .await;
    assert!(status.ephemeral());
    assert!(
        status
            .text()
            .contains(&kit.step_title(Lang::Nb, "adm_arbeid")),
        "{}",
        status.text()
    );

    // HR and the manager may both do the next step; the union rep has nothing waiting.
    let hr = kit.slash(HR, "rekruttering", &["mine"], &[]).await;
    assert!(
        hr.text().contains(&kit.step_title(Lang::Nb, "adm_arbeid")),
        "{}",
        hr.text()
    );
    let union = kit
        .slash(TILLITSVALGT, "rekruttering", &["mine"], &[])
        .await;
    assert!(
        union.text().contains(&kit.t(Lang::Nb, "mine-nothing")),
        "{}",
        union.text()
    );

    let overview = kit.slash(HR, "rekruttering", &["oversikt"], &[]).await;
    assert!(
        overview.text().contains("Rådgiver")
            && overview.text().contains(&kit.t(Lang::Nb, "phase-behov")),
        "{}",
        overview.text()
    );
    let not_hr = kit.slash(KOLLEGA, "rekruttering", &["oversikt"], &[]).await;
    assert!(
        not_hr.ephemeral() && !not_hr.text().contains("Rådgiver"),
        "{}",
        not_hr.text()
    );

    let history = kit
        .slash(KOLLEGA, "rekruttering", &["historikk"], &[("sak", &id)])
        .await;
    let text = history.text();
    assert!(
        text.contains("Lise Leder markerte *Stilling vakant* som utført")
            || text.contains(&kit.step_title(Lang::Nb, "stilling_vakant")),
        "{text}"
    );
    let page2 = kit
        .slash(
            KOLLEGA,
            "rekruttering",
            &["historikk"],
            &[("sak", &id), ("side", "2")],
        )
        .await;
    assert!(
        page2.text().contains(&kit.t(Lang::Nb, "history-empty")),
        "{}",
        page2.text()
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_case_with_a_reason() {
    let (kit, thread) = Kit::with_case().await;
    let id = kit.case_id(thread).await.0.to_string();
    let union = kit
        .slash(
            TILLITSVALGT,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Nei")],
        )
        .await;
    assert!(
        union.ephemeral()
            && union.text().contains(&kit.t(Lang::Nb, "role-manager"))
            && !union.text().contains("**"),
        "{}",
        union.text()
    );
    let closed = kit
        .slash(
            HR,
            "rekruttering",
            &["avslutt"],
            &[("sak", &id), ("grunn", "Stillingen ble trukket")],
        )
        .await;
    assert!(closed.ephemeral(), "{}", closed.text());
    kit.line(thread, "Stillingen ble trukket").await;
    assert!(
        kit.card_buttons(thread).is_empty(),
        "a closed case has no buttons"
    );
    assert!(!kit.case(thread).await.status.is_open());
    kit.stop().await;
}
