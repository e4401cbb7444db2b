//! SVG to PNG with resvg, reading fonts only from the shipped one.

use resvg::tiny_skia;
use resvg::usvg;

use crate::font;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the picture's SVG does not parse: {0}")]
    Svg(String),
    #[error("cannot make a {0}×{1} image")]
    Size(u32, u32),
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

/// Rasterises `svg` to a PNG of its own size, on white.
pub fn rasterise(svg: &str) -> Result<(Vec<u8>, u32, u32), RenderError> {
    let opt = usvg::Options {
        font_family: font::FAMILY.to_string(),
        fontdb: font::database(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| RenderError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (w, h) = (size.width(), size.height());
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(RenderError::Size(w, h))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let png = pixmap
        .encode_png()
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    Ok((png, w, h))
}

/// A blank white PNG of the same size: the floor a chart's rendering is measured against.
pub fn blank(w: u32, h: u32) -> Result<Vec<u8>, RenderError> {
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(RenderError::Size(w, h))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Encode(e.to_string()))
}

/// Text made safe inside SVG.
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
