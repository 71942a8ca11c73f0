//! Every figure the golden tests pin, by name.

use sozialatlas_core::Locale;

use crate::common;

pub fn all() -> Vec<(&'static str, String)> {
    let mut v = vec![
        (
            "map_sgb2_de",
            sozialatlas_render::choropleth(&common::sgb2_map(Locale::De)),
        ),
        (
            "map_sgb2_en",
            sozialatlas_render::choropleth(&common::sgb2_map(Locale::En)),
        ),
        (
            "map_locator",
            sozialatlas_render::choropleth(&common::locator_map()),
        ),
    ];
    v.extend(charts());
    v
}

pub fn charts() -> Vec<(&'static str, String)> {
    Vec::new()
}
