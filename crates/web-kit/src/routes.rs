//! The route table: every route is registered through [`Routes`], which records its method and
//! path pattern beside the axum router. [`crate::route_table`] returns the record, and the
//! authorisation matrix test (`tests/it/authz.rs`) fails for a route that has no row there.
//!
//! Add a page: `Routes::new().get("/ideas/{id}", handler).post("/ideas/{id}/vote", vote)`, and
//! merge it into the page routes (they are served in German at `/…` and in English at `/en/…`).

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{delete, get, patch, post, put};
use axum::{Extension, Router};

use sozialatlas_core::Locale;

use crate::AppState;
use crate::limits::FORM_LIMIT;

/// One registered route: method, path pattern (`/areas/{level}/{key}`) and the largest body it
/// takes (see [`crate::limits`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The axum path pattern.
    pub path: String,
    /// The largest request body, in bytes ([`FORM_LIMIT`] unless registered with more).
    pub body_limit: usize,
}

/// An axum router that remembers what it routes.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

macro_rules! method_fn {
    ($name:ident, $m:expr, $doc:literal) => {
        #[doc = $doc]
        pub fn $name<H, T>(mut self, path: &str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.table.push(RouteSpec {
                method: $m,
                path: path.to_string(),
                body_limit: FORM_LIMIT,
            });
            self.router = self.router.route(path, $name(handler));
            self
        }
    };
}

impl Routes {
    /// No routes.
    pub fn new() -> Self {
        Self::default()
    }

    method_fn!(get, Method::GET, "Adds a GET route.");
    method_fn!(post, Method::POST, "Adds a POST route.");
    method_fn!(put, Method::PUT, "Adds a PUT route.");
    method_fn!(patch, Method::PATCH, "Adds a PATCH route.");
    method_fn!(delete, Method::DELETE, "Adds a DELETE route.");

    /// Adds a form at `path`: `show` answers its GET, `submit` its POST.
    pub fn form<H, T, S, U>(self, path: &str, show: H, submit: S) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
        S: Handler<U, AppState>,
        U: 'static,
    {
        self.get(path, show).post(path, submit)
    }

    /// Adds a POST route `{base}/{step}` for each of `steps`, all served by `handler`, which
    /// tells them apart by the route's last segment ([`crate::step_of`]).
    pub fn steps<H, T>(mut self, base: &str, steps: &[&str], handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        for step in steps {
            self = self.post(&format!("{base}/{step}"), handler.clone());
        }
        self
    }

    /// Adds a POST route for uploads, whose body may be up to `limit` bytes (every other
    /// route takes at most [`FORM_LIMIT`]).
    pub fn upload<H, T>(mut self, path: &str, handler: H, limit: usize) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push(RouteSpec {
            method: Method::POST,
            path: path.to_string(),
            body_limit: limit,
        });
        self.router = self
            .router
            .route(path, post(handler).layer(DefaultBodyLimit::max(limit)));
        self
    }

    /// Adds the routes of `other`.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Adds the routes of `other` under `prefix` (`/en`); `other`'s `/` becomes `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.table
            .extend(other.table.into_iter().map(|r| RouteSpec {
                method: r.method,
                path: if r.path == "/" {
                    prefix.to_string()
                } else {
                    format!("{prefix}{}", r.path)
                },
                body_limit: r.body_limit,
            }));
        self
    }

    /// Nests a plain axum router under `prefix`, declaring the routes it has (relative to
    /// `prefix`): for routers that keep their own list, such as the API's.
    pub fn nest_router<'a>(
        mut self,
        prefix: &str,
        router: Router<AppState>,
        routes: impl IntoIterator<Item = (Method, &'a str)>,
    ) -> Self {
        self.router = self.router.nest(prefix, router);
        self.table
            .extend(routes.into_iter().map(|(method, p)| RouteSpec {
                method,
                path: format!("{prefix}{p}"),
                body_limit: FORM_LIMIT,
            }));
        self
    }

    /// The routes that `pages` makes, in German at `/…` and in English at `/en/…`, each with
    /// its [`Locale`] as a request extension (`Extension(locale): Extension<Locale>`).
    pub fn localized(pages: impl Fn() -> Routes) -> Self {
        Routes::new()
            .merge(pages().map_router(|r| r.layer(Extension(Locale::De))))
            .nest(
                "/en",
                pages().map_router(|r| r.layer(Extension(Locale::En))),
            )
    }

    /// Applies `f` to the router (for layers: `|r| r.layer(Extension(Locale::De))`).
    pub fn map_router(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    /// The recorded routes.
    pub fn table(&self) -> &[RouteSpec] {
        &self.table
    }

    /// The router and the recorded routes.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn handler() -> &'static str {
        ""
    }

    fn recorded(routes: &Routes) -> Vec<(Method, &str)> {
        routes
            .table()
            .iter()
            .map(|r| (r.method.clone(), r.path.as_str()))
            .collect()
    }

    #[test]
    fn a_form_is_its_get_and_its_post() {
        let routes = Routes::new().form("/ideas/new", handler, handler);
        assert_eq!(
            recorded(&routes),
            [(Method::GET, "/ideas/new"), (Method::POST, "/ideas/new")]
        );
    }

    #[test]
    fn steps_are_one_post_each_below_their_base() {
        let routes = Routes::new().steps("/ideas/{id}", &["submit", "withdraw"], handler);
        assert_eq!(
            recorded(&routes),
            [
                (Method::POST, "/ideas/{id}/submit"),
                (Method::POST, "/ideas/{id}/withdraw")
            ]
        );
    }
}
