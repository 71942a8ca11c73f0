//! PNG rendering with resvg and the compiled-in fonts.

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use crate::RenderError;
use crate::text::{
    DEJAVU_SANS_BOLD_SYMBOLS, DEJAVU_SANS_SYMBOLS, NOTO_SANS_BOLD, NOTO_SANS_REGULAR,
};

/// The font database: only the compiled-in Noto Sans, also as the generic `sans-serif`, so that
/// a PNG looks the same on every machine and no system font is read; the symbols Noto Sans lacks
/// (− ≤ ≥ → …) come from the DejaVu Sans subset by resvg's fallback.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(NOTO_SANS_REGULAR.to_vec());
    db.load_font_data(NOTO_SANS_BOLD.to_vec());
    db.load_font_data(DEJAVU_SANS_SYMBOLS.to_vec());
    db.load_font_data(DEJAVU_SANS_BOLD_SYMBOLS.to_vec());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every glyph of the text of `svg`, with the family of the font it was set in.
    fn glyphs(svg: &str) -> Vec<(String, u16, String)> {
        let tree = usvg::Tree::from_str(svg, &usvg_options()).unwrap();
        let mut out = Vec::new();
        for node in tree.root().children() {
            if let usvg::Node::Text(text) = node {
                for span in text.layouted() {
                    for g in &span.positioned_glyphs {
                        let family = FONTS
                            .face(g.font)
                            .and_then(|f| f.families.first().map(|x| x.0.clone()))
                            .unwrap_or_default();
                        out.push((g.text.clone(), g.id.0, family));
                    }
                }
            }
        }
        out
    }

    /// The signs Noto Sans lacks are set in the DejaVu subset, not as empty boxes (glyph 0), in
    /// regular and bold; letters stay in Noto Sans.
    #[test]
    fn signs_noto_sans_lacks_are_drawn_from_the_fallback() {
        for weight in ["normal", "bold"] {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text x="5" y="30" font-family="Noto Sans" font-weight="{weight}" font-size="20">a − ≤ ≥ → ≈ ∞ ⌊</text></svg>"#
            );
            let g = glyphs(&svg);
            assert!(!g.is_empty());
            for (text, id, family) in &g {
                assert_ne!(*id, 0, "{text:?} ({weight}) has no glyph: {g:?}");
                if text == "a" {
                    assert_eq!(family, "Noto Sans");
                } else if text.trim().is_empty() {
                    continue;
                } else {
                    assert_eq!(family, "DejaVu Sans", "{text:?} ({weight})");
                }
            }
        }
    }
}
