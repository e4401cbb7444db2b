//! The statistics chart: days in each phase (median and 90th percentile) as horizontal bars,
//! drawn with plotters to SVG and rasterised like the case chart.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::png::{rasterise, RenderError};

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 520;

/// One bar pair: a phase's name, median and 90th percentile in days (none: no case left it).
#[derive(Debug, Clone)]
pub struct PhaseBar {
    pub name: String,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// The chart's words.
#[derive(Debug, Clone)]
pub struct Words {
    pub title: String,
    pub days: String,
    pub median: String,
    pub p90: String,
}

const MEDIAN: RGBColor = RGBColor(0x1e, 0x63, 0xb4);
const P90: RGBColor = RGBColor(0xa9, 0xc8, 0xec);

/// Draws the chart as SVG.
pub fn svg(bars: &[PhaseBar], words: &Words) -> Result<String, RenderError> {
    let mut out = String::new();
    let broken = |e: String| RenderError::Svg(e);
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| broken(e.to_string()))?;
        let max = bars
            .iter()
            .filter_map(|b| b.p90.or(b.median))
            .fold(1.0_f64, f64::max)
            * 1.1;
        let n = bars.len() as i32;
        let names: Vec<String> = bars.iter().map(|b| b.name.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(&words.title, ("sans-serif", 24))
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(170)
            .build_cartesian_2d(0.0..max, (0..n).into_segmented())
            .map_err(|e| broken(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&words.days)
            .y_labels(bars.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    names.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| broken(e.to_string()))?;
        let bar = |i: usize, v: f64, colour: RGBColor, margin: u32| {
            let mut r = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i as i32)),
                    (v, SegmentValue::Exact(i as i32 + 1)),
                ],
                colour.filled(),
            );
            r.set_margin(margin, margin, 0, 0);
            r
        };
        chart
            .draw_series(
                bars.iter()
                    .enumerate()
                    .filter_map(|(i, b)| Some(bar(i, b.p90.filter(|v| *v > 0.0)?, P90, 8))),
            )
            .map_err(|e| broken(e.to_string()))?
            .label(&words.p90)
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], P90.filled()));
        chart
            .draw_series(
                bars.iter()
                    .enumerate()
                    .filter_map(|(i, b)| Some(bar(i, b.median.filter(|v| *v > 0.0)?, MEDIAN, 18))),
            )
            .map_err(|e| broken(e.to_string()))?
            .label(&words.median)
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], MEDIAN.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(|e| broken(e.to_string()))?;
        root.present().map_err(|e| broken(e.to_string()))?;
    }
    Ok(out)
}

/// Draws and rasterises the chart: the PNG, its width and height.
pub fn render(bars: &[PhaseBar], words: &Words) -> Result<(Vec<u8>, u32, u32), RenderError> {
    rasterise(&svg(bars, words)?)
}
