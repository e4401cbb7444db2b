//! Discord's REST API v10: one handler that matches the spec's route, applies auth, faults,
//! rate limits and validation, and dispatches to the implemented operations.

mod app;
mod files;
mod interactions;
mod messages;
mod permissions;
mod reply;

use reply::{err_detail, form_errors, rate_limited, Outcome};
pub use reply::{ApiError, Reply};

pub use crate::state::channel_json;
pub(crate) use messages::{remove_channel, remove_message};

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::limits;
use crate::ratelimit::RateLimiter;
use crate::spec::{spec, Matched};
use crate::state::{FaultKind, RequestRecord, Shared};

/// What the HTTP server needs.
pub struct Server {
    pub shared: Arc<Shared>,
    pub limiter: Arc<RateLimiter>,
    /// `ws://127.0.0.1:PORT/gateway` (no query string: serenity appends `?v=10`).
    pub gateway_url: String,
}

/// What an operation handler gets.
pub struct Ctx<'a> {
    pub shared: &'a Arc<Shared>,
    pub server: &'a Server,
    pub m: &'a Matched,
    pub body: &'a Value,
    pub query: HashMap<String, String>,
    /// When the request arrived, on the sandbox clock (interaction deadlines are measured to
    /// this).
    pub received: std::time::Instant,
}

pub async fn handle(State(server): State<Arc<Server>>, req: Request) -> Response {
    let received = server.shared.read().now();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query: HashMap<String, String> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let headers = req.headers().clone();
    let bytes = match axum::body::to_bytes(
        req.into_body(),
        crate::attachments::REQUEST_LIMIT + (1 << 20),
    )
    .await
    {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let (status, body, extra, route, recorded_body) =
        process(&server, &method, &path, query, &headers, &bytes, received).await;
    server.shared.record_request(RequestRecord {
        method: method.clone(),
        route,
        path,
        body: recorded_body,
        status,
    });
    let mut resp = match body {
        Some(b) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(b),
        )
            .into_response(),
        None => Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT))
            .body(Body::empty())
            .unwrap_or_default(),
    };
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

async fn process(
    server: &Server,
    method: &str,
    full_path: &str,
    query: HashMap<String, String>,
    headers: &HeaderMap,
    bytes: &Bytes,
    received: std::time::Instant,
) -> Outcome {
    let shared = &server.shared;
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Files come as multipart/form-data, the JSON in `payload_json` (crate::attachments).
    let form = if content_type.starts_with("multipart/form-data") {
        Some(files::read_form(content_type, bytes).await)
    } else {
        None
    };
    let body_json: Option<Value> = match &form {
        Some(Ok(f)) => Some(f.payload.clone()),
        Some(Err(_)) => None,
        None if bytes.is_empty() => None,
        None => serde_json::from_slice(bytes).ok(),
    };
    let fail =
        |status: u16, route: &str, err: ApiError, extra: Vec<(&'static str, String)>| -> Outcome {
            if err.failure {
                shared.record_failure(
                    &format!("{method} {route}"),
                    full_path,
                    format!("{}: {}", err.message, err_detail(&err)),
                );
            }
            (
                status,
                Some(err.body()),
                extra,
                route.to_string(),
                body_json.clone(),
            )
        };
    let Some(path) = full_path.strip_prefix("/api/v10") else {
        let e = ApiError::new(
            404,
            0,
            format!("404: Not Found (the sandbox serves /api/v10, not {full_path})"),
        );
        return fail(404, full_path, e, vec![]);
    };
    let Some(m) = spec().find(method, path) else {
        let e = ApiError::new(404, 0, "404: Not Found (no such route in Discord's API)");
        return fail(404, path, e, vec![]);
    };
    let route = m.op.template.clone();
    let route_key = m.op.route();
    let is_callback = m.op.operation_id == "create_interaction_response";
    let is_webhook = route.starts_with("/webhooks/{webhook_id}/{webhook_token}");

    // Authorization: Bot <token>, except where the token is in the path.
    if !is_callback && !is_webhook {
        let want = format!("Bot {}", shared.world.token);
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(want.as_str()) {
            return fail(
                401,
                &route,
                ApiError::new(401, 0, "401: Unauthorized"),
                vec![],
            );
        }
    }

    // Faults the test asked for.
    let fault = shared.write(|s| {
        let channel = request_channel(s, &m);
        let f = s.faults.iter_mut().find(|f| {
            f.remaining > 0
                && (f.route == route_key || f.route == "*")
                && f.channel.is_none_or(|c| Some(c) == channel)
        })?;
        f.remaining -= 1;
        Some(f.kind.clone())
    });
    match fault {
        Some(FaultKind::ServerError) => {
            let e = ApiError::new(500, 0, "500: Internal Server Error").expected();
            return fail(500, &route, e, vec![]);
        }
        Some(FaultKind::Error { status, code }) => {
            let e = ApiError::new(status, code, reply::discord_message(status, code)).expected();
            return fail(status, &route, e, vec![]);
        }
        Some(FaultKind::Hang) => {
            // Accepted, never carried out, never answered: recorded now with status 0, since
            // no answer will ever be recorded.
            shared.record_request(RequestRecord {
                method: method.to_string(),
                route: route.clone(),
                path: full_path.to_string(),
                body: body_json.clone(),
                status: 0,
            });
            std::future::pending::<()>().await;
        }
        Some(FaultKind::RateLimited {
            retry_after,
            global,
        }) => {
            return rate_limited(&route, retry_after, global, None, body_json.clone());
        }
        Some(FaultKind::Delay(d)) => tokio::time::sleep(d).await,
        Some(FaultKind::LoseReply) | None => {}
    }
    let lose_reply = matches!(fault, Some(FaultKind::LoseReply));

    // Rate limits: interaction callbacks are not limited, and interaction endpoints (callbacks,
    // follow-ups) do not count against the global limit, as on Discord.
    let mut extra = Vec::new();
    if !is_callback {
        let major = if is_webhook {
            format!("{}/{}", m.param("webhook_id"), m.param("webhook_token"))
        } else {
            ["channel_id", "guild_id"]
                .iter()
                .find_map(|p| m.params.get(*p).cloned())
                .unwrap_or_default()
        };
        match server
            .limiter
            .check(&shared.world.config, &route_key, &major, !is_webhook)
        {
            Ok(h) => extra = h.pairs(),
            Err(l) => {
                return rate_limited(
                    &route,
                    l.retry_after,
                    l.global,
                    Some(l.headers),
                    body_json.clone(),
                )
            }
        }
    }

    // Body: JSON, or multipart with files (read above; a malformed one is refused here).
    let mut uploads = Vec::new();
    match form {
        Some(Err(e)) => return fail(e.status, &route, e, extra),
        Some(Ok(f)) => uploads = f.files,
        None => {}
    }
    let multipart = content_type.starts_with("multipart/form-data");
    if !bytes.is_empty() && !multipart && !content_type.starts_with("application/json") {
        let e = ApiError::new(
            501,
            0,
            format!("the sandbox does not take {content_type} bodies (files)"),
        );
        return fail(501, &route, e, extra);
    }
    if !bytes.is_empty() && body_json.is_none() {
        return fail(
            400,
            &route,
            ApiError::new(400, 50109, "The request body contains invalid JSON."),
            extra,
        );
    }
    let mut body = body_json.clone().unwrap_or(Value::Null);
    if body_json.is_some() {
        let mut violations = spec().validate_body(&m.op, &body).err().unwrap_or_default();
        violations.extend(limits::check(limits::kind_of(&m.op.operation_id), &body));
        if !violations.is_empty() {
            let mut e = ApiError::new(400, 50035, "Invalid Form Body");
            e.errors = Some(form_errors(&violations));
            let reason = violations
                .iter()
                .map(|v| {
                    format!(
                        "{} at {:?} ({}): {}",
                        m.op.operation_id, v.path, v.rule, v.message
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            shared.record_failure(
                &route_key,
                full_path,
                format!("Invalid Form Body: {reason}"),
            );
            e.failure = false;
            return fail(400, &route, e, extra);
        }
    }

    // Threads whose archive time has passed archive now; channels the test forbade answer
    // 403 (interaction callbacks and follow-ups do not need the channel's permissions).
    let w = &shared.world;
    let forbidden = shared.write(|s| {
        s.archive_idle_threads(w);
        if is_callback || is_webhook {
            return None;
        }
        let ch = m.params.get("channel_id")?.parse::<u64>().ok()?;
        forbidden_code(s, ch)
    });
    if let Some(code) = forbidden {
        let e = ApiError::new(403, code, reply::discord_message(403, code)).expected();
        return fail(403, &route, e, extra);
    }

    // The files become the message's attachments (checked against its `attachments` array).
    if body_json.is_some() {
        let op = m.op.operation_id.as_str();
        match shared.write(|s| files::attach(s, op, body.clone(), uploads)) {
            Ok(b) => body = b,
            Err(e) => return fail(e.status, &route, e, extra),
        }
    }

    let ctx = Ctx {
        shared,
        server,
        m: &m,
        body: &body,
        query,
        received,
    };
    let reply = match m.op.operation_id.as_str() {
        "get_gateway"
        | "get_bot_gateway"
        | "get_my_user"
        | "get_my_oauth2_application"
        | "get_user"
        | "get_guild"
        | "get_guild_member"
        | "list_guild_members"
        | "add_guild_member_role"
        | "delete_guild_member_role"
        | "search_guild_members"
        | "list_guild_roles"
        | "get_active_guild_threads"
        | "list_guild_channels"
        | "list_application_commands"
        | "bulk_set_application_commands"
        | "create_application_command"
        | "get_application_command"
        | "delete_application_command"
        | "update_application_command"
        | "list_guild_application_commands"
        | "bulk_set_guild_application_commands"
        | "create_guild_application_command"
        | "get_guild_application_command"
        | "delete_guild_application_command"
        | "update_guild_application_command" => app::handle(&ctx),
        "create_interaction_response"
        | "execute_webhook"
        | "get_original_webhook_message"
        | "update_original_webhook_message"
        | "delete_original_webhook_message"
        | "get_webhook_message"
        | "update_webhook_message"
        | "delete_webhook_message" => interactions::handle(&ctx),
        "get_channel"
        | "update_channel"
        | "list_messages"
        | "create_message"
        | "get_message"
        | "update_message"
        | "delete_message"
        | "create_thread_from_message"
        | "create_thread"
        | "add_thread_member"
        | "join_thread"
        | "list_thread_members"
        | "create_dm"
        | "add_my_message_reaction"
        | "delete_my_message_reaction"
        | "trigger_typing_indicator" => messages::handle(&ctx),
        other => Err(ApiError::new(
            501,
            0,
            format!("501: Not Implemented (the sandbox does not serve {other} = {route_key})"),
        )),
    };
    if lose_reply {
        // Done, but the reply never leaves: the caller sees its request hang until it gives up.
        std::future::pending::<()>().await;
    }
    match reply {
        Ok((status, v)) => {
            let body = if status == 204 { None } else { Some(v) };
            (status, body, extra, route, body_json)
        }
        Err(e) => {
            let status = e.status;
            fail(status, &route, e, extra)
        }
    }
}

/// The channel a request is about: its `channel_id`, or for an interaction callback or
/// follow-up, the channel of the interaction.
fn request_channel(s: &crate::state::State, m: &Matched) -> Option<u64> {
    if let Some(c) = m.params.get("channel_id") {
        return c.parse().ok();
    }
    if let Some(i) = m.params.get("interaction_id") {
        return s.interactions.get(&i.parse().ok()?).map(|r| r.channel_id);
    }
    let token = m.params.get("webhook_token")?;
    let id = s.interaction_by_token(token)?;
    s.interactions.get(&id).map(|r| r.channel_id)
}

/// The code a forbidden channel answers with: its own, or for a thread, its parent's when the
/// parent is forbidden with 50001 Missing Access (no access to a channel means none to its
/// threads either).
fn forbidden_code(s: &crate::state::State, channel: u64) -> Option<u32> {
    if let Some(code) = s.forbidden.get(&channel) {
        return Some(*code);
    }
    let parent = s.channels.get(&channel)?.parent_id?;
    s.forbidden.get(&parent).copied().filter(|c| *c == 50001)
}
