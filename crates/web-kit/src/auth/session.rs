//! Sessions: tower-sessions with its SQLite store on the application's pool. The cookie is
//! HttpOnly, SameSite=Lax, Secure when configured (TLS), and expires after a time without
//! requests; the sign-in time in the session bounds it absolutely ([`super::AuthConfig`]).

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::OnceCell;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::AppState;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "sozialatlas_session";

/// The SQLite session store, which creates its table on first use (so that every pool works,
/// whoever opened it).
#[derive(Clone, Debug)]
pub struct Store {
    inner: SqliteStore,
    ready: Arc<OnceCell<()>>,
}

impl Store {
    pub fn new(pool: sozialatlas_store::Pool) -> Self {
        Store {
            inner: SqliteStore::new(pool),
            ready: Arc::new(OnceCell::new()),
        }
    }

    async fn ready(&self) -> session_store::Result<()> {
        self.ready
            .get_or_try_init(|| async {
                self.inner
                    .migrate()
                    .await
                    .map_err(|e| session_store::Error::Backend(e.to_string()))
            })
            .await
            .map(|_| ())
    }

    /// Deletes expired sessions.
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        use tower_sessions::ExpiredDeletion;
        self.ready().await?;
        self.inner.delete_expired().await
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.ready().await?;
        self.inner.create(record).await
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.ready().await?;
        self.inner.save(record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.ready().await?;
        self.inner.load(id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.ready().await?;
        self.inner.delete(id).await
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
