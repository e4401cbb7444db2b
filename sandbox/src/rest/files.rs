//! Reading and checking a request with files (`multipart/form-data`), as Discord does
//! (see `crate::attachments` for the rules and what is kept).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::{json, Map, Value};

use super::ApiError;
use crate::attachments::{
    file_index, guess, message_path, png_size, FilePart, Form, Stored, FILE_LIMIT, MAX_FILES,
    REQUEST_LIMIT,
};
use crate::state::State;

/// The request is too large for Discord (413 / 40005).
fn too_large(what: String) -> ApiError {
    ApiError::new(413, 40005, format!("Request entity too large ({what})"))
}

/// 400 Invalid Form Body naming `field` (`attachments.1.id` nests as Discord nests it).
fn invalid(field: &str, code: &str, message: String) -> ApiError {
    let mut e = ApiError::new(400, 50035, "Invalid Form Body");
    let mut errors = json!({ "_errors": [{ "code": code, "message": message }] });
    for key in field.rsplit('.') {
        errors = json!({ key: errors });
    }
    e.errors = Some(errors);
    e
}

/// Reads a `multipart/form-data` body.
pub async fn read_form(content_type: &str, bytes: &Bytes) -> Result<Form, ApiError> {
    if bytes.len() > REQUEST_LIMIT {
        return Err(too_large(format!(
            "{} bytes; a request may carry at most {REQUEST_LIMIT}",
            bytes.len()
        )));
    }
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| invalid("files", "MULTIPART_INVALID", format!("no boundary: {e}")))?;
    let body = bytes.clone();
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut payload: Option<Value> = None;
    let mut fields = Map::new();
    let mut files: Vec<FilePart> = Vec::new();
    let broken = |e: multer::Error| invalid("files", "MULTIPART_INVALID", e.to_string());
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let ctype = field.content_type().map(|m| m.essence_str().to_string());
        let data = field.bytes().await.map_err(broken)?;
        if name == "payload_json" {
            let v = serde_json::from_slice(&data).map_err(|_| {
                ApiError::new(400, 50109, "The request body contains invalid JSON.")
            })?;
            payload = Some(v);
        } else if let Some(n) = file_index(&name) {
            let Some(filename) = filename.filter(|f| !f.is_empty()) else {
                return Err(invalid(
                    &name,
                    "BASE_TYPE_REQUIRED",
                    "A file needs a filename in its Content-Disposition".into(),
                ));
            };
            if files.iter().any(|f| f.n == n) {
                return Err(invalid(
                    &name,
                    "DUPLICATE",
                    "Each file part needs its own name".into(),
                ));
            }
            if data.len() > FILE_LIMIT {
                return Err(too_large(format!(
                    "{filename}: {} bytes; a file may have at most {FILE_LIMIT}",
                    data.len()
                )));
            }
            files.push(FilePart {
                n,
                filename,
                content_type: ctype,
                bytes: data,
            });
        } else if filename.is_some() {
            return Err(invalid(
                &name,
                "FILE_NAME_INVALID",
                format!("A file part must be named files[n], not {name}"),
            ));
        } else {
            let text = String::from_utf8_lossy(&data).to_string();
            fields.insert(name, Value::String(text));
        }
    }
    if files.len() > MAX_FILES {
        return Err(invalid(
            "files",
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {MAX_FILES} or fewer in length."),
        ));
    }
    let mut payload = payload.unwrap_or(Value::Object(fields));
    // Discord takes a snowflake as a JSON number as well as a string (serenity sends the
    // placeholder `id` of a new file as a number); the OpenAPI document writes only strings.
    let as_strings = |list: Option<&mut Value>| {
        for entry in list.and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(n) = entry.get("id").and_then(Value::as_u64) {
                entry["id"] = json!(n.to_string());
            }
        }
    };
    as_strings(payload.get_mut("attachments"));
    as_strings(
        payload
            .get_mut("data")
            .and_then(|d| d.get_mut("attachments")),
    );
    Ok(Form { payload, files })
}

/// Turns the `attachments` of a body into Discord's attachment objects, keeping the new files'
/// bytes: each entry names a file part of this request (its `n`) or an attachment the sandbox
/// already holds. Files not named in `attachments` are attached too, as Discord does.
pub fn attach(
    s: &mut State,
    operation_id: &str,
    mut body: Value,
    files: Vec<FilePart>,
) -> Result<Value, ApiError> {
    let Some(at) = message_path(operation_id) else {
        if files.is_empty() {
            return Ok(body);
        }
        return Err(invalid(
            "files",
            "FILES_NOT_ALLOWED",
            format!("{operation_id} does not take files"),
        ));
    };
    let has_message = at.is_empty() || body.get(at).is_some_and(Value::is_object);
    if !has_message {
        if files.is_empty() {
            return Ok(body);
        }
        return Err(invalid(
            at,
            "BASE_TYPE_REQUIRED",
            "Files need the response's data".into(),
        ));
    }
    let msg = if at.is_empty() {
        &mut body
    } else {
        &mut body[at]
    };
    let listed = msg.get("attachments").and_then(Value::as_array).cloned();
    if listed.is_none() && files.is_empty() {
        return Ok(body);
    }
    let mut parts: BTreeMap<u64, FilePart> = files.into_iter().map(|f| (f.n, f)).collect();
    let mut out = Vec::new();
    for (i, entry) in listed.unwrap_or_default().iter().enumerate() {
        let field = format!("attachments.{i}.id");
        let Some(id) = entry["id"]
            .as_u64()
            .or_else(|| entry["id"].as_str().and_then(|s| s.parse().ok()))
        else {
            return Err(invalid(
                &field,
                "BASE_TYPE_REQUIRED",
                "This field is required".into(),
            ));
        };
        let description = entry["description"].as_str().map(str::to_string);
        if let Some(part) = parts.remove(&id) {
            out.push(keep(s, part, description));
        } else if let Some(old) = s.uploads.get(&id) {
            let mut meta = old.meta.clone();
            if let Some(d) = description {
                meta["description"] = json!(d);
            }
            out.push(meta);
        } else {
            return Err(invalid(
                &field,
                "ATTACHMENT_NOT_FOUND",
                format!("Unknown attachment {id}: no file part files[{id}] and no such attachment"),
            ));
        }
    }
    for part in parts.into_values() {
        out.push(keep(s, part, None));
    }
    if out.len() > MAX_FILES {
        return Err(invalid(
            "attachments",
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {MAX_FILES} or fewer in length."),
        ));
    }
    msg["attachments"] = Value::Array(out);
    Ok(body)
}

/// Stores one new file and answers its attachment object.
fn keep(s: &mut State, part: FilePart, description: Option<String>) -> Value {
    let id = s.snowflake();
    let content_type = part
        .content_type
        .clone()
        .filter(|c| c != "application/octet-stream")
        .or_else(|| guess(&part.filename).map(str::to_string));
    let mut meta = json!({
        "id": id.to_string(),
        "filename": part.filename,
        "size": part.bytes.len(),
        "url": format!("https://cdn.discordapp.com/attachments/0/{id}/{}", part.filename),
        "proxy_url": format!("https://media.discordapp.net/attachments/0/{id}/{}", part.filename),
    });
    if let Some(c) = &content_type {
        meta["content_type"] = json!(c);
    }
    if let Some(d) = description {
        meta["description"] = json!(d);
    }
    if let Some((w, h)) = png_size(&part.bytes) {
        meta["width"] = json!(w);
        meta["height"] = json!(h);
    }
    s.uploads.insert(
        id,
        Stored {
            meta: meta.clone(),
            bytes: Arc::new(part.bytes.to_vec()),
        },
    );
    meta
}
