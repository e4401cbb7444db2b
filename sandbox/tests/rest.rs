//! The REST routes the bot uses, through serenity's own HTTP client (proxy mode), and the state
//! a test reads afterwards.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{Config, HttpMode, Sandbox};
use serde_json::json;
use serenity::builder::{CreateMessage, CreateThread, EditMessage, GetMessages};
use serenity::model::application::Interaction;
use serenity::model::channel::ChannelType;
use serenity::model::id::{ChannelId, GuildId, MessageId, UserId};

#[tokio::test]
async fn messages_create_edit_fetch_list_delete_through_serenity() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let a = ch
        .send_message(&http, CreateMessage::new().content("første"))
        .await
        .expect("create");
    let b = ch
        .send_message(&http, CreateMessage::new().content("andre"))
        .await
        .expect("create");
    ch.edit_message(&http, a.id, EditMessage::new().content("første (endret)"))
        .await
        .expect("edit");
    let fetched = ch.message(&http, a.id).await.expect("fetch");
    assert_eq!(fetched.content, "første (endret)");
    assert!(fetched.edited_timestamp.is_some());
    let list = ch
        .messages(&http, GetMessages::new().limit(10))
        .await
        .expect("list");
    assert_eq!(
        list.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![b.id, a.id],
        "newest first"
    );
    ch.delete_message(&http, b.id).await.expect("delete");
    assert_eq!(sb.messages(REKRUTTERING).len(), 1);
    let gone = ch.message(&http, MessageId::new(b.id.get())).await;
    assert!(gone.is_err(), "a deleted message is 404");
    // Thread in a channel (without a message), add a member, post in it.
    let thread = ch
        .create_thread(
            &http,
            CreateThread::new("Intervjuer").kind(ChannelType::PrivateThread),
        )
        .await
        .expect("thread");
    thread
        .id
        .add_thread_member(&http, UserId::new(JOHN))
        .await
        .expect("add member");
    thread
        .id
        .say(&http, "Hei John")
        .await
        .expect("post in thread");
    assert_eq!(sb.threads(REKRUTTERING)[0].name, "Intervjuer");
    assert_eq!(
        sb.threads(REKRUTTERING)[0].members,
        vec![sb.world().bot_id, JOHN]
    );
    assert_eq!(sb.messages(thread.id.get())[0]["content"], "Hei John");
    // DMs: open, send; closed DMs are 403 / 50007.
    let dm = UserId::new(KARI)
        .create_dm_channel(&http)
        .await
        .expect("dm");
    dm.say(&http, "Hei Kari").await.expect("dm sent");
    assert_eq!(sb.dms(KARI)[0]["content"], "Hei Kari");
    let closed = UserId::new(STENGT)
        .create_dm_channel(&http)
        .await
        .expect("dm channel");
    let err = closed.say(&http, "Hei").await.expect_err("DMs closed");
    assert!(
        err.to_string()
            .contains("Cannot send messages to this user"),
        "{err}"
    );
    a.react(&http, '✅').await.expect("reaction");
    assert_eq!(
        sb.messages(REKRUTTERING)[0]["reactions"][0]["emoji"]["name"],
        "✅"
    );
    sb.assert_no_failures();
}

#[tokio::test]
async fn original_and_followup_messages_through_serenity() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let actor = sb.member(KARI);
    actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) =
        serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses")
    else {
        panic!("command")
    };
    use serenity::builder::*;
    c.create_response(
        &http,
        CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new().content("Start"),
        ),
    )
    .await
    .expect("reply");
    let original = c.get_response(&http).await.expect("GET @original");
    assert_eq!(original.content, "Start");
    c.edit_response(
        &http,
        EditInteractionResponse::new().content("Start (endret)"),
    )
    .await
    .expect("PATCH @original");
    let f1 = c
        .create_followup(
            &http,
            CreateInteractionResponseFollowup::new().content("Neste steg"),
        )
        .await
        .expect("follow-up");
    c.edit_followup(
        &http,
        f1.id,
        CreateInteractionResponseFollowup::new().content("Neste steg (endret)"),
    )
    .await
    .expect("PATCH follow-up");
    let got = c.get_followup(&http, f1.id).await.expect("GET follow-up");
    assert_eq!(got.content, "Neste steg (endret)");
    let answer = actor.last_reply().expect("reply");
    assert_eq!(answer.messages.len(), 2);
    assert_eq!(answer.content(), "Start (endret)");
    assert!(answer.text().contains("Neste steg (endret)"));
    c.delete_followup(&http, f1.id)
        .await
        .expect("DELETE follow-up");
    c.delete_response(&http).await.expect("DELETE @original");
    assert!(sb.messages(GENERELT).is_empty());
    sb.assert_no_failures();
}

#[tokio::test]
async fn followups_after_the_token_expired_are_refused() {
    init_tracing();
    let config = Config {
        followup_window: Duration::ZERO,
        ..Config::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    let _bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", p.id, p.token),
        Some(json!({ "type": 5 })),
    )
    .await;
    assert_eq!(s, 204);
    let app = sb.world().application_id;
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/webhooks/{app}/{}", p.token),
        Some(json!({ "content": "for sent" })),
    )
    .await;
    assert_eq!(s, 401, "{b}");
    assert_eq!(b["code"], 50027);
    assert!(sb
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("15 minutes"));
}

#[tokio::test]
async fn slash_commands_in_dms_use_global_commands_and_parse() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let actor = sb.member(JOHN).in_dm();
    actor
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) = serde_json::from_value::<Interaction>(f["d"].clone())
        .unwrap_or_else(|e| panic!("{e}: {f}"))
    else {
        panic!("command")
    };
    assert!(c.guild_id.is_none());
    assert_eq!(c.user.id.get(), JOHN);
    assert_eq!(c.channel_id.get(), actor.channel_id());
}

#[tokio::test]
async fn guild_members_roles_and_active_threads() {
    init_tracing();
    let sb = Sandbox::start(world().privileged_intents(1 << 1))
        .await
        .expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let guild = serenity::model::id::GuildId::new(sb.world().guild_id);
    let members = guild
        .members(&http, Some(100), None)
        .await
        .expect("members");
    assert_eq!(members.len(), 3);
    assert!(members
        .iter()
        .any(|m| m.user.id.get() == KARI && m.roles[0].get() == LEDER));
    let found = guild
        .search_members(&http, "jo", Some(10))
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].user.name, "john");
    let member = guild
        .member(&http, UserId::new(JOHN))
        .await
        .expect("member");
    assert_eq!(member.roles[0].get(), RADGIVER);
    let roles = guild.roles(&http).await.expect("roles");
    assert_eq!(roles.len(), 4);
    ChannelId::new(REKRUTTERING)
        .create_thread(
            &http,
            CreateThread::new("Åpen").kind(ChannelType::PublicThread),
        )
        .await
        .expect("thread");
    let active = guild
        .get_active_threads(&http)
        .await
        .expect("active threads");
    assert_eq!(active.threads.len(), 1);
    sb.assert_no_failures();

    // Without the GUILD_MEMBERS intent enabled, listing members is refused.
    let plain = Sandbox::start(world()).await.expect("sandbox");
    let http = plain.http(HttpMode::Proxy).expect("http");
    let err = GuildId::new(plain.world().guild_id)
        .members(&http, Some(10), None)
        .await;
    assert!(err.is_err());
}
