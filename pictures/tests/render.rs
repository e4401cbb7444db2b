//! The pictures decoded and read back: the chart's PNG has the layout's size and each box the
//! colour of its state; æøå reach the PDF's text; the CSV parses; the statistics chart is a PNG.

use std::collections::HashMap;

use flow::{Process, StepId};
use pictures::chart::{self, BoxState, CaseChart, ChartBox};
use pictures::pdf::{self, ArchiveDoc, ArchiveLine};

fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> (u8, u8, u8) {
    let i = ((y * img.0 + x) * 4) as usize;
    (img.2[i], img.2[i + 1], img.2[i + 2])
}

#[test]
fn each_box_is_drawn_where_the_layout_puts_it_in_its_state_colour() {
    let (p, _) = Process::load(&flow::prompts_dir()).expect("process");
    let states = [
        BoxState::Done,
        BoxState::Skipped,
        BoxState::Open,
        BoxState::NotReached,
        BoxState::OffPath,
    ];
    let boxes: HashMap<StepId, ChartBox> = p
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = states[i % states.len()];
            let asked = (state == BoxState::Open).then(|| "Venter på: HR".to_string());
            let title = format!("Steg {i}: søknad æøå");
            (
                s.id.clone(),
                ChartBox {
                    title,
                    state,
                    asked,
                },
            )
        })
        .collect();
    let input = CaseChart {
        title: "Sak #1: Rådgiver, Bydel Grünerløkka".into(),
        phase_line: "Fase 3 av 7: Søknader".into(),
        phases: p.phases.iter().map(|x| x.to_string()).collect(),
        boxes,
        legend: BoxState::ALL
            .iter()
            .map(|s| (*s, format!("{s:?}")))
            .collect(),
    };
    let drawn = chart::render(p.layout(), &input).expect("drawn");
    let img = decode(&drawn.png);
    assert_eq!((img.0, img.1), (p.layout().width, p.layout().height));
    assert_eq!((drawn.width, drawn.height), (img.0, img.1));
    assert_eq!(drawn.boxes.len(), p.steps().len());
    for (place, state) in &drawn.boxes {
        // Just inside the box's corner, clear of its border and its text.
        let got = pixel(&img, place.x + 7, place.y + 7);
        assert_eq!(got, state.fill(), "{} is drawn {state:?}", place.step);
    }
    // The text is drawn: the first step's box has dark pixels.
    let (first, _) = drawn.state_of(&p.start).expect("start");
    let dark = (first.x..first.x + first.w)
        .filter(|x| (first.y..first.y + first.h).any(|y| pixel(&img, *x, y).0 < 80))
        .count();
    assert!(
        dark > 20,
        "the title is written in the box ({dark} dark columns)"
    );
}

#[test]
fn the_pdf_text_reads_back_in_order_with_norwegian_letters() {
    let doc = ArchiveDoc {
        title: "Sak #7: Rådgiver på Økern".into(),
        lines: (0..120)
            .map(|i| ArchiveLine::Item {
                when: format!("2026-01-{:02} 09:00", i % 28 + 1),
                text: format!("Hendelse {i}: søknad mottatt, ærlig og åpen"),
            })
            .chain([
                ArchiveLine::Heading("Frister".into()),
                ArchiveLine::Text("Søkerlisten (offentleglova § 25): overholdt".into()),
            ])
            .collect(),
        footer: "Sak #7 · side".into(),
    };
    let bytes = pdf::render(&doc);
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text");
    assert!(text.contains("Rådgiver på Økern"), "{text}");
    let mut at = 0;
    for i in 0..120 {
        let needle = format!("Hendelse {i}:");
        let found = text[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{needle} after the one before"));
        at += found + needle.len();
    }
    assert!(text.contains("offentleglova § 25"));
    assert!(text.contains("side 1/"), "numbered pages");
}

#[test]
fn the_csv_parses_with_its_header_and_rows() {
    let bytes = pictures::csv::write(
        &["sak".into(), "enhet".into()],
        &[vec!["1".into(), "Bydel Søndre, \"Nordstrand\"".into()]],
    )
    .expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = r
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(headers, ["sak", "enhet"]);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(&rows[0][1], "Bydel Søndre, \"Nordstrand\"");
}

#[test]
fn the_statistics_chart_is_a_png_of_its_size_with_bars() {
    use pictures::stats::{render, PhaseBar, Words, HEIGHT, WIDTH};
    let bars = vec![
        PhaseBar {
            name: "Behov".into(),
            median: Some(4.0),
            p90: Some(9.0),
        },
        PhaseBar {
            name: "Søknader".into(),
            median: None,
            p90: None,
        },
    ];
    let words = Words {
        title: "Dager i hver fase".into(),
        days: "dager".into(),
        median: "median".into(),
        p90: "90. persentil".into(),
    };
    let (png_bytes, w, h) = render(&bars, &words).expect("chart");
    let img = decode(&png_bytes);
    assert_eq!((img.0, img.1, w, h), (WIDTH, HEIGHT, WIDTH, HEIGHT));
    let blue = img
        .2
        .chunks(4)
        .filter(|p| (p[0], p[1], p[2]) == (0x1e, 0x63, 0xb4))
        .count();
    assert!(blue > 500, "the median bar is drawn ({blue} pixels)");
}
