//! A database of one test's own, for every test that needs one: a SQLite file in a temporary
//! directory, or a PostgreSQL database created on `FLOWGATE_TEST_DATABASE_URL`'s server and
//! dropped after the test, so tests run in parallel and reruns start clean. Without the variable
//! the PostgreSQL half says loudly that it did not run; with it and no server, the test fails.
//!
//! Each PostgreSQL test database is a copy of a template migrated once with flowgate's
//! migrations, so a test does not pay for migrating; see [`template`].

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flowgate::store::Store;
use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use tokio::sync::OnceCell;

const TEST_DATABASE_URL: &str = "FLOWGATE_TEST_DATABASE_URL";

/// flowgate's PostgreSQL migrations, the same files the store runs.
static PG_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Test databases are named `flowgate_t{created, unix seconds}_{pid}_{seq}_{test}`, so that one
/// left behind by a test process that died can be recognised by its age.
const TEST_DATABASE_PREFIX: &str = "flowgate_t";
/// Templates are named `flowgate_tmpl_{hash of the migrations}`.
const TEMPLATE_PREFIX: &str = "flowgate_tmpl_";
/// A test database older than this was left behind: no test runs for an hour.
const LEAKED_AFTER: Duration = Duration::from_secs(3600);
/// The advisory lock every test process takes to build or sweep templates (`flowgate` in ASCII).
const TEMPLATE_LOCK: i64 = 0x666c_6f77_6761_7465;

#[derive(Clone)]
pub struct Db {
    /// `sqlite` or `postgres`, for messages.
    pub name: &'static str,
    pub url: String,
    /// The server's URL and the database created on it, to drop it after the test.
    postgres: Option<(String, String)>,
    _dir: Option<Arc<tempfile::TempDir>>,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("flowgate.db").display());
        Db { name: "sqlite", url, postgres: None, _dir: Some(Arc::new(dir)) }
    }

    /// A fresh, migrated PostgreSQL database named after `test`; `None`, after saying so on
    /// stderr, when no server is configured. Panics when the variable is set and the server
    /// cannot be reached.
    pub async fn postgres(test: &str) -> Option<Db> {
        let server = match std::env::var(TEST_DATABASE_URL) {
            Ok(server) if !server.is_empty() => server,
            _ => {
                // Straight to stderr: the harness hides what passing tests `eprintln!`.
                let message = format!(
                    "\n*** {test}: the PostgreSQL half DID NOT RUN: set {TEST_DATABASE_URL} (.ci/run sets it) ***\n"
                );
                let _ = writeln!(std::io::stderr(), "{message}");
                return None;
            }
        };
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let created = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let test: String = test.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(24).collect();
        let name = format!("{TEST_DATABASE_PREFIX}{created}_{}_{seq}_{test}", std::process::id()).to_lowercase();
        let template = template(&server).await;
        let mut admin = connect(&server).await;
        let create = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        if let Err(e) = sqlx::query(&create).execute(&mut admin).await {
            // A test process built on other migrations may have dropped this template as old:
            // build it again and copy once more.
            let missing = e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "3D000");
            assert!(missing, "creates the test database {name} from {template}: {e}");
            build_template(&server, &template, false).await;
            sqlx::query(&create).execute(&mut admin).await.expect("creates the test database from a rebuilt template");
        }
        admin.close().await.expect("closes");
        Some(Db { name: "postgres", url: with_database(&server, &name), postgres: Some((server, name)), _dir: None })
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.unwrap_or_else(|e| panic!("connects to {}: {e}", self.url))
    }

    /// Empties a PostgreSQL test database of the schema it was copied with, for a test that
    /// builds an older schema itself; a SQLite one starts empty already.
    pub async fn unmigrated(&self) {
        if let Some((server, name)) = &self.postgres {
            let mut admin = connect(server).await;
            for sql in [format!("DROP DATABASE \"{name}\" WITH (FORCE)"), format!("CREATE DATABASE \"{name}\"")] {
                sqlx::query(&sql).execute(&mut admin).await.expect("recreates the test database empty");
            }
            admin.close().await.expect("closes");
        }
    }

    /// Drops a PostgreSQL test database; call it at the end of the test.
    pub async fn drop_database(&self) {
        if let Some((server, name)) = &self.postgres {
            let mut admin = PgConnection::connect(server).await.expect("reconnects to drop the test database");
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drops the test database");
        }
    }
}

/// SQLite, and PostgreSQL when `FLOWGATE_TEST_DATABASE_URL` is set (see [`Db::postgres`]).
pub async fn databases(test: &str) -> Vec<Db> {
    let mut out = vec![Db::sqlite()];
    out.extend(Db::postgres(test).await);
    out
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (url, query) = url.split_once('?').map_or((url, String::new()), |(u, q)| (u, format!("?{q}")));
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let base = match url[authority_start..].find('/') {
        Some(slash) => &url[..authority_start + slash],
        None => url,
    };
    format!("{base}/{name}{query}")
}

async fn connect(server: &str) -> PgConnection {
    PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}={server} is set but its server cannot be reached: {e}"))
}

/// The name of the migrated template on `server`, built by the first test of this process that
/// asks (the others wait for it), which also sweeps away old templates and leaked test databases.
async fn template(server: &str) -> String {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            build_template(server, &name, true).await;
            name
        })
        .await
        .clone()
}

/// Named by the migrations' contents, so that a changed or added migration gets a template of
/// its own instead of copying a stale one.
fn template_name() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for migration in PG_MIGRATIONS.iter() {
        for b in migration.version.to_le_bytes().iter().chain(migration.checksum.iter()) {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{TEMPLATE_PREFIX}{hash:016x}")
}

/// Makes sure template `name` exists on `server`, migrated; with `sweep`, first drops other
/// templates and test databases left behind. Holds an advisory lock throughout, since several
/// test processes may share the server.
async fn build_template(server: &str, name: &str, sweep: bool) {
    let mut admin = connect(server).await;
    sqlx::query("SELECT pg_advisory_lock($1)").bind(TEMPLATE_LOCK).execute(&mut admin).await.expect("locks");
    if sweep {
        sweep_leftovers(&mut admin, name).await;
    }
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await
        .expect("looks the template up");
    if exists.is_none() {
        // Migrated under a name of its own and renamed when done, so a process that dies while
        // migrating leaves no half-migrated template behind (the next sweep drops the rest).
        let building = format!("{name}_building");
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drops a half-built template");
        sqlx::query(&format!("CREATE DATABASE \"{building}\""))
            .execute(&mut admin)
            .await
            .expect("creates the template");
        let mut template = connect(&with_database(server, &building)).await;
        PG_MIGRATIONS.run(&mut template).await.expect("migrates the template");
        template.close().await.expect("closes the template");
        sqlx::query(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("names the migrated template");
    }
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(TEMPLATE_LOCK).execute(&mut admin).await.expect("unlocks");
    admin.close().await.expect("closes");
}

/// Drops templates other than `current` (built from other migrations) and test databases older
/// than [`LEAKED_AFTER`] (their test panicked before dropping them, or its process was killed).
/// A database that cannot be dropped now is left for the next sweep.
async fn sweep_leftovers(admin: &mut PgConnection, current: &str) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'flowgate\\_t%'")
        .fetch_all(&mut *admin)
        .await
        .expect("lists databases");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let leftover = |name: &str| match name.strip_prefix(TEMPLATE_PREFIX) {
        Some(_) => name != current,
        None => {
            let created = name.strip_prefix(TEST_DATABASE_PREFIX).and_then(|rest| rest.split('_').next());
            created.and_then(|c| c.parse::<u64>().ok()).is_some_and(|c| now.saturating_sub(c) > LEAKED_AFTER.as_secs())
        }
    };
    for name in names.iter().filter(|n| leftover(n)) {
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        if let Err(e) = sqlx::query(&drop).execute(&mut *admin).await {
            let _ = writeln!(std::io::stderr(), "leaves {name} for the next sweep: {e}");
        }
    }
}
