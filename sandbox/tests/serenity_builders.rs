//! What serenity's builders send passes the spec: a wide set of messages, components, commands
//! and interaction responses as the bot will build them, so a refusal in an end-to-end test
//! means the bot did something wrong, not that the sandbox is stricter than Discord.

mod common;

use common::*;
use sandbox::{HttpMode, Sandbox};
use serenity::all::*;

fn rich_embed() -> CreateEmbed {
    CreateEmbed::new()
        .title("Ny rekruttering")
        .description("Stilling: **rådgiver**")
        .colour(Colour::from_rgb(0, 98, 186))
        .field("Leder", "Kari", true)
        .field("Frist", "1. desember", true)
        .footer(CreateEmbedFooter::new("Oslo kommune"))
        .author(CreateEmbedAuthor::new("los"))
        .timestamp(Timestamp::now())
        .url("https://www.oslo.kommune.no")
}

fn all_components() -> Vec<CreateActionRow> {
    vec![
        CreateActionRow::Buttons(vec![
            CreateButton::new("a")
                .label("Primær")
                .style(ButtonStyle::Primary),
            CreateButton::new("b")
                .label("Sekundær")
                .style(ButtonStyle::Secondary),
            CreateButton::new("c")
                .label("Utført")
                .style(ButtonStyle::Success)
                .emoji('✅'),
            CreateButton::new("d")
                .label("Avbryt")
                .style(ButtonStyle::Danger)
                .disabled(true),
            CreateButton::new_link("https://www.oslo.kommune.no").label("Les mer"),
        ]),
        CreateActionRow::SelectMenu(
            CreateSelectMenu::new(
                "steg",
                CreateSelectMenuKind::String {
                    options: vec![
                        CreateSelectMenuOption::new("Utlysning", "ad")
                            .description("Lys ut stillingen"),
                        CreateSelectMenuOption::new("Intervju", "iv").default_selection(true),
                    ],
                },
            )
            .placeholder("Velg steg")
            .min_values(1)
            .max_values(2),
        ),
        CreateActionRow::SelectMenu(
            CreateSelectMenu::new(
                "hvem",
                CreateSelectMenuKind::User {
                    default_users: None,
                },
            )
            .placeholder("Velg person"),
        ),
        CreateActionRow::SelectMenu(CreateSelectMenu::new(
            "rolle",
            CreateSelectMenuKind::Role {
                default_roles: None,
            },
        )),
        CreateActionRow::SelectMenu(CreateSelectMenu::new(
            "kanal",
            CreateSelectMenuKind::Channel {
                channel_types: Some(vec![ChannelType::Text]),
                default_channels: None,
            },
        )),
    ]
}

#[tokio::test]
async fn messages_threads_and_commands_built_with_serenity_pass() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let first = ch
        .send_message(
            &http,
            CreateMessage::new()
                .content("Hei <@1001>")
                .embed(rich_embed())
                .components(all_components())
                .allowed_mentions(CreateAllowedMentions::new().users(vec![UserId::new(KARI)])),
        )
        .await
        .expect("rich message");
    ch.send_message(
        &http,
        CreateMessage::new()
            .content("Svar")
            .reference_message(&first),
    )
    .await
    .expect("reply");
    ch.edit_message(
        &http,
        first.id,
        EditMessage::new()
            .content("Endret")
            .embeds(vec![rich_embed()])
            .components(vec![]),
    )
    .await
    .expect("edit");
    ch.create_thread_from_message(
        &http,
        first.id,
        CreateThread::new("Rådgiver 2026").auto_archive_duration(AutoArchiveDuration::OneWeek),
    )
    .await
    .expect("thread from message");
    ch.create_thread(
        &http,
        CreateThread::new("Intern")
            .kind(ChannelType::PrivateThread)
            .invitable(false),
    )
    .await
    .expect("private thread");

    let guild = GuildId::new(sb.world().guild_id);
    let commands = vec![
        CreateCommand::new("rekruttering")
            .description("Rekruttering")
            .name_localized("en-US", "recruitment")
            .description_localized("en-US", "Recruitment")
            .default_member_permissions(Permissions::MANAGE_MESSAGES)
            .add_option(
                CreateCommandOption::new(CommandOptionType::SubCommand, "ny", "Ny rekruttering")
                    .description_localized("en-US", "New recruitment")
                    .add_sub_option(
                        CreateCommandOption::new(CommandOptionType::String, "stilling", "Stilling")
                            .required(true)
                            .max_length(100)
                            .name_localized("en-US", "position"),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(CommandOptionType::Integer, "antall", "Antall")
                            .min_int_value(1)
                            .max_int_value(10),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(CommandOptionType::String, "type", "Type")
                            .add_string_choice_localized("Fast", "fast", [("en-US", "Permanent")])
                            .add_string_choice("Vikariat", "vikar"),
                    )
                    .add_sub_option(CreateCommandOption::new(
                        CommandOptionType::User,
                        "leder",
                        "Leder",
                    ))
                    .add_sub_option(
                        CreateCommandOption::new(CommandOptionType::Channel, "kanal", "Kanal")
                            .channel_types(vec![ChannelType::Text]),
                    )
                    .add_sub_option(CreateCommandOption::new(
                        CommandOptionType::Role,
                        "rolle",
                        "Rolle",
                    ))
                    .add_sub_option(CreateCommandOption::new(
                        CommandOptionType::Boolean,
                        "hast",
                        "Haster",
                    ))
                    .add_sub_option(
                        CreateCommandOption::new(CommandOptionType::String, "sted", "Sted")
                            .set_autocomplete(true),
                    ),
            ),
        CreateCommand::new("Vis rekruttering").kind(CommandType::Message),
    ];
    guild
        .set_commands(&http, commands.clone())
        .await
        .expect("guild commands");
    Command::set_global_commands(&http, commands)
        .await
        .expect("global commands");
    sb.assert_no_failures();
}

#[tokio::test]
async fn interaction_responses_built_with_serenity_pass() {
    init_tracing();
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let mut bot = RawBot::connect(&sb).await;
    register_commands(&sb).await;
    let http = sb.http(HttpMode::Proxy).expect("http");
    let kari = sb.member(KARI);

    // A reply with embeds and components, then follow-ups and edits.
    kari.start_slash("rekruttering", &["ny"], &[("stilling", "a")], None)
        .expect("dispatched");
    let c = next_command(&mut bot).await;
    let reply = CreateInteractionResponseMessage::new()
        .content("Start")
        .embed(rich_embed())
        .components(all_components())
        .allowed_mentions(CreateAllowedMentions::new());
    c.create_response(&http, CreateInteractionResponse::Message(reply))
        .await
        .expect("reply");
    c.edit_response(
        &http,
        EditInteractionResponse::new()
            .content("Endret")
            .embed(rich_embed())
            .components(vec![]),
    )
    .await
    .expect("edit original");
    c.create_followup(
        &http,
        CreateInteractionResponseFollowup::new()
            .content("Bare for deg")
            .ephemeral(true),
    )
    .await
    .expect("ephemeral follow-up");

    // A deferred ephemeral reply filled by edit_response.
    kari.start_slash("rekruttering", &["ny"], &[("stilling", "b")], None)
        .expect("dispatched");
    let c = next_command(&mut bot).await;
    c.defer_ephemeral(&http).await.expect("defer");
    c.edit_response(&http, EditInteractionResponse::new().content("Ferdig"))
        .await
        .expect("fill");

    // A modal with short and paragraph inputs.
    kari.start_slash("rekruttering", &["ny"], &[("stilling", "c")], None)
        .expect("dispatched");
    let c = next_command(&mut bot).await;
    let modal = CreateModal::new("notat", "Notat").components(vec![
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Short, "Tittel", "tittel")
                .max_length(100)
                .required(true),
        ),
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, "Tekst", "tekst")
                .placeholder("Skriv her")
                .required(false),
        ),
    ]);
    c.create_response(&http, CreateInteractionResponse::Modal(modal))
        .await
        .expect("modal");

    // Autocomplete choices.
    kari.start_slash("rekruttering", &["ny"], &[("sted", "O")], Some("sted"))
        .expect("dispatched");
    let f = bot.next_event("INTERACTION_CREATE").await;
    let Interaction::Autocomplete(a) =
        serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses")
    else {
        panic!("autocomplete")
    };
    let choices = CreateAutocompleteResponse::new()
        .add_string_choice("Oslo", "oslo")
        .add_string_choice("Os", "os");
    a.create_response(&http, CreateInteractionResponse::Autocomplete(choices))
        .await
        .expect("choices");
    sb.assert_no_failures();
}

async fn next_command(bot: &mut RawBot) -> CommandInteraction {
    let f = bot.next_event("INTERACTION_CREATE").await;
    match serde_json::from_value::<Interaction>(f["d"].clone()).expect("parses") {
        Interaction::Command(c) => c,
        other => panic!("command expected: {other:?}"),
    }
}
