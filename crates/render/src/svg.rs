//! The SVG writing helpers every figure shares: XML escaping, coordinates, the root element with
//! its accessible name, and the style block.

use std::fmt::Write as _;

use sozialatlas_classify::palette::Rgb;

/// The font stack named in every SVG: the compiled-in Noto Sans first, then fallbacks a browser
/// has.
pub const FONT_FAMILY: &str = "'Noto Sans', 'Source Sans 3', Arial, sans-serif";

/// Text colour for body text (#222: contrast 15.9:1 on white).
pub(crate) const INK: &str = "#222222";
/// Text colour for secondary text (#595959: contrast 7:1 on white, WCAG AA and AAA).
pub(crate) const INK_SOFT: &str = "#595959";
/// Axis and grid lines.
pub(crate) const GRID: &str = "#d9d9d9";
/// Axis lines.
pub(crate) const AXIS: &str = "#767676";

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`), and drops the
/// control characters XML 1.0 forbids. The one escaping function of the crate: every text that
/// comes from the caller goes through it.
///
/// ```
/// assert_eq!(sozialatlas_render::escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Makes an id prefix safe for XML ids and CSS selectors: ASCII letters, digits, `-` and `_`;
/// it starts with a letter.
pub(crate) fn clean_id(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert_str(0, "sa-");
    }
    s
}

/// A chart's id prefix: the spec's, or the chart's `default` when the spec leaves it empty;
/// made safe by `clean_id`.
pub(crate) fn id_or(id: &str, default: &str) -> String {
    clean_id(if id.is_empty() { default } else { id })
}

/// A chart's width or height: the spec's when above zero, else the chart's `default`.
pub(crate) fn size_or(size: f64, default: f64) -> f64 {
    if size > 0.0 { size } else { default }
}

/// A coordinate rounded to 0.1 px, without a trailing `.0` (`12.3`, `12`, `-0.4`).
pub(crate) fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r }; // no "-0"
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A number for a `data-value` attribute: plain, locale-free, round-trippable.
pub(crate) fn data_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// `#rrggbb`.
pub(crate) fn hex(c: Rgb) -> String {
    c.hex()
}

/// The opening `<svg>` with size, accessible name and the scoped style block, then `<title>`
/// and `<desc>`.
///
/// `role` is `img` for charts (their marks are not focusable) and `group` for maps (whose areas
/// are focusable: focusable children inside `role="img"` would be hidden from assistive
/// technology).
#[allow(clippy::too_many_arguments)]
pub(crate) fn open(
    out: &mut String,
    id: &str,
    width: f64,
    height: f64,
    role: &str,
    title: &str,
    desc: &str,
    class: &str,
) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" id="{id}" class="sa-figure {class}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="{role}" aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="12" fill="{INK}">"#,
        w = n(width),
        h = n(height),
        font = FONT_FAMILY,
    );
    let _ = write!(
        out,
        "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    // Scoped by the root id, so that the rules do not leak into the page that embeds the SVG
    // inline. Presentation attributes carry the look; this only adds the font and focus.
    let _ = write!(
        out,
        "<style>#{id}{{font-family:{FONT_FAMILY}}}#{id} .sa-area:focus{{outline:none;stroke:#000;stroke-width:3px}}#{id} a:focus .sa-area{{stroke:#000;stroke-width:3px}}</style>"
    );
}

/// A `<text>` element; `attrs` are extra attributes written as they are (callers build them from
/// numbers and constants only).
pub(crate) fn text(out: &mut String, x: f64, y: f64, attrs: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}"{}{}>{}</text>"#,
        n(x),
        n(y),
        if attrs.is_empty() { "" } else { " " },
        attrs,
        escape(content)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_dangerous() {
        assert_eq!(
            escape("<script>&\"' ok ä"),
            "&lt;script&gt;&amp;&quot;&#39; ok ä"
        );
        assert_eq!(escape("a\u{1}b"), "ab");
    }

    #[test]
    fn coordinates() {
        assert_eq!(n(12.34), "12.3");
        assert_eq!(n(12.96), "13");
        assert_eq!(n(-0.04), "0");
        assert_eq!(n(-1.25), "-1.3");
    }

    #[test]
    fn ids() {
        assert_eq!(clean_id("map 1"), "map_1");
        assert_eq!(clean_id("1x"), "sa-1x");
        assert_eq!(clean_id("<x>"), "sa-_x_");
    }
}
