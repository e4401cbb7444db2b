//! Channel types as Discord has them (category, forum, voice, announcement) and the bot's
//! permission overwrites per channel: in GUILD_CREATE, in `GET /channels/{id}`, in interactions,
//! enforced, and readable by serenity's cache.

mod common;

use std::collections::BTreeMap;

use common::*;
use sandbox::world::{kinds, perms};
use sandbox::{HttpMode, Overwrite, Sandbox, World};
use serde_json::json;
use serenity::all::{
    ChannelType, Context, CreateThread, EventHandler, GatewayIntents, Guild, GuildChannel, GuildId,
    Interaction, PermissionOverwriteType, Permissions, UserId,
};
use serenity::async_trait;
use serenity::model::id::ChannelId;
use tokio::sync::mpsc;

const KATEGORI: u64 = 710;
const FORUM: u64 = 711;
const TALE: u64 = 712;
const KUNNGJORING: u64 = 713;
const HR: u64 = 714;

fn typed_world() -> World {
    world()
        .channel_kind(KATEGORI, "Rekruttering", kinds::CATEGORY)
        .channel_kind(FORUM, "saker", kinds::FORUM)
        .channel_kind(TALE, "møterom", kinds::VOICE)
        .channel_kind(KUNNGJORING, "kunngjøringer", kinds::ANNOUNCEMENT)
}

/// Discord's status and code in a serenity error.
fn discord_error(e: &serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not a Discord error: {other}"),
    }
}

fn guild_create(frame: &serde_json::Value) -> Guild {
    match serde_json::from_value(frame.clone()).unwrap_or_else(|e| panic!("{e}: {frame}")) {
        serenity::model::event::GatewayEvent::Dispatch(
            _,
            serenity::model::event::Event::GuildCreate(g),
        ) => g.guild,
        other => panic!("not GUILD_CREATE: {other:?}"),
    }
}

#[tokio::test]
async fn channel_types_arrive_as_serenity_reads_them() {
    init_tracing();
    let sb = Sandbox::start(typed_world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let g = guild_create(&bot.next_event("GUILD_CREATE").await);
    let kind = |id: u64| g.channels[&ChannelId::new(id)].kind;
    assert_eq!(kind(REKRUTTERING), ChannelType::Text);
    assert_eq!(kind(KATEGORI), ChannelType::Category);
    assert_eq!(kind(FORUM), ChannelType::Forum);
    assert_eq!(kind(TALE), ChannelType::Voice);
    assert_eq!(kind(KUNNGJORING), ChannelType::News);
    // The REST routes say the same.
    let http = sb.http(HttpMode::Proxy).expect("http");
    let listed = GuildId::new(sb.world().guild_id)
        .channels(&http)
        .await
        .expect("list");
    assert_eq!(listed[&ChannelId::new(FORUM)].kind, ChannelType::Forum);
    let one = ChannelId::new(KATEGORI)
        .to_channel(&http)
        .await
        .expect("get")
        .guild()
        .expect("guild channel");
    assert_eq!(one.kind, ChannelType::Category);
    // A person acts in the first text channel, not the category.
    assert_eq!(sb.member(KARI).channel_id(), GENERELT);
}

#[tokio::test]
async fn messages_and_threads_where_the_channel_type_allows_them() {
    init_tracing();
    let sb = Sandbox::start(typed_world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let e = ChannelId::new(KATEGORI)
        .say(&http, "hei")
        .await
        .expect_err("a category has no messages");
    assert_eq!(discord_error(&e), (400, 50008));
    let e = ChannelId::new(FORUM)
        .say(&http, "hei")
        .await
        .expect_err("a forum takes posts, not messages");
    assert_eq!(discord_error(&e), (400, 40058));
    // Voice channels have a text chat; announcement channels take messages.
    ChannelId::new(TALE)
        .say(&http, "hei")
        .await
        .expect("text in voice");
    let news = ChannelId::new(KUNNGJORING)
        .say(&http, "kunngjøring")
        .await
        .expect("announcement");
    let t = ChannelId::new(KUNNGJORING)
        .create_thread_from_message(&http, news.id, CreateThread::new("Svar"))
        .await
        .expect("thread from an announcement");
    assert_eq!(t.kind, ChannelType::NewsThread);
    // No threads in a voice channel or a category.
    for id in [TALE, KATEGORI] {
        let e = ChannelId::new(id)
            .create_thread(
                &http,
                CreateThread::new("x").kind(ChannelType::PublicThread),
            )
            .await
            .expect_err("no threads here");
        assert_eq!(discord_error(&e), (400, 50024));
    }
    // A forum takes a post: a public thread with its first message. (serenity sends forum
    // posts as multipart, which the sandbox does not take; Discord takes JSON too.)
    let post = forum_post(&sb, "Ny sak", "Første melding").await;
    assert_eq!(post.kind, ChannelType::PublicThread);
    assert_eq!(post.parent_id, Some(ChannelId::new(FORUM)));
    assert_eq!(sb.messages(post.id.get())[0]["content"], "Første melding");
    // Each refusal above is something the bot must not do: recorded.
    let failures = sb.failures();
    assert_eq!(failures.len(), 4, "{failures:?}");
}

/// A forum post through the REST API, as serenity reads the answer.
async fn forum_post(sb: &Sandbox, name: &str, text: &str) -> GuildChannel {
    let (s, _, b) = call(
        sb,
        "POST",
        &format!("/channels/{FORUM}/threads"),
        Some(json!({ "name": name, "message": { "content": text } })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    serde_json::from_value(b.clone()).unwrap_or_else(|e| panic!("{e}: {b}"))
}

#[tokio::test]
async fn a_thread_from_a_message_in_a_forum_is_refused() {
    init_tracing();
    let sb = Sandbox::start(typed_world()).await.expect("sandbox");
    let post = forum_post(&sb, "Sak", "Første").await;
    let first: u64 = sb.messages(post.id.get())[0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");
    // The post's first message lives in the post; on the forum itself there is no message to
    // start a thread from, and the route is refused for forums.
    let (s, _, b) = call(
        &sb,
        "POST",
        &format!("/channels/{FORUM}/messages/{first}/threads"),
        Some(json!({ "name": "x" })),
    )
    .await;
    assert_eq!((s, b["code"].as_u64()), (400, Some(50024)), "{b}");
}

#[tokio::test]
async fn a_channel_option_resolves_with_its_type_and_the_persons_permissions() {
    init_tracing();
    let world = typed_world().channel(HR, "hr").channel_overwrite(
        HR,
        Overwrite {
            id: LEDER,
            kind: 0,
            allow: 0,
            deny: perms::SEND_MESSAGES,
        },
    );
    let sb = Sandbox::start(world).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let app = sb.world().application_id;
    let cmds = json!([{ "name": "oppsett", "description": "Oppsett", "options": [
        { "type": 7, "name": "kanal", "description": "Kanal", "required": true }
    ] }]);
    let (s, _, b) = call(
        &sb,
        "PUT",
        &format!("/applications/{app}/commands"),
        Some(cmds),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let kari = sb.member(KARI);
    for (channel, want) in [
        (FORUM, ChannelType::Forum),
        (KATEGORI, ChannelType::Category),
    ] {
        kari.start_slash("oppsett", &[], &[("kanal", &channel.to_string())], None)
            .expect("dispatched");
        let f = bot.next_event("INTERACTION_CREATE").await;
        let Interaction::Command(c) = serde_json::from_value::<Interaction>(f["d"].clone())
            .unwrap_or_else(|e| panic!("{e}: {f}"))
        else {
            panic!("a command");
        };
        let resolved = &c.data.resolved.channels[&ChannelId::new(channel)];
        assert_eq!(resolved.kind, want);
    }
    // Kari (Leder) may not write in #hr: her resolved permissions there say so.
    kari.start_slash("oppsett", &[], &[("kanal", &HR.to_string())], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) =
        serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses")
    else {
        panic!("a command");
    };
    let p = c.data.resolved.channels[&ChannelId::new(HR)]
        .permissions
        .expect("permissions");
    assert!(p.view_channel() && !p.send_messages());
}

#[tokio::test]
async fn the_bots_overwrites_are_enforced_per_channel() {
    init_tracing();
    let closed = typed_world()
        .channel(HR, "hr")
        .bot_channel_permissions(REKRUTTERING, 0, perms::SEND_MESSAGES)
        .bot_channel_permissions(HR, 0, perms::VIEW_CHANNEL);
    let sb = Sandbox::start(closed).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    // No SEND_MESSAGES in #rekruttering: refused there, fine elsewhere.
    let e = ChannelId::new(REKRUTTERING)
        .say(&http, "hei")
        .await
        .expect_err("denied");
    assert_eq!(discord_error(&e), (403, 50013));
    ChannelId::new(GENERELT)
        .say(&http, "hei")
        .await
        .expect("allowed");
    // Threads need CREATE_PUBLIC_THREADS and SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES.
    let t = ChannelId::new(REKRUTTERING)
        .create_thread(
            &http,
            CreateThread::new("Sak").kind(ChannelType::PublicThread),
        )
        .await
        .expect("thread");
    t.id.say(&http, "i tråden").await.expect("thread message");
    // No VIEW_CHANNEL in #hr: Missing Access for everything there.
    let e = ChannelId::new(HR)
        .to_channel(&http)
        .await
        .expect_err("no access");
    assert_eq!(discord_error(&e), (403, 50001));
    let e = ChannelId::new(HR)
        .say(&http, "hei")
        .await
        .expect_err("no access");
    assert_eq!(discord_error(&e), (403, 50001));
    // The overwrites are on the channel as Discord sends it.
    let ch = ChannelId::new(REKRUTTERING)
        .to_channel(&http)
        .await
        .expect("get")
        .guild()
        .expect("guild channel");
    let bot = UserId::new(sb.world().bot_id);
    let ow = ch
        .permission_overwrites
        .iter()
        .find(|o| o.kind == PermissionOverwriteType::Member(bot))
        .expect("the bot's overwrite");
    assert_eq!(ow.deny, Permissions::SEND_MESSAGES);

    // A moderator changes them while the bot runs; the next send goes through.
    assert!(sb.set_bot_overwrite(REKRUTTERING, perms::SEND_MESSAGES, 0));
    ChannelId::new(REKRUTTERING)
        .say(&http, "nå")
        .await
        .expect("allowed now");
    // An allow on one channel gives what the guild does not.
    let opened = world()
        .bot_permissions(perms::BOT_DEFAULT & !perms::SEND_MESSAGES)
        .everyone_permissions(perms::EVERYONE_DEFAULT & !perms::SEND_MESSAGES)
        .bot_channel_permissions(REKRUTTERING, perms::SEND_MESSAGES, 0);
    let sb = Sandbox::start(opened).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    ChannelId::new(REKRUTTERING)
        .say(&http, "her")
        .await
        .expect("allowed here");
    let e = ChannelId::new(GENERELT)
        .say(&http, "der")
        .await
        .expect_err("not there");
    assert_eq!(discord_error(&e), (403, 50013));
}

#[tokio::test]
async fn interactions_carry_the_bots_permissions_in_the_channel() {
    init_tracing();
    let world = world().bot_channel_permissions(REKRUTTERING, 0, perms::SEND_MESSAGES);
    let sb = Sandbox::start(world).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    for (channel, can_send) in [(GENERELT, true), (REKRUTTERING, false)] {
        sb.member(KARI)
            .in_channel(channel)
            .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
            .expect("dispatched");
        let f = bot.next_event("INTERACTION_CREATE").await;
        let Interaction::Command(c) =
            serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses")
        else {
            panic!("a command");
        };
        let app = c.app_permissions.expect("app_permissions");
        assert_eq!(app.send_messages(), can_send, "in {channel}");
        assert_eq!(
            app.bits(),
            sb.bot_permissions_in(channel),
            "the same as enforced"
        );
    }
}

/// Reports, from serenity's cache, the bot's permissions in every channel each time the
/// guild arrives or a channel changes.
struct CacheWatcher {
    tx: mpsc::UnboundedSender<BTreeMap<u64, u64>>,
    guild: GuildId,
}

impl CacheWatcher {
    fn report(&self, ctx: &Context) {
        let Some(g) = ctx.cache.guild(self.guild) else {
            return;
        };
        let me = ctx.cache.current_user().id;
        let Some(member) = g.members.get(&me) else {
            return;
        };
        let all: BTreeMap<u64, u64> = g
            .channels
            .values()
            .map(|c: &GuildChannel| (c.id.get(), g.user_permissions_in(c, member).bits()))
            .collect();
        let _ = self.tx.send(all);
    }
}

#[async_trait]
impl EventHandler for CacheWatcher {
    async fn guild_create(&self, ctx: Context, _: Guild, _: Option<bool>) {
        self.report(&ctx);
    }
    async fn channel_update(&self, ctx: Context, _: Option<GuildChannel>, _: GuildChannel) {
        self.report(&ctx);
    }
}

#[tokio::test]
async fn serenitys_cache_computes_the_bots_permissions_as_the_sandbox_enforces_them() {
    init_tracing();
    let world = typed_world()
        .channel(HR, "hr")
        .bot_channel_permissions(
            REKRUTTERING,
            perms::MANAGE_MESSAGES,
            perms::SEND_MESSAGES | perms::CREATE_PUBLIC_THREADS,
        )
        .channel_overwrite(
            HR,
            Overwrite {
                id: world().guild_id,
                kind: 0,
                allow: 0,
                deny: perms::VIEW_CHANNEL,
            },
        );
    let sb = Sandbox::start(world).await.expect("sandbox");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let watcher = CacheWatcher {
        tx,
        guild: GuildId::new(sb.world().guild_id),
    };
    let builder = sb
        .client_builder(GatewayIntents::GUILDS, HttpMode::Proxy)
        .expect("builder")
        .event_handler(watcher);
    let client = sb.start_client(builder).await.expect("client");
    let seen = next(&mut rx).await;
    let channels = [
        GENERELT,
        REKRUTTERING,
        HR,
        KATEGORI,
        FORUM,
        TALE,
        KUNNGJORING,
    ];
    for id in channels {
        assert_eq!(seen[&id], sb.bot_permissions_in(id), "channel {id}");
    }
    let rek = Permissions::from_bits_truncate(seen[&REKRUTTERING]);
    assert!(!rek.send_messages() && !rek.create_public_threads() && rek.manage_messages());
    let hr = Permissions::from_bits_truncate(seen[&HR]);
    assert!(!hr.view_channel(), "@everyone denied VIEW_CHANNEL in #hr");
    // A change while the bot runs reaches the cache (CHANNEL_UPDATE).
    sb.set_bot_overwrite(HR, perms::VIEW_CHANNEL | perms::SEND_MESSAGES, 0);
    let seen = next(&mut rx).await;
    assert_eq!(seen[&HR], sb.bot_permissions_in(HR));
    assert!(Permissions::from_bits_truncate(seen[&HR]).view_channel());
    client.stop().await;
}

async fn next(rx: &mut mpsc::UnboundedReceiver<BTreeMap<u64, u64>>) -> BTreeMap<u64, u64> {
    tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("a report from the cache")
        .expect("open")
}
