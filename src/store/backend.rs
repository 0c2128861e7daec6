//! The two databases the store runs on: how each is opened, how a write takes its turn, and the
//! little SQL they spell differently. Statements are written once in the table modules and run on
//! either database through `each_backend!`, `reading!`, `writing!` and `in_transaction!`, which
//! expand the same code once per backend, so each copy is compiled against its own driver.
//!
//! SQLite, for a single server: one file in WAL mode, written by one transaction at a time (a lock
//! in this process, `BEGIN IMMEDIATE` and a busy timeout between processes). PostgreSQL, for
//! replicas sharing one queue: writers take row locks instead (see `queue::postgres`).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use super::error::{StoreError, redact, scrub};

#[derive(Clone)]
pub(super) enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

#[derive(Clone)]
pub(super) struct Sqlite {
    pub(super) pool: SqlitePool,
    /// Serialises this process's writes: waiting on a lock here is cheap and fair, where SQLite's
    /// busy handler polls with growing sleeps.
    writer: Arc<Mutex<()>>,
}

#[derive(Clone)]
pub(super) struct Postgres {
    pub(super) pool: PgPool,
}

/// What PostgreSQL's writers hold instead of SQLite's writer lock: nothing, since its row locks
/// let writers overlap.
pub(super) struct NoTurn;

/// The SQL the two databases spell differently in statements that are otherwise the same.
pub(super) struct Dialect {
    /// Follows a text column in `ORDER BY` so that both order it byte-wise: SQLite's default
    /// (BINARY), where PostgreSQL would follow the database's locale.
    pub(super) bytewise: &'static str,
}

const SQLITE_DIALECT: Dialect = Dialect { bytewise: "" };
const POSTGRES_DIALECT: Dialect = Dialect { bytewise: " COLLATE \"C\"" };

/// Runs `$body` with `$db` bound to the store's backend (`Sqlite` or `Postgres`). The body is
/// expanded once per backend, so one statement text serves both; a method both backends have
/// under one name (e.g. `insert_batch`) is where they differ.
macro_rules! each_backend {
    ($backend:expr, |$db:ident| $body:expr) => {
        match $backend {
            $crate::store::backend::Backend::Sqlite($db) => $body,
            $crate::store::backend::Backend::Postgres($db) => $body,
        }
    };
}

/// Runs `$body` with `$pool` the backend's pool, for statements that only read.
macro_rules! reading {
    ($backend:expr, |$pool:ident| $body:expr) => {
        $crate::store::backend::each_backend!($backend, |db| {
            let $pool = &db.pool;
            $body
        })
    };
}

/// Runs `$body` with `$pool` the backend's pool, for one statement that writes (committed on its
/// own): on SQLite it waits for this process's writer lock first.
macro_rules! writing {
    ($backend:expr, |$pool:ident| $body:expr) => {
        $crate::store::backend::each_backend!($backend, |db| {
            let _turn = db.write_turn().await;
            let $pool = &db.pool;
            $body
        })
    };
}

/// Runs `$body` in one write transaction of `$db` (a `Sqlite` or `Postgres`), with `$tx: &mut
/// Transaction`: committed if it succeeds and rolled back at once if not (see `finish`). On SQLite
/// it holds the writer lock and SQLite's write lock from the start. `$body` is an expression of
/// type `Result<T, StoreError>`, and may use `?`.
macro_rules! transaction {
    ($db:expr, $doing:expr, |$tx:ident| $body:expr) => {{
        let (_turn, mut tx) = $db.begin($doing).await?;
        let result: Result<_, $crate::store::StoreError> = async {
            let $tx = &mut tx;
            $body
        }
        .await;
        $crate::store::backend::finish(tx, $doing, result).await
    }};
}

/// `transaction!` on the store's backend, with `$db` bound to it for what differs.
macro_rules! in_transaction {
    ($backend:expr, $doing:expr, |$db:ident, $tx:ident| $body:expr) => {
        $crate::store::backend::each_backend!($backend, |$db| $crate::store::backend::transaction!(
            $db,
            $doing,
            |$tx| $body
        ))
    };
}

pub(super) use {each_backend, in_transaction, reading, transaction, writing};

/// How long a SQLite writer waits for another process's write to finish before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite readers run alongside the writer in WAL mode; a few are plenty for one server.
const SQLITE_MAX_CONNECTIONS: u32 = 4;

/// How long connecting to PostgreSQL may take before the database counts as unreachable.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a PostgreSQL query waits for a free connection when every one is busy.
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
const PG_MAX_CONNECTIONS: u32 = 10;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Sqlite {
    pub(super) async fn connect(url: &str) -> Result<Sqlite, StoreError> {
        let invalid = |e: sqlx::Error| StoreError::InvalidUrl { url: redact(url), reason: scrub(&e.to_string(), url) };
        let options = SqliteConnectOptions::from_str(url).map_err(invalid)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            // An in-memory database lives as long as its connection: keep exactly one, forever.
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(SQLITE_MAX_CONNECTIONS)
        };
        let options = if in_memory {
            options
        } else {
            // FULL: a delivery GitHub was told is stored survives a power cut, not only a crash.
            options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        };
        let pool = pool
            .acquire_timeout(SQLITE_BUSY_TIMEOUT * 2)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unreachable { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        SQLITE_MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        Ok(Sqlite { pool, writer: Arc::new(Mutex::new(())) })
    }

    /// Waits for this process's turn to write; keep the guard until the write ends.
    pub(super) async fn write_turn(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    /// Starts this process's one write transaction, holding SQLite's write lock from the first
    /// statement (`BEGIN IMMEDIATE`): a transaction that reads first and then writes would have to
    /// upgrade its lock, which fails at once whatever the busy timeout. Keep the guard until the
    /// transaction ends.
    pub(super) async fn begin(
        &self,
        doing: &'static str,
    ) -> Result<(MutexGuard<'_, ()>, Transaction<'static, sqlx::Sqlite>), StoreError> {
        let turn = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(StoreError::query(doing))?;
        Ok((turn, tx))
    }

    pub(super) fn dialect(&self) -> &'static Dialect {
        &SQLITE_DIALECT
    }
}

impl Postgres {
    pub(super) async fn connect(url: &str) -> Result<Postgres, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        let unreachable = |reason: String| StoreError::Unreachable { url: redact(url), reason: scrub(&reason, url) };
        // One connection first, under a deadline: the pool retries a refused connection until its
        // acquire timeout and then says only that it timed out, which hides the reason.
        match tokio::time::timeout(PG_CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Err(_) => return Err(unreachable(format!("no answer within {} s", PG_CONNECT_TIMEOUT.as_secs()))),
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Ok(Ok(conn)) => {
                // Only a probe; failing to say goodbye politely changes nothing.
                let _ = conn.close().await;
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(PG_MAX_CONNECTIONS)
            .acquire_timeout(PG_ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        // The migrator takes an advisory lock, so replicas starting together migrate once.
        PG_MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate { url: redact(url), reason: scrub(&e.to_string(), url) })?;
        Ok(Postgres { pool })
    }

    pub(super) async fn write_turn(&self) -> NoTurn {
        NoTurn
    }

    pub(super) async fn begin(
        &self,
        doing: &'static str,
    ) -> Result<(NoTurn, Transaction<'static, sqlx::Postgres>), StoreError> {
        let tx = self.pool.begin().await.map_err(StoreError::query(doing))?;
        Ok((NoTurn, tx))
    }

    pub(super) fn dialect(&self) -> &'static Dialect {
        &POSTGRES_DIALECT
    }
}

/// `$from, $from+1, ...`: `n` numbered placeholders, one per value of a list, for `IN (...)`. Both
/// databases accept them; PostgreSQL plans `x IN ($2, $3)` as `x = ANY(ARRAY[$2, $3])`, just as if
/// the list were bound as one array.
pub(super) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Commits `tx` if `result` is a success, else rolls it back at once: a transaction merely
/// dropped is rolled back only when its connection is next used, holding its locks until then.
/// Callers run their statements in an `async` block (`in_transaction!` does) and pass its result
/// here; a helper taking an async closure instead would make every store future fail to be `Send`
/// (a compiler limitation with closures over borrowed arguments), and the server spawns them.
pub(super) async fn finish<Db: sqlx::Database, T>(
    tx: Transaction<'static, Db>,
    doing: &'static str,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(StoreError::query(doing))?;
            Ok(value)
        }
        Err(e) => {
            // The error that made us roll back is the one to report; a failed rollback ends
            // with the connection anyway.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}
