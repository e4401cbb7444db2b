//! Every word the process needs exists in bokmål and English: checked, not assumed.

mod common;

use common::*;
use flow::texts::ids;
use flow::{EventKind, Lang, Refusal, Role};

fn missing(lang: Lang, wanted: impl IntoIterator<Item = String>) -> Vec<String> {
    let texts = &shipped().1;
    wanted
        .into_iter()
        .filter(|id| !texts.has(lang, id))
        .collect()
}

#[test]
fn every_step_and_outcome_has_nb_and_en_texts() {
    for lang in Lang::ALL {
        let wanted = process().steps().iter().flat_map(|s| {
            let mut v = vec![ids::step_title(&s.id), ids::step_guide(&s.id)];
            v.extend(s.outcomes.iter().map(|o| ids::outcome(&s.id, &o.id)));
            v
        });
        assert_eq!(missing(lang, wanted), Vec::<String>::new(), "{lang}");
    }
}

#[test]
fn every_refusal_event_role_phase_and_system_has_nb_and_en_texts() {
    for lang in Lang::ALL {
        let mut wanted: Vec<String> = Refusal::MESSAGE_IDS.iter().map(|s| s.to_string()).collect();
        wanted.extend(
            EventKind::ALL
                .iter()
                .map(|k| format!("event-{}", k.as_str())),
        );
        wanted.extend(Role::ALL.iter().map(|r| ids::role(*r)));
        wanted.extend(process().phases.iter().map(ids::phase));
        wanted.extend(process().systems.iter().map(|s| ids::system(&s.id)));
        wanted.extend(
            flow::DateKey::ALL
                .iter()
                .map(|k| format!("date-{}", k.as_str())),
        );
        assert_eq!(missing(lang, wanted), Vec::<String>::new(), "{lang}");
    }
}

#[test]
fn texts_differ_by_language_and_fill_in_their_arguments() {
    let texts = &shipped().1;
    let nb = texts.plain(Lang::Nb, "step-behandler_soknader");
    let en = texts.plain(Lang::En, "step-behandler_soknader");
    assert_ne!(nb, en);
    let line = texts.get(
        Lang::Nb,
        "refusal-already-done",
        &[
            ("step", "Behandler søknader".into()),
            ("by", "Kari".into()),
            ("when", "26.11.2026 kl. 14:05".into()),
        ],
    );
    assert!(line.contains("Kari") && line.contains("14:05"), "{line}");
    assert!(
        !line.contains('\u{2068}'),
        "no bidi isolation marks in chat text"
    );
}

#[test]
fn step_titles_fit_where_discord_shows_them() {
    let texts = &shipped().1;
    for lang in Lang::ALL {
        for s in process().steps() {
            let title = texts.plain(lang, &ids::step_title(&s.id));
            assert!(title.chars().count() <= 80, "{lang} {}: {title}", s.id);
            for o in &s.outcomes {
                let label = texts.plain(lang, &ids::outcome(&s.id, &o.id));
                assert!(label.chars().count() <= 80, "button label {label}");
            }
        }
    }
}

#[test]
fn the_locale_picks_the_language() {
    assert_eq!(Lang::from_locale("no"), Lang::Nb);
    assert_eq!(Lang::from_locale("en-US"), Lang::En);
    assert_eq!(Lang::from_locale("en-GB"), Lang::En);
    assert_eq!(Lang::from_locale("sv-SE"), Lang::Nb);
}
