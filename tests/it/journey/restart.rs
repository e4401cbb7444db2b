//! The bot restarts in the middle of a journey: the checklist's buttons still work (they say
//! what and which journey; the press reloads it), and the reminders that fell due while it was
//! down go out once.

use los_e2e::*;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_the_buttons_work_and_reminders_due_while_down_go_out_once() {
    let start = date(2027, 3, 23);
    let (mut kit, case) = case_at_start(start).await;
    name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    let thread = journey_threads(&kit)[0].id;
    let id = id_of(&checklist(&kit, thread).await);

    kit.down().await;
    // Down over the first day's 08:00.
    kit.set_clock(eight(start) + chrono::Duration::hours(3));
    kit.restart().await;
    kit.kick().await;
    let pc = "«Få PC, brukerkonto og tilganger» skal gjøres i dag (23.03.2027)";
    assert_eq!(in_dms(&kit, NORA, pc), 1);
    assert_eq!(in_dms(&kit, FRIDA, "«Omvisning og lunsj med fadderen»"), 1);
    kit.kick().await;
    kit.restart().await;
    kit.kick().await;
    assert_eq!(in_dms(&kit, NORA, pc), 1, "once");

    // The checklist posted before the restart still works.
    kit.press_in(NORA, thread, "✓ Få PC, brukerkonto og tilganger", id)
        .await;
    let now = text(&checklist_now(&kit, thread, id));
    assert!(
        now.contains("☑ **Få PC, brukerkonto og tilganger**"),
        "{now}"
    );
    let refused = kit
        .press_in(FRIDA, thread, "✓ Hent adgangskortet", id)
        .await;
    assert!(refused.ephemeral(), "{}", refused.text());
    kit.stop().await;
}
