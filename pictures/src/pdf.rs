//! The case for the archive as a PDF (pdf-writer), A4, with the shipped font embedded (a CID
//! TrueType font with a ToUnicode map, so the text can be searched and copied, æøå included).

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

use crate::font;

/// One line of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveLine {
    /// A section's heading.
    Heading(String),
    /// A paragraph.
    Text(String),
    /// An event: when, and what (who did what).
    Item { when: String, text: String },
}

/// The document: a title and its lines, in order. `footer` is printed on every page with the
/// page number (e.g. "Sak #12 · side").
#[derive(Debug, Clone)]
pub struct ArchiveDoc {
    pub title: String,
    pub lines: Vec<ArchiveLine>,
    pub footer: String,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const WHEN_W: f32 = 120.0;

struct Writer<'f> {
    face: ttf_parser::Face<'f>,
    /// Glyph → the character it shows (for the ToUnicode map) and its width.
    used: BTreeMap<u16, (char, f32)>,
    pages: Vec<Content>,
    y: f32,
}

impl Writer<'_> {
    fn page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn glyphs(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = self.face.glyph_index(c).map_or(0, |g| g.0);
            let w = self
                .face
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .map_or(0.0, |a| {
                    f32::from(a) * 1000.0 / f32::from(self.face.units_per_em())
                });
            self.used.entry(g).or_insert((c, w));
            out.extend(g.to_be_bytes());
        }
        out
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let bytes = self.glyphs(text);
        if let Some(c) = self.pages.last_mut() {
            c.begin_text();
            c.set_font(Name(b"F1"), size);
            c.next_line(x, y);
            c.show(Str(&bytes));
            c.end_text();
        }
    }

    /// Room for `h` more points on this page, else a new page.
    fn room(&mut self, h: f32) {
        if self.y - h < MARGIN + 20.0 {
            self.page();
        }
    }

    fn paragraph(&mut self, x: f32, size: f32, text: &str, width: f32) {
        let lines = font::wrap(&self.face, text, size, width, usize::MAX);
        for line in lines {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            self.text_at(x, self.y, size, &line);
        }
    }
}

/// Writes the document.
pub fn render(doc: &ArchiveDoc) -> Vec<u8> {
    let mut w = Writer {
        face: font::face(),
        used: BTreeMap::new(),
        pages: Vec::new(),
        y: 0.0,
    };
    w.page();
    let width = PAGE_W - 2.0 * MARGIN;
    w.paragraph(MARGIN, 18.0, &doc.title, width);
    w.y -= 8.0;
    for line in &doc.lines {
        match line {
            ArchiveLine::Heading(h) => {
                w.room(40.0);
                w.y -= 10.0;
                w.paragraph(MARGIN, 13.0, h, width);
                w.y -= 2.0;
            }
            ArchiveLine::Text(t) => w.paragraph(MARGIN, 10.0, t, width),
            ArchiveLine::Item { when, text } => {
                let lines = font::wrap(&w.face, text, 10.0, width - WHEN_W, usize::MAX);
                w.room(14.0 * lines.len().min(3) as f32);
                w.y -= 14.0;
                w.text_at(MARGIN, w.y, 10.0, when);
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        w.room(14.0);
                        w.y -= 14.0;
                    }
                    w.text_at(MARGIN + WHEN_W, w.y, 10.0, line);
                }
            }
        }
    }
    let total = w.pages.len();
    for i in 0..total {
        let footer = format!("{} {}/{}", doc.footer, i + 1, total);
        let bytes = w.glyphs(&footer);
        if let Some(c) = w.pages.get_mut(i) {
            c.begin_text();
            c.set_font(Name(b"F1"), 8.0);
            c.next_line(MARGIN, MARGIN - 24.0);
            c.show(Str(&bytes));
            c.end_text();
        }
    }
    assemble(w)
}

fn assemble(w: Writer<'_>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let font_ref = alloc();
    let cid_ref = alloc();
    let descriptor = alloc();
    let file_ref = alloc();
    let cmap_ref = alloc();
    let pages: Vec<(Ref, Ref)> = w.pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(pages.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    for ((page, content), c) in pages.iter().zip(w.pages) {
        let mut p = pdf.page(*page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content);
        p.resources().fonts().pair(Name(b"F1"), font_ref);
        p.finish();
        pdf.stream(*content, &c.finish());
    }

    let name = Name(b"DejaVuSans");
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(font_ref)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(600.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = cid.widths();
        for (g, (_, width)) in &w.used {
            widths.consecutive(*g, [*width]);
        }
    }
    cid.finish();
    let face = &w.face;
    let scale = 1000.0 / f32::from(face.units_per_em());
    let bb = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bb.x_min) * scale,
            f32::from(bb.y_min) * scale,
            f32::from(bb.x_max) * scale,
            f32::from(bb.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(
            face.capital_height()
                .map_or(700.0, |h| f32::from(h) * scale),
        )
        .stem_v(80.0)
        .font_file2(file_ref);
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), info);
    for (g, (c, _)) in &w.used {
        cmap.pair(*g, *c);
    }
    pdf.cmap(cmap_ref, &cmap.finish());
    // The font file deflated: the PDF is then under half the size.
    let data = miniz_oxide::deflate::compress_to_vec_zlib(font::DEJAVU_SANS, 6);
    pdf.stream(file_ref, &data).filter(Filter::FlateDecode);
    pdf.finish()
}
