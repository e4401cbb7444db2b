//! The sandbox clock: a test moves it forward (`Sandbox::advance`) and every window the
//! sandbox keeps follows it, as Discord's would after that much time.

mod common;

use std::time::Duration;

use common::*;
use sandbox::{HttpMode, Sandbox};
use serenity::builder::{
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
};
use serenity::model::application::{CommandInteraction, Interaction};

/// Kari types `/rekruttering ny`; the interaction as serenity parses it from the gateway.
async fn a_command(sb: &Sandbox, bot: &mut RawBot) -> CommandInteraction {
    sb.member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    match serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses") {
        Interaction::Command(c) => c,
        other => panic!("not a command: {other:?}"),
    }
}

/// Discord's status and error code in a serenity error.
fn discord_error(e: &serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not a Discord error: {other}"),
    }
}

#[tokio::test]
async fn advance_moves_the_sandbox_clock_and_what_it_stamps() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let before = sb.now();
    sb.advance(Duration::from_secs(3 * 24 * 3600));
    let moved = sb.now().duration_since(before).expect("forward");
    assert!(moved >= Duration::from_secs(3 * 24 * 3600), "{moved:?}");
    // A message posted now carries the sandbox's time, in its timestamp and its snowflake.
    let http = sb.http(HttpMode::Proxy).expect("http");
    let m = serenity::model::id::ChannelId::new(REKRUTTERING)
        .say(&http, "tre dager senere")
        .await
        .expect("sent");
    let real_now = serenity::model::Timestamp::now().unix_timestamp();
    let stamped = m.timestamp.unix_timestamp();
    assert!(
        stamped - real_now >= 3 * 24 * 3600 - 5,
        "timestamp {stamped} vs real {real_now}"
    );
    assert_eq!(m.id.created_at().unix_timestamp(), stamped);
}

#[tokio::test]
async fn an_initial_response_after_the_clock_passed_3_seconds_is_unknown_interaction() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let c = a_command(&sb, &mut bot).await;
    // The bot is still working when 3 seconds have passed.
    sb.advance(Duration::from_millis(3_100));
    let late = c
        .create_response(
            &http,
            CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new().content("for sent"),
            ),
        )
        .await
        .expect_err("too late");
    assert_eq!(discord_error(&late), (404, 10062));
    assert!(sb.messages(GENERELT).is_empty(), "nothing was posted");
    // Within the window (a fresh interaction), the same answer is taken.
    let c = a_command(&sb, &mut bot).await;
    sb.advance(Duration::from_millis(2_000));
    c.create_response(
        &http,
        CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new().content("i tide"),
        ),
    )
    .await
    .expect("in time");
}

#[tokio::test]
async fn a_second_initial_response_through_serenity_is_already_acknowledged() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let c = a_command(&sb, &mut bot).await;
    c.defer_ephemeral(&http).await.expect("deferred");
    // An error path that answers again instead of following up.
    let again = c
        .create_response(
            &http,
            CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new().content("Beklager"),
            ),
        )
        .await
        .expect_err("answered twice");
    assert_eq!(discord_error(&again), (400, 40060));
    // The follow-up is the right way, and works.
    c.create_followup(
        &http,
        CreateInteractionResponseFollowup::new().content("Beklager"),
    )
    .await
    .expect("follow-up");
}

#[tokio::test]
async fn follow_ups_end_when_the_clock_passes_15_minutes() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let c = a_command(&sb, &mut bot).await;
    c.defer(&http).await.expect("deferred");
    sb.advance(Duration::from_secs(14 * 60));
    c.create_followup(
        &http,
        CreateInteractionResponseFollowup::new().content("14"),
    )
    .await
    .expect("within 15 minutes");
    sb.advance(Duration::from_secs(61));
    let expired = c
        .create_followup(
            &http,
            CreateInteractionResponseFollowup::new().content("16"),
        )
        .await
        .expect_err("token expired");
    assert_eq!(discord_error(&expired), (401, 50027));
    let edit = c
        .edit_response(
            &http,
            serenity::builder::EditInteractionResponse::new().content("for sent"),
        )
        .await
        .expect_err("@original expired too");
    assert_eq!(discord_error(&edit), (401, 50027));
}
