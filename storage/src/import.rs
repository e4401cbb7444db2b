//! Loading many rows in one transaction ([`Import`]): what a tool does that fills a database in
//! bulk (the benchmark's seeds), where a commit per case would cost one disk sync each.

use chrono::{DateTime, Utc};
use flow::journey::Journey;
use flow::{Applied, Case, CaseId, PlannedReminder};
use sqlx::{Sqlite, Transaction};

use crate::cases::cards::{set_card_on, CaseCard};
use crate::cases::{create_case_on, save_applied_on, set_case_thread_on};
use crate::journey::{create_journey_on, set_journey_message_on, set_journey_thread_on};
use crate::{Db, Result};

/// One transaction that writes what the application's functions of the same names write, all
/// of it at [`Import::commit`], none of it if the import is dropped before.
pub struct Import<'a> {
    tx: Transaction<'a, Sqlite>,
}

impl Db {
    /// Begins an [`Import`].
    pub async fn import(&self) -> Result<Import<'_>> {
        Ok(Import {
            tx: self.pool().begin().await?,
        })
    }
}

impl Import<'_> {
    /// Stores everything written in this import.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// [`crate::create_case`] inside the import.
    pub async fn create_case<S, P>(&mut self, guild: u64, start: S, plan: P) -> Result<Case>
    where
        S: FnOnce(CaseId) -> Applied,
        P: FnOnce(&Case) -> Vec<PlannedReminder>,
    {
        create_case_on(&mut *self.tx, guild, start, plan).await
    }

    /// [`crate::save_applied`] inside the import.
    pub async fn save_applied(
        &mut self,
        guild: u64,
        expected_version: i64,
        applied: &Applied,
        wanted: &[PlannedReminder],
    ) -> Result<()> {
        save_applied_on(&mut *self.tx, guild, expected_version, applied, wanted).await
    }

    /// [`crate::set_case_thread`] inside the import.
    pub async fn set_case_thread(&mut self, guild: u64, case: CaseId, thread: u64) -> Result<()> {
        set_case_thread_on(&mut *self.tx, guild, case, thread).await
    }

    /// [`crate::set_card`] inside the import.
    pub async fn set_card(&mut self, guild: u64, case: CaseId, card: CaseCard) -> Result<()> {
        set_card_on(&mut *self.tx, guild, case, card).await
    }

    /// [`crate::create_journey`] inside the import.
    pub async fn create_journey(
        &mut self,
        guild: u64,
        journey: &Journey,
        wanted: &[PlannedReminder],
        plan_case: impl FnOnce(&Case) -> Vec<PlannedReminder>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        create_journey_on(&mut *self.tx, guild, journey, wanted, plan_case, now).await
    }

    /// [`crate::set_journey_thread`] inside the import.
    pub async fn set_journey_thread(
        &mut self,
        guild: u64,
        case: CaseId,
        thread: u64,
    ) -> Result<bool> {
        set_journey_thread_on(&mut *self.tx, guild, case, thread).await
    }

    /// [`crate::set_journey_message`] inside the import.
    pub async fn set_journey_message(
        &mut self,
        guild: u64,
        case: CaseId,
        message: u64,
    ) -> Result<()> {
        set_journey_message_on(&mut *self.tx, guild, case, message).await
    }
}
