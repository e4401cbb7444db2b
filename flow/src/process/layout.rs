//! Where each step stands in the chart: computed from the process file, never placed by hand,
//! so a changed file draws a correct chart. The phases are columns in their order; inside a
//! phase a step stands one row below every step of its phase that leads to it, and steps on
//! the same row (branches, parallel work) stand side by side, three at most (more wrap onto the
//! next row). A process that cannot be drawn readably (a phase needing more than 12 rows, or a
//! chart wider than 4000 pixels) is refused when it is loaded.
//!
//! Pure geometry in pixels: the renderer (`pictures`) draws exactly these boxes, and tests read
//! a box's place from here.

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
