//! Loading many rows in one transaction ([`Import`]): what a tool does that fills a database in
//! bulk (the benchmark's seeds), where a commit per case would cost one disk sync each.

use chrono::{DateTime, Utc};
use flow::journey::Journey;
use flow::{Applied, Case, CaseId, PlannedReminder};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::cases::cards::set_card_on;
use crate::cases::rows::{CaseCard, DiscordColumn};
use crate::cases::{create_case_on, save_applied_on, set_case_thread_on};
use crate::journey::{create_journey_on, set_journey_message_on, set_journey_thread_on};
use crate::pg::cases as pg;
use crate::pg::journey as pg_journey;
use crate::{Db, Result};

/// One transaction that writes what the application's functions of the same names write, all
/// of it at [`Import::commit`], none of it if the import is dropped before.
pub struct Import<'a> {
    tx: Tx<'a>,
}

/// The import's transaction, on the database's backend.
enum Tx<'a> {
    Sqlite(Transaction<'a, Sqlite>),
    Postgres(Transaction<'a, Postgres>),
}

impl Db {
    /// Begins an [`Import`].
    pub async fn import(&self) -> Result<Import<'_>> {
        let tx = match self.postgres() {
            Some(pg) => Tx::Postgres(pg.pool.begin().await?),
            None => Tx::Sqlite(self.pool().begin().await?),
        };
        Ok(Import { tx })
    }
}

impl Import<'_> {
    /// Stores everything written in this import.
    pub async fn commit(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// [`crate::create_case`] inside the import.
    pub async fn create_case<S, P>(&mut self, guild: u64, start: S, plan: P) -> Result<Case>
    where
        S: FnOnce(CaseId) -> Applied,
        P: FnOnce(&Case) -> Vec<PlannedReminder>,
    {
        match &mut self.tx {
            Tx::Sqlite(tx) => create_case_on(&mut **tx, guild, start, plan).await,
            Tx::Postgres(tx) => pg::create_case_on(&mut **tx, guild, start, plan).await,
        }
    }

    /// [`crate::save_applied`] inside the import.
    pub async fn save_applied(
        &mut self,
        guild: u64,
        expected_version: i64,
        applied: &Applied,
        wanted: &[PlannedReminder],
    ) -> Result<()> {
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                save_applied_on(&mut **tx, guild, expected_version, applied, wanted).await
            }
            Tx::Postgres(tx) => {
                pg::save_applied_on(&mut **tx, guild, expected_version, applied, wanted).await
            }
        }
    }

    /// [`crate::set_case_thread`] inside the import.
    pub async fn set_case_thread(&mut self, guild: u64, case: CaseId, thread: u64) -> Result<()> {
        match &mut self.tx {
            Tx::Sqlite(tx) => set_case_thread_on(&mut **tx, guild, case, thread).await,
            Tx::Postgres(tx) => {
                pg::set_discord_id(&mut **tx, guild, case, DiscordColumn::Thread, thread).await
            }
        }
    }

    /// [`crate::set_card`] inside the import.
    pub async fn set_card(&mut self, guild: u64, case: CaseId, card: CaseCard) -> Result<()> {
        match &mut self.tx {
            Tx::Sqlite(tx) => set_card_on(&mut **tx, guild, case, card).await,
            Tx::Postgres(tx) => pg::set_card_on(&mut **tx, guild, case, card).await,
        }
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
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                create_journey_on(&mut **tx, guild, journey, wanted, plan_case, now).await
            }
            Tx::Postgres(tx) => {
                pg_journey::create_journey_on(&mut **tx, guild, journey, wanted, plan_case, now)
                    .await
            }
        }
    }

    /// [`crate::set_journey_thread`] inside the import.
    pub async fn set_journey_thread(
        &mut self,
        guild: u64,
        case: CaseId,
        thread: u64,
    ) -> Result<bool> {
        match &mut self.tx {
            Tx::Sqlite(tx) => set_journey_thread_on(&mut **tx, guild, case, thread).await,
            Tx::Postgres(tx) => {
                pg_journey::set_journey_thread_on(&mut **tx, guild, case, thread).await
            }
        }
    }

    /// [`crate::set_journey_message`] inside the import.
    pub async fn set_journey_message(
        &mut self,
        guild: u64,
        case: CaseId,
        message: u64,
    ) -> Result<()> {
        match &mut self.tx {
            Tx::Sqlite(tx) => set_journey_message_on(&mut **tx, guild, case, message).await,
            Tx::Postgres(tx) => {
                pg_journey::set_journey_message_on(&mut **tx, guild, case, message).await
            }
        }
    }
}
