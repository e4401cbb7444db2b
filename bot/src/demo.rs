//! The newcomer's demo: the local Discord sandbox and the real bot on a fresh SQLite file,
//! and one whole recruitment case played by scripted people (manager, HR, union rep,
//! approver), printed as a readable transcript.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{Days, NaiveTime};
use flow::{Lang, ManualClock};
use sandbox::Answer;
use serde_json::Value;

use crate::harness::{cast::*, world, Harness, TempDb};

/// Plays the demo and writes the transcript to `out`.
pub async fn run(out: &mut impl Write) -> anyhow::Result<()> {
    let db = TempDb::new("demo")?;
    let clock = ManualClock::new(chrono::Utc::now());
    let world = world().member(crate::demo_journey::new_hire());
    let harness = Harness::start(world, &db.path, Arc::new(clock.clone()))
        .await
        .context("starting the sandbox and the bot")?;
    writeln!(
        out,
        "los demo: the real bot against the local Discord sandbox, database {}\n",
        db.path.display()
    )?;
    let result = match play_whole_case(&harness, &clock, out).await {
        // The new hire's journey, then the chart and the statistics the demo ends with.
        Ok(thread) => match crate::demo_journey::chapter(&harness, &clock, out, thread).await {
            Ok(()) => crate::demo_pictures::chapter(&harness, thread, out).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let noise = harness.noise();
    let failures = harness.sandbox.failures();
    harness.stop().await;
    result?;
    if !failures.is_empty() {
        let lines: Vec<String> = failures
            .iter()
            .map(|f| format!("  {} {}: {}", f.route, f.path, f.reason))
            .collect();
        anyhow::bail!(
            "the sandbox refused {} request(s):\n{}",
            failures.len(),
            lines.join("\n")
        );
    }
    writeln!(out, "\nHvor mye boten sa: {}", noise.summary())?;
    writeln!(
        out,
        "\nThe sandbox checked every request against Discord's API description: none refused."
    )?;
    Ok(())
}

/// Plays one whole case, from `/oppsett` to the welcome on the start date, writing the
/// transcript to `out`; answers the case's thread.
pub async fn play_whole_case(
    h: &Harness,
    clock: &ManualClock,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut play = Play {
        h,
        out,
        seen: Vec::new(),
        thread: 0,
    };
    play.whole_case(clock).await?;
    Ok(play.thread)
}

struct Play<'a, W: Write> {
    h: &'a Harness,
    out: &'a mut W,
    /// Ids of the thread's messages already printed (by id: the reminder loop also posts
    /// there, so a count would drift).
    seen: Vec<Value>,
    thread: u64,
}

fn name(id: u64) -> &'static str {
    match id {
        ADMIN => "Ada Admin (administrator)",
        LEDER => "Lise Leder (leder)",
        HR => "Hanne HR (HR)",
        TILLITSVALGT => "Tore Tillitsvalgt (tillitsvalgt)",
        GODKJENNER => "Gunnar Godkjenner (godkjenner, English)",
        _ => "someone",
    }
}

impl<W: Write> Play<'_, W> {
    fn say(&mut self, line: impl AsRef<str>) -> anyhow::Result<()> {
        let line = readable(self.h, line.as_ref());
        writeln!(self.out, "{line}")?;
        Ok(())
    }

    /// Prints what the bot posted in the thread since last time (the card itself is shown at
    /// the end).
    fn bot_lines(&mut self) -> anyhow::Result<()> {
        let messages = self.h.sandbox.messages(self.thread);
        for m in messages.iter().filter(|m| !self.seen.contains(&m["id"])) {
            if m["flags"].as_u64().unwrap_or(0) & 64 != 0 {
                // Ephemeral follow-ups are shown with the answer they belong to.
                continue;
            }
            let content = m["content"].as_str().unwrap_or("");
            if !content.is_empty() {
                for line in content.lines() {
                    let line = readable(self.h, line);
                    writeln!(self.out, "      los › {line}")?;
                }
            }
        }
        self.seen = messages.iter().map(|m| m["id"].clone()).collect();
        Ok(())
    }

    fn answer(&mut self, answer: &Answer) -> anyhow::Result<()> {
        let text = answer.text();
        if answer.ephemeral() && !text.is_empty() {
            for line in text.lines() {
                let line = readable(self.h, line);
                writeln!(self.out, "      los (bare til deg) › {line}")?;
            }
        }
        Ok(())
    }

    /// `who` presses `text_id` for `step`, and fills in the form that opens, if any.
    async fn press(
        &mut self,
        who: u64,
        text_id: &str,
        step: &str,
        form: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        let label = self.h.label_on_card(self.thread, text_id, step).await?;
        self.say(format!("▸ {} trykker «{label}»", name(who)))?;
        let answer = self.h.press(who, self.thread, text_id, step).await?;
        let answer = if answer.modal.is_some() {
            let lang = if who == GODKJENNER {
                Lang::En
            } else {
                Lang::Nb
            };
            let t = self.h.tr(lang);
            let fields: Vec<(String, &str)> = form.iter().map(|(id, v)| (t.t(id), *v)).collect();
            for (label, value) in &fields {
                self.say(format!(
                    "    fyller ut «{label}»: {}",
                    value.replace('\n', " / ")
                ))?;
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(l, v)| (l.as_str(), *v)).collect();
            self.h
                .sandbox
                .member(who)
                .in_channel(self.thread)
                .submit_modal(&fields)
                .await?
        } else {
            answer
        };
        self.answer(&answer)?;
        let display = name(who).split(" (").next().unwrap_or_default();
        self.wait_for_lines(display).await?;
        self.bot_lines()
    }

    /// The thread line for a change is posted right after the answer: wait for it.
    /// Waits for the thread line that tells what `who` just did (other posts, such as the
    /// checklist's link, may come in between).
    async fn wait_for_lines(&self, who: &str) -> anyhow::Result<()> {
        let seen = self.seen.clone();
        let who = who.to_owned();
        self.h
            .sandbox
            .wait_for_message(self.thread, move |m| {
                !seen.contains(&m["id"]) && m["content"].as_str().is_some_and(|c| c.contains(&who))
            })
            .await?;
        Ok(())
    }

    async fn whole_case(&mut self, clock: &ManualClock) -> anyhow::Result<()> {
        let h = self.h;
        self.say("— Oppsett —")?;
        self.say(format!(
            "▸ {} kjører /oppsett roller, /oppsett kanaler og /oppsett lenke",
            name(ADMIN)
        ))?;
        let setup = h.set_up().await?;
        self.answer(&setup)?;

        self.say("\n— Behov —")?;
        self.say(format!(
            "▸ {} kjører /rekruttering ny: «Rådgiver», «Bydel Frogner»",
            name(LEDER)
        ))?;
        self.thread = h.open_case(LEDER, "Rådgiver", "Bydel Frogner").await?;
        self.bot_lines()?;
        let today = flow::engine::oslo_today(clock.now_utc());
        let frist = (today + Days::new(30)).format("%d.%m.%Y").to_string();
        let start = today + Days::new(75);
        let start_text = start.format("%d.%m.%Y").to_string();

        self.press(LEDER, "btn-done", "stilling_vakant", &[])
            .await?;
        self.press(LEDER, "btn-done", "tidlig_involvering", &[])
            .await?;
        self.press(
            LEDER,
            "outcome-vurderer_behov-nyansettelse",
            "vurderer_behov",
            &[],
        )
        .await?;
        self.press(
            HR,
            "btn-skip",
            "adm_arbeid",
            &[("field-reason", "Stillingen finnes allerede")],
        )
        .await?;
        for step in [
            "endringer_hr_system",
            "sjekk_rapport_hr1072l",
            "sjekk_overtallige",
        ] {
            self.press(HR, "btn-done", step, &[]).await?;
        }
        self.say("\n— Utlysning —")?;
        for step in ["behovsanalyse", "ny_utlysning", "legger_til_involverte"] {
            self.press(LEDER, "btn-done", step, &[]).await?;
        }
        self.press(
            LEDER,
            "btn-date-soknadsfrist",
            "utlyser_stilling",
            &[("date-soknadsfrist", &frist)],
        )
        .await?;
        self.press(HR, "btn-done", "annonse_arkivert", &[]).await?;
        self.say("\n— Søknader —")?;
        self.press(
            HR,
            "btn-skip",
            "papirsoknader",
            &[("field-reason", "Ingen papirsøknader kom inn")],
        )
        .await?;
        self.press(LEDER, "btn-done", "info_til_sokere", &[])
            .await?;
        self.press(LEDER, "btn-done", "arkiverer_sokerliste", &[])
            .await?;
        self.press(LEDER, "btn-done", "behandler_soknader", &[])
            .await?;
        self.press(HR, "btn-done", "sjekker_fortrinnsrett", &[])
            .await?;
        self.say("\n— Intervju og innstilling —")?;
        self.press(LEDER, "btn-done", "planlegger_intervjuer", &[])
            .await?;
        self.press(
            LEDER,
            "btn-skip",
            "lokalt_rad",
            &[("field-reason", "Ikke aktuelt i bydelen")],
        )
        .await?;
        self.press(
            LEDER,
            "btn-candidates",
            "skriver_innstilling",
            &[("field-candidates", "Kari Nordmann\nPer Hansen")],
        )
        .await?;
        self.press(LEDER, "btn-done", "skriver_innstilling", &[])
            .await?;
        self.press(LEDER, "btn-agree", "dialog_tillitsvalgt", &[])
            .await?;
        self.press(TILLITSVALGT, "btn-agree", "dialog_tillitsvalgt", &[])
            .await?;
        self.press(GODKJENNER, "btn-approve", "til_godkjenning", &[])
            .await?;
        self.say("\n— Tilbud —")?;
        self.press(LEDER, "btn-done", "ringer_kandidat", &[])
            .await?;
        self.press(LEDER, "outcome-svar_paa_tilbud-nei", "svar_paa_tilbud", &[])
            .await?;
        self.press(LEDER, "btn-done", "ringer_kandidat", &[])
            .await?;
        self.press(LEDER, "outcome-svar_paa_tilbud-ja", "svar_paa_tilbud", &[])
            .await?;
        self.press(
            LEDER,
            "btn-date-startdato",
            "kandidat_til_hr",
            &[("date-startdato", &start_text)],
        )
        .await?;
        self.say("\n— Arbeidsavtale, overføringer og mottak (side om side) —")?;
        self.press(LEDER, "btn-done", "bestiller_utstyr", &[])
            .await?;
        self.press(HR, "btn-done", "forberedelse_arbeidsavtale", &[])
            .await?;
        self.press(HR, "btn-done", "arbeidsavtale_sendt", &[])
            .await?;
        self.press(LEDER, "btn-done", "signerer_arbeidsavtale", &[])
            .await?;
        for step in [
            "overforing_lonn",
            "overforing_kompetanse",
            "overforing_personalmappe",
            "overforing_tid",
            "kvalitetssikring_lonn",
        ] {
            self.press(HR, "btn-done", step, &[]).await?;
        }
        self.press(LEDER, "btn-done", "arkiverer_cv", &[]).await?;
        self.press(LEDER, "btn-done", "avslutter_utlysning", &[])
            .await?;
        self.reminder_day(clock, start).await?;
        self.say(format!(
            "\n(Tiden går: det er {start_text}, den nyansattes første dag.)"
        ))?;
        clock.set(flow::oslo_instant(
            start,
            NaiveTime::from_hms_opt(9, 0, 0).expect("09:00"),
        ));
        self.press(LEDER, "btn-done", "tar_imot", &[]).await?;

        self.say("\n— Saken slik kortet viser den nå —")?;
        let card = h.card(self.thread)?;
        for line in sandbox::actor::message_text(&card).lines() {
            self.say(format!("  {line}"))?;
        }
        Ok(())
    }
}

/// Mentions as Discord shows them: `<@1002>` as `@Lise Leder`, `<@&502>` as `@HR`, `<#701>`
/// as `#rekruttering`.
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

impl<W: Write> Play<'_, W> {
    /// Ten days before the first day, at 08:00: the welcome package is still not ordered.
    /// The reminder loop tells Lise by DM and HR in #hr; Lise ticks it off from the reminder.
    async fn reminder_day(
        &mut self,
        clock: &ManualClock,
        start: chrono::NaiveDate,
    ) -> anyhow::Result<()> {
        let h = self.h;
        let day = flow::calendar::working_day_on_or_before(start - Days::new(10));
        self.say(format!(
            "\n(Tiden går: det er {} kl. 08:00, ti dager før første dag, og velkomstpakken er ikke bestilt.)",
            day.format("%d.%m.%Y")
        ))?;
        let onboarding = h.sandbox.messages(ONBOARDING);
        let (dms, hr) = (
            h.sandbox.dms(LEDER).len(),
            h.sandbox.messages(HR_CHANNEL).len(),
        );
        clock.set(flow::oslo_instant(
            day,
            NaiveTime::from_hms_opt(8, 0, 0).expect("08:00"),
        ));
        h.kick_reminders().await?;
        for (place, messages, skip) in [
            ("#onboarding", onboarding, 0),
            ("DM til Lise Leder", h.sandbox.dms(LEDER), dms),
            ("#hr", h.sandbox.messages(HR_CHANNEL), hr),
        ] {
            for m in messages.iter().skip(skip) {
                let text = sandbox::actor::message_text(m);
                for line in text.lines() {
                    self.say(format!("      los → {place} › {line}"))?;
                }
                let buttons = sandbox::actor::button_labels(m);
                if !buttons.is_empty() {
                    self.say(format!("      los → {place} › [{}]", buttons.join("] [")))?;
                }
            }
        }
        let dm = h.sandbox.dm_channel(LEDER).context("Lise got no DM")?;
        let reminder = h
            .sandbox
            .dms(LEDER)
            .into_iter()
            .rev()
            .find(|m| !sandbox::actor::button_labels(m).is_empty())
            .context("no reminder with buttons")?;
        let done = self.h.tr(Lang::Nb).t("btn-reminder-done");
        let label = sandbox::actor::button_labels(&reminder)
            .into_iter()
            .find(|l| l.starts_with(&done))
            .context("no Utført on the reminder")?;
        let id: u64 = reminder["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .context("message id")?;
        self.say(format!("▸ {} trykker «{label}» i påminnelsen", name(LEDER)))?;
        let answer = h
            .sandbox
            .member(LEDER)
            .in_channel(dm)
            .press(&label, id)
            .await?;
        self.answer(&answer)?;
        self.wait_for_lines("Lise Leder").await?;
        self.bot_lines()
    }
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<chrono::Utc> {
        flow::Clock::now(self)
    }
}
