//! Every kind of invalid request is refused with the spec's (or the docs') reason, and a body
//! Discord accepts passes.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{Config, Sandbox};
use serde_json::{json, Value};

async fn start() -> Sandbox {
    init_tracing();
    Sandbox::start(world()).await.expect("sandbox starts")
}

fn msgs_path() -> String {
    format!("/channels/{GENERELT}/messages")
}

/// Asserts a 400 Invalid Form Body whose recorded failure names the operation and `needle`.
fn assert_refused(sb: &Sandbox, status: u16, body: &Value, op: &str, needle: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], 50035, "{body}");
    assert_eq!(body["message"], "Invalid Form Body");
    let f = sb.failures();
    let last = f.last().expect("a failure is recorded");
    assert!(
        last.reason.contains(op),
        "failure names the operation: {}",
        last.reason
    );
    assert!(
        last.reason.contains(needle),
        "failure names {needle:?}: {}",
        last.reason
    );
}

#[tokio::test]
async fn a_valid_message_passes_and_is_stored() {
    let sb = start().await;
    let body = json!({
        "content": "Hei!",
        "embeds": [{ "title": "Ny rekruttering", "description": "Stilling: rådgiver", "fields": [{ "name": "Leder", "value": "Kari" }] }],
        "components": [{ "type": 1, "components": [{ "type": 2, "style": 1, "label": "Utført", "custom_id": "done:1" }] }],
        "allowed_mentions": { "parse": [] }
    });
    let (status, _, msg) = call(&sb, "POST", &msgs_path(), Some(body)).await;
    assert_eq!(status, 200, "{msg}");
    sb.assert_no_failures();
    let stored = sb.messages(GENERELT);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["content"], "Hei!");
    assert_eq!(stored[0]["embeds"][0]["type"], "rich");
    let m: serenity::model::channel::Message =
        serde_json::from_value(msg).expect("serenity Message");
    assert_eq!(m.content, "Hei!");
    let (status, _, edited) = call(
        &sb,
        "PATCH",
        &format!("/channels/{GENERELT}/messages/{}", m.id),
        Some(json!({ "content": "Endret" })),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(sb.messages(GENERELT)[0]["content"], "Endret");
    assert_eq!(sb.requests().len(), 2);
    assert_eq!(sb.requests()[0].route, "/channels/{channel_id}/messages");
}

#[tokio::test]
async fn schema_violation_is_refused_with_path_and_rule() {
    let sb = start().await;
    // `tts` must be a boolean in MessageCreateRequest.
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "x", "tts": "yes" })),
    )
    .await;
    assert_refused(&sb, status, &body, "create_message", "/tts");
    assert!(body["errors"]["tts"]["_errors"].is_array(), "{body}");
    assert!(sb.messages(GENERELT).is_empty());
}

#[tokio::test]
async fn content_over_2000_is_refused() {
    let sb = start().await;
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "a".repeat(2001) })),
    )
    .await;
    assert_refused(&sb, status, &body, "create_message", "at most 2000");
    let (status, _, _) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "å".repeat(2000) })),
    )
    .await;
    assert_eq!(status, 200, "2000 characters (not bytes) pass");
}

#[tokio::test]
async fn embeds_over_6000_are_refused() {
    let sb = start().await;
    let e = |n| json!({ "title": "t", "description": "d".repeat(n) });
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "embeds": [e(3500), e(3500)] })),
    )
    .await;
    assert_refused(&sb, status, &body, "create_message", "at most 6000");
}

#[tokio::test]
async fn more_than_five_rows_and_long_custom_ids_are_refused() {
    let sb = start().await;
    let row = |i: usize| json!({ "type": 1, "components": [{ "type": 2, "style": 1, "label": "b", "custom_id": format!("b{i}") }] });
    let rows: Vec<Value> = (0..6).map(row).collect();
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "x", "components": rows })),
    )
    .await;
    assert_refused(&sb, status, &body, "create_message", "6 action rows");

    let long = json!([{ "type": 1, "components": [{ "type": 2, "style": 1, "label": "b", "custom_id": "c".repeat(101) }] }]);
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "x", "components": long })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        sb.failures()
            .last()
            .expect("failure")
            .reason
            .contains("custom_id"),
        "{:?}",
        sb.failures()
    );

    let crowded = json!([{ "type": 1, "components": [
        { "type": 3, "custom_id": "s", "options": [{ "label": "a", "value": "a" }] },
        { "type": 2, "style": 1, "label": "b", "custom_id": "b" }
    ] }]);
    let (status, _, body) = call(
        &sb,
        "POST",
        &msgs_path(),
        Some(json!({ "content": "x", "components": crowded })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn bad_locale_key_nb_is_refused_and_no_is_kept() {
    let sb = start().await;
    let app = sb.world().application_id;
    let path = format!("/applications/{app}/commands");
    let bad = json!([{ "name": "rekruttering", "description": "d", "name_localizations": { "nb": "rekruttering" } }]);
    let (status, _, body) = call(&sb, "PUT", &path, Some(bad)).await;
    assert_refused(
        &sb,
        status,
        &body,
        "bulk_set_application_commands",
        "Norwegian is `no`",
    );

    let upper = json!([{ "name": "Rekruttering", "description": "d" }]);
    let (status, _, _) = call(&sb, "PUT", &path, Some(upper)).await;
    assert_eq!(status, 400);

    let good = json!([{ "name": "rekruttering", "description": "d", "name_localizations": { "no": "rekruttering", "en-US": "recruitment" } }]);
    let (status, _, body) = call(&sb, "PUT", &path, Some(good)).await;
    assert_eq!(status, 200, "{body}");
    let cmd = sb.command("rekruttering").expect("registered");
    assert_eq!(cmd["name_localizations"]["en-US"], "recruitment");
    let parsed: Vec<serenity::model::application::Command> =
        serde_json::from_value(body).expect("serenity Command");
    assert_eq!(parsed[0].name, "rekruttering");
}

#[tokio::test]
async fn unknown_route_is_501_and_a_failure() {
    let sb = start().await;
    let (status, _, _) = call(
        &sb,
        "GET",
        &format!("/guilds/{}/audit-logs", sb.world().guild_id),
        None,
    )
    .await;
    assert_eq!(status, 501);
    let f = sb.failures();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].route.contains("/guilds/{guild_id}/audit-logs"),
        "{f:?}"
    );
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sb.assert_no_failures()))
        .expect_err("assertion helper panics");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("audit-logs"), "{text}");
}

#[tokio::test]
async fn closed_dms_answer_50007() {
    let sb = start().await;
    let (status, _, dm) = call(
        &sb,
        "POST",
        "/users/@me/channels",
        Some(json!({ "recipient_id": STENGT.to_string() })),
    )
    .await;
    assert_eq!(status, 200, "{dm}");
    let ch: serenity::model::channel::PrivateChannel =
        serde_json::from_value(dm.clone()).expect("serenity PrivateChannel");
    let (status, _, body) = call(
        &sb,
        "POST",
        &format!("/channels/{}/messages", ch.id),
        Some(json!({ "content": "hei" })),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], 50007);
    assert_eq!(body["message"], "Cannot send messages to this user");
}

async fn callback(sb: &Sandbox, id: u64, token: &str, body: Value) -> (u16, Value) {
    let (s, _, b) = call(
        sb,
        "POST",
        &format!("/interactions/{id}/{token}/callback"),
        Some(body),
    )
    .await;
    (s, b)
}

#[tokio::test]
async fn modal_limits_are_enforced() {
    let sb = start().await;
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "rådgiver")], None)
        .expect("dispatched");
    let input = |i: usize| json!({ "type": 1, "components": [{ "type": 4, "custom_id": format!("f{i}"), "label": "Felt", "style": 1 }] });
    let six: Vec<Value> = (0..6).map(input).collect();
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 9, "data": { "custom_id": "m", "title": "Tittel", "components": six } }),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("at most 5"));
    let one: Vec<Value> = (0..1).map(input).collect();
    let long_title = "t".repeat(46);
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 9, "data": { "custom_id": "m", "title": long_title, "components": one } }),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("at most 45"));
    let (s, b) = callback(&sb, p.id, &p.token, json!({ "type": 9, "data": { "custom_id": "m", "title": "Ny stilling", "components": one } })).await;
    assert_eq!(s, 204, "{b}");
}

#[tokio::test]
async fn a_second_initial_response_is_40060() {
    let sb = start().await;
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let actor = sb.member(KARI);
    let p = actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "rådgiver")], None)
        .expect("dispatched");
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 4, "data": { "content": "Ok", "flags": 64 } }),
    )
    .await;
    assert_eq!(s, 204, "{b}");
    let answer = actor.wait(p.clone()).await.expect("answered");
    assert_eq!(answer.content(), "Ok");
    assert!(answer.ephemeral());
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 4, "data": { "content": "Igjen" } }),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(b["code"], 40060);
    assert_eq!(b["message"], "Interaction has already been acknowledged.");
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("already been acknowledged"));
}

#[tokio::test]
async fn a_late_initial_response_is_refused() {
    init_tracing();
    // A zero window: any answer comes after it, so the test needs no sleep.
    let config = Config {
        initial_response_window: Duration::ZERO,
        ..Config::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox starts");
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let (s, b) = callback(&sb, p.id, &p.token, json!({ "type": 5 })).await;
    assert_eq!(s, 404, "{b}");
    assert_eq!(b["code"], 10062);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("after the dispatch"));
}

#[tokio::test]
async fn followups_need_an_initial_response_and_edit_the_deferred_message() {
    let sb = start().await;
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let app = sb.world().application_id;
    let actor = sb.member(JOHN);
    let p = actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/webhooks/{app}/{}", p.token),
        Some(json!({ "content": "for tidlig" })),
    )
    .await;
    assert_eq!(s, 404);
    let (s, b) = callback(&sb, p.id, &p.token, json!({ "type": 5 })).await;
    assert_eq!(s, 204, "{b}");
    let (s, _, m) = call(
        &sb,
        "PATCH",
        &format!("/webhooks/{app}/{}/messages/@original", p.token),
        Some(json!({ "content": "Ferdig" })),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let answer = actor.wait(p).await.expect("answered");
    assert_eq!(answer.callback_type, 5);
    assert_eq!(answer.content(), "Ferdig");
    assert_eq!(
        sb.messages(GENERELT).last().expect("message")["content"],
        "Ferdig"
    );
}

#[tokio::test]
async fn component_rules_from_the_docs_are_enforced() {
    let sb = start().await;
    let row = |c: Value| json!({ "content": "x", "components": [{ "type": 1, "components": c }] });
    let cases = [
        (
            json!([{ "type": 2, "style": 1, "label": "a", "custom_id": "same" },
                   { "type": 2, "style": 1, "label": "b", "custom_id": "same" }]),
            "used twice",
        ),
        (
            json!([{ "type": 2, "style": 5, "label": "a", "custom_id": "x" }]),
            "link button",
        ),
        (
            json!([{ "type": 2, "style": 1, "label": "a" }]),
            "takes a custom_id",
        ),
        (
            json!([{ "type": 2, "style": 1, "custom_id": "a" }]),
            "label or an emoji",
        ),
    ];
    for (components, reason) in cases {
        let (s, _, b) = call(&sb, "POST", &msgs_path(), Some(row(components))).await;
        assert_eq!(s, 400, "{b}");
        let last = sb.failures().last().expect("failure").reason.clone();
        assert!(last.contains(reason), "{reason:?} in {last}");
    }
    let link = json!([{ "type": 2, "style": 5, "label": "Les mer", "url": "https://www.oslo.kommune.no" }]);
    let (s, _, b) = call(&sb, "POST", &msgs_path(), Some(row(link))).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn command_rules_from_the_docs_are_enforced() {
    let sb = start().await;
    let path = format!("/applications/{}/commands", sb.world().application_id);
    let no_description = json!([{ "name": "ny" }]);
    let (s, _, _) = call(&sb, "PUT", &path, Some(no_description)).await;
    assert_eq!(s, 400);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("description"));
    let order = json!([{ "name": "ny", "description": "d", "options": [
        { "type": 3, "name": "a", "description": "a" },
        { "type": 3, "name": "b", "description": "b", "required": true }] }]);
    let (s, _, _) = call(&sb, "PUT", &path, Some(order)).await;
    assert_eq!(s, 400);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("before optional"));
}

#[tokio::test]
async fn list_limit_over_100_is_refused() {
    let sb = start().await;
    let (s, _, b) = call(&sb, "GET", &format!("{}?limit=101", msgs_path()), None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        call(&sb, "GET", &format!("{}?limit=100", msgs_path()), None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn undeclared_privileged_intents_are_closed_with_4014() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let sb = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}?v=10", sb.gateway_url()))
        .await
        .expect("connect");
    let hello = ws.next().await.expect("frame").expect("ok");
    assert!(matches!(hello, Message::Text(_)));
    let identify = json!({ "op": 2, "d": { "token": sb.world().token, "intents": (1 << 9) | (1 << 15),
        "properties": { "os": "linux", "browser": "t", "device": "t" } } });
    ws.send(Message::Text(identify.to_string().into()))
        .await
        .expect("send");
    let close = ws.next().await.expect("frame").expect("ok");
    let Message::Close(Some(frame)) = close else {
        panic!("closed, got {close:?}")
    };
    assert_eq!(u16::from(frame.code), 4014);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("privileged intents"));
}

#[tokio::test]
async fn interaction_answers_reach_people_with_closed_dms() {
    let sb = start().await;
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let actor = sb.member(STENGT).in_dm();
    let p = actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 4, "data": { "content": "Svar i DM" } }),
    )
    .await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(actor.wait(p).await.expect("answer").content(), "Svar i DM");
    let p = actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 4, "data": { "content": "" } }),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["code"], 50006);
}

#[tokio::test]
async fn missing_permissions_are_403_50013() {
    use sandbox::world::perms;
    init_tracing();
    let world = world()
        .everyone_permissions(0)
        .bot_permissions(perms::VIEW_CHANNEL | perms::CREATE_PUBLIC_THREADS);
    let sb = Sandbox::start(world).await.expect("sandbox");
    let (s, _, b) = call(&sb, "POST", &msgs_path(), Some(json!({ "content": "x" }))).await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(b["code"], 50013);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("Missing Permissions"));
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/channels/{GENERELT}/threads"),
        Some(json!({ "name": "t", "type": 12 })),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/channels/{GENERELT}/threads"),
        Some(json!({ "name": "t", "type": 11 })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
}

#[tokio::test]
async fn a_callback_type_that_does_not_fit_the_interaction_is_refused() {
    let sb = start().await;
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    // UPDATE_MESSAGE answers a component, not a slash command.
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 7, "data": { "content": "x" } }),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("not valid for interaction type 2"));
    // The interaction can still be answered properly.
    let (s, b) = callback(
        &sb,
        p.id,
        &p.token,
        json!({ "type": 4, "data": { "content": "x" } }),
    )
    .await;
    assert_eq!(s, 204, "{b}");
}
