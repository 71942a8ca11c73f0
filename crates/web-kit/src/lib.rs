//! The kit every part of Sozialatlas's web layer is built on: the shared state ([`AppState`]),
//! one error type ([`AppError`]) that handlers return with `?` and the middleware that makes it
//! a page ([`error::render_errors`]), the page frame ([`Layout`]) with the navigation the
//! composing crate gives it ([`Nav`]), the texts in German and English ([`i18n`]), the route
//! table ([`Routes`]), accounts on the web (sessions, the signed-in user, CSRF, rate limits and
//! the account and administration pages: [`auth`]), the static assets, and the panic guard
//! ([`error::panic_guard`]).
//!
//! Architecture invariant: the kit knows no part that serves pages — not the atlas, not
//! participation, not the offices (checked over `cargo metadata`); they depend on it, and the
//! composing crate hands it what it must show of them (the navigation).

pub mod assets;
pub mod auth;
pub mod cpu;
pub mod error;
pub mod form;
pub mod headers;
pub mod i18n;
pub mod layout;
pub mod limits;
pub mod routes;
pub mod state;

pub use auth::{AuthConfig, CurrentUser};
pub use error::AppError;
pub use form::{Ctx, FieldErrors, FormPage, end_form, form_page, see_other, step_of};
pub use layout::{Layout, Nav, NavEntry, html, personal_page, public_url};
pub use routes::{RouteSpec, Routes};
pub use state::{AppState, Index};
