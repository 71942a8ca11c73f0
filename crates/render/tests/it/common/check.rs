//! Checks every figure must pass, and the golden-file comparison.
#![allow(dead_code)]

use std::path::PathBuf;

use sozialatlas_render::{svg_to_png, usvg_options};

/// Compares `svg` byte for byte with `tests/golden/{name}.svg`; `UPDATE_GOLDEN=1` rewrites it.
pub fn assert_golden(name: &str, svg: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.svg"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, svg).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(
        want == svg,
        "{name}.svg differs from the golden file; look at both and run with UPDATE_GOLDEN=1 if the change is intended"
    );
}

/// The SVG parses with usvg (the parser of resvg and typst).
pub fn assert_parses(svg: &str) {
    resvg::usvg::Tree::from_str(svg, &usvg_options()).expect("SVG parses with usvg");
}

/// Root accessibility: `<title>` and `<desc>` referenced by `aria-labelledby`, the role.
pub fn assert_accessible_root(svg: &str, role: &str) {
    let head = &svg[..svg.find('>').expect("root tag")];
    assert!(head.contains(&format!("role=\"{role}\"")), "{head}");
    let id = head
        .split("id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("root id");
    assert!(head.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
    assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
    // Text at least 12 px.
    for part in svg.split("font-size=\"").skip(1) {
        let size: f64 = part
            .split('"')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("size");
        assert!(size >= 12.0, "font-size {size} < 12");
    }
}

/// Every element opening with `open` (e.g. `<rect class="sa-bar"`) has a `data-key` and a
/// `<title>` child; returns how many there are.
pub fn assert_marks(svg: &str, open: &str) -> usize {
    let mut count = 0;
    for part in svg.split(open).skip(1) {
        let tag_end = part.find('>').expect("tag end");
        assert!(
            part[..tag_end].contains("data-key=\""),
            "{open} without data-key"
        );
        assert!(
            part[tag_end..].starts_with("><title>"),
            "{open} without <title>"
        );
        count += 1;
    }
    count
}

/// PNG at `scale` has the size of the SVG times the scale, and not one colour only.
pub fn assert_png(svg: &str, scale: f32) {
    let tree = resvg::usvg::Tree::from_str(svg, &usvg_options()).expect("parses");
    let png = svg_to_png(svg, scale).expect("PNG");
    let pix = resvg::tiny_skia::Pixmap::decode_png(&png).expect("decodes");
    let size = tree.size().to_int_size().scale_by(scale).expect("size");
    assert_eq!((pix.width(), pix.height()), (size.width(), size.height()));
    let first = pix.pixels()[0];
    let distinct = pix.pixels().iter().filter(|p| **p != first).count();
    assert!(distinct > 100, "the PNG is (almost) one colour");
}

/// Every character drawn in `<text>`/`<tspan>` has a glyph in the compiled-in Noto Sans (so the
/// PNG shows no boxes; Noto Sans of 2020 lacks arrows and math signs such as `→ ≤ −`).
pub fn assert_glyphs(svg: &str) {
    let face = ttf_parser::Face::parse(sozialatlas_render::NOTO_SANS_REGULAR, 0).expect("font");
    let mut in_text = 0usize;
    for seg in svg.split('<').skip(1) {
        let (tag, content) = seg.split_once('>').unwrap_or((seg, ""));
        let name = tag.split([' ', '/']).next().unwrap_or("");
        match name {
            "text" => in_text += 1,
            "/text" => in_text = in_text.saturating_sub(1),
            _ => {}
        }
        // Content of <title> inside a text is a tooltip, not drawn.
        if in_text > 0
            && (name == "text" || name == "tspan" || name == "/tspan" || name == "/title")
        {
            let content = content
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'");
            for c in content.chars().filter(|c| !c.is_whitespace()) {
                assert!(
                    face.glyph_index(c).is_some(),
                    "no glyph for {c:?} in {content:?}"
                );
            }
        }
    }
}
