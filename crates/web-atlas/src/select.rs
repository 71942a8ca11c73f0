//! The options of the pages' `<select>` elements.

use sozialatlas_core::Locale;
use sozialatlas_core::model::Level;

pub(crate) use sozialatlas_web_kit::form::{Opt, opt};

/// One option per level in `shown` (indices into `levels`): its id, its name in `locale`;
/// `selected` ticked.
pub(crate) fn level_opts(
    levels: &[Level],
    shown: impl IntoIterator<Item = usize>,
    selected: usize,
    locale: Locale,
) -> Vec<Opt> {
    shown
        .into_iter()
        .map(|l| {
            opt(
                levels[l].id.clone(),
                levels[l].name.get(locale),
                l == selected,
            )
        })
        .collect()
}

/// One option per year, `selected` ticked.
pub(crate) fn year_opts<'a>(
    years: impl IntoIterator<Item = &'a i32>,
    selected: Option<i32>,
) -> Vec<Opt> {
    years
        .into_iter()
        .map(|&y| opt(y.to_string(), y.to_string(), Some(y) == selected))
        .collect()
}
