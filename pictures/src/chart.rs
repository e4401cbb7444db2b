//! The chart of one case: every step of the process as a box where the layout
//! (`flow::process::Layout`, computed from the process file) puts it, coloured by its state in
//! this case, the arrows of the file, a legend, the case's title and its phase.

use std::collections::HashMap;
use std::fmt::Write as _;

use flow::process::layout::{Layout, Place};
use flow::StepId;

use crate::font;
use crate::png::{rasterise, xml, RenderError};

/// A step's state in one case, as the chart colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoxState {
    Done,
    /// Skipped, with a reason.
    Skipped,
    /// Open now: someone is asked.
    Open,
    /// On this case's path, not reached yet.
    NotReached,
    /// Not on this case's path (a branch its choices left).
    OffPath,
}

impl BoxState {
    pub const ALL: [BoxState; 5] = [
        BoxState::Open,
        BoxState::Done,
        BoxState::Skipped,
        BoxState::NotReached,
        BoxState::OffPath,
    ];

    /// The box's fill, as RGB.
    pub fn fill(self) -> (u8, u8, u8) {
        match self {
            BoxState::Done => (0xc8, 0xe6, 0xc9),
            BoxState::Skipped => (0xe0, 0xe0, 0xe0),
            BoxState::Open => (0xff, 0xc1, 0x07),
            BoxState::NotReached => (0xff, 0xff, 0xff),
            BoxState::OffPath => (0xf3, 0xf3, 0xf3),
        }
    }

    fn stroke(self) -> &'static str {
        match self {
            BoxState::Done => "#2e7d32",
            BoxState::Skipped => "#757575",
            BoxState::Open => "#b71c1c",
            BoxState::NotReached => "#546e7a",
            BoxState::OffPath => "#cfcfcf",
        }
    }

    fn text(self) -> &'static str {
        match self {
            BoxState::OffPath => "#9e9e9e",
            _ => "#111111",
        }
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One step's box as this case shows it.
#[derive(Debug, Clone)]
pub struct ChartBox {
    /// The step's title in the reader's language.
    pub title: String,
    pub state: BoxState,
    /// For an open step: who is asked ("Venter på: HR").
    pub asked: Option<String>,
}

/// Everything the chart says, in the reader's language.
#[derive(Debug, Clone)]
pub struct CaseChart {
    /// The case's title ("Sak #12: Rådgiver, Bydel Frogner").
    pub title: String,
    /// "Fase 3 av 7: Søknader".
    pub phase_line: String,
    /// The phases' names, in order.
    pub phases: Vec<String>,
    pub boxes: HashMap<StepId, ChartBox>,
    /// The legend's words for each state.
    pub legend: Vec<(BoxState, String)>,
}

/// A chart drawn: the PNG, its size, and the boxes exactly where they were drawn (a test reads
/// a box's place and state from here).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<(Place, BoxState)>,
}

impl Drawn {
    /// A step's box and state.
    pub fn state_of(&self, step: &StepId) -> Option<(&Place, BoxState)> {
        self.boxes
            .iter()
            .find(|(p, _)| &p.step == step)
            .map(|(p, s)| (p, *s))
    }
}

/// Draws the chart as SVG.
pub fn svg(layout: &Layout, chart: &CaseChart) -> String {
    let face = font::face();
    let mut s = String::new();
    let (w, h) = (layout.width, layout.height);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{}">"##,
        font::FAMILY
    );
    s.push_str(r##"<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker><marker id="b" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b0bec5"/></marker></defs>"##);
    let _ = write!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    // Title and phase.
    let title = font::wrap(&face, &chart.title, 26.0, w as f32 - 40.0, 1).join(" ");
    let _ = write!(
        s,
        r##"<text x="20" y="42" font-size="26" font-weight="bold" fill="#111111">{}</text>"##,
        xml(&title)
    );
    let _ = write!(
        s,
        r##"<text x="20" y="76" font-size="18" fill="#333333">{}</text>"##,
        xml(&chart.phase_line)
    );
    // Legend.
    let mut lx = 20.0;
    for (state, word) in &chart.legend {
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="98" width="22" height="16" rx="3" fill="{}" stroke="{}" stroke-width="1.5"/><text x="{}" y="111" font-size="14" fill="#222222">{}</text>"##,
            hex(state.fill()),
            state.stroke(),
            lx + 28.0,
            xml(word)
        );
        lx += 28.0 + font::width(&face, word, 14.0) + 26.0;
    }
    // Phase columns and their names.
    for col in &layout.columns {
        let shade = if col.phase % 2 == 0 {
            "#f7f9fb"
        } else {
            "#eef2f5"
        };
        let top = flow::process::layout::TOP;
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{shade}"/>"##,
            col.x,
            top,
            col.width,
            h - top
        );
        let name = chart.phases.get(col.phase).cloned().unwrap_or_default();
        let label = font::wrap(
            &face,
            &format!("{}. {name}", col.phase + 1),
            15.0,
            col.width as f32 - 10.0,
            1,
        )
        .join(" ");
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="15" font-weight="bold" text-anchor="middle" fill="#263238">{}</text>"##,
            col.x + col.width / 2,
            top + 26,
            xml(&label)
        );
    }
    // Arrows under the boxes.
    let place: HashMap<&StepId, &Place> = layout.boxes.iter().map(|p| (&p.step, p)).collect();
    for arrow in &layout.arrows {
        let (Some(a), Some(b)) = (place.get(&arrow.from), place.get(&arrow.to)) else {
            continue;
        };
        let path = arrow_path(a, b, arrow.back);
        let (colour, marker, dash) = if arrow.back {
            ("#b0bec5", "b", r#" stroke-dasharray="5 4""#)
        } else {
            ("#607d8b", "a", "")
        };
        let _ = write!(
            s,
            r##"<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#{marker})"/>"##
        );
    }
    // Boxes.
    for p in &layout.boxes {
        let Some(b) = chart.boxes.get(&p.step) else {
            continue;
        };
        let width = if b.state == BoxState::Open { 3.5 } else { 1.5 };
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{}" stroke="{}" stroke-width="{width}"/>"##,
            p.x,
            p.y,
            p.w,
            p.h,
            hex(b.state.fill()),
            b.state.stroke()
        );
        let room = if b.asked.is_some() { 2 } else { 3 };
        let mut lines = font::wrap(&face, &b.title, 12.5, p.w as f32 - 16.0, room);
        let mut bold_last = false;
        if let Some(asked) = &b.asked {
            lines.extend(font::wrap(&face, asked, 12.0, p.w as f32 - 16.0, 1));
            bold_last = true;
        }
        let n = lines.len() as u32;
        let first = p.y + p.h / 2 + 5 - (n.saturating_sub(1) * 15) / 2;
        for (i, line) in lines.iter().enumerate() {
            let weight = if bold_last && i + 1 == lines.len() {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" font-size="12.5" text-anchor="middle" fill="{}"{weight}>{}</text>"##,
                p.x + p.w / 2,
                first + i as u32 * 15,
                b.state.text(),
                xml(line)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Forward arrows: down inside a column, across between columns; back arrows curve around.
fn arrow_path(a: &Place, b: &Place, back: bool) -> String {
    let (ax, ay) = a.centre();
    let (bx, by) = b.centre();
    if back {
        let (sx, sy) = (a.x, ay);
        let (tx, ty) = (b.x, by);
        let bend = sx.min(tx).saturating_sub(18);
        return format!("M{sx},{sy} C{bend},{sy} {bend},{ty} {tx},{ty}");
    }
    if a.phase == b.phase {
        if b.y > a.y {
            let (sy, ty) = (a.y + a.h, b.y);
            let mid = (sy + ty) / 2;
            return format!("M{ax},{sy} C{ax},{mid} {bx},{mid} {bx},{ty}");
        }
        return format!("M{},{ay} L{},{by}", a.x + a.w, b.x);
    }
    let (sx, tx) = (a.x + a.w, b.x);
    let mid = (sx + tx) / 2;
    format!("M{sx},{ay} C{mid},{ay} {mid},{by} {tx},{by}")
}

/// Draws the chart and rasterises it.
pub fn render(layout: &Layout, chart: &CaseChart) -> Result<Drawn, RenderError> {
    let (png, width, height) = rasterise(&svg(layout, chart))?;
    let boxes = layout
        .boxes
        .iter()
        .filter_map(|p| chart.boxes.get(&p.step).map(|b| (p.clone(), b.state)))
        .collect();
    Ok(Drawn {
        png,
        width,
        height,
        boxes,
    })
}
