//! Pure rendering of thematic maps and charts (Karten und Diagramme) as SVG, and PNG through
//! resvg.
//!
//! Architecture invariant: no I/O (the only files are the fonts compiled in), no SQL, no HTTP.
//! Plain data in (geometries in WGS84, values, labels, colours, texts), SVG strings out. Colours
//! come from the caller (the classify crate's palettes), numbers are formatted with
//! [`sozialatlas_core::locale::format_decimal`], every caller text goes through [`escape`].
//!
//! # Embedding
//!
//! The SVGs are meant to be inlined into HTML pages and the PDF report, so:
//! - every id starts with the spec's `id` (unique on the page), the `<style>` block is scoped
//!   by that id, and the look is carried by presentation attributes that page CSS can
//!   override; hooks are classes prefixed `sa-` (`sa-area`, `sa-bar`, `sa-legend`, …);
//! - every figure has `<title>` and `<desc>` and `aria-labelledby` on the root; charts are
//!   `role="img"`, maps `role="group"` because their areas are focusable (`tabindex="0"`,
//!   `aria-label`, or a link);
//! - every mark has a `<title>` tooltip and a `data-key` for linking map, table and chart;
//! - text is at least 12 px, in `#222` or `#595959` on white (WCAG AA), or black/white chosen by
//!   [`palette::text_colour_on`](sozialatlas_classify::palette::text_colour_on) on coloured
//!   fills;
//! - the font stack is [`FONT_FAMILY`]: Noto Sans (compiled in for PNG), then fallbacks.

mod charts;
mod geom;
mod map;
mod png;
mod svg;
mod text;

pub use charts::axis::nice_ticks;
pub use charts::bar::{Bar, BarChartSpec, BarValue, bar_chart};
pub use charts::dendrogram::{DendrogramSpec, Merge, dendrogram, leaf_order};
pub use charts::heat::{HeatTableSpec, heat_table};
pub use charts::line::{LineChartSpec, Series, SeriesRole, line_chart};
pub use charts::moran::{MoranPoint, MoranSpec, moran_scatter};
pub use charts::scatter::{ScatterPoint, ScatterSpec, scatter};
pub use charts::spine::{SparklineSpec, SpineSpec, sparkline, spine_row};
pub use geom::Projection;
pub use map::{
    AreaLabels, AreaState, CityReference, HtmlLabel, LABEL_PX, LegendClass, LegendFill, LegendRow,
    MapArea, MapLegend, MapPoint, MapSpec, choropleth, choropleth_with_labels, legend_categories,
    legend_classes, locator_area, locator_classes, map_legend,
};
pub use png::{svg_to_png, usvg_options};
pub use svg::{FONT_FAMILY, escape};
pub use text::{
    DEJAVU_SANS_BOLD_SYMBOLS, DEJAVU_SANS_SYMBOLS, NOTO_SANS_BOLD, NOTO_SANS_REGULAR, text_width,
};

use sozialatlas_core::Locale;

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The SVG could not be parsed.
    #[error("the SVG could not be parsed: {0}")]
    Svg(#[from] resvg::usvg::Error),
    /// The image would be empty or too large.
    #[error("the image size is zero or too large")]
    Size,
    /// The scale is not a positive number.
    #[error("the scale must be a positive number, not {0}")]
    Scale(f32),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// Merge data of a dendrogram do not form a binary tree.
    #[error("invalid dendrogram: {0}")]
    Dendrogram(String),
}

/// A number with up to 2 decimals, trailing zeros dropped (scale bar, axis ticks).
pub(crate) fn format_number(x: f64, locale: Locale) -> String {
    sozialatlas_core::locale::format_trimmed(x, 2, locale)
}
