//! Running the bot under test against the sandbox.

use std::sync::Arc;

use anyhow::Context;
use serenity::all::{ClientBuilder, GatewayIntents, ShardManager};
use tokio::task::JoinHandle;

use crate::{HttpMode, Sandbox};

/// A running serenity client. Dropping it stops the client task.
pub struct Bot {
    task: JoinHandle<()>,
    shard_manager: Arc<ShardManager>,
}

impl Bot {
    /// Shuts the shards down (closing the gateway connection) and ends the client.
    pub async fn stop(self) {
        self.shard_manager.shutdown_all().await;
    }

    /// Whether the client task has ended (e.g. `Client::start` returned an error).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sandbox {
    /// A serenity `ClientBuilder` whose HTTP goes to the sandbox (see [`HttpMode`]); add the
    /// framework or event handler and pass it to [`Sandbox::start_client`].
    pub fn client_builder(
        &self,
        intents: GatewayIntents,
        mode: HttpMode,
    ) -> anyhow::Result<ClientBuilder> {
        Ok(ClientBuilder::new_with_http(self.http(mode)?, intents))
    }

    /// Builds the client, starts it (`Client::start`, which asks `GET /gateway`) and waits until
    /// it has identified. With poise, then wait for [`Sandbox::wait_for_commands_registered`]
    /// before acting: poise holds events until its setup is done.
    pub async fn start_client(&self, builder: ClientBuilder) -> anyhow::Result<Bot> {
        let mut client = builder.await.context("building the serenity client")?;
        let shard_manager = client.shard_manager.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = client.start().await {
                tracing::error!("bot client stopped: {e}");
            }
        });
        self.wait_connected().await?;
        Ok(Bot {
            task,
            shard_manager,
        })
    }
}
