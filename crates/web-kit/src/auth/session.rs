//! Sessions: tower-sessions with a store of our own on the application's pool (the table
//! `session`, migration `0011_sessions.sql`), so that every instance of the server on one
//! database shares them, on SQLite and on PostgreSQL alike. The cookie is HttpOnly,
//! SameSite=Lax, Secure when configured (TLS), and expires after a time without requests; the
//! sign-in time in the session bounds it absolutely ([`super::AuthConfig`]).

use async_trait::async_trait;
use sozialatlas_store::{Pool, begin_write};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::AppState;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "sozialatlas_session";

/// The session store: one row per session in `session` (id, the record as JSON, the expiry
/// as Unix seconds).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

/// A database error as the session layer's.
fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// A record as its stored columns.
fn columns(record: &Record) -> session_store::Result<(String, String, i64)> {
    let data =
        serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok((
        record.id.to_string(),
        data,
        record.expiry_date.unix_timestamp(),
    ))
}

impl Store {
    pub fn new(pool: Pool) -> Self {
        Store { pool }
    }

    /// Deletes expired sessions.
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM session WHERE expiry_date < $1")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl SessionStore for Store {
    /// Stores a new session; an id that exists already (a collision of random ids) is replaced
    /// by a new one, never overwritten.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut tx = begin_write(&self.pool).await.map_err(backend)?;
        loop {
            let (id, data, expiry) = columns(record)?;
            let inserted = sqlx::query(
                "INSERT INTO session (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(data)
            .bind(expiry)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                break;
            }
            record.id = Id::default();
        }
        tx.commit().await.map_err(backend)
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, data, expiry) = columns(record)?;
        sqlx::query(
            "INSERT INTO session (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM session WHERE id = $1 AND expiry_date > $2")
                .bind(id.to_string())
                .bind(time::OffsetDateTime::now_utc().unix_timestamp())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        data.map(|d| {
            serde_json::from_str(&d).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM session WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// The session layer for the application.
pub fn session_layer(state: &AppState) -> SessionManagerLayer<Store> {
    let cfg = &state.auth().config;
    SessionManagerLayer::new(state.session_store().clone())
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(cfg.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(cfg.session_idle))
}
