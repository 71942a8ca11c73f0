//! Who may save an analysis result: a signed-in process manager or administrator. Until the
//! accounts module is in place nobody may, and the pages say how to get the right.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::typology::Saver;
use crate::AppState;

/// The saving right of the request's user, for the pages that offer to save.
pub(crate) struct MaySave(pub Saver);

impl FromRequestParts<AppState> for MaySave {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaySave(Saver { csrf: None }))
    }
}
