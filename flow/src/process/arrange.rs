//! Computes the chart's layout ([`super::layout`]) from a loaded process: rows inside each
//! phase from the arrows of the file, parallel steps side by side, wrapped at three.

use std::collections::HashMap;

use super::layout::{
    Arrow, Column, Layout, Place, BOX_H, BOX_W, COLUMN_PAD, GAP_X, GAP_Y, MAX_ROWS,
    MAX_SIDE_BY_SIDE, MAX_WIDTH, PHASE_HEADER, TOP,
};
use super::model::{Process, END};
use crate::ids::StepId;

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
