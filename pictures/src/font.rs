//! The one font: DejaVu Sans, shipped in `pictures/fonts/` with its licence
//! (`LICENSE-DejaVu.txt`, the Bitstream Vera licence: free to use, embed and redistribute).

use std::sync::{Arc, OnceLock};

use resvg::usvg::fontdb;

/// The font file, built into the binary.
pub static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Its family name, as SVG text names it.
pub const FAMILY: &str = "DejaVu Sans";

/// A font database holding only the shipped font (generic families map to it too).
pub fn database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// The parsed font, for measuring text (wrapping) and for the PDF.
pub fn face() -> ttf_parser::Face<'static> {
    ttf_parser::Face::parse(DEJAVU_SANS, 0).expect("the shipped font parses")
}

/// The width of `text` at `size` pixels (points), from the font's advances.
pub fn width(face: &ttf_parser::Face<'_>, text: &str, size: f32) -> f32 {
    let per_unit = size / f32::from(face.units_per_em());
    text.chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(f32::from(face.units_per_em()) * 0.5, f32::from)
        })
        .sum::<f32>()
        * per_unit
}

/// Breaks `text` into lines no wider than `max` at `size`; at most `lines` lines, the last
/// cut with "…" if the text does not fit.
pub fn wrap(
    face: &ttf_parser::Face<'_>,
    text: &str,
    size: f32,
    max: f32,
    lines: usize,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if width(face, &candidate, size) <= max || cur.is_empty() {
            cur = candidate;
        } else {
            out.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            last.push('…');
        }
    }
    for line in &mut out {
        while width(face, line, size) > max && line.chars().count() > 1 {
            line.pop();
            line.pop();
            line.push('…');
        }
    }
    out
}
