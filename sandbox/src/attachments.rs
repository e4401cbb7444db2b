//! Files sent with a message, as Discord takes them (docs: reference.mdx "Uploading Files").
//!
//! A request with files is `multipart/form-data`: the JSON body in the `payload_json` part (or
//! as plain form fields), each file in a part named `files[n]` with a `filename` in its
//! `Content-Disposition`. The `attachments` array of the JSON names each new file by its `n`
//! (the snowflake placeholder) and may carry its `description` (alt text); an id that is not a
//! part of this request must be an attachment already on the message (an edit keeps it). Each
//! file may be at most 10 MiB (the default upload limit for a bot in a server without boosts),
//! the whole request at most 25 MiB, and a message carries at most 10 files. What is refused
//! answers as Discord does (413 / 40005, or 400 / 50035 with the field), and what is taken is
//! kept: the message's `attachments` carry `id`, `filename`, `size`, `url`, `content_type`,
//! `description` (and `width`/`height` for a PNG), and the bytes stay in the sandbox for the
//! test to read back ([`crate::Sandbox::attachment`]). The multipart form is read and checked
//! in `rest/files.rs`; this module holds what is kept.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;

/// One file's upload limit: 10 MiB, Discord's default for every user and bot.
pub const FILE_LIMIT: usize = 10 << 20;
/// The largest request that carries files: 25 MiB.
pub const REQUEST_LIMIT: usize = 25 << 20;
/// Files on one message.
pub const MAX_FILES: usize = 10;

/// A file the sandbox has taken, with the attachment object Discord answered with.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The attachment object as it appears in the message.
    pub meta: Value,
    pub bytes: Arc<Vec<u8>>,
}

/// Attachment id → the file.
pub type Uploads = HashMap<u64, Stored>;

/// One `files[n]` part.
#[derive(Debug, Clone)]
pub struct FilePart {
    pub n: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// A multipart request read: its JSON body and its files.
#[derive(Debug, Clone)]
pub struct Form {
    pub payload: Value,
    pub files: Vec<FilePart>,
}

/// A file as a test reads it back.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub description: Option<String>,
    pub bytes: Arc<Vec<u8>>,
}

impl Attachment {
    pub(crate) fn of(id: u64, s: &Stored) -> Attachment {
        Attachment {
            id,
            filename: s.meta["filename"].as_str().unwrap_or_default().to_string(),
            content_type: s.meta["content_type"].as_str().map(str::to_string),
            description: s.meta["description"].as_str().map(str::to_string),
            bytes: s.bytes.clone(),
        }
    }
}

/// `files[12]` → 12.
pub fn file_index(name: &str) -> Option<u64> {
    name.strip_prefix("files[")?.strip_suffix(']')?.parse().ok()
}

/// The operations that take files, and where their message's fields are in the body.
pub fn message_path(operation_id: &str) -> Option<&'static str> {
    match operation_id {
        "create_message"
        | "update_message"
        | "execute_webhook"
        | "update_original_webhook_message"
        | "update_webhook_message" => Some(""),
        "create_interaction_response" => Some("data"),
        _ => None,
    }
}

/// Discord's content type from the file name when the part gives none.
pub fn guess(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// A PNG's width and height from its header (Discord reports them for images).
pub fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 24 || &b[..8] != b"\x89PNG\r\n\x1a\n" || &b[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(b[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(b[20..24].try_into().ok()?);
    Some((w, h))
}

impl crate::Sandbox {
    /// A file the bot attached, by its attachment id (as in a message's `attachments`).
    pub fn attachment(&self, id: u64) -> Option<Attachment> {
        self.shared()
            .read()
            .uploads
            .get(&id)
            .map(|s| Attachment::of(id, s))
    }

    /// The files of a message as the sandbox holds it, in the message's order.
    pub fn attachments_of(&self, message: &Value) -> Vec<Attachment> {
        message["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["id"].as_str()?.parse().ok())
            .filter_map(|id| self.attachment(id))
            .collect()
    }
}
