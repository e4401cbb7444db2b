//! The sandbox as a process, for the demo: starts a demo world, prints how to reach it as one
//! JSON line, then reads lines in the `sandbox::script` language from stdin and prints what the
//! person sees. Requests and failures go to `LOS_SANDBOX_LOG` if set.

use sandbox::{Member, Sandbox, World};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

fn demo_world() -> World {
    World::new()
        .role(501, "Leder")
        .role(502, "HR-rådgiver")
        .member(Member::new(1001, "kari").roles(&[501]).locale("no"))
        .member(Member::new(1002, "john").roles(&[502]).locale("en-US"))
        .member(Member::new(1003, "ola").dms_closed())
        .channel(702, "rekruttering")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let sb = Sandbox::start(demo_world()).await?;
    let w = sb.world();
    let info = json!({
        "http_url": sb.http_url(),
        "gateway_url": sb.gateway_url(),
        "token": w.token,
        "application_id": w.application_id.to_string(),
        "guild_id": w.guild_id.to_string(),
    });
    println!("{info}");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let out = sandbox::script::run(&sb, &line).await;
        println!("{out}");
    }
    Ok(())
}
