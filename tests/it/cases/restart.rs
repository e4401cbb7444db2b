//! Nothing lives only in memory: stopped and started in the middle of a case, the old card's
//! buttons still work.

use los_e2e::*;

on_both! {
async fn the_old_cards_buttons_work_after_a_restart(on: Backend) {
    let (mut kit, thread) = Kit::with_case_on(on).await;
    kit.done(LEDER, thread, &["stilling_vakant", "tidlig_involvering"])
        .await;
    let card_before = kit.card_id(thread);
    kit.restart().await;
    kit.press(
        LEDER,
        thread,
        "outcome-vurderer_behov-ny_stilling",
        "vurderer_behov",
    )
    .await;
    let card_after = kit.card_id(thread);
    assert_eq!(card_before, card_after, "the same card message, edited");
    let case = kit.case(thread).await;
    assert_eq!(Kit::open_steps(&case), ["adm_arbeid"]);
    assert!(case.marks.iter().any(|m| m.as_str() == "ny_stilling"));
    // A new position cannot skip the administrative work: the card offers no skip.
    assert!(!kit
        .card_buttons(thread)
        .contains(&"Ikke aktuelt".to_string()));
    kit.stop().await;
}
}
