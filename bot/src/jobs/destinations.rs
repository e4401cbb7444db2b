//! Where a reminder message goes, and sending it there through the [`Pacer`]. An outbox row
//! names its place as `c:<channel id>` (a case thread, the HR channel) or `u:<user id>` (the
//! person's direct messages). A DM channel's id never changes, so each person's is opened once
//! per process (`POST /users/@me/channels`) and remembered.

use std::collections::HashMap;
use std::sync::Mutex;

use serenity::all::{ChannelId, CreateMessage, Http, UserId};
use serenity::http::Route;

use crate::pace::Pacer;

/// A parsed destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Channel(ChannelId),
    User(UserId),
    /// No place at all (`c:0`: no HR channel and no thread, or an unreadable destination).
    Nowhere,
}

impl Destination {
    pub fn parse(text: &str) -> Destination {
        let id = |s: &str| s.parse::<u64>().ok().filter(|id| *id != 0);
        match text.split_once(':') {
            Some(("u", user)) => {
                id(user).map_or(Destination::Nowhere, |u| Destination::User(UserId::new(u)))
            }
            Some(("c", channel)) => id(channel).map_or(Destination::Nowhere, |c| {
                Destination::Channel(ChannelId::new(c))
            }),
            _ => Destination::Nowhere,
        }
    }
}

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
        Destination::Channel(channel) => channel,
        Destination::User(user) => dms.of(http, pacer, user).await?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_parse_and_nonsense_goes_nowhere() {
        assert_eq!(
            Destination::parse("u:42"),
            Destination::User(UserId::new(42))
        );
        assert_eq!(
            Destination::parse("c:7"),
            Destination::Channel(ChannelId::new(7))
        );
        for bad in ["c:0", "u:0", "c:", "x:5", "", "c:-3", "u:abc"] {
            assert_eq!(Destination::parse(bad), Destination::Nowhere, "{bad}");
        }
    }
}
