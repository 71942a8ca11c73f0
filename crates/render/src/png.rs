//! PNG rendering with resvg and the compiled-in fonts.

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use crate::RenderError;
use crate::text::{NOTO_SANS_BOLD, NOTO_SANS_REGULAR};

/// The font database: only the compiled-in Noto Sans, also as the generic `sans-serif`, so that
/// a PNG looks the same on every machine and no system font is read.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(NOTO_SANS_REGULAR.to_vec());
    db.load_font_data(NOTO_SANS_BOLD.to_vec());
    db.set_sans_serif_family("Noto Sans");
    Arc::new(db)
});

/// Parse options for SVGs of this crate: compiled-in fonts, Noto Sans as the default family.
pub fn usvg_options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: "Noto Sans".to_string(),
        fontdb: FONTS.clone(),
        ..usvg::Options::default()
    }
}

/// Renders an SVG to PNG at `scale` (1 = one pixel per SVG px, 2 for print or high-DPI),
/// on white.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(RenderError::Scale(scale));
    }
    let tree = usvg::Tree::from_str(svg, &usvg_options())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or(RenderError::Size)?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(RenderError::Size)?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| RenderError::Png(e.to_string()))
}
