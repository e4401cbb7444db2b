//! The onboarding checklist: posted once in the onboarding channel when the start date is set,
//! linked from the case thread; ticking an item completes its step through the engine, so its
//! reminders stop, and the checklist shows who ticked it and when.

mod common;

use common::*;
use flow::StepId;
use los::harness::cast::*;
use serde_json::Value;
use storage::ReminderState;

const HEADING: &str = "Sjekkliste for ny medarbeider";

fn checklists(bot: &Bot) -> Vec<Value> {
    bot.h
        .sandbox
        .messages(ONBOARDING)
        .into_iter()
        .filter(|m| m["content"].as_str().is_some_and(|c| c.contains(HEADING)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_once_linked_from_the_thread_and_ticking_completes_the_step() {
    let mut bot = Bot::start("checklist").await;
    let (case, thread) = bot.open("Rådgiver").await;
    bot.kick().await;
    assert!(
        checklists(&bot).is_empty(),
        "no checklist before the start date is set"
    );
    bot.to_start_date(case, date(2027, 3, 1)).await;
    bot.kick().await;
    let posted = checklists(&bot);
    assert_eq!(posted.len(), 1);
    let text = posted[0]["content"].as_str().unwrap_or_default().to_owned();
    for step in [
        "forberedelse_arbeidsavtale",
        "signerer_arbeidsavtale",
        "bestiller_utstyr",
        "tar_imot",
    ] {
        assert!(text.contains(&bot.step_title(step)), "{step} in {text}");
    }
    assert!(
        text.contains("frist 08.03.2027"),
        "the contract's legal deadline: {text}"
    );
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    let id: u64 = posted[0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap();
    let link = format!("/{ONBOARDING}/{id}");
    bot.h
        .sandbox
        .wait_for_message(thread, |m| {
            m["content"].as_str().is_some_and(|c| c.contains(&link))
        })
        .await
        .unwrap();
    // Not again: later passes and a restart.
    bot.h.restart().await.unwrap();
    bot.kick().await;
    assert_eq!(checklists(&bot).len(), 1);

    // Someone with no part in the step cannot tick it.
    let step = "bestiller_utstyr";
    let label = format!("✓ {}", bot.step_title(step));
    let refused = bot
        .h
        .sandbox
        .member(KOLLEGA)
        .in_channel(ONBOARDING)
        .press(&label, id)
        .await
        .unwrap();
    assert!(refused.ephemeral(), "{}", refused.text());
    // The manager ticks it: the step is done, its reminders cancelled, the tick recorded.
    bot.h
        .sandbox
        .member(LEDER)
        .in_channel(ONBOARDING)
        .press(&label, id)
        .await
        .unwrap();
    let guild = bot.h.sandbox.world().guild_id;
    let db = bot.h.data().db.pool();
    let loaded = storage::load_case(db, guild, case).await.unwrap().unwrap();
    assert!(loaded
        .steps
        .get(&StepId::new(step))
        .is_some_and(|s| s.is_finished()));
    let of_step: Vec<_> = bot
        .stored(case)
        .await
        .into_iter()
        .filter(|r| r.step.as_ref().is_some_and(|s| s.as_str() == step))
        .collect();
    assert!(
        !of_step.is_empty() && of_step.iter().all(|r| r.state == ReminderState::Cancelled),
        "{of_step:#?}"
    );
    let list = storage::checklist(db, guild, id)
        .await
        .unwrap()
        .expect("recorded");
    let ticked = list
        .items
        .iter()
        .find(|i| i.item == step)
        .and_then(|i| i.ticked.clone());
    assert_eq!(ticked.map(|(who, _)| who.id.0), Some(LEDER));
    let shown = bot
        .h
        .sandbox
        .messages(ONBOARDING)
        .into_iter()
        .find(|m| m["id"] == posted[0]["id"])
        .unwrap();
    let shown = shown["content"].as_str().unwrap_or_default();
    assert!(
        shown.contains(&format!("☑ **{}**", bot.step_title(step))),
        "{shown}"
    );
    assert!(shown.contains("✅ Lise Leder"), "{shown}");
    // And on its day, no reminder about it.
    bot.at(eight(date(2027, 2, 8))).await;
    assert_eq!(Bot::count(&bot.everywhere(), &bot.manager_line(step)), 0);
    assert!(
        bot.h.sandbox.failures().is_empty(),
        "{:?}",
        bot.h.sandbox.failures()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checklist_whose_thread_refuses_its_link_is_posted_once_and_holds_up_no_other() {
    let bot = Bot::start("checklist-link").await;
    let (a, ta) = bot.open("Rådgiver A").await;
    let (b, tb) = bot.open("Rådgiver B").await;
    // The bot may no longer write in A's thread.
    bot.h.sandbox.forbid_channel(ta, 50013);
    bot.to_start_date(a, date(2027, 3, 1)).await;
    bot.to_start_date(b, date(2027, 3, 1)).await;
    bot.kick().await;
    let of = |bot: &Bot, case: flow::CaseId| {
        checklists(bot)
            .into_iter()
            .filter(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("sak #{} ", case.0)))
            })
            .count()
    };
    // Both are out in the same pass: A's refused link stopped nothing.
    assert_eq!(of(&bot, a), 1);
    assert_eq!(of(&bot, b), 1);
    bot.h
        .sandbox
        .wait_for_message(tb, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains(&format!("/{ONBOARDING}/")))
        })
        .await
        .unwrap();
    // Long after Discord has forgotten the nonce, passes post nothing again.
    for minutes in [10, 20, 60] {
        bot.h
            .set_clock(&bot.clock, day_one() + chrono::Duration::minutes(minutes));
        bot.kick().await;
    }
    assert_eq!(of(&bot, a), 1, "{:#?}", checklists(&bot));
    assert_eq!(of(&bot, b), 1);
    let guild = bot.h.sandbox.world().guild_id;
    assert!(
        storage::checklist_for_step(
            bot.h.data().db.pool(),
            guild,
            a,
            &StepId::new("kandidat_til_hr")
        )
        .await
        .unwrap()
        .is_some(),
        "recorded as soon as it was posted"
    );
    // HR hears that A's thread refuses the bot.
    let told = bot
        .h
        .sandbox
        .wait_for_message(HR_CHANNEL, |m| {
            m["content"].as_str().is_some_and(|c| {
                c.contains("Boten får ikke levert") && c.contains(&format!("<#{ta}>"))
            })
        })
        .await;
    assert!(told.is_ok(), "{:#?}", bot.h.sandbox.messages(HR_CHANNEL));
    bot.stop().await;
}
