//! A case's thread: its name, and the message in the case channel it is started from.

use flow::Case;

use crate::i18n::{clip, escape, Tr, THREAD_NAME_MAX};

/// The name of a case's thread. A link to it reads as `#1 Rådgiver – Bydel Frogner`, so the
/// name itself does not start with `#`.
pub fn name(tr: Tr<'_>, case: &Case) -> String {
    let name = tr.args(
        "thread-name",
        &[
            ("case", case.id.0.into()),
            ("title", case.title.as_str().into()),
            ("unit", case.unit.as_str().into()),
        ],
    );
    clip(&name, THREAD_NAME_MAX)
}

/// The text of the message a case's thread starts from: the case and its manager (named, not
/// mentioned, once the purge has erased who it was).
pub fn starter_text(tr: Tr<'_>, case: &Case) -> String {
    let owner = if case.owner.id.0 == 0 {
        escape(&case.owner.name)
    } else {
        format!("<@{}>", case.owner.id.0)
    };
    tr.args(
        "case-announced",
        &[
            ("case", case.id.0.into()),
            ("title", escape(case.title.as_str()).as_str().into()),
            ("unit", escape(case.unit.as_str()).as_str().into()),
            ("owner", owner.as_str().into()),
        ],
    )
}
