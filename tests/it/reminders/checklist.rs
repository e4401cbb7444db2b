//! The onboarding checklist: posted once in the onboarding channel when the start date is set,
//! linked from the case thread; ticking an item completes its step through the engine, so its
//! reminders stop, and the checklist shows who ticked it and when.

use flow::StepId;
use los_e2e::*;
use serde_json::Value;
use storage::ReminderState;

const HEADING: &str = "Sjekkliste for ny medarbeider";

fn checklists(kit: &Kit) -> Vec<Value> {
    kit.lines_with(ONBOARDING, HEADING)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_once_linked_from_the_thread_and_ticking_completes_the_step() {
    let mut kit = Kit::reminders().start().await;
    let (case, thread) = kit.open("Rådgiver").await;
    kit.kick().await;
    assert!(
        checklists(&kit).is_empty(),
        "no checklist before the start date is set"
    );
    kit.to_start_date(case, date(2027, 3, 1)).await;
    kit.kick().await;
    let posted = checklists(&kit);
    assert_eq!(posted.len(), 1);
    let text = posted[0]["content"].as_str().unwrap_or_default().to_owned();
    for step in [
        "forberedelse_arbeidsavtale",
        "signerer_arbeidsavtale",
        "bestiller_utstyr",
        "tar_imot",
    ] {
        assert!(text.contains(&kit.title(step)), "{step} in {text}");
    }
    assert!(
        text.contains("frist 08.03.2027"),
        "the contract's legal deadline: {text}"
    );
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    let id = id_of(&posted[0]);
    kit.line(thread, &format!("/{ONBOARDING}/{id}")).await;
    // Not again: later passes and a restart.
    kit.restart().await;
    kit.kick().await;
    assert_eq!(checklists(&kit).len(), 1);

    // Someone with no part in the step cannot tick it.
    let step = "bestiller_utstyr";
    let label = format!("✓ {}", kit.title(step));
    let refused = kit.press_in(KOLLEGA, ONBOARDING, &label, id).await;
    assert!(refused.ephemeral(), "{}", refused.text());
    // The manager ticks it: the step is done, its reminders cancelled, the tick recorded.
    kit.press_in(LEDER, ONBOARDING, &label, id).await;
    let loaded = kit.case_by_id(case).await;
    assert!(loaded
        .steps
        .get(&StepId::new(step))
        .is_some_and(|s| s.is_finished()));
    let of_step: Vec<_> = kit
        .reminders_of(case)
        .await
        .into_iter()
        .filter(|r| r.step.as_ref().is_some_and(|s| s.as_str() == step))
        .collect();
    assert!(
        !of_step.is_empty() && of_step.iter().all(|r| r.state == ReminderState::Cancelled),
        "{of_step:#?}"
    );
    let list = storage::checklist(kit.db(), kit.guild(), id)
        .await
        .unwrap()
        .expect("recorded");
    let ticked = list
        .items
        .iter()
        .find(|i| i.item == step)
        .and_then(|i| i.ticked.clone());
    assert_eq!(ticked.map(|(who, _)| who.id.0), Some(LEDER));
    let shown = kit
        .messages(ONBOARDING)
        .into_iter()
        .find(|m| m["id"] == posted[0]["id"])
        .unwrap();
    let shown = shown["content"].as_str().unwrap_or_default();
    assert!(
        shown.contains(&format!("☑ **{}**", kit.title(step))),
        "{shown}"
    );
    assert!(shown.contains("✅ Lise Leder"), "{shown}");
    // And on its day, no reminder about it.
    kit.at(eight(date(2027, 2, 8))).await;
    assert_eq!(kit.count_everywhere(&kit.manager_line(step)), 0);
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checklist_whose_thread_refuses_its_link_is_posted_once_and_holds_up_no_other() {
    let kit = Kit::reminders().start().await;
    let (a, ta) = kit.open("Rådgiver A").await;
    let (b, tb) = kit.open("Rådgiver B").await;
    // The bot may no longer write in A's thread.
    kit.discord().forbid_channel(ta, 50013);
    kit.to_start_date(a, date(2027, 3, 1)).await;
    kit.to_start_date(b, date(2027, 3, 1)).await;
    kit.kick().await;
    let of = |kit: &Kit, case: flow::CaseId| {
        checklists(kit)
            .into_iter()
            .filter(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("sak #{} ", case.0)))
            })
            .count()
    };
    // Both are out in the same pass: A's refused link stopped nothing.
    assert_eq!(of(&kit, a), 1);
    assert_eq!(of(&kit, b), 1);
    kit.line(tb, &format!("/{ONBOARDING}/")).await;
    // Long after Discord has forgotten the nonce, passes post nothing again.
    for minutes in [10, 20, 60] {
        kit.at(day_one() + chrono::Duration::minutes(minutes)).await;
    }
    assert_eq!(of(&kit, a), 1, "{:#?}", checklists(&kit));
    assert_eq!(of(&kit, b), 1);
    assert!(
        storage::checklist_for_step(kit.db(), kit.guild(), a, &StepId::new("kandidat_til_hr"))
            .await
            .unwrap()
            .is_some(),
        "recorded as soon as it was posted"
    );
    // HR hears that A's thread refuses the bot.
    let told = kit
        .discord()
        .wait_for_message(HR_CHANNEL, |m| {
            m["content"].as_str().is_some_and(|c| {
                c.contains("Boten får ikke levert") && c.contains(&format!("<#{ta}>"))
            })
        })
        .await;
    assert!(told.is_ok(), "{:#?}", kit.messages(HR_CHANNEL));
    kit.stop().await;
}
