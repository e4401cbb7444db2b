//! Members who leave the server: unknown as members, announced only to bots with the
//! privileged GUILD_MEMBERS intent, still able to press buttons in their DMs with the bot.

mod common;

use common::*;
use sandbox::{ActorError, HttpMode, Sandbox};
use serde_json::json;
use serenity::builder::{CreateActionRow, CreateButton, CreateMessage};
use serenity::model::application::Interaction;
use serenity::model::event::{Event, GatewayEvent};
use serenity::model::id::{GuildId, UserId};

const GUILD_MEMBERS: u64 = 1 << 1;

/// Discord's status and code in a serenity error.
fn discord_error(e: &serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not a Discord error: {other}"),
    }
}

#[tokio::test]
async fn a_member_who_left_is_unknown_and_the_bot_hears_of_it_only_with_guild_members() {
    init_tracing();
    // The bot asks for GUILDS, GUILD_MESSAGES and DIRECT_MESSAGES, not GUILD_MEMBERS.
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let _bot = RawBot::connect(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let guild = GuildId::new(sb.world().guild_id);
    guild
        .member(&http, UserId::new(JOHN))
        .await
        .expect("a member");
    assert!(sb.remove_member(JOHN));
    let e = guild
        .member(&http, UserId::new(JOHN))
        .await
        .expect_err("gone");
    assert_eq!(discord_error(&e), (404, 10007));
    assert!(
        !sb.dispatched()
            .iter()
            .any(|f| f["t"] == "GUILD_MEMBER_REMOVE"),
        "not without the GUILD_MEMBERS intent"
    );
    assert!(!sb.remove_member(JOHN), "already gone");
    // The user still exists.
    let u = UserId::new(JOHN).to_user(&http).await.expect("user");
    assert_eq!(u.name, "john");
    sb.assert_no_failures();

    // With the intent (enabled for the application and asked for), it is dispatched.
    let sb = Sandbox::start(world().privileged_intents(GUILD_MEMBERS))
        .await
        .expect("sandbox");
    let mut bot = RawBot::connect_with(&sb, 1 | GUILD_MEMBERS).await;
    assert!(sb.remove_member(JOHN));
    let f = bot.next_event("GUILD_MEMBER_REMOVE").await;
    let parsed: GatewayEvent = serde_json::from_value(f.clone()).expect("parses");
    match parsed {
        GatewayEvent::Dispatch(_, Event::GuildMemberRemove(e)) => {
            assert_eq!(e.user.id.get(), JOHN);
            assert_eq!(e.guild_id, GuildId::new(sb.world().guild_id));
        }
        other => panic!("{other:?}"),
    }
    let members = GuildId::new(sb.world().guild_id)
        .members(&sb.http(HttpMode::Proxy).expect("http"), Some(100), None)
        .await
        .expect("list");
    assert!(members.iter().all(|m| m.user.id.get() != JOHN));
}

#[tokio::test]
async fn someone_who_left_can_still_press_buttons_in_their_dm_but_gets_no_new_dms() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let dm = UserId::new(KARI)
        .create_dm_channel(&http)
        .await
        .expect("dm");
    let reminder = dm
        .send_message(
            &http,
            CreateMessage::new()
                .content("Påminnelse")
                .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                    "done",
                )
                .label("Utført")])]),
        )
        .await
        .expect("sent");
    assert!(sb.remove_member(KARI));

    // In the guild, she can no longer act.
    let in_guild = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None);
    assert!(
        matches!(in_guild, Err(ActorError::Usage(_))),
        "{in_guild:?}"
    );

    // In her DM, the button still works: the interaction carries `user`, not `member`.
    let kari = sb.member(KARI).in_dm();
    assert_eq!(kari.channel_id(), dm.id.get());
    let card = kari.snapshot(reminder.id.get()).expect("visible");
    let p = kari.start_press_on("Utført", &card).expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    assert!(f["d"].get("member").is_none(), "{f}");
    assert!(f["d"].get("guild_id").is_none(), "{f}");
    assert_eq!(f["d"]["user"]["id"], KARI.to_string());
    let Interaction::Component(c) =
        serde_json::from_value::<Interaction>(f["d"].clone()).expect("serenity reads it")
    else {
        panic!("a component interaction");
    };
    assert_eq!(c.user.id.get(), KARI);
    assert!(c.member.is_none());
    // The bot's answer to her press arrives.
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", p.id, p.token),
        Some(json!({ "type": 7, "data": { "content": "Registrert", "components": [] } })),
    )
    .await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(sb.dms(KARI)[0]["content"], "Registrert");

    // But a new DM from the bot is refused: Discord lets a bot write only to people it shares
    // a server with.
    let e = dm.say(&http, "Ny påminnelse").await.expect_err("refused");
    assert_eq!(discord_error(&e), (403, 50007));
    assert_eq!(sb.dms(KARI).len(), 1);
}
