//! Discord's ids as they cross into storage: one type for each thing an id names, so a
//! channel is never passed where a server was meant. They are Discord's snowflakes (`u64`),
//! stored bit for bit as SQLite integers (`codec`). The bot converts serenity's ids to these
//! at its edge; storage knows nothing of Discord beyond them.

use std::fmt;

macro_rules! discord_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u64);

        impl $name {
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                $name(id)
            }
        }
    };
}

discord_id!(
    /// A server (Discord calls it a guild).
    GuildId
);
discord_id!(
    /// A channel, a thread (a thread is a channel) or a direct-message channel.
    ChannelId
);
discord_id!(
    /// A message.
    MessageId
);
discord_id!(
    /// A person's Discord account.
    UserId
);
discord_id!(
    /// A role on a server.
    RoleId
);

/// Where a message goes: a channel (a case thread, the HR channel) or a person's direct
/// messages; or nowhere (no HR channel set and no thread). Stored as `c:<channel>`,
/// `u:<user>`, and `c:0` for nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    Channel(ChannelId),
    User(UserId),
    Nowhere,
}

impl Destination {
    /// A channel, or nowhere when there is none.
    pub fn channel(channel: Option<u64>) -> Destination {
        channel
            .filter(|c| *c != 0)
            .map_or(Destination::Nowhere, |c| Destination::Channel(ChannelId(c)))
    }

    /// The stored form.
    pub fn encode(self) -> String {
        match self {
            Destination::Channel(c) => format!("c:{c}"),
            Destination::User(u) => format!("u:{u}"),
            Destination::Nowhere => "c:0".to_owned(),
        }
    }

    /// A stored form back; anything unreadable (and id 0) is nowhere.
    pub fn decode(text: &str) -> Destination {
        let id = |s: &str| s.parse::<u64>().ok().filter(|id| *id != 0);
        match text.split_once(':') {
            Some(("c", c)) => {
                id(c).map_or(Destination::Nowhere, |c| Destination::Channel(ChannelId(c)))
            }
            Some(("u", u)) => id(u).map_or(Destination::Nowhere, |u| Destination::User(UserId(u))),
            _ => Destination::Nowhere,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_round_trip_and_nonsense_is_nowhere() {
        for d in [
            Destination::Channel(ChannelId(7)),
            Destination::User(UserId(u64::MAX)),
        ] {
            assert_eq!(Destination::decode(&d.encode()), d);
        }
        for bad in ["c:0", "u:0", "c:", "x:5", "", "c:-3", "u:abc"] {
            assert_eq!(Destination::decode(bad), Destination::Nowhere, "{bad}");
        }
        assert_eq!(Destination::channel(None), Destination::Nowhere);
        assert_eq!(Destination::channel(Some(0)), Destination::Nowhere);
    }
}
