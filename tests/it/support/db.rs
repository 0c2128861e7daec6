//! A database of one test's own, for every test that needs one: a SQLite file in a temporary
//! directory, or a PostgreSQL database created on `FLOWGATE_TEST_DATABASE_URL`'s server and
//! dropped after the test, so tests run in parallel and reruns start clean. Without the variable
//! the PostgreSQL half says loudly that it did not run; with it and no server, the test fails.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flowgate::store::Store;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

const TEST_DATABASE_URL: &str = "FLOWGATE_TEST_DATABASE_URL";

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

    /// A fresh PostgreSQL database named after `test`; `None`, after saying so on stderr, when no
    /// server is configured. Panics when the variable is set and the server cannot be reached.
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
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let test: String = test.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(24).collect();
        let name = format!("flowgate_{test}_{}_{seq}_{nanos}", std::process::id()).to_lowercase();
        let mut admin = PgConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}={server} is set but its server cannot be reached: {e}"));
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await.expect("creates a database");
        admin.close().await.expect("closes");
        Some(Db { name: "postgres", url: with_database(&server, &name), postgres: Some((server, name)), _dir: None })
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.unwrap_or_else(|e| panic!("connects to {}: {e}", self.url))
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
