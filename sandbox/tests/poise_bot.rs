//! A minimal poise bot against the sandbox: registers its commands, answers a slash command,
//! a button, a select and a modal, and resumes after RECONNECT.

mod common;

use common::*;
use poise::serenity_prelude as serenity;
use sandbox::{HttpMode, Sandbox};

struct Data;
type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, Data, Error>;

/// Rekruttering
#[poise::command(
    slash_command,
    subcommands("ny"),
    name_localized("en-US", "recruitment"),
    description_localized("en-US", "Recruitment")
)]
async fn rekruttering(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Ny rekruttering
#[poise::command(slash_command, description_localized("en-US", "New recruitment"))]
async fn ny(
    ctx: Ctx<'_>,
    #[description = "Stilling"] stilling: String,
    #[description = "Leder"] leder: Option<serenity::User>,
    #[description = "Sted"]
    #[autocomplete = "steder"]
    sted: Option<String>,
) -> Result<(), Error> {
    let _ = sted;
    let roles = ctx
        .author_member()
        .await
        .map(|m| m.roles.len())
        .unwrap_or(0);
    let hei = if ctx.locale() == Some("no") {
        "Ny rekruttering"
    } else {
        "New recruitment"
    };
    let leder = leder.map(|u| u.name).unwrap_or_default();
    let rows = vec![
        serenity::CreateActionRow::Buttons(vec![
            serenity::CreateButton::new("done").label("Utført")
        ]),
        serenity::CreateActionRow::SelectMenu(
            serenity::CreateSelectMenu::new(
                "steg",
                serenity::CreateSelectMenuKind::String {
                    options: vec![
                        serenity::CreateSelectMenuOption::new("Utlysning", "ad"),
                        serenity::CreateSelectMenuOption::new("Intervju", "iv"),
                    ],
                },
            )
            .placeholder("Velg steg"),
        ),
    ];
    let reply = poise::CreateReply::default()
        .content(format!("{hei}: {stilling} ({leder}), {roles} rolle(r)"))
        .components(rows);
    ctx.send(reply).await?;
    Ok(())
}

async fn steder(_ctx: Ctx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let choices = ["Oslo", "Bergen", "Osterøy"]
        .into_iter()
        .filter(|s| s.starts_with(partial))
        .map(|s| serenity::AutocompleteChoice::new(s, s))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

#[derive(Debug, poise::Modal)]
#[name = "Notat"]
struct Notat {
    #[name = "Tekst"]
    tekst: String,
}

/// Notat
#[poise::command(slash_command)]
async fn notat(ctx: poise::ApplicationContext<'_, Data, Error>) -> Result<(), Error> {
    if let Some(n) = poise::execute_modal::<_, _, Notat>(ctx, None, None).await? {
        poise::say_reply(
            poise::Context::Application(ctx),
            format!("Lagret: {}", n.tekst),
        )
        .await?;
    }
    Ok(())
}

async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent) -> Result<(), Error> {
    let serenity::FullEvent::InteractionCreate {
        interaction: serenity::Interaction::Component(c),
    } = event
    else {
        return Ok(());
    };
    let response = match &c.data.kind {
        serenity::ComponentInteractionDataKind::Button => {
            serenity::CreateInteractionResponse::UpdateMessage(
                serenity::CreateInteractionResponseMessage::new()
                    .content("Utført ✅")
                    .components(vec![]),
            )
        }
        serenity::ComponentInteractionDataKind::StringSelect { values } => {
            serenity::CreateInteractionResponse::Message(
                serenity::CreateInteractionResponseMessage::new()
                    .content(format!("Valgt: {}", values.join(",")))
                    .ephemeral(true),
            )
        }
        _ => return Ok(()),
    };
    c.create_response(&ctx.http, response).await?;
    Ok(())
}

/// Starts the bot on the sandbox; returns when its commands are registered.
async fn start_bot(sb: &Sandbox, mode: HttpMode) -> sandbox::Bot {
    let guild = serenity::GuildId::new(sb.world().guild_id);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![rekruttering(), notat()],
            event_handler: |fw, event| Box::pin(on_event(fw.serenity_context, event)),
            ..Default::default()
        })
        .setup(move |ctx, _ready, fw| {
            Box::pin(async move {
                poise::builtins::register_in_guild(ctx, &fw.options().commands, guild).await?;
                Ok(Data)
            })
        })
        .build();
    let intents = serenity::GatewayIntents::non_privileged();
    let builder = sb
        .client_builder(intents, mode)
        .expect("client builder")
        .framework(framework);
    let bot = sb.start_client(builder).await.expect("bot connects");
    sb.wait_for_commands_registered()
        .await
        .expect("bot registers its commands");
    bot
}

#[tokio::test]
async fn poise_bot_registers_and_answers_command_button_select_and_modal() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let bot = start_bot(&sb, HttpMode::Proxy).await;

    let cmd = sb.command("rekruttering").expect("registered");
    assert_eq!(cmd["name_localizations"]["en-US"], "recruitment");
    assert_eq!(
        cmd["options"][0]["description_localizations"]["en-US"],
        "New recruitment"
    );
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.route == "/gateway"));

    let kari = sb.member(KARI).in_channel(REKRUTTERING);
    let answer = kari
        .slash(
            "rekruttering",
            &["ny"],
            &[("stilling", "rådgiver"), ("leder", &JOHN.to_string())],
        )
        .await
        .expect("the bot answers the slash command");
    assert_eq!(
        answer.content(),
        "Ny rekruttering: rådgiver (john), 1 rolle(r)"
    );
    assert_eq!(answer.buttons(), vec!["Utført".to_string()]);
    let john = sb.member(JOHN).in_channel(REKRUTTERING);
    let answer = john
        .slash("rekruttering", &["ny"], &[("stilling", "advisor")])
        .await
        .expect("answer");
    assert!(
        answer.content().starts_with("New recruitment: advisor"),
        "{}",
        answer.content()
    );

    let typed = kari
        .autocomplete("rekruttering", &["ny"], &[("sted", "Os")], "sted")
        .await
        .expect("autocomplete answered");
    assert_eq!(typed.callback_type, 8);
    let names: Vec<&str> = typed
        .choices
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Oslo", "Osterøy"]);

    let picked = kari
        .select_in_channel("Velg steg", &["Intervju"], REKRUTTERING)
        .await
        .expect("select answered");
    assert_eq!(picked.content(), "Valgt: iv");
    assert!(picked.ephemeral());

    let pressed = kari
        .press_in_channel("Utført", REKRUTTERING)
        .await
        .expect("button answered");
    assert_eq!(pressed.callback_type, 7);
    assert_eq!(pressed.content(), "Utført ✅");
    // The press updated the latest message with the button; the older one still has it.
    let with_button = sb
        .messages(REKRUTTERING)
        .iter()
        .filter(|m| !sandbox::actor::button_labels(m).is_empty())
        .count();
    assert_eq!(with_button, 1);

    let opened = kari.slash("notat", &[], &[]).await.expect("modal opened");
    assert_eq!(opened.callback_type, 9);
    assert_eq!(opened.modal.as_ref().expect("modal")["title"], "Notat");
    let saved = kari
        .submit_modal(&[("Tekst", "God kandidat")])
        .await
        .expect("modal answered");
    assert_eq!(saved.content(), "Lagret: God kandidat");

    sb.assert_no_failures();
    bot.stop().await;
}

#[tokio::test]
async fn after_reconnect_the_bot_resumes_and_answers() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let bot = start_bot(&sb, HttpMode::Proxy).await;
    let kari = sb.member(KARI);
    kari.slash("rekruttering", &["ny"], &[("stilling", "a")])
        .await
        .expect("first answer");

    assert!(sb.reconnect(), "RECONNECT sent");
    sb.wait_resumed(1).await.expect("the bot resumes");
    assert!(
        sb.gateway_ops().contains(&6),
        "RESUME (op 6) seen: {:?}",
        sb.gateway_ops()
    );
    let answer = kari
        .slash("rekruttering", &["ny"], &[("stilling", "b")])
        .await
        .expect("answer after resume");
    assert!(answer.content().contains(": b"), "{}", answer.content());

    assert!(sb.drop_connection(), "connection dropped");
    sb.wait_resumed(2)
        .await
        .expect("the bot resumes after a dropped connection");
    let answer = kari
        .slash("rekruttering", &["ny"], &[("stilling", "c")])
        .await
        .expect("answer after drop");
    assert!(answer.content().contains(": c"), "{}", answer.content());
    sb.assert_no_failures();
    bot.stop().await;
}

#[tokio::test]
async fn the_bot_works_with_serenitys_rate_limiter_on() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let bot = start_bot(&sb, HttpMode::Tls).await;
    let kari = sb.member(KARI).in_channel(REKRUTTERING);
    let answer = kari
        .slash("rekruttering", &["ny"], &[("stilling", "tls")])
        .await
        .expect("answer");
    assert!(answer.content().contains("tls"), "{}", answer.content());
    // A route limited once: serenity waits out Retry-After and the answer arrives.
    sb.rate_limit_next(
        "PATCH /channels/{channel_id}/messages/{message_id}",
        1,
        0.1,
        false,
    );
    let http = sb.http(HttpMode::Tls).expect("http");
    let mid = serenity::MessageId::new(sandbox::state::id_of(answer.message().expect("message")));
    serenity::ChannelId::new(REKRUTTERING)
        .edit_message(&http, mid, serenity::EditMessage::new().content("endret"))
        .await
        .expect("edit after 429");
    assert_eq!(sb.messages(REKRUTTERING)[0]["content"], "endret");
    sb.assert_no_failures();
    bot.stop().await;
}

#[tokio::test]
async fn after_a_non_resumable_invalid_session_the_bot_identifies_again() {
    init_tracing();
    // serenity waits 5 s between shard boots; give the waits room for that.
    let config = sandbox::Config {
        answer_timeout: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    let sb = Sandbox::start(world().config(config))
        .await
        .expect("sandbox");
    let bot = start_bot(&sb, HttpMode::Proxy).await;
    let kari = sb.member(KARI);
    assert!(sb.invalid_session(false), "INVALID_SESSION sent");
    sb.wait_identified(2)
        .await
        .expect("the bot identifies again");
    let answer = kari
        .slash("rekruttering", &["ny"], &[("stilling", "d")])
        .await
        .expect("answer after re-identify");
    assert!(answer.content().contains(": d"), "{}", answer.content());
    sb.assert_no_failures();
    bot.stop().await;
}

/// Answers `/melding` with a reply, then a follow-up and a post in another channel right after.
#[poise::command(slash_command)]
async fn melding(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say("Første").await?;
    ctx.say("Andre").await?;
    serenity::ChannelId::new(GENERELT)
        .say(ctx, "Til alle")
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_answer_includes_follow_ups_and_posts_that_come_right_after() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![melding()],
            ..Default::default()
        })
        .setup(|ctx, _ready, fw| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &fw.options().commands).await?;
                Ok(Data)
            })
        })
        .build();
    let intents = serenity::GatewayIntents::non_privileged();
    let builder = sb
        .client_builder(intents, HttpMode::Proxy)
        .expect("builder")
        .framework(framework);
    let bot = sb.start_client(builder).await.expect("bot");
    sb.wait_for_commands_registered().await.expect("registered");
    let answer = sb
        .member(KARI)
        .in_channel(REKRUTTERING)
        .slash("melding", &[], &[])
        .await
        .expect("answer");
    let texts: Vec<&str> = answer
        .messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(texts, vec!["Første", "Andre"]);
    assert_eq!(answer.posted.len(), 1);
    assert_eq!(answer.posted[0]["content"], "Til alle");
    assert_eq!(answer.posted[0]["channel_id"], GENERELT.to_string());
    sb.assert_no_failures();
    bot.stop().await;
}

#[tokio::test]
async fn the_demo_script_language_drives_the_bot() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let bot = start_bot(&sb, HttpMode::Proxy).await;
    let run = |line: &'static str| {
        let sb = sb.clone();
        async move { sandbox::script::run(&sb, line).await }
    };
    let out = run(r#"kari #rekruttering /rekruttering ny stilling:"HR-rådgiver" leder:1002"#).await;
    assert!(out.contains("Ny rekruttering: HR-rådgiver (john)"), "{out}");
    assert!(
        out.contains("[Utført]") && out.contains("<Velg steg>"),
        "{out}"
    );
    let out = run(r#"kari #rekruttering select "Velg steg" Intervju"#).await;
    assert!(
        out.contains("Valgt: iv") && out.contains("only you can see this"),
        "{out}"
    );
    let out = run("kari #rekruttering press Utført").await;
    assert!(out.contains("Utført ✅"), "{out}");
    let out = run("kari /notat").await;
    assert!(
        out.contains("modal \"Notat\"") && out.contains("Tekst: ___"),
        "{out}"
    );
    let out = run(r#"kari modal Tekst:"God kandidat""#).await;
    assert!(out.contains("Lagret: God kandidat"), "{out}");
    assert!(run("kari #rekruttering say Takk!")
        .await
        .starts_with("(said in"));
    let out = run("show #rekruttering").await;
    assert!(
        out.contains("Utført ✅") && out.contains("kari: Takk!"),
        "{out}"
    );
    assert!(run("nobody /notat").await.starts_with("error: no member"));
    assert_eq!(run("failures").await, "no failures");
    bot.stop().await;
}
