//! The compiled-in fonts and text measurement for layout (legend widths, label collisions,
//! wrapping). Measuring with the font that resvg renders with keeps PNGs free of overlaps; in a
//! browser with a narrower fallback (Arial) the text only gets a little shorter.

use std::sync::LazyLock;

/// Noto Sans Regular (SIL OFL 1.1, see `assets/fonts/`).
pub static NOTO_SANS_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold (SIL OFL 1.1, see `assets/fonts/`).
pub static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

struct Metrics {
    units_per_em: f64,
    /// Advance widths of the first 0x250 code points (Latin, Latin-1, Latin Extended-A/B).
    advance: Vec<Option<u16>>,
    fallback: f64,
}

impl Metrics {
    fn load(bytes: &[u8]) -> Metrics {
        match ttf_parser::Face::parse(bytes, 0) {
            Ok(face) => {
                let advance = (0u32..0x250)
                    .map(|cp| {
                        char::from_u32(cp)
                            .and_then(|c| face.glyph_index(c))
                            .and_then(|g| face.glyph_hor_advance(g))
                    })
                    .collect();
                Metrics {
                    units_per_em: f64::from(face.units_per_em()),
                    advance,
                    fallback: 0.6,
                }
            }
            // The fonts are compiled in and tested; an approximation keeps layout going anyway.
            Err(_) => Metrics {
                units_per_em: 1000.0,
                advance: Vec::new(),
                fallback: 0.6,
            },
        }
    }

    fn width(&self, s: &str, size: f64) -> f64 {
        let em: f64 = s
            .chars()
            .map(|c| {
                self.advance
                    .get(c as usize)
                    .copied()
                    .flatten()
                    .map(|a| f64::from(a) / self.units_per_em)
                    .unwrap_or(match c {
                        '–' | '—' => 0.5,
                        '…' => 0.8,
                        _ => self.fallback,
                    })
            })
            .sum();
        em * size
    }
}

static REGULAR: LazyLock<Metrics> = LazyLock::new(|| Metrics::load(NOTO_SANS_REGULAR));
static BOLD: LazyLock<Metrics> = LazyLock::new(|| Metrics::load(NOTO_SANS_BOLD));

/// The width in px of `s` set in Noto Sans at `size` px.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    if bold {
        BOLD.width(s, size)
    } else {
        REGULAR.width(s, size)
    }
}

/// Breaks `s` into lines no wider than `max_width` at spaces (a single word wider than that
/// stays on its own line).
pub(crate) fn wrap(s: &str, size: f64, bold: bool, max_width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size, bold) > max_width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_the_font() {
        let w = text_width("Neustadt", 12.0, false);
        assert!(w > 40.0 && w < 60.0, "{w}");
        assert!(text_width("Neustadt", 12.0, true) > w);
        assert!(text_width("ü", 12.0, false) > 0.0);
    }

    #[test]
    fn wraps_at_spaces() {
        let l = wrap(
            "Datenquelle: Stadt Flensburg, Sozialatlas",
            12.0,
            false,
            120.0,
        );
        assert!(l.len() >= 2);
        assert!(l.iter().all(|x| !x.is_empty()));
    }
}
