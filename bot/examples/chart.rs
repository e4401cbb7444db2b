//! Draws the chart of an example case, half-way through its applications, to a PNG:
//! `cargo run -p los --example chart -- docs/chart.png` (the image in the README).
//! The same code the bot answers `/rekruttering kart` with, on a case played by the engine.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use flow::{
    Action, Actor, CaseId, CaseText, DateKey, Dato, Lang, NewCase, OutcomeId, PersonId, PersonRef,
    Reason, Role, StepId,
};
use los::i18n::Tr;
use los::render::Scope;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/chart.png".into());
    let (process, texts) = los::prompts::load()?;
    let lise = PersonRef {
        id: PersonId(1),
        name: "Lise Leder".into(),
    };
    let everyone = Actor {
        person: lise.clone(),
        roles: [Role::Manager, Role::Hr]
            .into_iter()
            .collect::<BTreeSet<_>>(),
    };
    let now = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a time");
    let draft = NewCase {
        title: CaseText::parse("Rådgiver")?,
        unit: CaseText::parse("Bydel Frogner")?,
        note: None,
    };
    let mut case = flow::start(&process, CaseId(12), draft, lise, now).case;
    let step = |s: &str| StepId::new(s);
    let moves = vec![
        Action::Complete {
            step: step("stilling_vakant"),
        },
        Action::Complete {
            step: step("tidlig_involvering"),
        },
        Action::Choose {
            step: step("vurderer_behov"),
            outcome: OutcomeId::new("nyansettelse"),
        },
        Action::Skip {
            step: step("adm_arbeid"),
            reason: Reason::parse("Stillingen finnes")?,
        },
        Action::Complete {
            step: step("endringer_hr_system"),
        },
        Action::Complete {
            step: step("sjekk_rapport_hr1072l"),
        },
        Action::Complete {
            step: step("sjekk_overtallige"),
        },
        Action::Complete {
            step: step("behovsanalyse"),
        },
        Action::Complete {
            step: step("ny_utlysning"),
        },
        Action::Complete {
            step: step("legger_til_involverte"),
        },
        Action::SetDate {
            key: DateKey::Soknadsfrist,
            date: Dato::parse("20.03.2026")?,
        },
        Action::Complete {
            step: step("annonse_arkivert"),
        },
        Action::Skip {
            step: step("papirsoknader"),
            reason: Reason::parse("Ingen")?,
        },
    ];
    for action in &moves {
        case = flow::apply(&process, &case, &everyone, action, now)
            .map_err(|r| anyhow::anyhow!("{action:?}: {r:?}"))?
            .case;
    }
    let settings = storage::GuildSettings::new(0);
    let view = los::guild::view(&settings);
    let text = los::render::chart::render(
        Scope::new(&process, &texts, &view),
        &case,
        Tr::of(&texts, Lang::Nb),
    );
    let drawn = pictures::chart::render(process.layout(), &text.chart)?;
    std::fs::write(&out, &drawn.png)?;
    println!(
        "{out}: {}×{}, {} bytes",
        drawn.width,
        drawn.height,
        drawn.png.len()
    );
    println!("alt: {}", text.alt);
    Ok(())
}
