//! A test browser for the account pages: keeps the session cookie, sends a client address
//! (for the rate limits), reads CSRF tokens out of forms. Used by `accounts.rs`, `authz.rs`
//! and `security.rs` and others (a module of `main.rs`, beside `common`).

#![allow(dead_code)]

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;
use sozialatlas_accounts::{NewUser, Role, Status};
use sozialatlas_store::Snapshot;
use sozialatlas_web::{AppState, AuthConfig};
use tower::ServiceExt;

/// The demo atlas, loaded once per test binary (on its own runtime).
pub fn snapshot() -> Snapshot {
    static SNAP: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
    SNAP.get_or_init(|| sozialatlas_test_support::example_snapshot_blocking("flensburg"))
        .clone()
}

/// A fresh application on the demo atlas with an empty in-memory store of its own. Each test
/// makes its own: a pool lives on the runtime of the test that opened it, and every
/// `#[tokio::test]` has its own runtime.
pub async fn fresh_state(config: AuthConfig) -> AppState {
    let snap = snapshot();
    let pool = sozialatlas_test_support::test_pool().await;
    AppState::with_auth(snap, pool, config)
}

/// [`fresh_state`] with the default settings.
pub async fn state() -> AppState {
    fresh_state(AuthConfig::default()).await
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden `_csrf` field in the page.
    pub fn csrf(&self) -> Option<String> {
        let i = self.body.find("name=\"_csrf\" value=\"")? + 20;
        let j = self.body[i..].find('"')?;
        Some(self.body[i..i + j].to_string())
    }
}

/// A browser with one session.
pub struct Browser {
    pub app: Router,
    pub cookie: Option<String>,
    /// The known-browser cookie an account's sign-in sets (`sa_device=…`).
    pub device: Option<String>,
    pub ip: SocketAddr,
    /// The token of the last page that had a form.
    pub csrf: Option<String>,
}

impl Browser {
    /// A browser at client address 10.0.`a`.`b`.
    pub fn new(state: &AppState, a: u8, b: u8) -> Self {
        Browser {
            app: sozialatlas_web::router(state.clone()),
            cookie: None,
            device: None,
            ip: SocketAddr::from(([10, 0, a, b], 40000)),
            csrf: None,
        }
    }

    /// Sends a request with the session (and known-browser) cookie; remembers new ones and a
    /// page's token.
    pub async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        let cookies: Vec<&str> = [&self.cookie, &self.device]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect();
        if !cookies.is_empty() {
            b = b.header("cookie", cookies.join("; "));
        }
        if body.is_some() {
            b = b.header("content-type", "application/x-www-form-urlencoded");
        }
        let mut req = b
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        req.extensions_mut().insert(ConnectInfo(self.ip));
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        for sc in headers.get_all("set-cookie") {
            let sc = sc.to_str().unwrap_or("");
            if let Some(rest) = sc.strip_prefix("sa_device=") {
                self.device = Some(format!(
                    "sa_device={}",
                    rest.split(';').next().unwrap_or("")
                ));
            }
            if let Some(rest) = sc.strip_prefix("sozialatlas_session=") {
                let value = rest.split(';').next().unwrap_or("");
                if value.is_empty() || sc.contains("Max-Age=0") {
                    self.cookie = None;
                } else {
                    self.cookie = Some(format!("sozialatlas_session={value}"));
                }
            }
        }
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        let r = Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        if let Some(t) = r.csrf() {
            self.csrf = Some(t);
        }
        r
    }

    /// Sends a request the test builds itself (headers and bodies the form helpers do not
    /// make) with the session cookie and the client address; remembers nothing.
    pub async fn request(&self, req: axum::http::request::Builder, body: Body) -> Response {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        };
        let mut req = req.body(body).expect("request");
        req.extensions_mut().insert(ConnectInfo(self.ip));
        self.app.clone().oneshot(req).await.expect("response")
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    /// POST a form as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = form(fields);
        self.send(Method::POST, path, Some(body)).await
    }

    /// POST a form with the session's CSRF token (fetched from `/login` if none is known yet).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf.is_none() {
            self.get("/login").await;
        }
        let token = self.csrf.clone().expect("a CSRF token");
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Tries to sign in (the sign-in form sent with this e-mail address and password).
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Resp {
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in; panics unless it worked.
    pub async fn login(&mut self, email: &str, password: &str) {
        self.get("/login").await;
        let r = self.sign_in(email, password).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email}: {}",
            r.body
        );
        // The token changes at sign-in: take the new one.
        let acc = self.get("/account").await;
        assert_eq!(acc.status, StatusCode::OK, "account page after sign-in");
    }
}

/// A urlencoded body.
pub fn form(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// Creates an active account with `roles`; returns its id.
pub async fn make_user(
    state: &AppState,
    email: &str,
    name: &str,
    password: &str,
    roles: &[Role],
) -> i64 {
    sozialatlas_accounts::create_user(
        state.pool(),
        &NewUser {
            email,
            display_name: name,
            password,
            locale: "de",
            status: Status::Active,
            roles,
        },
        None,
    )
    .await
    .expect("create user")
}

/// The newest mail to `to` in the outbox, waiting up to two seconds for it (some mail is
/// queued after the answer).
pub async fn mail_to(state: &AppState, to: &str) -> Option<sozialatlas_accounts::OutboxMail> {
    for _ in 0..40 {
        let (mails, _) = sozialatlas_accounts::mail::list_outbox(state.pool(), 1000, 0)
            .await
            .expect("outbox");
        if let Some(m) = mails.into_iter().find(|m| m.to == to) {
            return Some(m);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}

/// The path of the first link in a mail body that contains `part`.
pub fn link_in(body: &str, part: &str) -> String {
    let line = body
        .lines()
        .find(|l| l.contains(part))
        .unwrap_or_else(|| panic!("no link with {part} in {body}"));
    let line = line.trim();
    match line.find("://") {
        Some(i) => {
            let rest = &line[i + 3..];
            rest[rest.find('/').unwrap_or(0)..].to_string()
        }
        None => line.to_string(),
    }
}
