//! The colours of the analysis maps. Each set is chosen so that no reader depends on telling
//! two hues apart: the index map carries status as lightness (darker = worse, as every map of
//! the atlas) and dynamics as hue from the colour-blind-safe blue/orange pair with grey; the
//! cluster map uses Okabe–Ito; the LISA map PySAL's (splot) colours, which keep HH/LL apart by
//! lightness as well as hue. Every figure also has a table, and every area a text label.

use sozialatlas_analysis::moran::Quadrant;
use sozialatlas_analysis::mss::{DynamicsClass, StatusClass};
use sozialatlas_classify::palette::{self, Rgb};

/// Status classes from the best to the worst (the rows of the 2-D legend).
pub const STATUS: [StatusClass; 4] = [
    StatusClass::High,
    StatusClass::Middle,
    StatusClass::Low,
    StatusClass::VeryLow,
];

/// Dynamics classes from the best to the worst (the columns of the 2-D legend).
pub const DYNAMICS: [DynamicsClass; 3] = [
    DynamicsClass::Positive,
    DynamicsClass::Stable,
    DynamicsClass::Negative,
];

/// Position of a status class in [`STATUS`].
pub fn status_row(s: StatusClass) -> usize {
    STATUS.iter().position(|&x| x == s).unwrap_or(0)
}

/// Position of a dynamics class in [`DYNAMICS`].
pub fn dynamics_column(d: DynamicsClass) -> usize {
    DYNAMICS.iter().position(|&x| x == d).unwrap_or(0)
}

/// `[status][dynamics]`: ColorBrewer Blues (positive), Greys (stable), Oranges (negative),
/// classes 3, 5, 7 and 9 of their 9-class schemes, light for a high status, dark for a very
/// low one.
const INDEX: [[u32; 3]; 4] = [
    [0xc6dbef, 0xd9d9d9, 0xfdd0a2],
    [0x6baed6, 0xa3a3a3, 0xfd8d3c],
    [0x2171b5, 0x636363, 0xd94801],
    [0x08306b, 0x252525, 0x7f2704],
];

/// The fill of a combined index class.
pub fn index_colour(s: StatusClass, d: DynamicsClass) -> Rgb {
    Rgb::from_u32(INDEX[status_row(s)][dynamics_column(d)])
}

/// The twelve classes in legend order (status-major), for the map's class indices.
pub fn index_class(s: StatusClass, d: DynamicsClass) -> usize {
    status_row(s) * 3 + dynamics_column(d)
}

/// Largest number of clusters the web offers: the Okabe–Ito palette has eight colours.
pub const MAX_CLUSTERS: usize = 8;

/// Cluster colours (1-based cluster `c` gets `clusters(k)[c - 1]`).
pub fn clusters(k: usize) -> Vec<Rgb> {
    palette::categorical(k.min(MAX_CLUSTERS)).unwrap_or_default()
}

/// LISA colours as PySAL's splot `lisa_cluster`: HH `#d7191c`, LH `#abd9e9`, LL `#2c7bb6`, HL
/// `#fdae61`, not significant light grey.
pub fn lisa(q: Option<Quadrant>) -> Rgb {
    Rgb::from_u32(match q {
        Some(Quadrant::HH) => 0xd7191c,
        Some(Quadrant::LH) => 0xabd9e9,
        Some(Quadrant::LL) => 0x2c7bb6,
        Some(Quadrant::HL) => 0xfdae61,
        None => 0xd3d3d3,
    })
}

/// The LISA legend order.
pub const LISA_ORDER: [Option<Quadrant>; 5] = [
    Some(Quadrant::HH),
    Some(Quadrant::LL),
    Some(Quadrant::HL),
    Some(Quadrant::LH),
    None,
];

#[cfg(test)]
mod tests {
    use super::*;
    use sozialatlas_classify::palette::contrast_ratio;

    /// Lightness must separate the status rows in every dynamics column, so that the map reads
    /// without telling hues apart (each step at least 1.4 : 1 in contrast).
    #[test]
    fn status_rows_differ_in_lightness() {
        for d in DYNAMICS {
            for w in STATUS.windows(2) {
                let (a, b) = (index_colour(w[0], d), index_colour(w[1], d));
                assert!(
                    a.relative_luminance() > b.relative_luminance(),
                    "{w:?} {d:?}"
                );
                assert!(
                    contrast_ratio(a, b) >= 1.4,
                    "{w:?} {d:?}: {}",
                    contrast_ratio(a, b)
                );
            }
        }
    }

    /// The significant classes stand out from "not significant" by lightness; HH/LL (red/blue)
    /// and HL/LH (orange/light blue) sit on the blue–orange axis that protan and deutan
    /// readers keep, and differ a little in lightness as well.
    #[test]
    fn lisa_pairs_differ_in_lightness() {
        use Quadrant::*;
        assert!(contrast_ratio(lisa(Some(HH)), lisa(Some(LL))) >= 1.1);
        assert!(contrast_ratio(lisa(Some(HL)), lisa(Some(LH))) >= 1.2);
        for q in [HH, LL] {
            assert!(contrast_ratio(lisa(Some(q)), lisa(None)) >= 3.0, "{q:?}");
        }
    }
}
