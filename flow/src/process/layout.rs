//! Where each step stands in the chart: computed from the process file, never placed by hand,
//! so a changed file draws a correct chart. The phases are columns in their order; inside a
//! phase a step stands one row below every step of its phase that leads to it, and steps on
//! the same row (branches, parallel work) stand side by side, three at most (more wrap onto the
//! next row). A process that cannot be drawn readably (a phase needing more than 12 rows, or a
//! chart wider than 4000 pixels) is refused when it is loaded.
//!
//! Pure geometry in pixels: the renderer (`pictures`) draws exactly these boxes, and tests read
//! a box's place from here.

use std::collections::HashMap;

use super::model::{Process, END};
use crate::ids::StepId;

/// A step's box: width and height in pixels.
pub const BOX_W: u32 = 200;
pub const BOX_H: u32 = 64;
/// Space between boxes side by side, and between rows.
pub const GAP_X: u32 = 14;
pub const GAP_Y: u32 = 30;
/// Space around each phase column.
pub const COLUMN_PAD: u32 = 14;
/// The title, the phase line and the legend above the columns.
pub const TOP: u32 = 150;
/// A phase's name above its column.
pub const PHASE_HEADER: u32 = 40;
/// At most this many rows in a phase: beyond it the chart is too tall to read on a screen.
pub const MAX_ROWS: usize = 12;
/// At most this many steps side by side in a phase; more parallel steps wrap to the next row.
pub const MAX_SIDE_BY_SIDE: usize = 3;
/// At most this wide, in pixels (a phone can still zoom into it).
pub const MAX_WIDTH: u32 = 4000;

/// The chart's geometry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub columns: Vec<Column>,
    pub boxes: Vec<Place>,
    pub arrows: Vec<Arrow>,
}

/// One phase's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The phase's position (0-based) in the chart.
    pub phase: usize,
    pub x: u32,
    pub width: u32,
}

/// One step's box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub step: StepId,
    pub phase: usize,
    /// The row inside its phase (0 at the top).
    pub row: usize,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Place {
    /// The centre of the box.
    pub fn centre(&self) -> (u32, u32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }
}

/// An arrow of the process file: from a step to a step it can lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    pub from: StepId,
    pub to: StepId,
    /// It goes back (a rejection, a declined offer, a choice that starts over).
    pub back: bool,
}

impl Layout {
    /// The box of a step.
    pub fn place(&self, step: &StepId) -> Option<&Place> {
        self.boxes.iter().find(|p| &p.step == step)
    }
}

/// Lays the process out, or says why it cannot be drawn readably.
pub(crate) fn lay_out(p: &Process) -> Result<Layout, (Option<StepId>, String)> {
    // Rows inside each phase, in the file's order: one below every earlier step of the same
    // phase that leads here.
    let mut row: HashMap<&StepId, usize> = HashMap::new();
    for step in p.steps() {
        let mut r = 0;
        for earlier in p.steps() {
            if p.order(&earlier.id) >= p.order(&step.id) {
                break;
            }
            if earlier.phase == step.phase && earlier.targets().any(|t| t == &step.id) {
                r = r.max(row[&earlier.id] + 1);
            }
        }
        row.insert(&step.id, r);
    }
    let mut columns = Vec::new();
    let mut boxes = Vec::new();
    let mut x = COLUMN_PAD;
    let mut rows_max = 0;
    for (pi, phase) in p.phases.iter().enumerate() {
        let steps: Vec<&StepId> = p
            .steps()
            .iter()
            .filter(|s| &s.phase == phase)
            .map(|s| &s.id)
            .collect();
        let logical = steps.iter().map(|s| row[s] + 1).max().unwrap_or(1);
        let mut per_row: Vec<Vec<&StepId>> = vec![Vec::new(); logical];
        for s in &steps {
            per_row[row[s]].push(s);
        }
        // More parallel steps than fit side by side wrap onto the next line.
        let lines: Vec<&[&StepId]> = per_row
            .iter()
            .flat_map(|r| r.chunks(MAX_SIDE_BY_SIDE))
            .collect();
        if lines.len() > MAX_ROWS {
            let last = lines.last().and_then(|l| l.last()).map(|s| (*s).clone());
            return Err((
                last,
                format!(
                    "phase `{phase}` would need {} rows of steps (more than {MAX_ROWS}); split it into two phases",
                    lines.len()
                ),
            ));
        }
        rows_max = rows_max.max(lines.len());
        let lanes = lines.iter().map(|l| l.len()).max().unwrap_or(1).max(1) as u32;
        let width = lanes * BOX_W + (lanes - 1) * GAP_X;
        for (r, line) in lines.iter().enumerate() {
            let n = line.len() as u32;
            let used = n * BOX_W + n.saturating_sub(1) * GAP_X;
            let left = x + (width - used) / 2;
            for (lane, s) in line.iter().enumerate() {
                boxes.push(Place {
                    step: (*s).clone(),
                    phase: pi,
                    row: r,
                    x: left + lane as u32 * (BOX_W + GAP_X),
                    y: TOP + PHASE_HEADER + r as u32 * (BOX_H + GAP_Y),
                    w: BOX_W,
                    h: BOX_H,
                });
            }
        }
        columns.push(Column {
            phase: pi,
            x: x - COLUMN_PAD / 2,
            width: width + COLUMN_PAD,
        });
        x += width + COLUMN_PAD;
    }
    if x > MAX_WIDTH {
        return Err((
            None,
            format!(
                "the chart would be {x} pixels wide (at most {MAX_WIDTH}): too many phases or steps side by side"
            ),
        ));
    }
    let mut arrows = Vec::new();
    for step in p.steps() {
        let mut seen: Vec<&StepId> = Vec::new();
        for t in step.targets() {
            if t.as_str() == END || seen.contains(&t) || p.step(t).is_none() {
                continue;
            }
            seen.push(t);
            arrows.push(Arrow {
                from: step.id.clone(),
                to: t.clone(),
                back: p.order(t) <= p.order(&step.id),
            });
        }
    }
    let height = TOP + PHASE_HEADER + rows_max as u32 * (BOX_H + GAP_Y) + GAP_Y;
    Ok(Layout {
        width: x,
        height,
        columns,
        boxes,
        arrows,
    })
}
