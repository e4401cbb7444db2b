//! Members pressing the next step's button on random open cases, a fixed number of them at
//! once (a closed loop: a member presses again as soon as the bot has answered), with each
//! press's latency as the sandbox measured it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use flow::CaseId;
use los::custom_id::{ComponentId, Verb};
use los::i18n::Tr;
use los::render::{card, Scope};
use sandbox::Sandbox;
use serde_json::{json, Value};
use storage::Db;

use crate::seed::{card_of, settings, thread_of};

/// A case that may be pressed, with its thread and card in the sandbox.
#[derive(Debug, Clone)]
pub struct Target {
    pub thread: u64,
    pub card: u64,
    /// The card, as the bot rendered it from the stored case.
    pub body: Value,
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct Run {
    pub latencies: Vec<Duration>,
    pub wall: Duration,
    /// Answers that were neither the updated card nor an acknowledgement whose card is edited
    /// by the announcement after (refusals, errors): must be 0.
    pub other_answers: usize,
    /// Presses acknowledged without the card because the card was being edited just then
    /// (the edit shows the change): answered, counted apart.
    pub acknowledged: usize,
    /// Presses with no initial response 20 s after the last answer: must be 0.
    pub unanswered: usize,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    /// The `q` quantile (0.5, 0.99, 1.0), nearest rank.
    pub fn quantile(&self, q: f64) -> Duration {
        let mut v = self.latencies.clone();
        v.sort();
        let rank = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len().max(1));
        v.get(rank - 1).copied().unwrap_or_default()
    }
}

/// The cards of these cases as the bot renders them from the database (before the run).
pub async fn targets(db: &Db, guild: u64, cases: &[i64]) -> anyhow::Result<Vec<Target>> {
    let (process, texts) = los::prompts::load()?;
    let view = los::guild::view(&settings(guild));
    let scope = Scope::new(&process, &texts, &view);
    let tr = Tr::shared(&texts, &settings(guild));
    let mut out = Vec::with_capacity(cases.len());
    for &id in cases {
        let case = storage::load_case(db, guild, CaseId(id))
            .await?
            .with_context(|| format!("case {id} is not in the database"))?;
        let rendered = card::render(scope, &case, tr);
        out.push(Target {
            thread: thread_of(id),
            card: card_of(id),
            body: json!({ "embeds": [rendered.embed], "components": rendered.rows }),
        });
    }
    Ok(out)
}

/// Puts the threads and cards in the sandbox, as if the bot had posted them.
pub fn place(sb: &Sandbox, parent: u64, targets: &[Target]) {
    for t in targets {
        sb.add_thread(parent, t.thread, "sak");
        sb.add_bot_message(t.thread, t.card, &t.body);
    }
}

/// The first button on a card that a press completes by itself (no form).
fn plain_button(card: &Value) -> Option<String> {
    let ids = card["components"]
        .as_array()?
        .iter()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter(|c| c["type"] == 2 && c["disabled"] != true)
        .filter_map(|c| c["custom_id"].as_str());
    ids.filter(|id| {
        matches!(
            ComponentId::parse(id),
            Some(ComponentId::Press {
                verb: Verb::Done | Verb::Choose(_) | Verb::Approve | Verb::Accept,
                ..
            })
        )
    })
    .map(str::to_owned)
    .next()
}

/// `presses` presses by `members`, `concurrency` at a time, on random targets; never two at
/// once on the same case (a member who lost such a race would be told who was first). `spent`
/// (one per target, kept by the caller from one run to the next on the same bot): the cases
/// not to press again, because their card has no plain button left or will be edited at a
/// moment the bench does not see.
pub async fn run(
    sb: &Sandbox,
    members: &[u64],
    targets: &[Target],
    spent: &mut [bool],
    presses: usize,
    concurrency: usize,
    seed: u64,
) -> anyhow::Result<Run> {
    let mut rng = seed | 1;
    let mut busy = vec![false; targets.len()];
    let mut outstanding: HashMap<u64, (usize, usize)> = HashMap::new();
    let mut run = Run::default();
    let mut issued = 0;
    let start = Instant::now();
    let mut issue = |slot: usize,
                     busy: &mut Vec<bool>,
                     spent: &mut [bool],
                     issued: &mut usize|
     -> anyhow::Result<_> {
        for _ in 0..targets.len() * 4 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % targets.len() as u64) as usize;
            if busy[i] || spent[i] {
                continue;
            }
            let t = &targets[i];
            let Some(id) = sb.message(t.thread, t.card).as_ref().and_then(plain_button) else {
                spent[i] = true;
                continue;
            };
            let interaction =
                sb.start_press(members[slot % members.len()], t.thread, t.card, &id)?;
            busy[i] = true;
            *issued += 1;
            return Ok(Some((interaction, (i, slot))));
        }
        Ok(None)
    };
    for slot in 0..concurrency.min(presses) {
        match issue(slot, &mut busy, spent, &mut issued)? {
            Some((id, at)) => outstanding.insert(id, at),
            None => bail!("no case left with a plain button to press"),
        };
    }
    while !outstanding.is_empty() {
        let ids: Vec<u64> = outstanding.keys().copied().collect();
        let answered = sb.wait_answered(&ids, Duration::from_secs(20)).await;
        if answered.is_empty() {
            // Never answered (or too late, which the sandbox refuses): counted, not waited for.
            run.unanswered += ids.len();
            break;
        }
        for a in answered {
            let Some((i, slot)) = outstanding.remove(&a.id) else {
                continue;
            };
            busy[i] = false;
            run.latencies.push(a.latency);
            match a.callback {
                7 => {}
                6 => {
                    // The card is edited by the announcement, at a moment the bench does not
                    // see: pressing it again now could press the old button (and be told,
                    // rightly, that it was done already). The case is left for this bot.
                    run.acknowledged += 1;
                    spent[i] = true;
                }
                _ => run.other_answers += 1,
            }
            if issued < presses {
                if let Some((id, at)) = issue(slot, &mut busy, spent, &mut issued)? {
                    outstanding.insert(id, at);
                }
            }
        }
    }
    run.wall = start.elapsed();
    Ok(run)
}
