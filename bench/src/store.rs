//! Where the benchmarks' databases live: SQLite files in the run's folder, or databases of their
//! own on the PostgreSQL server `LOS_TEST_POSTGRES` names. What the two backends do differently
//! for the bench is here: making, copying and dropping a database, how many writes one import
//! carries, and the few statements the bench runs itself (no parameters, so no placeholders).

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context as _;
use sqlx::{Connection, Postgres, Sqlite};
use storage::Db;

/// The variable naming the PostgreSQL server (an admin URL), as for the tests and CI.
pub const POSTGRES: &str = "LOS_TEST_POSTGRES";

/// One database.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(PathBuf),
    Postgres { url: String },
}

impl Store {
    /// Opens it (creating a SQLite file), the schema brought up to date.
    pub async fn open(&self) -> anyhow::Result<Db> {
        Ok(match self {
            Store::Sqlite(path) => Db::open(&path.display().to_string()).await?,
            Store::Postgres { url } => Db::open_postgres(url).await?,
        })
    }

    /// Writes (a case made, a change saved) one import carries. SQLite: many, since each
    /// commit is a disk sync. PostgreSQL: each write is a savepoint of the import's
    /// transaction, and past 64 of them in one transaction it slows for every session.
    pub fn writes_per_import(&self) -> usize {
        match self {
            Store::Sqlite(_) => 5_000,
            Store::Postgres { .. } => 48,
        }
    }

    /// Imports that may run at once: SQLite has one writer; PostgreSQL's pool has eight
    /// connections.
    pub fn seeders(&self) -> u32 {
        match self {
            Store::Sqlite(_) => 1,
            Store::Postgres { .. } => 4,
        }
    }
}

/// Where the databases of one backend are made.
pub enum Home {
    /// SQLite files in this folder (the run's temporary folder, removed with it).
    Dir(PathBuf),
    /// Databases on a PostgreSQL server, named after this run; every one made is dropped by
    /// [`Home::remove_all`].
    Server {
        admin: String,
        prefix: String,
        made: Mutex<Vec<String>>,
    },
}

impl Home {
    /// The server [`POSTGRES`] names, or why there is none.
    pub fn postgres() -> Result<Home, String> {
        match std::env::var(POSTGRES) {
            Ok(admin) if !admin.trim().is_empty() => Ok(Home::Server {
                admin,
                prefix: format!("los_bench_{}", std::process::id()),
                made: Mutex::new(Vec::new()),
            }),
            _ => Err(format!(
                "{POSTGRES} is not set (a PostgreSQL server's URL, e.g. \
                 `export {POSTGRES}=\"$(.ci/postgres)\"`)"
            )),
        }
    }

    /// A new, empty database called `name` (letters, digits and `_`).
    pub async fn create(&self, name: &str) -> anyhow::Result<Store> {
        match self {
            Home::Dir(dir) => Ok(Store::Sqlite(dir.join(format!("{name}.db")))),
            Home::Server { .. } => self.make(name, None).await,
        }
    }

    /// A copy of `from` called `name`. `from` must have no connection open.
    pub async fn copy(&self, from: &Store, name: &str) -> anyhow::Result<Store> {
        match (self, from) {
            (Home::Dir(_), Store::Sqlite(path)) => {
                let store = self.create(name).await?;
                if let Store::Sqlite(to) = &store {
                    std::fs::copy(path, to)?;
                }
                Ok(store)
            }
            (Home::Server { .. }, Store::Postgres { url }) => {
                let template = url.rsplit('/').next().unwrap_or_default().to_owned();
                self.make(name, Some(&template)).await
            }
            _ => anyhow::bail!("a database copied to another backend"),
        }
    }

    async fn make(&self, name: &str, template: Option<&str>) -> anyhow::Result<Store> {
        let Home::Server {
            admin,
            prefix,
            made,
        } = self
        else {
            anyhow::bail!("not a server");
        };
        let full = format!("{prefix}_{name}");
        match template {
            None => storage::create_postgres_database(admin, &full).await?,
            Some(t) => admin_sql(
                admin,
                &format!("CREATE DATABASE \"{full}\" TEMPLATE \"{t}\""),
            )
            .await
            .with_context(|| format!("copying {t}"))?,
        }
        made.lock().expect("names").push(full.clone());
        Ok(Store::Postgres {
            url: url_of(admin, &full),
        })
    }

    /// Removes one database (what fails is left for [`Home::remove_all`] or the folder).
    pub async fn remove(&self, store: &Store) {
        match (self, store) {
            (Home::Dir(_), Store::Sqlite(path)) => {
                let _ = std::fs::remove_file(path);
            }
            (Home::Server { admin, made, .. }, Store::Postgres { url }) => {
                let name = url.rsplit('/').next().unwrap_or_default();
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if admin_sql(admin, &sql).await.is_ok() {
                    made.lock().expect("names").retain(|n| n != name);
                }
            }
            _ => {}
        }
    }

    /// Drops every database this run made on the server.
    pub async fn remove_all(&self) {
        if let Home::Server { admin, made, .. } = self {
            let names = std::mem::take(&mut *made.lock().expect("names"));
            for name in names {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(e) = admin_sql(admin, &sql).await {
                    eprintln!("bench: could not drop the PostgreSQL database {name}: {e:#}");
                }
            }
        }
    }
}

async fn admin_sql(admin: &str, sql: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::raw_sql(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// The server's admin URL with `database` in place of its own database.
fn url_of(admin: &str, database: &str) -> String {
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{}/{database}{query}", &base[..path])
}

/// A value both backends decode alike.
pub trait Value:
    Send
    + Unpin
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Postgres>
    + for<'r> sqlx::Decode<'r, Postgres>
{
}
impl<T> Value for T where
    T: Send
        + Unpin
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Postgres>
        + for<'r> sqlx::Decode<'r, Postgres>
{
}

/// The first column of the first row of `sql`.
pub async fn scalar<T: Value>(db: &Db, sql: &str) -> anyhow::Result<T> {
    Ok(match db.postgres_pool() {
        Some(pg) => sqlx::query_scalar(sql).fetch_one(pg).await?,
        None => sqlx::query_scalar(sql).fetch_one(db.sqlite_pool()).await?,
    })
}

/// The first column of every row of `sql`.
pub async fn column<T: Value>(db: &Db, sql: &str) -> anyhow::Result<Vec<T>> {
    Ok(match db.postgres_pool() {
        Some(pg) => sqlx::query_scalar(sql).fetch_all(pg).await?,
        None => sqlx::query_scalar(sql).fetch_all(db.sqlite_pool()).await?,
    })
}

/// Runs `sql` (one statement).
pub async fn execute(db: &Db, sql: &str) -> anyhow::Result<()> {
    match db.postgres_pool() {
        Some(pg) => {
            sqlx::query(sql).execute(pg).await?;
        }
        None => {
            sqlx::query(sql).execute(db.sqlite_pool()).await?;
        }
    }
    Ok(())
}

/// A time column or expression as the SQLite codec writes times (`…T…:…:….nnnnnnnnnZ`):
/// parsed as RFC 3339, and compared with the column as a literal on either backend.
pub fn time_text(db: &Db, expr: &str) -> String {
    if db.is_postgres() {
        format!("to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"000Z\"')")
    } else {
        expr.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::url_of;

    #[test]
    fn a_database_url_keeps_the_server_and_its_options() {
        assert_eq!(
            url_of("postgres://postgres@127.0.0.1:55440/postgres", "x"),
            "postgres://postgres@127.0.0.1:55440/x"
        );
        assert_eq!(
            url_of("postgres://u:p@h/postgres?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(url_of("postgres://h:5432", "x"), "postgres://h:5432/x");
    }
}
