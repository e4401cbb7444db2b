//! Answers the way Discord writes them: errors, rate-limit refusals, form errors.

use serde_json::{json, Map, Value};

use crate::ratelimit::Headers;
use crate::spec::Violation;

/// An error answered like Discord: `{"code", "message", "errors"?}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: u32,
    pub message: String,
    pub errors: Option<Value>,
    /// Recorded as a failure the test sees (the bot did something Discord refuses).
    pub failure: bool,
}

impl ApiError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: None,
            failure: true,
        }
    }
    /// A refusal that a correct bot can meet (unknown message, DMs closed): not a failure.
    pub fn expected(mut self) -> Self {
        self.failure = false;
        self
    }
    pub fn unknown(what: &str, code: u32) -> Self {
        ApiError::new(404, code, format!("Unknown {what}")).expected()
    }
    pub(super) fn body(&self) -> Value {
        let mut b = json!({ "code": self.code, "message": self.message });
        if let Some(e) = &self.errors {
            b["errors"] = e.clone();
        }
        b
    }
}

pub type Reply = Result<(u16, Value), ApiError>;

/// The message Discord writes with an error code (docs: topics--opcodes-and-status-codes.mdx).
pub fn discord_message(status: u16, code: u32) -> String {
    let known = match code {
        10003 => "Unknown Channel",
        10004 => "Unknown Guild",
        10007 => "Unknown Member",
        10008 => "Unknown Message",
        10013 => "Unknown User",
        10015 => "Unknown Webhook",
        10062 => "Unknown interaction",
        20028 => "The write action you are performing on the channel has hit the write rate limit",
        40058 => "Cannot send a message in a forum channel",
        40060 => "Interaction has already been acknowledged.",
        50001 => "Missing Access",
        50005 => "Cannot edit a message authored by another user",
        50007 => "Cannot send messages to this user",
        50008 => "Cannot send messages in a non-text channel",
        50013 => "Missing Permissions",
        50024 => "Cannot execute action on this channel type",
        50027 => "Invalid Webhook Token",
        50035 => "Invalid Form Body",
        50083 => "Thread is archived",
        130000 => "API resource is currently overloaded. Try again a little later.",
        160004 => "A thread has already been created for this message",
        160005 => "Thread is locked",
        160006 => "Maximum number of active threads reached",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    match status {
        500 => "500: Internal Server Error".into(),
        502 => "502: Bad Gateway".into(),
        503 => "503: Service Unavailable".into(),
        _ => format!("{status}: error {code}"),
    }
}

pub(super) type Outcome = (
    u16,
    Option<Value>,
    Vec<(&'static str, String)>,
    String,
    Option<Value>,
);

pub(super) fn err_detail(e: &ApiError) -> String {
    e.errors.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn rate_limited(
    route: &str,
    retry_after: f64,
    global: bool,
    headers: Option<Headers>,
    body: Option<Value>,
) -> Outcome {
    // The global limit's reply carries no route headers; Retry-After is whole seconds, rounded
    // up (docs: topics--rate-limits.mdx), the body has the exact float.
    let mut extra = match (global, headers) {
        (false, Some(h)) => h.pairs(),
        _ => Vec::new(),
    };
    extra.push((
        "retry-after",
        format!("{}", retry_after.ceil().max(1.0) as u64),
    ));
    if global {
        extra.push(("x-ratelimit-global", "true".into()));
        extra.push(("x-ratelimit-scope", "global".into()));
    } else {
        extra.push(("x-ratelimit-scope", "user".into()));
    }
    let reply = json!({
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": global,
    });
    (429, Some(reply), extra, route.to_string(), body)
}

/// Discord's nested `errors` object: `{"content": {"_errors": [{"code", "message"}]}}`.
pub(super) fn form_errors(violations: &[Violation]) -> Value {
    let mut root = Value::Object(Map::new());
    for v in violations {
        let mut node = &mut root;
        for seg in v.path.split('/').filter(|s| !s.is_empty()) {
            node = match node {
                Value::Object(o) => o.entry(seg.to_string()).or_insert_with(|| json!({})),
                other => other,
            };
        }
        let code = match v.rule.as_str() {
            "maxLength" | "limit" => "BASE_TYPE_MAX_LENGTH",
            "locale" => "LOCALE_INVALID",
            "required" => "BASE_TYPE_REQUIRED",
            "pattern" => "APPLICATION_COMMAND_INVALID_NAME",
            _ => "BASE_TYPE_INVALID",
        };
        if let Some(o) = node.as_object_mut() {
            let list = o.entry("_errors").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(json!({ "code": code, "message": v.message, "rule": v.rule }));
            }
        }
    }
    root
}
