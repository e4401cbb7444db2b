//! The demo's last chapter: the chart of its case, once (the file's name, size and alt text,
//! as someone who cannot see the image gets it), then HR's statistics for its one case.

use std::io::Write;

use anyhow::Context as _;
use sandbox::Answer;

use crate::harness::{cast::*, Harness};

/// Prints the files of an answer: name, size, description.
fn files(h: &Harness, answer: &Answer, out: &mut impl Write) -> anyhow::Result<()> {
    for m in &answer.messages {
        for f in h.sandbox.attachments_of(m) {
            writeln!(
                out,
                "      los (bare til deg) › [vedlegg {}, {} byte{}]",
                f.filename,
                f.bytes.len(),
                f.description
                    .map(|d| format!(", beskrivelse: «{d}»"))
                    .unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

/// The chart of the case in `thread`, then the statistics.
pub async fn chapter(h: &Harness, thread: u64, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "\n— Prosesskartet —")?;
    writeln!(
        out,
        "▸ Lise Leder (leder) kjører /rekruttering kart i sakens tråd"
    )?;
    let chart = h
        .member(LEDER)
        .in_channel(thread)
        .slash("rekruttering", &["kart"], &[])
        .await
        .context("/rekruttering kart")?;
    files(h, &chart, out)?;

    writeln!(out, "\n— Statistikk —")?;
    writeln!(out, "▸ Hanne HR (HR) kjører /rekruttering statistikk")?;
    let stats = h
        .member(HR)
        .in_channel(CASES)
        .slash("rekruttering", &["statistikk"], &[])
        .await
        .context("/rekruttering statistikk")?;
    for line in stats.text().lines() {
        writeln!(out, "      los (bare til deg) › {}", line.replace("**", ""))?;
    }
    files(h, &stats, out)?;
    Ok(())
}
