//! The chart's layout is computed from the process file: the shipped file lays out with every
//! step in its phase's column, in order; a file that cannot be drawn readably is refused when
//! it is loaded, with the reason.

use flow::process::Fault;
use flow::{Lang, Process, StepId, Texts};

/// A process of one phase whose steps run `chain` long one after another, then `fan` steps
/// side by side after the first, all ending.
fn file(chain: usize, fan: usize) -> (String, Texts) {
    let mut toml =
        String::from("start = \"s0\"\n[[roles]]\nid = \"manager\"\n[[phases]]\nid = \"p\"\n");
    let mut ftl = String::from("phase-p = P\nrole-manager = Leder\n");
    let mut ids = Vec::new();
    for i in 0..chain {
        let next = if i + 1 < chain {
            format!("[\"s{}\"]", i + 1)
        } else {
            "[\"slutt\"]".to_string()
        };
        ids.push((format!("s{i}"), next));
    }
    let fanned: Vec<String> = (0..fan).map(|i| format!("f{i}")).collect();
    if fan > 0 {
        let mut list = fanned
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>();
        if chain > 1 {
            list.insert(0, "\"s1\"".to_string());
        }
        let list = list.join(", ");
        ids[0].1 = format!("[{list}]");
        for f in &fanned {
            ids.push((f.clone(), "[\"slutt\"]".to_string()));
        }
    }
    for (id, next) in &ids {
        toml.push_str(&format!(
            "[[steps]]\nid = \"{id}\"\nphase = \"p\"\nkind = \"task\"\nroles = [\"manager\"]\nnext = {next}\n"
        ));
        ftl.push_str(&format!(
            "step-{id} = Steg {id}\nstep-{id}-guide = Gjør {id}\n"
        ));
    }
    let texts = Texts::from_sources([
        (Lang::Nb, "nb/t.ftl", ftl.as_str()),
        (Lang::En, "en/t.ftl", ftl.as_str()),
    ])
    .expect("texts");
    (toml, texts)
}

#[test]
fn the_shipped_process_lays_out_every_step_in_its_phase_column_in_order() {
    let (p, _) = Process::load(&flow::prompts_dir()).expect("loads");
    let layout = p.layout();
    assert_eq!(layout.boxes.len(), p.steps().len());
    assert_eq!(layout.columns.len(), 7);
    for step in p.steps() {
        let place = layout.place(&step.id).expect("every step has a box");
        let col = &layout.columns[place.phase];
        assert_eq!(place.phase, p.phase_index(&step.phase));
        assert!(
            place.x >= col.x && place.x + place.w <= col.x + col.width,
            "{} inside its column",
            step.id
        );
        assert!(place.x + place.w <= layout.width && place.y + place.h <= layout.height);
        // Forward arrows inside a phase go down.
        for t in step.targets() {
            if let (Some(to), true) = (layout.place(t), p.order(t) > p.order(&step.id)) {
                if to.phase == place.phase {
                    assert!(to.y > place.y, "{} → {t} goes down", step.id);
                }
            }
        }
    }
    // No two boxes overlap.
    for a in &layout.boxes {
        for b in &layout.boxes {
            if a.step != b.step {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{} and {} overlap", a.step, b.step);
            }
        }
    }
    // Parallel onboarding steps stand side by side, and the arrows of the file are all there.
    let edges = p
        .steps()
        .iter()
        .map(|s| {
            s.targets()
                .filter(|t| t.as_str() != "slutt")
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        })
        .sum::<usize>();
    assert_eq!(layout.arrows.len(), edges);
    assert!(
        layout.arrows.iter().any(|a| a.back),
        "the rejection goes back"
    );
}

#[test]
fn a_changed_file_draws_a_changed_chart() {
    let (src, texts) = file(3, 2);
    let p = Process::parse("mini.toml", &src, &texts).expect("lays out");
    let l = p.layout();
    let at = |s: &str| l.place(&StepId::new(s)).expect("box").clone();
    assert_eq!((at("s0").row, at("s1").row, at("s2").row), (0, 1, 2));
    assert_eq!(at("f0").row, 1, "the fanned steps follow s0");
    assert_eq!(at("f0").y, at("f1").y, "side by side");
    assert_ne!(at("f0").x, at("f1").x);
}

#[test]
fn a_phase_too_long_to_read_is_a_load_error_with_the_reason() {
    let (src, texts) = file(13, 0);
    let err = Process::parse("mini.toml", &src, &texts).expect_err("refused");
    assert!(matches!(err.fault, Fault::Layout(_)), "{err}");
    assert_eq!(err.step, Some(StepId::new("s12")));
    assert!(
        err.to_string().contains("13 rows of steps (more than 12)"),
        "{err}"
    );
    let (src, texts) = file(12, 0);
    Process::parse("mini.toml", &src, &texts).expect("twelve rows fit");
}

#[test]
fn parallel_steps_beyond_three_wrap_and_too_many_rows_of_them_are_refused() {
    let (src, texts) = file(2, 5);
    let p = Process::parse("mini.toml", &src, &texts).expect("wraps");
    let l = p.layout();
    let rows: Vec<usize> = ["s1", "f0", "f1", "f2", "f3", "f4"]
        .iter()
        .map(|s| l.place(&StepId::new(*s)).expect("box").row)
        .collect();
    assert_eq!(
        rows,
        vec![1, 1, 1, 2, 2, 2],
        "six side by side: two rows of three"
    );
    // 1 + 34 parallel steps: 12 rows of three are not enough.
    let (src, texts) = file(1, 34);
    let err = Process::parse("mini.toml", &src, &texts).expect_err("refused");
    assert!(matches!(err.fault, Fault::Layout(_)), "{err}");
    assert!(err.to_string().contains("rows of steps"), "{err}");
}
