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
/// messages. Stored as `c:<channel>` or `u:<user>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    Channel(ChannelId),
    User(UserId),
}

impl Destination {
    /// The stored form.
    pub fn encode(self) -> String {
        match self {
            Destination::Channel(c) => format!("c:{c}"),
            Destination::User(u) => format!("u:{u}"),
        }
    }

    /// A stored form back; `None` for anything else (including id 0, "nowhere").
    pub fn decode(text: &str) -> Option<Destination> {
        let id = |s: &str| s.parse::<u64>().ok().filter(|id| *id != 0);
        match text.split_once(':')? {
            ("c", c) => id(c).map(|c| Destination::Channel(ChannelId(c))),
            ("u", u) => id(u).map(|u| Destination::User(UserId(u))),
            _ => None,
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
            assert_eq!(Destination::decode(&d.encode()), Some(d));
        }
        for bad in ["c:0", "u:0", "c:", "x:5", "", "c:-3", "u:abc"] {
            assert_eq!(Destination::decode(bad), None, "{bad}");
        }
    }
}
