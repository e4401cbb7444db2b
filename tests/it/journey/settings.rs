//! A server's changed reminder time (`/oppsett paminnelser klokkeslett`) moves a new hire's
//! journey reminders too: each on its same working day at the new time in Oslo, across the
//! change to summer time; one already sent is not sent again, and one whose new time has
//! already passed today goes out at once instead of being lost.

use chrono::{Duration, NaiveTime};
use los_e2e::*;

use super::common::*;

fn oslo(d: chrono::NaiveDate, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    flow::oslo_instant(d, NaiveTime::from_hms_opt(h, m, 0).unwrap())
}

async fn remind_at(kit: &Kit, time: &str) {
    let answer = kit
        .slash(ADMIN, "oppsett", &["paminnelser"], &[("klokkeslett", time)])
        .await;
    assert!(answer.ephemeral(), "{}", answer.text());
    kit.kick().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_reminder_time_moves_the_journeys_reminders_too() {
    // Tuesday 23 March 2027; summer time begins on Sunday the 28th.
    let start = date(2027, 3, 23);
    let (kit, case) = case_at_start(start).await;
    let named = name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    assert!(named.text().contains("<@1010>"), "{}", named.text());
    remind_at(&kit, "10:15").await;

    // The first day, in winter time: not at 08:00 as planned, at 10:15 (09:15 UTC).
    let pc = "«Få PC, brukerkonto og tilganger» skal gjøres i dag (23.03.2027)";
    kit.at(eight(start)).await;
    assert_eq!(in_dms(&kit, NORA, pc), 0, "not at the old time");
    let first = oslo(start, 10, 15);
    assert_eq!(first.format("%H:%M").to_string(), "09:15");
    kit.at(first - Duration::minutes(1)).await;
    assert_eq!(in_dms(&kit, NORA, pc), 0);
    kit.at(first).await;
    assert_eq!(in_dms(&kit, NORA, pc), 1, "at the new time");

    // In summer time: 10:15 is 08:15 UTC.
    let hms = "«HMS-introduksjon: rømningsveier, brannvern og avvikssystemet»";
    let tuesday = date(2027, 3, 30);
    kit.at(eight(tuesday)).await;
    assert_eq!(in_dms(&kit, LEDER, hms), 0, "not at the old time");
    let summer = oslo(tuesday, 10, 15);
    assert_eq!(summer.format("%H:%M").to_string(), "08:15");
    kit.at(summer - Duration::minutes(1)).await;
    assert_eq!(in_dms(&kit, LEDER, hms), 0);
    kit.at(summer).await;
    assert_eq!(in_dms(&kit, LEDER, hms), 1, "at the new time");

    // On Tuesday 6 April at 09:00, the new hire's CV item waits for 10:15. The time goes back
    // to 08:00, already passed today: it goes out now, once; what was sent is not sent again.
    let cv = "«Registrer CV og kompetanse i kompetansemodulen» skal gjøres i dag (06.04.2027)";
    let april = date(2027, 4, 6);
    kit.at(oslo(april, 9, 0)).await;
    assert_eq!(in_dms(&kit, NORA, cv), 0);
    remind_at(&kit, "08:00").await;
    assert_eq!(in_dms(&kit, NORA, cv), 1, "due, not lost");
    kit.at(oslo(april, 10, 15)).await;
    assert_eq!(in_dms(&kit, NORA, cv), 1);
    assert_eq!(in_dms(&kit, NORA, pc), 1);
    assert_eq!(in_dms(&kit, LEDER, hms), 1);

    // The manager's summary a week before probation ends follows too.
    let summary = "Prøvetiden for den nyansatte i sak";
    kit.at(eight(date(2027, 9, 15)) - Duration::minutes(1))
        .await;
    assert_eq!(in_dms(&kit, LEDER, summary), 0);
    kit.at(eight(date(2027, 9, 15))).await;
    assert_eq!(in_dms(&kit, LEDER, summary), 1);
    kit.stop().await;
}
