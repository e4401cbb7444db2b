//! Files the bot sends: the case's chart (PNG), HR's statistics (chart PNG and CSV) and the
//! case for the archive (PDF), each drawn by `pictures` on a blocking thread (drawing is CPU
//! work, never on the async threads) and made into a Discord attachment with its description.

use chrono::{DateTime, NaiveDate, Utc};
use flow::Case;
use serenity::all::CreateAttachment;

use crate::guild::GuildView;
use crate::i18n::Tr;
use crate::render::{self, Scope};
use crate::types::{BotError, Data};

/// The chart's file name.
pub const CHART_FILE: &str = "prosesskart.png";

/// Runs drawing work off the async threads.
async fn drawn<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, BotError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BotError::Internal(format!("drawing stopped: {e}")))?
        .map_err(BotError::Internal)
}

/// The chart of a case as a PNG attachment with its alt text; the alt text is also returned
/// (the reply's words say the same).
pub async fn chart(
    data: &Data,
    view: &GuildView,
    case: &Case,
    tr: Tr<'_>,
) -> Result<(CreateAttachment, String), BotError> {
    let text = render::chart::render(Scope::new(&data.process, &data.texts, view), case, tr);
    let layout = data.process.layout().clone();
    let chart = text.chart;
    let png = drawn(move || {
        pictures::chart::render(&layout, &chart)
            .map(|d| d.png)
            .map_err(|e| e.to_string())
    })
    .await?;
    let file = CreateAttachment::bytes(png, CHART_FILE).description(text.alt.clone());
    Ok((file, text.alt))
}

/// The statistics of a period: the text, the chart and the CSV (or `None` for a period with
/// no cases).
pub async fn statistics(
    data: &Data,
    guild: u64,
    from: NaiveDate,
    to: NaiveDate,
    tr: Tr<'_>,
) -> Result<Option<(String, Vec<CreateAttachment>)>, BotError> {
    let start = flow::oslo_instant(from, chrono::NaiveTime::MIN);
    let end = flow::oslo_instant(flow::deadlines::add_days(to, 1), chrono::NaiveTime::MIN);
    let timelines = storage::timelines(&data.db, guild, start, end).await?;
    if timelines.is_empty() {
        return Ok(None);
    }
    let settings = crate::guild::settings_or_default(data, guild).await?;
    let limits = crate::guild::reminder_settings(&settings);
    let st = flow::stats::compute(&data.process, &limits, &timelines, data.clock.now());
    let text = render::stats::text(&data.process, &st, from, to, tr);
    let (bars, words) = render::stats::chart(&data.process, &st, tr);
    let (header, rows) = render::stats::csv(&data.process, &st, tr);
    let alt = tr
        .own()
        .args("stats-chart-alt", &[("count", st.rows.len().into())]);
    let (png, csv) = drawn(move || {
        let png = pictures::stats::render(&bars, &words).map_err(|e| e.to_string())?;
        let csv = pictures::csv::write(&header, &rows).map_err(|e| e.to_string())?;
        Ok((png.0, csv))
    })
    .await?;
    let name = |ext: &str| format!("statistikk-{from}-{to}.{ext}");
    let files = vec![
        CreateAttachment::bytes(png, name("png")).description(alt),
        CreateAttachment::bytes(csv, name("csv")),
    ];
    Ok(Some((text, files)))
}

/// The case for the archive as a PDF attachment.
pub async fn export(
    data: &Data,
    guild: u64,
    case: &Case,
    now: DateTime<Utc>,
    tr: Tr<'_>,
) -> Result<CreateAttachment, BotError> {
    let history = storage::history(&data.db, guild, case.id, u32::MAX, 0).await?;
    let purged = storage::purged_at(&data.db, guild, case.id).await?;
    let settings = crate::guild::settings_or_default(data, guild).await?;
    let limits = crate::guild::reminder_settings(&settings);
    let doc = render::export::render(&data.process, &limits, case, &history, purged, now, tr);
    let pdf = drawn(move || Ok(pictures::pdf::render(&doc))).await?;
    Ok(CreateAttachment::bytes(
        pdf,
        format!("sak-{}.pdf", case.id.0),
    ))
}
