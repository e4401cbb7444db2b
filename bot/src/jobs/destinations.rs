//! Sending a reminder message to its place (`storage::Destination`: a case thread, the HR
//! channel, or a person's direct messages) through the [`Pacer`]. A DM channel's id never
//! changes, so each person's is opened once per process (`POST /users/@me/channels`) and
//! remembered.

use std::collections::HashMap;
use std::sync::Mutex;

use serenity::all::{ChannelId, CreateMessage, Http, UserId};
use serenity::http::Route;

use storage::Destination;

use crate::pace::Pacer;

/// Each person's DM channel, once opened.
#[derive(Default)]
pub struct DmChannels {
    known: Mutex<HashMap<UserId, ChannelId>>,
}

impl DmChannels {
    fn get(&self, user: UserId) -> Option<ChannelId> {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user)
            .copied()
    }

    /// The person's DM channel: remembered, or opened now (paced).
    pub async fn of(
        &self,
        http: &Http,
        pacer: &Pacer,
        user: UserId,
    ) -> Result<ChannelId, serenity::Error> {
        if let Some(channel) = self.get(user) {
            return Ok(channel);
        }
        pacer.ready(http, Route::UserMeDmChannels).await;
        let channel = user.create_dm_channel(http).await?.id;
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user, channel);
        Ok(channel)
    }
}

/// Sends `message` to a channel or a person, paced. [`Destination::Nowhere`] is an error
/// without a request (the caller settles it before).
pub async fn send(
    http: &Http,
    pacer: &Pacer,
    dms: &DmChannels,
    to: Destination,
    message: CreateMessage,
) -> Result<(), serenity::Error> {
    let channel = match to {
        Destination::Channel(channel) => ChannelId::new(channel.get()),
        Destination::User(user) => dms.of(http, pacer, UserId::new(user.get())).await?,
        Destination::Nowhere => return Err(serenity::Error::Other("no destination")),
    };
    pacer
        .ready(
            http,
            Route::ChannelMessages {
                channel_id: channel,
            },
        )
        .await;
    channel.send_message(http, message).await.map(|_| ())
}
