//! Pictures and reports: the chart with the case's place in it (`/rekruttering kart` and the
//! card's button), HR's statistics (text, PNG chart, CSV) and the case for the archive (PDF),
//! each read back from the files the sandbox took: the PNG decoded, the CSV parsed, the PDF's
//! text extracted.

use flow::{CaseId, Lang, Process, StepId};
use los::render::chart::ALT_MAX;
use los_e2e::*;
use pictures::chart::BoxState;
use sandbox::{Answer, Attachment};

/// The files of the answer's messages.
fn files(kit: &Kit, answer: &Answer) -> Vec<Attachment> {
    answer
        .messages
        .iter()
        .flat_map(|m| kit.attachments(m))
        .collect()
}

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut rgba = vec![0; reader.output_buffer_size().expect("its size")];
        let info = reader.next_frame(&mut rgba).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgba);
        rgba.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgba,
        }
    }

    fn at(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * self.width + x) * 4) as usize;
        (self.rgba[i], self.rgba[i + 1], self.rgba[i + 2])
    }

    /// The colour just inside a step's box, where the layout put it.
    fn box_colour(&self, process: &Process, step: &str) -> (u8, u8, u8) {
        let place = process
            .layout()
            .place(&StepId::new(step))
            .unwrap_or_else(|| panic!("{step} has a box"));
        self.at(place.x + 7, place.y + 7)
    }
}

fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF's text")
}

/// The case played to the approval, with the application deadline set and the applicant list
/// archived: its id.
async fn case_at_approval(kit: &Kit, thread: u64) -> CaseId {
    let case = kit.case_id(thread).await;
    kit.play_until(case, "til_godkjenning").await;
    case
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_shows_each_step_in_its_state_with_the_phase_and_open_steps_in_words() {
    let (kit, thread) = Kit::with_case().await;
    let case = case_at_approval(&kit, thread).await;
    let id = case.0.to_string();
    let answer = kit
        .slash(KOLLEGA, "rekruttering", &["kart"], &[("sak", &id)])
        .await;
    assert!(answer.ephemeral(), "a private answer");
    let files = files(&kit, &answer);
    assert_eq!(files.len(), 1, "{:#?}", answer.messages);
    let png = &files[0];
    assert_eq!(png.filename, "prosesskart.png");
    assert_eq!(png.content_type.as_deref(), Some("image/png"));
    // The description carries the phase and the open step, for who cannot see the image.
    let alt = png.description.clone().expect("alt text");
    let process = kit.process();
    let phase = process.phase_index(process.phase_of(&StepId::new("til_godkjenning")).unwrap()) + 1;
    assert!(alt.contains(&format!("Fase {phase} av 7")), "{alt}");
    assert!(
        alt.contains(&kit.step_title(Lang::Nb, "til_godkjenning")),
        "{alt}"
    );
    assert!(
        alt.contains(&kit.t(Lang::Nb, "role-approver")),
        "who is asked: {alt}"
    );
    assert!(alt.chars().count() <= ALT_MAX);
    assert!(
        answer.text().contains(&format!("Fase {phase} av 7")),
        "the text says it too"
    );

    let img = Image::decode(&png.bytes);
    assert_eq!(
        (img.width, img.height),
        (process.layout().width, process.layout().height)
    );
    // Named boxes, read where the layout the renderer used puts them.
    let expect = [
        ("stilling_vakant", BoxState::Done),
        ("behandler_soknader", BoxState::Done),
        ("adm_arbeid", BoxState::Skipped),
        ("lokalt_rad", BoxState::Skipped),
        ("til_godkjenning", BoxState::Open),
        ("ringer_kandidat", BoxState::NotReached),
        ("velkommen", BoxState::NotReached),
    ];
    for (step, state) in expect {
        if process.step(&StepId::new(step)).is_none() {
            continue;
        }
        assert_eq!(
            img.box_colour(process, step),
            state.fill(),
            "{step} is {state:?}"
        );
    }
    // The open step's box is highlighted in its middle too, wherever its text is not.
    let open = process
        .layout()
        .place(&StepId::new("til_godkjenning"))
        .unwrap();
    let highlighted = (open.x + 4..open.x + open.w - 4)
        .filter(|x| img.at(*x, open.y + 5) == BoxState::Open.fill())
        .count();
    assert!(highlighted as u32 > open.w / 2, "{highlighted}");
    // Every box has one of the five colours.
    let fills: Vec<_> = BoxState::ALL.iter().map(|s| s.fill()).collect();
    for p in &process.layout().boxes {
        let c = img.at(p.x + 7, p.y + 7);
        assert!(fills.contains(&c), "{} is drawn {c:?}", p.step);
    }
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cards_show_in_chart_button_answers_the_presser_alone_with_the_chart() {
    let (kit, thread) = Kit::with_case().await;
    let label = kit
        .label_on_card(thread, "btn-chart", "stilling_vakant")
        .await
        .expect("the card has the button");
    let before = kit.messages(thread).len();
    let answer = kit.press_in(HR, thread, &label, kit.card_id(thread)).await;
    assert!(answer.ephemeral(), "{:#?}", answer.messages);
    let files = files(&kit, &answer);
    assert_eq!(files.len(), 1);
    let img = Image::decode(&files[0].bytes);
    assert_eq!(img.width, kit.process().layout().width);
    assert_eq!(
        img.box_colour(kit.process(), "stilling_vakant"),
        BoxState::Open.fill()
    );
    assert!(files[0]
        .description
        .as_deref()
        .unwrap_or("")
        .contains("Fase 1 av 7"));
    let shared: Vec<_> = kit
        .messages(thread)
        .into_iter()
        .filter(|m| m["flags"].as_u64().unwrap_or(0) & 64 == 0)
        .collect();
    assert!(
        shared.len() <= before,
        "nothing new for everyone in the thread"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_give_figures_a_chart_and_an_anonymous_csv_also_after_the_purge() {
    let (kit, thread) = Kit::with_case().await;
    let case = case_at_approval(&kit, thread).await;
    let id = case.0.to_string();

    // Only HR (and administrators).
    let refused = kit
        .slash(KOLLEGA, "rekruttering", &["statistikk"], &[])
        .await;
    assert!(refused.ephemeral());
    assert!(files(&kit, &refused).is_empty());
    assert!(
        refused.text().contains(&kit.t(Lang::Nb, "role-hr")),
        "{}",
        refused.text()
    );

    // A period without cases says so instead of an empty chart.
    let empty = kit
        .slash(
            HR,
            "rekruttering",
            &["statistikk"],
            &[("fra", "01.01.2020"), ("til", "31.12.2020")],
        )
        .await;
    assert!(files(&kit, &empty).is_empty());
    assert!(empty.text().contains("Ingen saker"), "{}", empty.text());

    let check = |answer: &Answer, when: &str| {
        assert!(answer.ephemeral());
        let text = answer.text();
        assert!(
            text.lines().any(|l| l.ends_with(": 1 sak")),
            "one case, in the singular: {when}: {text}"
        );
        assert!(text.contains("offentleglova § 25"), "{when}: {text}");
        let files = files(&kit, answer);
        assert_eq!(files.len(), 2, "{when}: a chart and a CSV");
        let img = Image::decode(&files[0].bytes);
        assert_eq!(
            (img.width, img.height),
            (pictures::stats::WIDTH, pictures::stats::HEIGHT)
        );
        assert_eq!(
            files[1]
                .content_type
                .as_deref()
                .map(|c| c.starts_with("text/csv")),
            Some(true)
        );
        let csv_text = String::from_utf8(files[1].bytes.to_vec()).expect("UTF-8");
        let mut reader =
            csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("a header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header[0], "sak");
        assert!(header.iter().any(|h| h == "Søknader: start"), "{header:?}");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
        assert_eq!(rows.len(), 1, "{when}: one row per case");
        assert_eq!(&rows[0][0], id.as_str());
        assert_eq!(&rows[0][1], "Bydel Frogner");
        let behov = header.iter().position(|h| h == "Behov: start").unwrap();
        assert!(!rows[0][behov].is_empty(), "{when}: the phase's date");
        for name in ["Lise Leder", "Hanne HR", "Kari Nordmann", "Ikke aktuelt"] {
            assert!(!csv_text.contains(name), "{when}: {name} in the CSV");
        }
    };
    let answer = kit.slash(HR, "rekruttering", &["statistikk"], &[]).await;
    check(&answer, "open");

    // Closed, and a year and more on: purged; the anonymous timeline still counts.
    kit.slash(
        LEDER,
        "rekruttering",
        &["avslutt"],
        &[("sak", &id), ("grunn", "Stillingen ble trukket")],
    )
    .await;
    let opened = kit
        .case_by_id(case)
        .await
        .opened_at
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    kit.advance(chrono::Duration::days(400));
    kit.kick().await;
    assert!(storage::purged_at(kit.db(), kit.guild(), case)
        .await
        .unwrap()
        .is_some());
    let from = opened.format("%d.%m.%Y").to_string();
    let answer = kit
        .slash(HR, "rekruttering", &["statistikk"], &[("fra", &from)])
        .await;
    check(&answer, "purged");
    assert!(
        answer.text().contains("1 avsluttet tidlig"),
        "{}",
        answer.text()
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_lists_the_events_in_order_and_after_the_purge_names_nobody() {
    let (kit, thread) = Kit::with_case().await;
    let case = case_at_approval(&kit, thread).await;
    let id = case.0.to_string();

    // Someone without a part in the case is refused privately.
    let refused = kit
        .slash(KOLLEGA, "rekruttering", &["eksport"], &[("sak", &id)])
        .await;
    assert!(refused.ephemeral());
    assert!(files(&kit, &refused).is_empty());

    let answer = kit
        .slash(LEDER, "rekruttering", &["eksport"], &[("sak", &id)])
        .await;
    assert!(answer.ephemeral());
    let files_now = files(&kit, &answer);
    assert_eq!(files_now.len(), 1);
    assert_eq!(files_now[0].filename, format!("sak-{id}.pdf"));
    assert_eq!(
        files_now[0].content_type.as_deref(),
        Some("application/pdf")
    );
    let text = pdf_text(&files_now[0].bytes);
    assert!(text.contains("Rådgiver"), "{text}");
    assert!(text.contains("Bydel Frogner"), "{text}");
    // The events in the order they happened, with who.
    let order = [
        "stilling_vakant",
        "tidlig_involvering",
        "behandler_soknader",
        "skriver_innstilling",
        "dialog_tillitsvalgt",
    ];
    let mut at = 0;
    for step in order {
        let title = kit.step_title(Lang::Nb, step);
        let found = text[at..]
            .find(&title)
            .unwrap_or_else(|| panic!("{title} after the one before:\n{text}"));
        at += found + title.len();
    }
    assert!(text.contains("Lise Leder"), "{text}");
    assert!(
        text.contains("Tore Tillitsvalgt"),
        "the union representative's agreement: {text}"
    );
    assert!(text.contains("offentleglova § 25"), "{text}");
    // HR may too.
    let hr = kit
        .slash(HR, "rekruttering", &["eksport"], &[("sak", &id)])
        .await;
    assert_eq!(files(&kit, &hr).len(), 1);

    // Closed and purged: the anonymous timeline, and it says so.
    kit.slash(
        LEDER,
        "rekruttering",
        &["avslutt"],
        &[("sak", &id), ("grunn", "Budsjettet er trukket tilbake")],
    )
    .await;
    kit.advance(chrono::Duration::days(400));
    kit.kick().await;
    let answer = kit
        .slash(HR, "rekruttering", &["eksport"], &[("sak", &id)])
        .await;
    let files_after = files(&kit, &answer);
    assert_eq!(files_after.len(), 1);
    let text = pdf_text(&files_after[0].bytes);
    for name in [
        "Lise Leder",
        "Hanne HR",
        "Tore Tillitsvalgt",
        "Gunnar Godkjenner",
        "Kari Nordmann",
        "Budsjettet",
    ] {
        assert!(!text.contains(name), "{name} after the purge:\n{text}");
    }
    assert!(text.contains("anonymisert"), "{text}");
    assert!(
        text.contains(&kit.step_title(Lang::Nb, "stilling_vakant")),
        "the timeline stays: {text}"
    );
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_servers_case_is_not_found_for_the_chart_nor_the_export() {
    let kit = Kit::build().set_up().start().await;
    let draft = flow::NewCase {
        title: flow::CaseText::parse("Hemmelig stilling").unwrap(),
        unit: flow::CaseText::parse("Annen kommune").unwrap(),
        note: None,
    };
    let owner = flow::PersonRef {
        id: flow::PersonId(LEDER),
        name: "Lise Leder".into(),
    };
    let now = kit.now();
    let case = storage::create_case(
        kit.db(),
        4242,
        |id| flow::start(kit.process(), id, draft, owner, now),
        |_| Vec::new(),
    )
    .await
    .unwrap();
    let id = case.id.0.to_string();
    for sub in ["kart", "eksport"] {
        let answer = kit
            .slash(LEDER, "rekruttering", &[sub], &[("sak", &id)])
            .await;
        assert!(answer.ephemeral());
        assert!(files(&kit, &answer).is_empty(), "{sub}");
        assert!(
            !answer.text().contains("Hemmelig"),
            "{sub}: {}",
            answer.text()
        );
        assert!(
            answer.text().contains("Fant ikke saken"),
            "{sub}: {}",
            answer.text()
        );
    }
    kit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_count_a_step_overdue_by_the_servers_own_stall_limit() {
    let (kit, thread) = Kit::with_case().await;
    case_at_approval(&kit, thread).await;
    let none = kit.t(Lang::Nb, "stats-overdue-none");
    let overdue = kit.t(Lang::Nb, "stats-overdue");
    // The approval has waited two weeks: ten working days.
    kit.advance(chrono::Duration::days(14));

    let answer = kit.slash(HR, "rekruttering", &["statistikk"], &[]).await;
    assert!(
        answer.text().contains(&overdue) && !answer.text().contains(&none),
        "over the default five working days: {}",
        answer.text()
    );

    // This server gives a step twenty working days before it counts as stalled.
    kit.slash(ADMIN, "oppsett", &["paminnelser"], &[("stopp", "20")])
        .await;
    let answer = kit.slash(HR, "rekruttering", &["statistikk"], &[]).await;
    assert!(
        answer.text().contains(&none),
        "within this server's twenty working days: {}",
        answer.text()
    );
    kit.stop().await;
}
