//! The demo's last chapter: the new hire's own onboarding journey. Lise names the new hire
//! (Nora Ny, who reads Discord in English) and her buddy (Kari Kollega); the bot opens a private
//! thread in #onboarding for them and posts the checklist; Nora ticks an item and asks for
//! her own items, in English; then time passes to a later working day and the reminder for
//! that day's item goes out.

use std::io::Write;

use anyhow::Context as _;
use chrono::NaiveTime;
use flow::ManualClock;
use sandbox::Member;
use serde_json::Value;

use crate::harness::{cast::*, Harness};

/// The new hire of the demo.
pub const NORA: u64 = 1010;

/// The new hire as a member of the demo's server.
pub fn new_hire() -> Member {
    Member::new(NORA, "Nora Ny").locale("en-US")
}

/// Mentions as Discord shows them.
fn readable(h: &Harness, text: &str) -> String {
    let world = h.sandbox.world();
    let mut out = text.to_owned();
    for m in &world.members {
        out = out.replace(&format!("<@{}>", m.id), &format!("@{}", m.name));
    }
    for r in &world.roles {
        out = out.replace(&format!("<@&{}>", r.id), &format!("@{}", r.name));
    }
    for c in &world.channels {
        out = out.replace(&format!("<#{}>", c.id), &format!("#{}", c.name));
    }
    out
}

fn print(h: &Harness, out: &mut impl Write, prefix: &str, m: &Value) -> anyhow::Result<()> {
    for line in sandbox::actor::message_text(m).lines() {
        writeln!(out, "      {prefix} › {}", readable(h, line))?;
    }
    let buttons = sandbox::actor::button_labels(m);
    if !buttons.is_empty() {
        writeln!(out, "      {prefix} › [{}]", buttons.join("] ["))?;
    }
    Ok(())
}

/// Plays the chapter after the case of `thread` has reached its start date.
pub async fn chapter(
    h: &Harness,
    clock: &ManualClock,
    out: &mut impl Write,
    thread: u64,
) -> anyhow::Result<()> {
    writeln!(out, "\n— Den nyansattes introduksjonsløp —")?;
    let case = storage::case_by_thread(&h.data().db, world_guild(h), thread)
        .await?
        .context("the demo's case")?;
    let sak = case.0.to_string();
    let (nora, kari) = (NORA.to_string(), KOLLEGA.to_string());
    writeln!(
        out,
        "▸ Lise Leder (leder) skriver /rekruttering nyansatt sak:{sak} person:@Nora Ny fadder:@Kari Kollega"
    )?;
    let answer = h
        .member(LEDER)
        .slash(
            "rekruttering",
            &["nyansatt"],
            &[("sak", &sak), ("person", &nora), ("fadder", &kari)],
        )
        .await?;
    for line in answer.text().lines() {
        writeln!(out, "      los (bare til deg) › {}", readable(h, line))?;
    }
    let journey = h
        .sandbox
        .threads(ONBOARDING)
        .into_iter()
        .find(|t| t.kind == 12)
        .context("the journey's private thread")?;
    let mut members: Vec<String> = journey
        .members
        .iter()
        .filter(|m| **m != h.sandbox.world().bot_id)
        .map(|m| readable(h, &format!("<@{m}>")))
        .collect();
    members.sort();
    writeln!(
        out,
        "   (en privat tråd i #onboarding, «{}», for {})",
        journey.name,
        members.join(", ")
    )?;
    let list = h
        .sandbox
        .wait_for_message(journey.id, |m| {
            m["embeds"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await?;
    print(h, out, "los → tråden", &list)?;
    let id: u64 = list["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("the checklist's id")?;

    let tick = "✓ Hent adgangskortet";
    writeln!(out, "▸ Nora Ny (nyansatt, English) trykker «{tick}»")?;
    let nora_here = h.sandbox.member(NORA).in_channel(journey.id);
    let ticked = nora_here.press(tick, id).await?;
    if let Some(first) = ticked
        .text()
        .lines()
        .find(|l| l.contains("█") || l.contains("░"))
    {
        writeln!(out, "      los → tråden › {}", readable(h, first))?;
    }
    writeln!(out, "▸ Nora Ny trykker «Mine punkter»")?;
    let mine = nora_here.press("Mine punkter", id).await?;
    for line in mine.text().lines().skip(3).take(8) {
        writeln!(
            out,
            "      los (bare til Nora, på engelsk) › {}",
            readable(h, line)
        )?;
    }

    // A later working day: the health and safety introduction is due.
    let row = storage::journey(&h.data().db, world_guild(h), case)
        .await?
        .context("the journey")?;
    let hms = row
        .journey
        .template
        .item("hms_introduksjon")
        .context("the HMS item")?;
    let day = row.journey.due(hms);
    h.kick_reminders().await?;
    let before = h.sandbox.dms(LEDER).len();
    writeln!(
        out,
        "\n(Tiden går: det er {} kl. 08:00, og HMS-introduksjonen skal gjøres i dag.)",
        day.format("%d.%m.%Y")
    )?;
    clock.set(flow::oslo_instant(
        day,
        NaiveTime::from_hms_opt(8, 0, 0).context("08:00")?,
    ));
    h.kick_reminders().await?;
    for m in h.sandbox.dms(LEDER).iter().skip(before) {
        if sandbox::actor::message_text(m).contains("HMS") {
            print(h, out, "los → DM til Lise Leder", m)?;
        }
    }
    Ok(())
}

fn world_guild(h: &Harness) -> u64 {
    h.sandbox.world().guild_id
}
