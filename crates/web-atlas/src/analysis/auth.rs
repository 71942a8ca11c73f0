//! Who may save an analysis result: a signed-in process manager or administrator.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use sozialatlas_accounts::Role;

use super::typology::Saver;
use crate::AppState;
use crate::auth::CurrentUser;

/// The roles that may save action areas.
pub(crate) const SAVERS: [Role; 2] = [Role::ProcessManager, Role::Admin];

fn may_save(u: &CurrentUser) -> bool {
    SAVERS.iter().any(|r| u.has(*r))
}

/// The saving right of the request's user, for the pages that offer to save (anyone may see
/// them; the form is live only for a user who may save).
pub(crate) struct MaySave(pub Saver);

impl FromRequestParts<AppState> for MaySave {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user =
            <CurrentUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .map_err(IntoResponse::into_response)?;
        Ok(MaySave(Saver {
            csrf: user.filter(may_save).map(|u| u.csrf),
        }))
    }
}

/// A signed-in process manager or administrator (anonymous: to the sign-in page; other
/// roles: 403 in the user's language).
pub(crate) struct SaveRight {
    pub user: CurrentUser,
}

impl SaveRight {
    /// The form's saving right.
    pub fn saver(&self) -> Saver {
        Saver {
            csrf: Some(self.user.csrf.clone()),
        }
    }
}

impl FromRequestParts<AppState> for SaveRight {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user =
            <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        user.require_any(&SAVERS)
            .map_err(IntoResponse::into_response)?;
        Ok(SaveRight { user })
    }
}
