//! A server adjusts its journey with `/oppsett` (add, remove, move, the probation length):
//! each change is a new version, a broken one is refused naming the item and the fault, a case
//! started before keeps its version and a new case gets the new one.

use los_e2e::*;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_own_journey_goes_to_new_cases_and_a_started_case_keeps_its_version() {
    let kit = Kit::reminders().world(journey_world()).start().await;
    let (first, _) = kit.open("Rådgiver A").await;
    kit.to_start_date(first, date(2027, 3, 1)).await;
    name_new_hire(&kit, LEDER, first, None).await;

    let oppsett = |path: &'static str, options: Vec<(&'static str, String)>| {
        let kit = &kit;
        async move {
            let options: Vec<(&str, &str)> =
                options.iter().map(|(k, v)| (*k, v.as_str())).collect();
            kit.slash(ADMIN, "oppsett", &[path], &options).await
        }
    };
    let buddy = kit.choice("cmd-oppsett-lop-legg-til", "hvem-buddy");
    let added = oppsett(
        "lop-legg-til",
        vec![
            ("tittel", "Kaffe med teamet".into()),
            ("hvem", buddy.clone()),
            ("dag", "3".into()),
        ],
    )
    .await;
    assert!(added.ephemeral());
    assert!(added.text().contains("versjon 1"), "{}", added.text());
    assert!(
        added.text().contains("Kaffe med teamet `egen_1`"),
        "{}",
        added.text()
    );
    oppsett("lop-fjern", vec![("punkt", "kurs_personvern".into())]).await;
    oppsett("provetid", vec![("maneder", "3".into())]).await;
    let moved = oppsett(
        "lop-flytt",
        vec![("punkt", "egen_1".into()), ("plass", "1".into())],
    )
    .await;
    assert!(moved.text().contains("versjon 4"), "{}", moved.text());
    assert!(
        moved.text().contains("1. Kaffe med teamet"),
        "{}",
        moved.text()
    );

    // Broken changes are refused with the item and the fault, and change nothing.
    let refused = oppsett("lop-fjern", vec![("punkt", "provetid_avgjort".into())]).await;
    assert!(refused.ephemeral());
    assert_eq!(
        refused.text(),
        "Introduksjonsløpet kan ikke endres slik: punkt `provetid_avgjort`: avgjørelsen om prøvetiden kan ikke fjernes"
    );
    let refused = oppsett("provetid", vec![("maneder", "7".into())]).await;
    assert!(
        refused
            .text()
            .contains("prøvetid på 7 måneder: den må være 1 til 6 måneder"),
        "{}",
        refused.text()
    );
    let refused = oppsett(
        "lop-legg-til",
        vec![
            ("tittel", "For sent".into()),
            ("hvem", buddy),
            ("dag", "400".into()),
        ],
    )
    .await;
    assert!(
        refused
            .text()
            .contains("punkt `egen_2`: dag 400 er utenfor løpet"),
        "{}",
        refused.text()
    );
    let (version, now) = storage::journey_template(kit.db(), kit.guild())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version, 4, "the refused changes stored nothing");
    assert_eq!(now.probation_months, 3);
    // /oppsett vis shows it.
    let shown = kit.slash(ADMIN, "oppsett", &["vis"], &[]).await;
    assert!(
        shown
            .text()
            .contains("Introduksjonsløp** (versjon 4, prøvetid 3 måneder)"),
        "{}",
        shown.text()
    );

    // The case started before keeps the shipped journey.
    let old = storage::journey(kit.db(), kit.guild(), first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.journey.version, 0);
    assert!(old.journey.template.item("kurs_personvern").is_some());
    assert_eq!(old.journey.probation_end(), date(2027, 8, 31));
    // A new case gets version 4: its own item first, three months' probation.
    let (second, _) = kit.open("Rådgiver B").await;
    kit.to_start_date(second, date(2027, 3, 1)).await;
    name_new_hire(&kit, LEDER, second, Some(FRIDA)).await;
    let new = storage::journey(kit.db(), kit.guild(), second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.journey.version, 4);
    assert_eq!(new.journey.template.items[0].id, "egen_1");
    assert!(new.journey.template.item("kurs_personvern").is_none());
    let thread = new.thread.expect("its thread");
    let list = text(&checklist(&kit, thread).await);
    assert!(list.contains("Prøvetiden slutter 31.05.2027"), "{list}");
    assert!(
        list.contains("Kaffe med teamet** (fadder, innen 04.03.2027)"),
        "{list}"
    );
    kit.stop().await;
}
