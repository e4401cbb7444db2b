//! Pressing a button on a message as a person still sees it: an old card on a phone that has
//! not refreshed, or two people pressing the same button at the same moment.

use serde_json::{json, Value};

use super::answer::components;
use super::{Actor, ActorError, Pending};

impl Actor {
    /// The message as it is now, to press on later as a snapshot.
    pub fn snapshot(&self, message_id: u64) -> Result<Value, ActorError> {
        self.visible_message(message_id)
    }

    /// Dispatches a press of the button labelled `label` on `snapshot` without waiting for
    /// the answer; `wait` gets it.
    pub fn start_press_on(&self, label: &str, snapshot: &Value) -> Result<Pending, ActorError> {
        let custom_id = components(snapshot)
            .find(|c| c["type"] == 2 && c["label"] == label)
            .and_then(|c| c["custom_id"].as_str())
            .ok_or_else(|| {
                ActorError::NotFound(format!("no button labelled {label:?} on the snapshot"))
            })?
            .to_owned();
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        self.dispatch_on(
            3,
            data,
            snapshot.clone(),
            format!("answer the button {label:?}"),
        )
    }

    /// Presses `label` on `snapshot` and waits for the answer.
    pub async fn press_on_snapshot(
        &self,
        label: &str,
        snapshot: &Value,
    ) -> Result<super::Answer, ActorError> {
        let pending = self.start_press_on(label, snapshot)?;
        self.wait(pending).await
    }
}
