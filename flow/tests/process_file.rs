//! The loader: the shipped process loads, and each kind of fault in a small broken file is
//! refused with a message naming the file, the step and the fault.

mod common;

use flow::{Lang, Process, Texts};

const TEXTS: &str = "
step-a = A
step-a-guide = Gjør A
step-b = B
step-b-guide = Gjør B
step-c = C
step-c-guide = Gjør C
outcome-b-ja = Ja
outcome-b-nei = Nei
phase-p = P
role-manager = Leder
system-s = S
";

const VALID: &str = r#"
start = "a"
[[roles]]
id = "manager"
[[systems]]
id = "s"
[[phases]]
id = "p"

[[steps]]
id = "a"
phase = "p"
kind = "task"
roles = ["manager"]
system = "s"
next = ["b"]

[[steps]]
id = "b"
phase = "p"
kind = "choice"
roles = ["manager"]
  [[steps.outcomes]]
  id = "ja"
  next = ["c"]
  [[steps.outcomes]]
  id = "nei"
  next = ["a"]

[[steps]]
id = "c"
phase = "p"
kind = "task"
roles = ["manager"]
next = ["slutt"]
"#;

fn texts_with(nb: &str, en: &str) -> Texts {
    Texts::from_sources([(Lang::Nb, "nb/t.ftl", nb), (Lang::En, "en/t.ftl", en)]).unwrap()
}

fn load(src: &str) -> Result<Process, String> {
    Process::parse("mini.toml", src, &texts_with(TEXTS, TEXTS)).map_err(|e| e.to_string())
}

#[track_caller]
fn refused(src: &str) -> String {
    load(src).expect_err("the broken file should be refused")
}

#[test]
fn the_shipped_process_loads_with_38_steps_in_7_phases() {
    let p = common::process();
    assert_eq!(p.steps().len(), 38);
    assert_eq!(p.phases.len(), 7);
    assert_eq!(p.start.as_str(), "stilling_vakant");
    for step in p.steps() {
        assert!(!step.roles.is_empty(), "{} must name who does it", step.id);
    }
}

#[test]
fn a_small_valid_file_loads() {
    let p = load(VALID).unwrap();
    assert_eq!(p.steps().len(), 3);
}

#[test]
fn an_unknown_step_id() {
    let src = VALID.replace("next = [\"c\"]", "next = [\"d\"]");
    assert_eq!(
        refused(&src),
        "mini.toml: step `b`: leads to `d`, which is not a step"
    );
}

#[test]
fn a_duplicate_step_id() {
    let src = VALID.replace("id = \"c\"", "id = \"a\"");
    assert_eq!(
        refused(&src),
        "mini.toml: step `a`: the id is used by more than one step"
    );
}

#[test]
fn an_outcome_that_leads_nowhere() {
    let src = VALID.replace("id = \"nei\"\n  next = [\"a\"]", "id = \"nei\"");
    assert_eq!(
        refused(&src),
        "mini.toml: step `b`: outcome `nei` leads nowhere (give it `next`, or `next = [\"slutt\"]`)"
    );
}

#[test]
fn a_step_no_path_reaches() {
    let src = VALID.replace("next = [\"c\"]", "next = [\"slutt\"]");
    assert_eq!(
        refused(&src),
        "mini.toml: step `c`: no path from the start reaches this step"
    );
}

#[test]
fn a_loop_with_no_way_out() {
    // c leads back to a instead of ending: a → b → (a | c → a) never ends.
    let src = VALID.replace("next = [\"slutt\"]", "next = [\"a\"]");
    assert_eq!(
        refused(&src),
        "mini.toml: step `a`: a loop with no way out: from here the process can never end"
    );
}

#[test]
fn a_role_not_declared() {
    let src = VALID.replace(
        "roles = [\"manager\"]\nnext = [\"slutt\"]",
        "roles = [\"hr\"]\nnext = [\"slutt\"]",
    );
    assert_eq!(
        refused(&src),
        "mini.toml: step `c`: role `hr` is not declared under [[roles]]"
    );
}

#[test]
fn a_system_not_declared() {
    let src = VALID.replace("system = \"s\"", "system = \"webcruiter\"");
    assert_eq!(
        refused(&src),
        "mini.toml: step `a`: system `webcruiter` is not declared under [[systems]]"
    );
}

#[test]
fn a_role_that_does_not_exist_at_all() {
    let src = VALID.replace(
        "roles = [\"manager\"]\nsystem",
        "roles = [\"boss\"]\nsystem",
    );
    let message = refused(&src);
    assert!(
        message.starts_with("mini.toml: not a valid process file:"),
        "{message}"
    );
    assert!(message.contains("boss"), "{message}");
}

#[test]
fn a_text_missing_in_either_language() {
    let without_guide = TEXTS.replace("step-c-guide = Gjør C\n", "");
    let err = Process::parse("mini.toml", VALID, &texts_with(TEXTS, &without_guide))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "mini.toml: step `c`: the en text `step-c-guide` is missing"
    );
    let without_outcome = TEXTS.replace("outcome-b-nei = Nei\n", "");
    let err = Process::parse("mini.toml", VALID, &texts_with(&without_outcome, TEXTS))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "mini.toml: step `b`: the nb text `outcome-b-nei` is missing"
    );
    let without_phase = TEXTS.replace("phase-p = P\n", "");
    let err = Process::parse("mini.toml", VALID, &texts_with(TEXTS, &without_phase))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "mini.toml: the en text `phase-p` is missing");
}

#[test]
fn a_join_on_a_step_that_does_not_lead_there() {
    let src = VALID.replace(
        "id = \"c\"\nphase = \"p\"",
        "id = \"c\"\nphase = \"p\"\nwait_for = [\"a\"]",
    );
    assert_eq!(
        refused(&src),
        "mini.toml: step `c`: waits for `a`, which does not lead here"
    );
}

#[test]
fn a_syntax_error_names_the_file() {
    let message = refused("start = ");
    assert!(
        message.starts_with("mini.toml: not a valid process file:"),
        "{message}"
    );
}

#[test]
fn a_broken_file_on_disk_is_named_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["nb", "en"] {
        std::fs::create_dir(dir.path().join(lang)).unwrap();
        std::fs::write(dir.path().join(lang).join("t.ftl"), TEXTS).unwrap();
    }
    let src = VALID.replace("next = [\"c\"]", "next = [\"d\"]");
    std::fs::write(dir.path().join("process.toml"), src).unwrap();
    let err = Process::load(dir.path()).unwrap_err();
    assert!(err.file.ends_with("process.toml"), "{}", err.file);
    assert_eq!(err.step.as_ref().map(|s| s.as_str()), Some("b"));
}
