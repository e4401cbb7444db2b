//! The floor: a minimal poise bot in the same program, on the same sandbox and the same
//! transport (serenity's rate limiter on, over TLS), answering the same button with a fixed
//! reply and no database. What is left of a press when los does nothing of its own.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use sandbox::{HttpMode, Sandbox};
use serenity::{ClientBuilder, FullEvent, GuildId, Interaction, ShardManager};
use tokio::task::JoinHandle;

type Ctx<'a> = poise::Context<'a, (), anyhow::Error>;

/// One command, so that registration happens as for los.
#[poise::command(slash_command)]
async fn ping(ctx: Ctx<'_>) -> Result<(), anyhow::Error> {
    ctx.say("pong").await?;
    Ok(())
}

/// A running floor bot.
pub struct Floor {
    shards: Arc<ShardManager>,
    task: JoinHandle<Result<(), serenity::Error>>,
}

impl Floor {
    /// Connects to `sb` and waits until its command is registered.
    pub async fn start(sb: &Sandbox) -> anyhow::Result<Floor> {
        let guild = GuildId::new(sb.world().guild_id);
        let framework = poise::Framework::builder()
            .options(poise::FrameworkOptions {
                commands: vec![ping()],
                event_handler: |fw, event| {
                    Box::pin(async move {
                        if let FullEvent::InteractionCreate {
                            interaction: Interaction::Component(c),
                        } = event
                        {
                            let fixed =
                                serenity::CreateInteractionResponseMessage::new().content("OK");
                            let reply = serenity::CreateInteractionResponse::UpdateMessage(fixed);
                            c.create_response(fw.serenity_context, reply).await?;
                        }
                        Ok(())
                    })
                },
                ..Default::default()
            })
            .setup(move |ctx, _ready, framework| {
                Box::pin(async move {
                    let cmds = &framework.options().commands;
                    poise::builtins::register_in_guild(ctx, cmds, guild).await?;
                    Ok(())
                })
            })
            .build();
        let http = sb.http(HttpMode::Tls)?;
        let mut client = ClientBuilder::new_with_http(http, los::app::INTENTS)
            .framework(framework)
            .await?;
        let shards = client.shard_manager.clone();
        let task = tokio::spawn(async move { client.start().await });
        sb.wait_for_commands_registered().await?;
        Ok(Floor { shards, task })
    }

    pub async fn stop(self) {
        self.shards.shutdown_all().await;
        let _ = self.task.await;
    }
}
