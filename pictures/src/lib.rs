//! `pictures`: the pictures and files `los` sends, made from plain data: the chart of a case
//! (SVG, rasterised to PNG), the statistics chart (plotters, to SVG, to PNG), the CSV for HR's
//! spreadsheet and the PDF for the archive. Knows nothing of Discord or SQL; reads no file
//! at run time: its one font, DejaVu Sans (`fonts/`, with its licence), is built in, and no
//! system font is ever looked up, so a picture is the same on every machine and æ, ø, å render.

pub mod chart;
pub mod csv;
pub mod font;
pub mod pdf;
pub mod png;
pub mod stats;

pub use chart::{BoxState, CaseChart, ChartBox, Drawn};
pub use pdf::{ArchiveDoc, ArchiveLine};
