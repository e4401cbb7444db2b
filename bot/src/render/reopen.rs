//! The preview of going back to a step (`/rekruttering gjenapne`): what it would undo, and the
//! button that goes on. Whether the person may is the engine's answer
//! (`flow::engine::may_reopen`), asked by the caller first.

use flow::{Case, Process, StepId};
use serenity::all::{ButtonStyle, CreateButton};

use crate::custom_id::{ComponentId, Verb};
use crate::i18n::{clip, Tr, LABEL_MAX};
use crate::render::lines::undone_text;

/// What the person is shown before anything changes.
pub struct Preview {
    pub text: String,
    pub button: CreateButton,
}

/// What going back to `step` would undo, and the button that goes on, made from the case as
/// it is at this version.
pub fn preview(process: &Process, case: &Case, step: &StepId, tr: Tr<'_>) -> Preview {
    let undone = process.undone_by_reopening(case, step);
    let text = tr.args(
        "reopen-preview",
        &[
            ("case", case.id.0.into()),
            ("step", tr.step(step).as_str().into()),
            ("undone", undone_text(tr, &undone).as_str().into()),
            ("button", tr.t("btn-reopen").as_str().into()),
        ],
    );
    let id = ComponentId::Press {
        verb: Verb::Reopen(case.version),
        case: case.id,
        step: step.clone(),
    };
    let button = CreateButton::new(id.to_string())
        .label(clip(&tr.t("btn-reopen"), LABEL_MAX))
        .style(ButtonStyle::Danger);
    Preview { text, button }
}
