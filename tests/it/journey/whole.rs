//! A whole journey through Discord: the new hire and the buddy named, a private thread with
//! exactly its people, the checklist ticked by its owners (and refused to others), each in
//! their own language, reminders on the right working days across Easter and the change to
//! summer time, the probation summary and HR's escalation, and the journey closed by the
//! decision: thread archived, reminders stopped.

use los_e2e::*;

use super::common::*;

/// Tuesday 23 March 2027: Maundy Thursday is the 25th, Easter Monday the 29th, and summer time
/// begins on Sunday the 28th.
fn start() -> chrono::NaiveDate {
    date(2027, 3, 23)
}

on_both! {
async fn a_whole_journey_from_the_named_new_hire_to_the_probation_decision(on: Backend) {
    let (kit, case) = case_at_start_on(start(), on).await;
    // Someone with no part in the case cannot name the new hire.
    let refused = name_new_hire(&kit, KOLLEGA, case, Some(FRIDA)).await;
    assert!(refused.ephemeral(), "{}", refused.text());
    assert!(journey_threads(&kit).is_empty());

    let named = name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    assert!(named.ephemeral(), "{}", named.text());
    assert!(
        named.text().contains("er åpnet for <@1010>"),
        "{}",
        named.text()
    );
    let threads = journey_threads(&kit);
    assert_eq!(threads.len(), 1, "one private thread");
    let thread = threads[0].id;
    assert!(
        named.text().contains(&format!("<#{thread}>")),
        "{}",
        named.text()
    );
    let mut members = threads[0].members.clone();
    members.sort_unstable();
    let mut expected = vec![kit.discord().world().bot_id, LEDER, NORA, FRIDA];
    expected.sort_unstable();
    assert_eq!(members, expected, "exactly its people");
    // A second time changes nothing.
    let again = name_new_hire(&kit, LEDER, case, Some(FRIDA)).await;
    assert!(again.text().contains("allerede"), "{}", again.text());
    assert_eq!(journey_threads(&kit).len(), 1);

    let list = checklist(&kit, thread).await;
    let id = id_of(&list);
    let shown = text(&list);
    for needle in [
        "Introduksjonsløp for <@1010>",
        "**Første dag**",
        "**Første uke**",
        "**Prøvetiden**",
        "Hent adgangskortet** (nyansatt, innen 23.03.2027)",
        // Day 2 is Maundy Thursday: the Tuesday after Easter.
        "HMS-introduksjon: rømningsveier, brannvern og avvikssystemet** (leder, innen 30.03.2027)",
        "Prøvetiden slutter 22.09.2027",
        "0 av 18 punkter",
    ] {
        assert!(shown.contains(needle), "{needle} in {shown}");
    }
    // Nobody outside the thread sees it.
    assert!(kit
        .member_in(KOLLEGA, thread)
        .press("✓ Hent adgangskortet", id)
        .await
        .is_err());

    // The buddy cannot tick the new hire's item: told so, only her.
    let not_hers = kit
        .press_in(FRIDA, thread, "✓ Hent adgangskortet", id)
        .await;
    assert!(not_hers.ephemeral());
    assert!(not_hers.text().contains("nyansatt"), "{}", not_hers.text());
    assert!(text(&checklist_now(&kit, thread, id)).contains("0 av 18"));
    // The new hire ticks it; the buddy ticks her own.
    kit.press_in(NORA, thread, "✓ Hent adgangskortet", id).await;
    kit.press_in(FRIDA, thread, "✓ Omvisning og lunsj med fadderen", id)
        .await;
    let now = text(&checklist_now(&kit, thread, id));
    assert!(now.contains("☑ **Hent adgangskortet**"), "{now}");
    assert!(now.contains("✅ Nora Ny"), "{now}");
    assert!(now.contains("2 av 18 punkter"), "{now}");
    // The button of a ticked item is gone: a second tick cannot happen.
    let buttons = sandbox::actor::button_labels(&checklist_now(&kit, thread, id));
    assert!(
        !buttons.iter().any(|b| b == "✓ Hent adgangskortet"),
        "{buttons:?}"
    );

    // Her own items, in her own language (English).
    let mine = kit.press_in(NORA, thread, "Mine punkter", id).await;
    assert!(mine.ephemeral());
    let mine = mine.text();
    assert!(mine.contains("Your onboarding items"), "{mine}");
    assert!(mine.contains("☑ **Collect the access card**"), "{mine}");
    assert!(mine.contains("Mandatory course on privacy"), "{mine}");
    assert!(
        !mine.contains("Welcome conversation"),
        "the manager's: {mine}"
    );
    // And in /rekruttering mine (the open ones).
    let listed = kit.slash(NORA, "rekruttering", &["mine"], &[]).await.text();
    assert!(
        listed.contains("Get a PC, a user account and access"),
        "{listed}"
    );
    assert!(
        !listed.contains("Collect the access card"),
        "ticked: {listed}"
    );
    let buddy = kit
        .slash(FRIDA, "rekruttering", &["mine"], &[])
        .await
        .text();
    assert!(buddy.contains("Gå gjennom enhetens rutiner"), "{buddy}");

    // Reminders: the first day's to the new hire (not the ticked one).
    let pc = "«Få PC, brukerkonto og tilganger» skal gjøres i dag (23.03.2027)";
    kit.at(eight(start())).await;
    assert_eq!(in_dms(&kit, NORA, pc), 1);
    assert_eq!(in_dms(&kit, NORA, "Hent adgangskortet"), 0);
    // The HMS introduction: not on Maundy Thursday, nor on Easter Monday, nor a minute
    // before 08:00 summer time (06:00 UTC) on the Tuesday; at 08:00 once.
    let hms = "«HMS-introduksjon: rømningsveier, brannvern og avvikssystemet»";
    kit.at(eight(date(2027, 3, 25))).await;
    kit.at(eight(date(2027, 3, 29))).await;
    kit.at(eight(date(2027, 3, 30)) - chrono::Duration::minutes(1))
        .await;
    assert_eq!(in_dms(&kit, LEDER, hms), 0);
    kit.at(eight(date(2027, 3, 30))).await;
    assert_eq!(in_dms(&kit, LEDER, hms), 1);
    assert_eq!(
        eight(date(2027, 3, 30)).format("%H:%M").to_string(),
        "06:00",
        "08:00 summer time"
    );
    // The buddy's and HR's on their days.
    assert_eq!(
        in_dms(
            &kit,
            FRIDA,
            "«Gå gjennom enhetens rutiner» skal gjøres i dag (30.03.2027)"
        ),
        1
    );
    kit.at(eight(date(2027, 4, 1))).await;
    assert_eq!(
        kit.count_in(
            HR_CHANNEL,
            "«Kontroller at arbeidsavtalen ligger i personalmappen»"
        ),
        1
    );

    // A week before probation ends: the manager's summary; on its last working day, HR.
    kit.at(eight(date(2027, 9, 14))).await;
    let summary = "Prøvetiden for den nyansatte i sak";
    assert_eq!(in_dms(&kit, LEDER, summary), 0);
    kit.at(eight(date(2027, 9, 15))).await;
    assert_eq!(in_dms(&kit, LEDER, summary), 1);
    assert_eq!(
        in_dms(&kit, LEDER, "slutter 22.09.2027: 2 av 18 punkter er gjort"),
        1
    );
    let escalation = "Siste arbeidsdag i prøvetiden";
    kit.at(eight(date(2027, 9, 21))).await;
    assert_eq!(kit.count_in(HR_CHANNEL, escalation), 0);
    kit.at(eight(date(2027, 9, 22))).await;
    assert_eq!(kit.count_in(HR_CHANNEL, escalation), 1);

    // The buddy cannot record the decision; the manager can.
    let no = kit
        .press_in(FRIDA, thread, "Ansettelsen fortsetter", id)
        .await;
    assert!(no.ephemeral());
    assert!(no.text().contains("Bare sakens leder"), "{}", no.text());
    kit.press_in(LEDER, thread, "Ansettelsen fortsetter", id)
        .await;
    let closed = text(&checklist_now(&kit, thread, id));
    assert!(closed.contains("ansettelsen fortsetter"), "{closed}");
    assert!(
        sandbox::actor::button_labels(&checklist_now(&kit, thread, id)).is_empty(),
        "no buttons on a closed journey"
    );
    let path = format!("/channels/{thread}");
    kit.request_where(|r| {
        r.method == "PATCH"
            && r.path.ends_with(&path)
            && r.body.as_ref().is_some_and(|b| b["archived"] == true)
    })
    .await;
    assert!(kit.is_archived(thread), "the thread is archived");
    let pending: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.key.starts_with('j') && r.state == storage::ReminderState::Pending)
        .collect();
    assert!(pending.is_empty(), "{pending:#?}");
    let row = storage::journey(kit.db(), kit.guild(), case)
        .await
        .unwrap()
        .unwrap();
    assert!(row.journey.closed.is_some());
    kit.stop().await;
}
}
