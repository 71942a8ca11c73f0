//! The compiled-in fonts and text measurement for layout (legend widths, label collisions,
//! wrapping). Measuring with the font that resvg renders with keeps PNGs free of overlaps; in a
//! browser with a narrower fallback (Arial) the text only gets a little shorter.

use sozialatlas_core::Locale;
use std::sync::LazyLock;

/// Noto Sans Regular (SIL OFL 1.1, see `assets/fonts/`).
pub static NOTO_SANS_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold (SIL OFL 1.1, see `assets/fonts/`).
pub static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");
/// The arrows and mathematical operators Noto Sans lacks (− ≤ ≥ → ≈ ∞ …), from DejaVu Sans
/// (Bitstream Vera licence, see `assets/fonts/`): the fallback of the PNGs and the report.
pub static DEJAVU_SANS_SYMBOLS: &[u8] =
    include_bytes!("../../../assets/fonts/DejaVuSans-Symbols.ttf");
/// The same in bold.
pub static DEJAVU_SANS_BOLD_SYMBOLS: &[u8] =
    include_bytes!("../../../assets/fonts/DejaVuSans-Bold-Symbols.ttf");

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
    fill(s, size, bold, max_width, None)
}

/// Like [`wrap`], but a word too wide for a line is hyphenated (German or English patterns
/// by `locale`; at its own hyphens first) and, where no syllable fits, broken between letters,
/// so that no line is wider than `max_width` unless a single letter is.
pub(crate) fn wrap_hyphenated(
    s: &str,
    size: f64,
    bold: bool,
    max_width: f64,
    locale: Locale,
) -> Vec<String> {
    fill(s, size, bold, max_width, Some(locale))
}

fn fill(s: &str, size: f64, bold: bool, max_width: f64, hyphenate: Option<Locale>) -> Vec<String> {
    let fits = |t: &str| text_width(t, size, bold) <= max_width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        let Some(locale) = hyphenate.filter(|_| !fits(word)) else {
            // The word fits a line of its own (or is not to be broken).
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = word.to_string();
            continue;
        };
        // The word is wider than a line: fill the current line with as many of its pieces as
        // fit, then go on on new lines.
        let mut pieces = pieces(word, locale);
        let mut i = 0;
        while i < pieces.len() {
            let sep = if line.is_empty() { "" } else { " " };
            let mut best = None;
            for j in (i + 1)..=pieces.len() {
                let mut head: String = pieces[i..j].concat();
                if j < pieces.len() && !head.ends_with('-') {
                    head.push('-');
                }
                if fits(&format!("{line}{sep}{head}")) {
                    best = Some((j, head));
                } else {
                    break;
                }
            }
            match best {
                Some((j, head)) => {
                    line = format!("{line}{sep}{head}");
                    i = j;
                    if i < pieces.len() {
                        lines.push(std::mem::take(&mut line));
                    }
                }
                None if !line.is_empty() => lines.push(std::mem::take(&mut line)),
                None if pieces[i].chars().count() > 1 => {
                    // Not even one piece fits an empty line: break it between letters.
                    let letters: Vec<String> = pieces[i].chars().map(String::from).collect();
                    pieces.splice(i..=i, letters);
                }
                None => {
                    // A single letter wider than the line: alone.
                    line = pieces[i].clone();
                    i += 1;
                    if i < pieces.len() {
                        line.push('-');
                        lines.push(std::mem::take(&mut line));
                    }
                }
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The pieces a word may break between: at its hyphens, then at syllables (a hyphen is kept
/// on the piece before it).
fn pieces(word: &str, locale: Locale) -> Vec<String> {
    let lang = match locale {
        Locale::De => hypher::Lang::German,
        Locale::En => hypher::Lang::English,
    };
    let mut out = Vec::new();
    for part in word.split_inclusive('-') {
        let (stem, dash) = match part.strip_suffix('-') {
            Some(s) => (s, "-"),
            None => (part, ""),
        };
        let start = out.len();
        if stem.chars().all(char::is_alphabetic) && !stem.is_empty() {
            out.extend(hypher::hyphenate(stem, lang).map(str::to_string));
        }
        if out.len() == start {
            out.push(stem.to_string());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(dash);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenates_a_word_wider_than_the_line() {
        let w = 78.0;
        let l = wrap_hyphenated("Grundsicherungsleistungen", 12.0, false, w, Locale::De);
        assert!(l.len() >= 2, "{l:?}");
        assert!(l.iter().all(|x| text_width(x, 12.0, false) <= w), "{l:?}");
        assert!(l[..l.len() - 1].iter().all(|x| x.ends_with('-')), "{l:?}");
        assert_eq!(l.concat().replace('-', ""), "Grundsicherungsleistungen");
        // Breaks at its own hyphens first, without doubling them.
        let l = wrap_hyphenated("SGB-II-Leistungsberechtigte", 12.0, false, w, Locale::De);
        assert!(l.iter().all(|x| text_width(x, 12.0, false) <= w), "{l:?}");
        assert!(!l.iter().any(|x| x.contains("--")), "{l:?}");
        assert_eq!(l.concat().replace('-', ""), "SGBIILeistungsberechtigte");
        // Words that fit are not touched.
        assert_eq!(
            wrap_hyphenated("Anteil unter 18", 12.0, false, w, Locale::De),
            wrap("Anteil unter 18", 12.0, false, w)
        );
        // Without syllables (a long code): letter by letter.
        let l = wrap_hyphenated("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 12.0, false, 40.0, Locale::En);
        assert!(
            l.iter().all(|x| text_width(x, 12.0, false) <= 40.0),
            "{l:?}"
        );
    }

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
