//! Colour palettes (Farbskalen) for thematic maps: ColorBrewer sequential and diverging schemes,
//! Okabe–Ito for categories, greys for missing and suppressed values, and a text-colour helper.
//!
//! The ColorBrewer colours are Cynthia Brewer's (colorbrewer2.org), Apache License 2.0:
//! "This product includes color specifications and designs developed by Cynthia Brewer
//! (http://colorbrewer.org/)." The colour-blind flags are ColorBrewer's own (`blind` in its
//! scheme table). The Okabe–Ito palette is from Okabe & Ito (2008), "Color Universal Design".
//!
//! The rule of the atlas: the darkest colour means the worse social situation. [`Polarity`] says
//! which end of an indicator is worse; [`sequential`] and [`diverging_centred`] turn it into the
//! order of the colours.

mod colorbrewer;

use serde::{Deserialize, Serialize};

use crate::breaks::Breaks;

/// An sRGB colour, serialised as `"#rrggbb"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

/// `0xRRGGBB` → [`Rgb`], for the tables.
pub(crate) const fn rgb(hex: u32) -> Rgb {
    Rgb::from_u32(hex)
}

impl Rgb {
    /// The colour `0xRRGGBB`.
    ///
    /// ```
    /// use sozialatlas_classify::palette::Rgb;
    /// assert_eq!(Rgb::from_u32(0xbd0026), Rgb { r: 0xbd, g: 0x00, b: 0x26 });
    /// ```
    pub const fn from_u32(hex: u32) -> Rgb {
        Rgb {
            r: ((hex >> 16) & 0xff) as u8,
            g: ((hex >> 8) & 0xff) as u8,
            b: (hex & 0xff) as u8,
        }
    }

    /// The CSS/SVG hex form, lower case: `#bd0026`.
    ///
    /// ```
    /// use sozialatlas_classify::palette::Rgb;
    /// assert_eq!(Rgb::from_u32(0xbd0026).hex(), "#bd0026");
    /// ```
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// Parses `#rrggbb` or `rrggbb` (either case).
    ///
    /// ```
    /// use sozialatlas_classify::palette::Rgb;
    /// assert_eq!(Rgb::parse("#BD0026"), Some(Rgb::from_u32(0xbd0026)));
    /// assert_eq!(Rgb::parse("red"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Rgb> {
        let h = s.strip_prefix('#').unwrap_or(s);
        if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(h, 16).ok().map(Rgb::from_u32)
    }

    /// WCAG 2 relative luminance, 0 (black) to 1 (white).
    ///
    /// ```
    /// use sozialatlas_classify::palette::Rgb;
    /// assert_eq!(Rgb::from_u32(0xffffff).relative_luminance(), 1.0);
    /// assert_eq!(Rgb::from_u32(0x000000).relative_luminance(), 0.0);
    /// ```
    pub fn relative_luminance(self) -> f64 {
        fn lin(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * lin(self.r) + 0.7152 * lin(self.g) + 0.0722 * lin(self.b)
    }
}

impl Serialize for Rgb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rgb, D::Error> {
        let s = String::deserialize(d)?;
        Rgb::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a #rrggbb colour")))
    }
}

/// Which end of an indicator is the worse social situation (Polarität): the catalogue's type,
/// re-exported so that callers pass an indicator's polarity straight through.
pub use sozialatlas_core::Polarity;

/// Whether a scheme is safe for colour-blind readers, as ColorBrewer marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColourBlind {
    /// Safe.
    Safe,
    /// ColorBrewer is not sure.
    Unsure,
    /// Not safe.
    NotSafe,
}

/// Why no colours could be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaletteError {
    /// The scheme has no palette with this many classes.
    #[error("{scheme} has palettes for {min} to {max} classes, not {k}")]
    ClassesOutOfRange {
        /// The scheme's name.
        scheme: &'static str,
        /// Classes asked for.
        k: usize,
        /// Fewest classes.
        min: usize,
        /// Most classes.
        max: usize,
    },
    /// The split is not a number.
    #[error("the split of a diverging palette must be a finite number")]
    SplitNotFinite,
    /// One side of the split has more classes than a diverging scheme has colours.
    #[error(
        "{below} classes lie below no change and {above} above it; a diverging scheme has at most 5 colours on each side: choose fewer classes or a sequential scheme"
    )]
    TooLopsided {
        /// Classes below the split.
        below: usize,
        /// Classes above the split.
        above: usize,
    },
}

macro_rules! schemes {
    ($(#[$m:meta])* $name:ident, $kmin:literal..=$kmax:literal, { $($(#[$vm:meta])* $v:ident => $t:ident, $blind:expr;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every scheme of this kind.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// ColorBrewer's name of the scheme (`YlOrRd`).
            pub fn name(self) -> &'static str {
                match self { $($name::$v => stringify!($v),)* }
            }

            /// ColorBrewer's `k`-class palette in ColorBrewer's order, if it has one.
            pub fn colours(self, k: usize) -> Option<&'static [Rgb]> {
                if !($kmin..=$kmax).contains(&k) {
                    return None;
                }
                Some(match self { $($name::$v => colorbrewer::$t[k - 3],)* })
            }

            /// ColorBrewer's colour-blind flag for the `k`-class palette.
            pub fn colour_blind(self, k: usize) -> ColourBlind {
                let flags: &[u8] = match self { $($name::$v => $blind,)* };
                // ColorBrewer's list starts at k = 3; a one-element list holds for every k.
                let f = if flags.len() == 1 { flags[0] } else { flags.get(k.saturating_sub(3)).copied().unwrap_or(0) };
                match f {
                    1 => ColourBlind::Safe,
                    2 => ColourBlind::Unsure,
                    _ => ColourBlind::NotSafe,
                }
            }

            fn range_error(self, k: usize) -> PaletteError {
                PaletteError::ClassesOutOfRange { scheme: self.name(), k, min: $kmin, max: $kmax }
            }
        }
    };
}

schemes!(
    /// ColorBrewer's sequential schemes (light to dark), k = 3..=9.
    Sequential, 3..=9, {
    /// Yellow–orange–red.
    YlOrRd => YLORRD, &[1];
    /// Yellow–orange–brown.
    YlOrBr => YLORBR, &[1];
    /// Orange–red.
    OrRd => ORRD, &[1];
    /// Oranges.
    Oranges => ORANGES, &[1];
    /// Reds.
    Reds => REDS, &[1];
    /// Red–purple.
    RdPu => RDPU, &[1];
    /// Purples.
    Purples => PURPLES, &[1];
    /// Blue–purple.
    BuPu => BUPU, &[1];
    /// Purple–blue.
    PuBu => PUBU, &[1];
    /// Blues.
    Blues => BLUES, &[1];
    /// Green–blue.
    GnBu => GNBU, &[1];
    /// Yellow–green–blue.
    YlGnBu => YLGNBU, &[1];
    /// Greens.
    Greens => GREENS, &[1];
    /// Yellow–green.
    YlGn => YLGN, &[1];
    /// Greys.
    Greys => GREYS, &[1];
});

schemes!(
    /// ColorBrewer's diverging schemes, k = 3..=11, listed from the warm end (red, orange, brown,
    /// pink, purple), which the atlas takes as the worse end.
    Diverging, 3..=11, {
    /// Red–blue.
    RdBu => RDBU, &[1];
    /// Orange–purple (ColorBrewer's PuOr starts with orange).
    PuOr => PUOR, &[1];
    /// Brown–blue-green.
    BrBG => BRBG, &[1];
    /// Pink–yellow-green.
    PiYG => PIYG, &[1];
    /// Purple–green.
    PRGn => PRGN, &[1];
    /// Red–yellow–blue.
    RdYlBu => RDYLBU, &[1];
    /// Red–yellow–green: the traffic light, not colour-blind safe.
    RdYlGn => RDYLGN, &[2, 2, 2, 0, 0, 0, 0, 0, 0];
});

/// The `k` colours of a sequential scheme so that the darkest means the worse situation.
///
/// `k` = 1 or 2 (after merged classes) take the middle, or the two ends, of the 3-class palette.
///
/// ```
/// use sozialatlas_classify::palette::{sequential, Polarity, Sequential};
/// let c = sequential(Sequential::YlOrRd, 3, Polarity::HigherIsWorse)?;
/// assert_eq!(c.iter().map(|c| c.hex()).collect::<Vec<_>>(), ["#ffeda0", "#feb24c", "#f03b20"]);
/// let c = sequential(Sequential::YlOrRd, 3, Polarity::HigherIsBetter)?;
/// assert_eq!(c[0].hex(), "#f03b20");
/// # Ok::<(), sozialatlas_classify::palette::PaletteError>(())
/// ```
pub fn sequential(
    scheme: Sequential,
    k: usize,
    polarity: Polarity,
) -> Result<Vec<Rgb>, PaletteError> {
    let mut c: Vec<Rgb> = match k {
        1 | 2 => {
            let three = scheme.colours(3).ok_or_else(|| scheme.range_error(k))?;
            if k == 1 {
                vec![three[1]]
            } else {
                vec![three[0], three[2]]
            }
        }
        _ => scheme
            .colours(k)
            .ok_or_else(|| scheme.range_error(k))?
            .to_vec(),
    };
    if polarity == Polarity::HigherIsBetter {
        c.reverse();
    }
    Ok(c)
}

/// Colours for a map of changes, split at `split` (no change, 0): the classes below it take
/// the colours of one arm of the scheme and those above it the other, each stepping out from
/// the lightest colour next to the split; the neutral middle colour is not used, so no class
/// reads as "no change". The breaks should have `split` as a bound ([`Breaks::split_at`]): a
/// class that holds values on both sides counts as above it. The palette used is the
/// symmetric `2s + 1`-class one, `s` being the larger number of classes on one side (at most 5).
///
/// The worse side gets the warm end of the scheme: rises if higher is worse, falls otherwise
/// (neutral: ColorBrewer's order, warm end low).
///
/// ```
/// use sozialatlas_classify::{Breaks, Closure};
/// use sozialatlas_classify::palette::{diverging_split, Diverging, Polarity};
/// let b = Breaks::from_bounds(vec![-4.0, -2.0, 0.0, 3.0, 6.0, 9.0], Closure::LeftClosed)?;
/// // Two classes of falls, three of rises: the 7-class RdBu without its middle.
/// let c = diverging_split(Diverging::RdBu, &b, 0.0, Polarity::HigherIsWorse)?;
/// let hex: Vec<String> = c.iter().map(|c| c.hex()).collect();
/// assert_eq!(hex, ["#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"]);
/// // Only falls: one arm.
/// let falls = Breaks::from_bounds(vec![-4.0, -2.0, 0.0], Closure::LeftClosed)?;
/// let c = diverging_split(Diverging::RdBu, &falls, 0.0, Polarity::HigherIsWorse)?;
/// let hex: Vec<String> = c.iter().map(|c| c.hex()).collect();
/// assert_eq!(hex, ["#0571b0", "#92c5de"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diverging_split(
    scheme: Diverging,
    breaks: &Breaks,
    split: f64,
    polarity: Polarity,
) -> Result<Vec<Rgb>, PaletteError> {
    if !split.is_finite() {
        return Err(PaletteError::SplitNotFinite);
    }
    let k = breaks.k();
    let below = breaks
        .upper_bounds()
        .iter()
        .filter(|&&u| u <= split)
        .count();
    let above = k - below;
    let s = below.max(above).max(1);
    if s > 5 {
        return Err(PaletteError::TooLopsided { below, above });
    }
    let mut pal = scheme
        .colours(2 * s + 1)
        .ok_or_else(|| scheme.range_error(2 * s + 1))?
        .to_vec();
    if polarity == Polarity::HigherIsWorse {
        pal.reverse();
    }
    Ok((0..k)
        .map(|j| {
            if j < below {
                pal[s - below + j]
            } else {
                pal[s + 1 + j - below]
            }
        })
        .collect())
}

/// Okabe–Ito's eight colours, safe for all common colour-vision deficiencies, black last (a black
/// fill hides borders, so it is the last resort).
pub const OKABE_ITO: [Rgb; 8] = [
    rgb(0xe69f00), // orange
    rgb(0x56b4e9), // sky blue
    rgb(0x009e73), // bluish green
    rgb(0xf0e442), // yellow
    rgb(0x0072b2), // blue
    rgb(0xd55e00), // vermillion
    rgb(0xcc79a7), // reddish purple
    rgb(0x000000), // black
];

/// `n` colours for categories (clusters, types), from [`OKABE_ITO`]; at most 8.
///
/// ```
/// use sozialatlas_classify::palette::categorical;
/// assert_eq!(categorical(2)?[1].hex(), "#56b4e9");
/// assert!(categorical(9).is_err());
/// # Ok::<(), sozialatlas_classify::palette::PaletteError>(())
/// ```
pub fn categorical(n: usize) -> Result<Vec<Rgb>, PaletteError> {
    OKABE_ITO
        .get(..n)
        .map(<[Rgb]>::to_vec)
        .ok_or(PaletteError::ClassesOutOfRange {
            scheme: "Okabe–Ito",
            k: n,
            min: 0,
            max: OKABE_ITO.len(),
        })
}

/// Fill for areas without a value (keine Daten). Intended pattern: the renderer draws thin
/// diagonal hatching (45°, dark grey) on it, so that no data never reads as a class.
pub const NO_DATA: Rgb = rgb(0xe0e0e0);

/// Fill for suppressed values (Geheimhaltung, too few cases to publish). Intended pattern: the
/// renderer draws a dot pattern (dark grey) on it, distinct from the hatching of [`NO_DATA`].
pub const SUPPRESSED: Rgb = rgb(0xbdbdbd);

/// The text colour that reads best on a fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextColour {
    /// `#000000`.
    Black,
    /// `#ffffff`.
    White,
}

impl TextColour {
    /// The colour itself.
    ///
    /// ```
    /// use sozialatlas_classify::palette::TextColour;
    /// assert_eq!(TextColour::White.rgb().hex(), "#ffffff");
    /// ```
    pub fn rgb(self) -> Rgb {
        match self {
            TextColour::Black => rgb(0x000000),
            TextColour::White => rgb(0xffffff),
        }
    }
}

/// WCAG 2 contrast ratio of two colours, 1 to 21.
///
/// ```
/// use sozialatlas_classify::palette::{contrast_ratio, Rgb};
/// let r = contrast_ratio(Rgb::from_u32(0x000000), Rgb::from_u32(0xffffff));
/// assert!((r - 21.0).abs() < 1e-12);
/// ```
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Black or white text on `fill`, whichever has the higher WCAG contrast (labels on map areas,
/// numbers in coloured table cells).
///
/// ```
/// use sozialatlas_classify::palette::{text_colour_on, Rgb, TextColour};
/// assert_eq!(text_colour_on(Rgb::from_u32(0xffffb2)), TextColour::Black);
/// assert_eq!(text_colour_on(Rgb::from_u32(0xbd0026)), TextColour::White);
/// ```
pub fn text_colour_on(fill: Rgb) -> TextColour {
    let l = fill.relative_luminance();
    // contrast with black (l + 0.05) / 0.05 against contrast with white 1.05 / (l + 0.05)
    if (l + 0.05) * (l + 0.05) >= 1.05 * 0.05 {
        TextColour::Black
    } else {
        TextColour::White
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_against_colorbrewer_table() {
        // From colorbrewer_schemes.js (colorbrewer2.org), as rgb() triples.
        let ylorrd9 = Sequential::YlOrRd.colours(9).unwrap();
        assert_eq!(
            ylorrd9[8],
            Rgb {
                r: 128,
                g: 0,
                b: 38
            }
        );
        assert_eq!(
            ylorrd9[0],
            Rgb {
                r: 255,
                g: 255,
                b: 204
            }
        );
        let rdbu6 = Diverging::RdBu.colours(6).unwrap();
        assert_eq!(
            rdbu6[2],
            Rgb {
                r: 253,
                g: 219,
                b: 199
            }
        );
        assert_eq!(
            rdbu6[5],
            Rgb {
                r: 33,
                g: 102,
                b: 172
            }
        );
        let greys3 = Sequential::Greys.colours(3).unwrap();
        assert_eq!(
            greys3[2],
            Rgb {
                r: 99,
                g: 99,
                b: 99
            }
        );
        let puor11 = Diverging::PuOr.colours(11).unwrap();
        assert_eq!(
            puor11[0],
            Rgb {
                r: 127,
                g: 59,
                b: 8
            }
        );
        assert_eq!(puor11[10], Rgb { r: 45, g: 0, b: 75 });
    }

    #[test]
    fn every_palette_has_k_colours_and_sequential_darkens() {
        for &s in Sequential::ALL {
            for k in 3..=9 {
                let c = s.colours(k).unwrap();
                assert_eq!(c.len(), k, "{} {k}", s.name());
                for w in c.windows(2) {
                    assert!(
                        w[0].relative_luminance() > w[1].relative_luminance(),
                        "{} {k}",
                        s.name()
                    );
                }
                assert_eq!(s.colour_blind(k), ColourBlind::Safe);
            }
            assert!(s.colours(2).is_none() && s.colours(10).is_none());
        }
        for &d in Diverging::ALL {
            for k in 3..=11 {
                assert_eq!(d.colours(k).unwrap().len(), k, "{} {k}", d.name());
            }
        }
        assert_eq!(Diverging::RdYlGn.colour_blind(4), ColourBlind::Unsure);
        assert_eq!(Diverging::RdYlGn.colour_blind(7), ColourBlind::NotSafe);
    }

    #[test]
    fn odd_diverging_palettes_share_their_middle() {
        for &d in Diverging::ALL {
            let mid = d.colours(3).unwrap()[1];
            for k in [5, 7, 9, 11] {
                assert_eq!(d.colours(k).unwrap()[k / 2], mid, "{}", d.name());
            }
        }
    }

    #[test]
    fn diverging_split_at_no_change() {
        let b =
            Breaks::from_bounds(vec![-2.0, -1.0, 0.0, 1.0], crate::Closure::LeftClosed).unwrap();
        // Two classes below, one above: the 5-class scheme without its middle.
        let rdbu5 = Diverging::RdBu.colours(5).unwrap();
        let c = diverging_split(Diverging::RdBu, &b, 0.0, Polarity::HigherIsBetter).unwrap();
        assert_eq!(c, [rdbu5[0], rdbu5[1], rdbu5[3]]);
        // Higher is worse: the scheme turned round, rises at its warm end.
        let c = diverging_split(Diverging::RdBu, &b, 0.0, Polarity::HigherIsWorse).unwrap();
        assert_eq!(c, [rdbu5[4], rdbu5[3], rdbu5[1]]);
        // The middle (neutral) colour is never used.
        assert!(!c.contains(&rdbu5[2]));
        // Only rises: one arm, from the lightest.
        let rises = Breaks::from_bounds(vec![0.5, 1.0, 2.0], crate::Closure::LeftClosed).unwrap();
        let c = diverging_split(Diverging::RdBu, &rises, 0.0, Polarity::HigherIsBetter).unwrap();
        assert_eq!(c, &rdbu5[3..5]);
        assert_eq!(
            diverging_split(Diverging::RdBu, &b, f64::NAN, Polarity::Neutral),
            Err(PaletteError::SplitNotFinite)
        );
        let many: Vec<f64> = (0..=8).map(f64::from).collect();
        let b = Breaks::from_bounds(many, crate::Closure::LeftClosed).unwrap();
        assert_eq!(
            diverging_split(Diverging::RdBu, &b, 0.0, Polarity::Neutral),
            Err(PaletteError::TooLopsided { below: 0, above: 8 })
        );
    }

    #[test]
    fn text_colour() {
        for &s in Sequential::ALL {
            let c = s.colours(9).unwrap();
            assert_eq!(text_colour_on(c[0]), TextColour::Black);
            let t = text_colour_on(c[8]);
            assert!(contrast_ratio(t.rgb(), c[8]) >= 4.5, "{}", s.name());
        }
        // Mid grey: black wins just (WCAG threshold luminance ≈ 0.179).
        assert_eq!(text_colour_on(Rgb::from_u32(0x777777)), TextColour::Black);
        assert_eq!(text_colour_on(Rgb::from_u32(0x737373)), TextColour::White);
    }

    #[test]
    fn serde_hex() {
        let s = serde_json::to_string(&Rgb::from_u32(0x0a0b0c)).unwrap();
        assert_eq!(s, "\"#0a0b0c\"");
        let back: Rgb = serde_json::from_str(&s).unwrap();
        assert_eq!(back, Rgb::from_u32(0x0a0b0c));
        assert!(serde_json::from_str::<Rgb>("\"#zzzzzz\"").is_err());
        assert_eq!(
            serde_json::to_string(&Polarity::HigherIsWorse).unwrap(),
            "\"higher_is_worse\""
        );
    }
}
