//! Who a message notifies, as Discord decides it: a mention pings only when the message's
//! `allowed_mentions` lets it (everything mentioned pings when the message has none); a
//! mention that is not allowed shows as a name and notifies nobody.

mod common;

use common::*;
use sandbox::{HttpMode, Sandbox};
use serenity::builder::{CreateAllowedMentions, CreateMessage};
use serenity::model::id::{ChannelId, RoleId, UserId};

#[tokio::test]
async fn only_allowed_mentions_ping() {
    let sb = Sandbox::start(world()).await.expect("sandbox");
    let http = sb.http(HttpMode::Proxy).expect("http");
    let ch = ChannelId::new(REKRUTTERING);
    let text = "<@1001> <@!1002> <@&501> <@&502> @everyone";
    let none = CreateAllowedMentions::new();
    let some = CreateAllowedMentions::new()
        .users([UserId::new(1002)])
        .roles([RoleId::new(502)]);
    let all_users = CreateAllowedMentions::new().all_users(true);
    for allowed in [Some(none), Some(some), Some(all_users), None] {
        let mut message = CreateMessage::new().content(text);
        if let Some(a) = allowed {
            message = message.allowed_mentions(a);
        }
        ch.send_message(&http, message).await.expect("send");
    }
    let pings = sb.pings();
    assert_eq!(pings.len(), 4);
    let who = |i: usize| {
        (
            pings[i].users.clone(),
            pings[i].roles.clone(),
            pings[i].everyone,
        )
    };
    assert_eq!(
        who(0),
        (vec![], vec![], false),
        "nothing allowed: names only"
    );
    assert_eq!(who(1), (vec![1002], vec![502], false), "the listed ones");
    assert_eq!(who(2), (vec![1001, 1002], vec![], false), "users parsed");
    assert_eq!(
        who(3),
        (vec![1001, 1002], vec![501, 502], true),
        "no allowed_mentions: everything mentioned pings"
    );
    assert!(pings.iter().all(|p| p.channel == REKRUTTERING));
    sb.assert_no_failures();
}
