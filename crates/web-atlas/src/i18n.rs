//! The user-interface texts: the kit's table ([`Msgs`]) and the analysis pages' own.

pub use sozialatlas_web_kit::i18n::*;

pub mod analysis;
