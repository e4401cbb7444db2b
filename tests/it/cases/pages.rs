//! Lists by page (`/rekruttering historikk`, `oversikt`): any page number a person can type is
//! answered politely, only to them, and never brings the bot down.

use los_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_page_number_is_answered_politely() {
    let kit = Kit::reminders().start().await;
    let (case, _) = kit.open("Rådgiver").await;
    let id = case.0.to_string();
    for side in ["4294967295", "4294967296", "99999999999"] {
        let history = kit
            .slash(
                KOLLEGA,
                "rekruttering",
                &["historikk"],
                &[("sak", &id), ("side", side)],
            )
            .await;
        assert!(history.ephemeral(), "{side}: {}", history.text());
        // The largest page a `u32` holds would overflow the offset: named in the answer. Past
        // it, poise cannot take the number at all: told without it.
        if side == "4294967295" {
            assert!(history.text().contains(side), "{side}: {}", history.text());
        }
        assert!(!history.text().is_empty(), "{side}");
        let overview = kit
            .slash(HR, "rekruttering", &["oversikt"], &[("side", side)])
            .await;
        assert!(overview.ephemeral(), "{side}: {}", overview.text());
    }
    // The bot is still there: page 1 works.
    let first = kit
        .slash(
            KOLLEGA,
            "rekruttering",
            &["historikk"],
            &[("sak", &id), ("side", "1")],
        )
        .await;
    assert!(first.text().contains(&format!("#{id}")), "{}", first.text());
    kit.stop().await;
}
