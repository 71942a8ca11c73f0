//! The user-interface texts: the kit's table ([`Msgs`]), the analysis pages' own and the
//! address search's.

pub use sozialatlas_web_kit::i18n::*;

pub mod analysis;
pub mod regions;
pub mod search;
