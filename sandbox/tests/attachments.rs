//! Files as Discord takes them: `files[n]` parts, the `attachments` array naming them, the size
//! limits, and the bytes kept for the test to read back.

mod common;

use common::*;
use sandbox::attachments::FILE_LIMIT;
use sandbox::{HttpMode, Sandbox};
use serde_json::{json, Value};
use serenity::builder::{CreateAttachment, CreateMessage};
use serenity::model::id::ChannelId;

const PNG_HEADER: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\x00\0\0\0\x80\x08\x06\0\0\0";

/// A multipart request as the bot: parts of (name, filename, content type, bytes).
async fn multipart(
    sb: &Sandbox,
    path: &str,
    parts: Vec<(&str, Option<&str>, &str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, filename, ctype, bytes) in parts {
        let mut part = reqwest::multipart::Part::bytes(bytes)
            .mime_str(ctype)
            .expect("mime");
        if let Some(f) = filename {
            part = part.file_name(f.to_string());
        }
        form = form.part(name.to_string(), part);
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v10{path}", sb.http_url()))
        .header("authorization", format!("Bot {}", sb.world().token))
        .multipart(form)
        .send()
        .await
        .expect("sandbox answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_file_sent_through_serenity_is_attached_and_read_back_byte_for_byte() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let mut png = PNG_HEADER.to_vec();
    png.extend([7u8; 100]);
    let sent = ChannelId::new(REKRUTTERING)
        .send_message(
            &http,
            CreateMessage::new().content("kartet").add_file(
                CreateAttachment::bytes(png.clone(), "kart.png").description("Fase 2 av 7"),
            ),
        )
        .await
        .expect("sent with a file");
    assert_eq!(sent.attachments.len(), 1);
    let a = &sent.attachments[0];
    assert_eq!(a.filename, "kart.png");
    assert_eq!(a.size as usize, png.len());
    assert_eq!(a.content_type.as_deref(), Some("image/png"));
    assert_eq!(a.description.as_deref(), Some("Fase 2 av 7"));
    assert_eq!(
        (a.width, a.height),
        (Some(256), Some(128)),
        "read from the PNG header"
    );
    let stored = sb.messages(REKRUTTERING);
    let files = sb.attachments_of(&stored[0]);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes.as_slice(), png.as_slice());
    sb.assert_no_failures();
}

#[tokio::test]
async fn a_file_over_ten_mib_is_refused_with_413_and_nothing_is_posted() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let path = format!("/channels/{REKRUTTERING}/messages");
    let payload =
        json!({ "content": "stor", "attachments": [{ "id": 0, "filename": "stor.pdf" }] });
    let (status, body) = multipart(
        &sb,
        &path,
        vec![
            (
                "payload_json",
                None,
                "application/json",
                payload.to_string().into_bytes(),
            ),
            (
                "files[0]",
                Some("stor.pdf"),
                "application/pdf",
                vec![0u8; FILE_LIMIT + 1],
            ),
        ],
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], 40005);
    assert!(sb.messages(REKRUTTERING).is_empty());
    // Exactly at the limit it is taken.
    let (status, body) = multipart(
        &sb,
        &path,
        vec![
            (
                "payload_json",
                None,
                "application/json",
                payload.to_string().into_bytes(),
            ),
            (
                "files[0]",
                Some("stor.pdf"),
                "application/pdf",
                vec![0u8; FILE_LIMIT],
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attachments"][0]["size"], FILE_LIMIT);
}

#[tokio::test]
async fn malformed_file_requests_are_refused_as_invalid_form_bodies() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let path = format!("/channels/{REKRUTTERING}/messages");
    let json_part = |v: Value| {
        (
            "payload_json",
            None,
            "application/json",
            v.to_string().into_bytes(),
        )
    };
    // The attachments array names a file part that is not there.
    let (status, body) = multipart(
        &sb,
        &path,
        vec![
            json_part(json!({ "content": "x", "attachments": [{ "id": 1, "filename": "a.csv" }] })),
            ("files[0]", Some("a.csv"), "text/csv", b"a,b\n".to_vec()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50035)),
        "{body}"
    );
    assert!(
        body["errors"]["attachments"]["0"]["id"]["_errors"].is_array(),
        "the error names the entry: {body}"
    );
    // A file part without a filename.
    let (status, body) = multipart(
        &sb,
        &path,
        vec![
            json_part(json!({ "content": "x" })),
            ("files[0]", None, "text/csv", b"a,b\n".to_vec()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50035)),
        "{body}"
    );
    // A file under another name than files[n].
    let (status, body) = multipart(
        &sb,
        &path,
        vec![
            json_part(json!({ "content": "x" })),
            ("fil", Some("a.csv"), "text/csv", b"a,b\n".to_vec()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50035)),
        "{body}"
    );
    // Eleven files.
    let mut parts = vec![json_part(json!({ "content": "x" }))];
    let names: Vec<String> = (0..11).map(|i| format!("files[{i}]")).collect();
    for n in &names {
        parts.push((n.as_str(), Some("a.txt"), "text/plain", b"a".to_vec()));
    }
    let (status, body) = multipart(&sb, &path, parts).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50035)),
        "{body}"
    );
    // Broken JSON in payload_json.
    let (status, body) = multipart(
        &sb,
        &path,
        vec![("payload_json", None, "application/json", b"{nope".to_vec())],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50109)),
        "{body}"
    );
    assert!(sb.messages(REKRUTTERING).is_empty(), "nothing was posted");
}
