//! Every gateway payload the sandbox sends is deserialized with serenity's model types: serenity
//! silently drops what it cannot parse (as `Event::Unknown`).

mod common;

use common::*;
use sandbox::Sandbox;
use serde_json::{json, Value};
use serenity::model::application::{ComponentInteractionDataKind, Interaction};
use serenity::model::event::{Event, GatewayEvent};

/// Parses a frame the way serenity's shard does and returns the event; panics on `Unknown`.
fn event(frame: &Value) -> Event {
    let ev: GatewayEvent =
        serde_json::from_value(frame.clone()).unwrap_or_else(|e| panic!("{e}: {frame}"));
    match ev {
        GatewayEvent::Dispatch(_, Event::Unknown(u)) => {
            panic!("serenity did not parse {}: {frame}", u.kind)
        }
        GatewayEvent::Dispatch(_, e) => e,
        other => panic!("not a dispatch: {other:?}"),
    }
}

/// Also parses `d` into the specific type so a failure names the missing field.
fn interaction(frame: &Value) -> Interaction {
    let i: Interaction =
        serde_json::from_value(frame["d"].clone()).unwrap_or_else(|e| panic!("{e}: {frame}"));
    match event(frame) {
        Event::InteractionCreate(_) => i,
        other => panic!("not INTERACTION_CREATE: {other:?}"),
    }
}

async fn setup() -> (Sandbox, RawBot) {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox starts");
    let bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    (sb, bot)
}

#[tokio::test]
async fn hello_ready_and_guild_create_parse() {
    init_tracing();
    // GUILD_MEMBERS is privileged: the application must have it enabled to ask for it.
    let sb = Sandbox::start(world().privileged_intents(1 << 1))
        .await
        .expect("sandbox starts");
    let mut bot = RawBot::connect_with(&sb, 1 | (1 << 1) | (1 << 9)).await;
    let ready = bot.next_event("READY").await;
    let Event::Ready(r) = event(&ready) else {
        panic!("READY")
    };
    assert_eq!(r.ready.user.id.get(), sb.world().bot_id);
    assert_eq!(r.ready.application.id.get(), sb.world().application_id);
    let guild = bot.next_event("GUILD_CREATE").await;
    let g: serenity::model::guild::Guild =
        serde_json::from_value(guild["d"].clone()).unwrap_or_else(|e| panic!("{e}: {guild}"));
    let Event::GuildCreate(_) = event(&guild) else {
        panic!("GUILD_CREATE")
    };
    assert_eq!(g.id.get(), sb.world().guild_id);
    assert_eq!(
        g.roles.len(),
        4,
        "@everyone + 2 roles + the bot's managed role"
    );
    assert!(g
        .members
        .contains_key(&serenity::model::id::UserId::new(KARI)));
    assert_eq!(
        g.members[&serenity::model::id::UserId::new(KARI)].roles[0].get(),
        LEDER
    );
    assert_eq!(g.channels.len(), 2);
    // The HELLO frame parses too.
    let hello: GatewayEvent = serde_json::from_value(
        json!({ "op": 10, "d": { "heartbeat_interval": 41250 }, "s": null, "t": null }),
    )
    .expect("HELLO");
    assert!(matches!(hello, GatewayEvent::Hello(41250)));
}

#[tokio::test]
async fn command_interaction_with_subcommand_options_member_and_locale_parses() {
    let (sb, mut bot) = setup().await;
    let actor = sb.member(JOHN);
    actor
        .start_slash(
            "rekruttering",
            &["ny"],
            &[
                ("stilling", "rådgiver"),
                ("leder", &KARI.to_string()),
                ("antall", "2"),
            ],
            None,
        )
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) = interaction(&f) else {
        panic!("command interaction")
    };
    assert_eq!(c.data.name, "rekruttering");
    assert_eq!(c.locale, "en-US");
    let member = c.member.as_ref().expect("guild member");
    assert_eq!(member.roles[0].get(), RADGIVER);
    let opts = c.data.options();
    assert_eq!(opts[0].name, "ny");
    let serenity::model::application::ResolvedValue::SubCommand(sub) = &opts[0].value else {
        panic!("subcommand")
    };
    assert_eq!(sub.len(), 3);
    assert!(matches!(
        sub[0].value,
        serenity::model::application::ResolvedValue::String("rådgiver")
    ));
    assert!(
        matches!(&sub[1].value, serenity::model::application::ResolvedValue::User(u, Some(_)) if u.id.get() == KARI)
    );
    assert!(matches!(
        sub[2].value,
        serenity::model::application::ResolvedValue::Integer(2)
    ));
}

#[tokio::test]
async fn autocomplete_interaction_parses() {
    let (sb, mut bot) = setup().await;
    sb.member(KARI)
        .start_slash(
            "rekruttering",
            &["ny"],
            &[("stilling", "x"), ("sted", "Os")],
            Some("sted"),
        )
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Autocomplete(a) = interaction(&f) else {
        panic!("autocomplete")
    };
    assert_eq!(a.data.autocomplete().expect("focused").value, "Os");
}

/// Posts a message with a button, a string select and a user select in three rows.
async fn post_components(sb: &Sandbox) -> Value {
    let body = json!({
        "content": "Velg",
        "components": [
            { "type": 1, "components": [{ "type": 2, "style": 3, "label": "Utført", "custom_id": "done:7" }] },
            { "type": 1, "components": [{ "type": 3, "custom_id": "pick:7", "placeholder": "Velg steg",
                "options": [{ "label": "Utlysning", "value": "ad" }, { "label": "Intervju", "value": "iv" }] }] },
            { "type": 1, "components": [{ "type": 5, "custom_id": "who:7", "placeholder": "Velg person" }] }
        ]
    });
    let (s, _, m) = call(
        sb,
        "POST",
        &format!("/channels/{REKRUTTERING}/messages"),
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    m
}

#[tokio::test]
async fn message_create_and_component_interactions_parse() {
    let (sb, mut bot) = setup().await;
    let m = post_components(&sb).await;
    let created = bot.next_event("MESSAGE_CREATE").await;
    let Event::MessageCreate(mc) = event(&created) else {
        panic!("MESSAGE_CREATE")
    };
    assert_eq!(mc.message.components.len(), 3);
    let _: serenity::model::channel::Message =
        serde_json::from_value(m.clone()).expect("REST message parses");

    let actor = sb.member(KARI).in_channel(REKRUTTERING);
    let a = actor.clone();
    let press = tokio::spawn(async move { a.press_in_channel("Utført", REKRUTTERING).await });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Component(c) = interaction(&f) else {
        panic!("component")
    };
    assert_eq!(c.data.custom_id, "done:7");
    assert!(matches!(c.data.kind, ComponentInteractionDataKind::Button));
    assert_eq!(c.message.id.get(), sandbox::state::id_of(&m));
    // Answer it like a bot would, so the actor gets its answer.
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", c.id, c.token),
        Some(json!({ "type": 6 })),
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        press.await.expect("task").expect("answered").callback_type,
        6
    );

    let a = actor.clone();
    let pick = tokio::spawn(async move {
        a.select_in_channel("Velg steg", &["Intervju"], REKRUTTERING)
            .await
    });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Component(c) = interaction(&f) else {
        panic!("component")
    };
    let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
        panic!("string select")
    };
    assert_eq!(values, &["iv".to_string()]);
    let upd = json!({ "type": 7, "data": { "content": "Intervju valgt", "components": [] } });
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", c.id, c.token),
        Some(upd),
    )
    .await;
    assert_eq!(s, 204);
    let answer = pick.await.expect("task").expect("answered");
    assert_eq!(answer.content(), "Intervju valgt");
    let updated = bot.next_event("MESSAGE_UPDATE").await;
    let Event::MessageUpdate(_) = event(&updated) else {
        panic!("MESSAGE_UPDATE")
    };

    let m = post_components(&sb).await;
    let a = actor.clone();
    let who = tokio::spawn(async move {
        a.select_users_in_channel("Velg person", &[JOHN], REKRUTTERING)
            .await
    });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Component(c) = interaction(&f) else {
        panic!("component")
    };
    let ComponentInteractionDataKind::UserSelect { values } = &c.data.kind else {
        panic!("user select")
    };
    assert_eq!(values[0].get(), JOHN);
    assert_eq!(c.message.id.get(), sandbox::state::id_of(&m));
    let modal = json!({ "type": 9, "data": { "custom_id": "modal:7", "title": "Notat", "components": [
        { "type": 1, "components": [{ "type": 4, "custom_id": "note", "label": "Notat", "style": 2 }] }] } });
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", c.id, c.token),
        Some(modal),
    )
    .await;
    assert_eq!(s, 204);
    assert!(who.await.expect("task").expect("answered").modal.is_some());

    let a = actor.clone();
    let submit = tokio::spawn(async move { a.submit_modal(&[("Notat", "Godt kandidat")]).await });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Modal(mi) = interaction(&f) else {
        panic!("modal submit")
    };
    assert_eq!(mi.data.custom_id, "modal:7");
    let serenity::model::application::ActionRowComponent::InputText(input) =
        &mi.data.components[0].components[0]
    else {
        panic!("input text")
    };
    assert_eq!(input.value.as_deref(), Some("Godt kandidat"));
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", mi.id, mi.token),
        Some(json!({ "type": 4, "data": { "content": "Lagret", "flags": 64 } })),
    )
    .await;
    assert_eq!(s, 204);
    let answer = submit.await.expect("task").expect("answered");
    assert!(answer.ephemeral());
    assert_eq!(actor.last_reply().expect("last reply").content(), "Lagret");
    sb.assert_no_failures();
}

#[tokio::test]
async fn threads_dms_and_their_events_parse() {
    let (sb, mut bot) = setup().await;
    let m = post_components(&sb).await;
    let mid = sandbox::state::id_of(&m);
    let (s, _, t) = call(
        &sb,
        "POST",
        &format!("/channels/{REKRUTTERING}/messages/{mid}/threads"),
        Some(json!({ "name": "Rådgiver 2026", "auto_archive_duration": 1440 })),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    let _: serenity::model::channel::GuildChannel =
        serde_json::from_value(t.clone()).expect("thread parses");
    let created = bot.next_event("THREAD_CREATE").await;
    let Event::ThreadCreate(_) = event(&created) else {
        panic!("THREAD_CREATE")
    };
    // MESSAGE_DELETE parses too.
    let (s, _, extra) = call(
        &sb,
        "POST",
        &format!("/channels/{REKRUTTERING}/messages"),
        Some(json!({ "content": "slett meg" })),
    )
    .await;
    assert_eq!(s, 200);
    let eid = sandbox::state::id_of(&extra);
    let (s, _, _) = call(
        &sb,
        "DELETE",
        &format!("/channels/{REKRUTTERING}/messages/{eid}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let deleted = bot.next_event("MESSAGE_DELETE").await;
    let Event::MessageDelete(d) = event(&deleted) else {
        panic!("MESSAGE_DELETE")
    };
    assert_eq!(d.message_id.get(), eid);
    let (s, _, _) = call(
        &sb,
        "PUT",
        &format!("/channels/{mid}/thread-members/{KARI}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert!(sb.channel(mid).expect("thread").members.contains(&KARI));
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/channels/{mid}/messages"),
        Some(json!({ "content": "I tråden" })),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(sb.messages(mid)[0]["content"], "I tråden");

    let (s, _, dm) = call(
        &sb,
        "POST",
        "/users/@me/channels",
        Some(json!({ "recipient_id": KARI.to_string() })),
    )
    .await;
    assert_eq!(s, 200);
    let dm_id = sandbox::state::id_of(&dm);
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/channels/{dm_id}/messages"),
        Some(json!({ "content": "Hei Kari" })),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(sb.dms(KARI)[0]["content"], "Hei Kari");
    let (s, _, _) = call(
        &sb,
        "PUT",
        &format!(
            "/channels/{dm_id}/messages/{}/reactions/%E2%9C%85/@me",
            sandbox::state::id_of(&sb.dms(KARI)[0])
        ),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let reacted = sb.dms(KARI)[0].clone();
    assert_eq!(reacted["reactions"][0]["emoji"]["name"], "✅");
    let msg: serenity::model::channel::Message =
        serde_json::from_value(reacted).expect("message with reactions parses");
    assert_eq!(msg.reactions.len(), 1);
    sb.assert_no_failures();
}

#[tokio::test]
async fn without_guild_members_intent_guild_create_has_only_the_bot() {
    let (sb, mut bot) = setup().await;
    let guild = bot.next_event("GUILD_CREATE").await;
    let g: serenity::model::guild::Guild =
        serde_json::from_value(guild["d"].clone()).expect("Guild");
    assert_eq!(g.members.len(), 1);
    assert!(g
        .members
        .contains_key(&serenity::model::id::UserId::new(sb.world().bot_id)));
    assert_eq!(g.member_count, 4);
}

#[tokio::test]
async fn role_channel_and_mentionable_selects_parse() {
    let (sb, mut bot) = setup().await;
    let body = json!({ "content": "Velg", "components": [
        { "type": 1, "components": [{ "type": 6, "custom_id": "r", "placeholder": "Rolle" }] },
        { "type": 1, "components": [{ "type": 8, "custom_id": "c", "placeholder": "Kanal" }] },
        { "type": 1, "components": [{ "type": 7, "custom_id": "m", "placeholder": "Hvem", "max_values": 2 }] }
    ] });
    let (s, _, m) = call(
        &sb,
        "POST",
        &format!("/channels/{GENERELT}/messages"),
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let actor = sb.member(KARI);
    let cases: [(&str, Vec<u64>); 3] = [
        ("Rolle", vec![LEDER]),
        ("Kanal", vec![REKRUTTERING]),
        ("Hvem", vec![JOHN, RADGIVER]),
    ];
    for (placeholder, ids) in cases {
        let a = actor.clone();
        let task =
            tokio::spawn(async move { a.select_ids_in_channel(placeholder, &ids, GENERELT).await });
        let f = bot.next_event("INTERACTION_CREATE").await;
        let Interaction::Component(c) = interaction(&f) else {
            panic!("component")
        };
        match (&c.data.kind, placeholder) {
            (ComponentInteractionDataKind::RoleSelect { values }, "Rolle") => {
                assert_eq!(values[0].get(), LEDER);
            }
            (ComponentInteractionDataKind::ChannelSelect { values }, "Kanal") => {
                assert_eq!(values[0].get(), REKRUTTERING);
            }
            (ComponentInteractionDataKind::MentionableSelect { values }, "Hvem") => {
                assert_eq!(values.len(), 2);
            }
            (other, p) => panic!("{p}: {other:?}"),
        }
        let (s, _, _) = call(
            &sb,
            "POST",
            &format!("/interactions/{}/{}/callback", c.id, c.token),
            Some(json!({ "type": 6 })),
        )
        .await;
        assert_eq!(s, 204);
        task.await.expect("task").expect("answered");
    }
    sb.assert_no_failures();
}

#[tokio::test]
async fn interactions_in_a_thread_parse() {
    let (sb, mut bot) = setup().await;
    let (s, _, t) = call(
        &sb,
        "POST",
        &format!("/channels/{REKRUTTERING}/threads"),
        Some(json!({ "name": "Intervju", "type": 12 })),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    let thread = sandbox::state::id_of(&t);
    let body = json!({ "content": "Klar?", "components": [{ "type": 1, "components": [{ "type": 2, "style": 1, "label": "Utført", "custom_id": "done:t" }] }] });
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/channels/{thread}/messages"),
        Some(body),
    )
    .await;
    assert_eq!(s, 200);
    let actor = sb.member(JOHN);
    let outside = actor.press_in_channel("Utført", thread).await;
    assert!(
        matches!(outside, Err(sandbox::ActorError::Usage(_))),
        "not a member yet: {outside:?}"
    );
    let (s, _, _) = call(
        &sb,
        "PUT",
        &format!("/channels/{thread}/thread-members/{JOHN}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let a = actor.clone();
    let press = tokio::spawn(async move { a.press_in_channel("Utført", thread).await });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Component(c) = interaction(&f) else {
        panic!("component")
    };
    assert_eq!(c.channel_id.get(), thread);
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", c.id, c.token),
        Some(json!({ "type": 7, "data": { "content": "Ferdig", "components": [] } })),
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        press.await.expect("task").expect("answered").content(),
        "Ferdig"
    );
    assert_eq!(sb.messages(thread)[0]["content"], "Ferdig");
    // The slash command also works in the thread.
    actor
        .clone()
        .in_channel(thread)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) = interaction(&f) else {
        panic!("command")
    };
    assert_eq!(c.channel_id.get(), thread);
    sb.assert_no_failures();
}

#[tokio::test]
async fn people_writing_reach_the_bot_without_content_unless_it_has_the_intent() {
    init_tracing();
    // Without MESSAGE_CONTENT: the event arrives, the content is empty (unless the bot is mentioned).
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    let kari = sb.member(KARI).in_channel(REKRUTTERING);
    kari.say("Hei alle").expect("said");
    let f = bot.next_event("MESSAGE_CREATE").await;
    let Event::MessageCreate(m) = event(&f) else {
        panic!("MESSAGE_CREATE")
    };
    assert_eq!(m.message.author.id.get(), KARI);
    assert_eq!(m.message.content, "");
    assert!(m.message.member.is_some());
    kari.say(&format!("<@{}> hjelp", sb.world().bot_id))
        .expect("said");
    let f = bot.next_event("MESSAGE_CREATE").await;
    let Event::MessageCreate(m) = event(&f) else {
        panic!("MESSAGE_CREATE")
    };
    assert!(m.message.content.ends_with("hjelp"));
    // The stored message has the text; the bot may not edit it.
    assert_eq!(sb.messages(REKRUTTERING)[0]["content"], "Hei alle");
    let mid = sandbox::state::id_of(&sb.messages(REKRUTTERING)[0]);
    let (s, _, b) = call(
        &sb,
        "PATCH",
        &format!("/channels/{REKRUTTERING}/messages/{mid}"),
        Some(json!({ "content": "x" })),
    )
    .await;
    assert_eq!((s, b["code"].as_u64()), (403, Some(50005)));

    // With the intent enabled and asked for, the content arrives.
    let sb = Sandbox::start(world().privileged_intents(1 << 15))
        .await
        .expect("sandbox");
    let mut bot = RawBot::connect_with(&sb, 1 | (1 << 9) | (1 << 15)).await;
    sb.member(JOHN).say("Hello").expect("said");
    let f = bot.next_event("MESSAGE_CREATE").await;
    let Event::MessageCreate(m) = event(&f) else {
        panic!("MESSAGE_CREATE")
    };
    assert_eq!(m.message.content, "Hello");
}

#[tokio::test]
async fn the_bot_gives_a_role_and_the_person_has_it_next_time() {
    use sandbox::world::perms;
    init_tracing();
    let world = world()
        .privileged_intents(1 << 1)
        .bot_permissions(perms::BOT_DEFAULT | perms::MANAGE_ROLES);
    let sb = Sandbox::start(world).await.expect("sandbox");
    let mut bot = RawBot::connect_with(&sb, 1 | (1 << 1) | (1 << 9)).await;
    register_commands(&sb).await;
    let http = sb.http(sandbox::HttpMode::Proxy).expect("http");
    let guild = serenity::model::id::GuildId::new(sb.world().guild_id);
    let (user, role) = (
        serenity::model::id::UserId::new(JOHN),
        serenity::model::id::RoleId::new(LEDER),
    );
    http.add_member_role(guild, user, role, Some("ny leder"))
        .await
        .expect("role given");
    let f = bot.next_event("GUILD_MEMBER_UPDATE").await;
    let Event::GuildMemberUpdate(u) = event(&f) else {
        panic!("GUILD_MEMBER_UPDATE")
    };
    assert!(u.roles.contains(&role));
    let member = guild.member(&http, user).await.expect("member");
    assert!(member.roles.contains(&role));
    sb.member(JOHN)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Command(c) = interaction(&f) else {
        panic!("command")
    };
    assert!(c.member.expect("member").roles.contains(&role));
    http.remove_member_role(guild, user, role, None)
        .await
        .expect("role taken");
    assert!(!guild
        .member(&http, user)
        .await
        .expect("member")
        .roles
        .contains(&role));
    // @everyone and the bot's managed role cannot be given.
    let everyone = serenity::model::id::RoleId::new(sb.world().guild_id);
    assert!(http
        .add_member_role(guild, user, everyone, None)
        .await
        .is_err());
    // Without MANAGE_ROLES: 403 / 50013.
    let plain = Sandbox::start(common::world()).await.expect("sandbox");
    let http = plain.http(sandbox::HttpMode::Proxy).expect("http");
    assert!(http.add_member_role(guild, user, role, None).await.is_err());
    assert!(plain
        .failures()
        .last()
        .expect("failure")
        .reason
        .contains("MANAGE_ROLES"));
}

#[tokio::test]
async fn interaction_messages_carry_interaction_metadata() {
    use serenity::model::application::MessageInteractionMetadata as Meta;
    let (sb, mut bot) = setup().await;
    let p = sb
        .member(KARI)
        .start_slash("rekruttering", &["ny"], &[("stilling", "x")], None)
        .expect("dispatched");
    let reply = json!({ "type": 4, "data": { "content": "Svar", "components": [{ "type": 1, "components": [
        { "type": 2, "style": 1, "label": "Utført", "custom_id": "d" }] }] } });
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", p.id, p.token),
        Some(reply),
    )
    .await;
    assert_eq!(s, 204);
    let f = bot.next_event("MESSAGE_CREATE").await;
    let Event::MessageCreate(m) = event(&f) else {
        panic!("MESSAGE_CREATE")
    };
    let Some(Meta::Command(meta)) = m.message.interaction_metadata.as_deref() else {
        panic!("command metadata: {f}")
    };
    assert_eq!(meta.user.id.get(), KARI);
    let original = m.message.id;
    let app = sb.world().application_id;
    let (s, _, fu) = call(
        &sb,
        "POST",
        &format!("/webhooks/{app}/{}", p.token),
        Some(json!({ "content": "Mer" })),
    )
    .await;
    assert_eq!(s, 200);
    let fu: serenity::model::channel::Message =
        serde_json::from_value(fu).expect("follow-up parses");
    let Some(Meta::Command(meta)) = fu.interaction_metadata.as_deref() else {
        panic!("command metadata")
    };
    assert_eq!(meta.original_response_message_id, Some(original));

    let a = sb.member(JOHN);
    let press = tokio::spawn(async move { a.press_in_channel("Utført", GENERELT).await });
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Component(c) = interaction(&f) else {
        panic!("component")
    };
    let (s, _, _) = call(
        &sb,
        "POST",
        &format!("/interactions/{}/{}/callback", c.id, c.token),
        Some(json!({ "type": 4, "data": { "content": "Ok" } })),
    )
    .await;
    assert_eq!(s, 204);
    let answer = press.await.expect("task").expect("answered");
    let msg: serenity::model::channel::Message =
        serde_json::from_value(answer.message().expect("message").clone()).expect("parses");
    let Some(Meta::Component(meta)) = msg.interaction_metadata.as_deref() else {
        panic!("component metadata")
    };
    assert_eq!(meta.interacted_message_id, original);
    assert_eq!(meta.user.id.get(), JOHN);
    sb.assert_no_failures();
}
