//! Heat table of cluster profiles (mean z per cluster and indicator).

use std::fmt::Write as _;

use sozialatlas_classify::palette::{Diverging, Rgb, text_colour_on};
use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_decimal;

use super::{MARGIN, chart, heading};
use crate::svg::{INK_SOFT, data_num, escape, hex, id_or, n, text};
use crate::text::{text_width, wrap_hyphenated};

/// Clusters × indicators, each cell a mean z-value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatTableSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Row keys (`data-key`, e.g. `cluster-1`).
    pub row_keys: Vec<String>,
    /// Row labels, e.g. `Cluster 1 (n = 3)`.
    pub row_labels: Vec<String>,
    /// Column keys (`data-column`, the indicator ids).
    pub column_keys: Vec<String>,
    /// Column labels (indicator names), wrapped over up to three lines (a word too wide for
    /// its column hyphenated, a longer label cut with "…"; the cell titles keep it whole).
    pub column_labels: Vec<String>,
    /// `values[row][column]`: mean z, polarity-aligned (higher = worse); `None` prints `–`.
    pub values: Vec<Vec<Option<f64>>>,
    /// Decimals printed (default 0 means 0; 1 or 2 are usual).
    pub decimals: usize,
    /// |z| at which the colour saturates (default 2).
    pub limit: Option<f64>,
    /// Diverging scheme, warm end for high z (worse); default RdBu.
    pub scheme: Option<Diverging>,
}

const BINS: usize = 9;

/// The 9 colours from low z (cool) to high z (warm).
fn colours(scheme: Diverging) -> Vec<Rgb> {
    let mut c = scheme
        .colours(BINS)
        .map(<[Rgb]>::to_vec)
        .unwrap_or_else(|| vec![Rgb::from_u32(0xf7f7f7); BINS]);
    c.reverse();
    c
}

fn bin(z: f64, limit: f64) -> usize {
    let t = ((z + limit) / (2.0 * limit)).clamp(0.0, 1.0);
    ((t * BINS as f64).floor() as usize).min(BINS - 1)
}

/// Renders the heat table: one `<rect class="sa-cell">` per cell with `data-key` (row),
/// `data-column`, `data-value` and a `<title>`, the number printed in black or white, whichever
/// contrasts more with the fill; a colour key below.
pub fn heat_table(spec: &HeatTableSpec) -> String {
    let id = id_or(&spec.id, "heat");
    let locale = spec.locale;
    let limit = spec
        .limit
        .filter(|l| *l > 0.0 && l.is_finite())
        .unwrap_or(2.0);
    let pal = colours(spec.scheme.unwrap_or(Diverging::RdBu));
    let ncol = spec.column_labels.len();
    let row_w = spec
        .row_labels
        .iter()
        .map(|l| text_width(l, 12.0, true))
        .fold(40.0, f64::max);
    let col_w: f64 = 84.0;
    let cell_h = 28.0;
    let width = (2.0 * MARGIN + row_w + 12.0 + col_w * ncol as f64).max(360.0);
    let mut body = String::new();
    let top = heading(
        &mut body,
        MARGIN - 4.0,
        width,
        &spec.title,
        spec.subtitle.as_deref(),
    );
    let headers: Vec<Vec<String>> = spec
        .column_labels
        .iter()
        .map(|l| {
            let mut lines = wrap_hyphenated(l, 12.0, false, col_w - 6.0, locale);
            if lines.len() > 3 {
                // Cut to three lines; the cell titles keep the whole name.
                lines.truncate(3);
                let last = &mut lines[2];
                while !last.is_empty() && text_width(&format!("{last}…"), 12.0, false) > col_w - 6.0
                {
                    last.pop();
                }
                let kept = last.trim_end_matches(['-', ' ']).to_string();
                *last = format!("{kept}…");
            }
            lines
        })
        .collect();
    let header_lines = headers.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let x0 = MARGIN + row_w + 12.0;
    let y0 = top + header_lines * 15.0 + 6.0;
    let _ = write!(body, "<g class=\"sa-columns\" font-size=\"12\">");
    for (c, lines) in headers.iter().enumerate() {
        let cx = x0 + col_w * (c as f64 + 0.5);
        for (li, l) in lines.iter().enumerate() {
            let y = y0 - 6.0 - (lines.len() - 1 - li) as f64 * 15.0;
            text(&mut body, cx, y, "text-anchor=\"middle\"", l);
        }
    }
    body.push_str("</g>");
    let _ = write!(body, "<g class=\"sa-cells\" font-size=\"12\">");
    for (r, label) in spec.row_labels.iter().enumerate() {
        let y = y0 + cell_h * r as f64;
        let rkey = spec
            .row_keys
            .get(r)
            .cloned()
            .unwrap_or_else(|| r.to_string());
        text(
            &mut body,
            x0 - 10.0,
            y + cell_h / 2.0 + 4.0,
            "text-anchor=\"end\" font-weight=\"bold\"",
            label,
        );
        for c in 0..ncol {
            let v = spec
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .flatten()
                .filter(|v| v.is_finite());
            let fill = v
                .map(|z| pal[bin(z, limit)])
                .unwrap_or(Rgb::from_u32(0xffffff));
            let shown = v
                .map(|z| format_decimal(z, spec.decimals, locale))
                .unwrap_or_else(|| "–".into());
            let x = x0 + col_w * c as f64;
            let ckey = spec
                .column_keys
                .get(c)
                .cloned()
                .unwrap_or_else(|| c.to_string());
            let title = format!(
                "{label}, {}: {} z = {shown}",
                spec.column_labels.get(c).map(String::as_str).unwrap_or(""),
                locale.pick("mittleres", "mean"),
            );
            let _ = write!(
                body,
                "<rect class=\"sa-cell\" data-key=\"{}\" data-column=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>{}</title></rect>",
                escape(&rkey),
                escape(&ckey),
                v.map(data_num).unwrap_or_default(),
                n(x),
                n(y),
                n(col_w),
                n(cell_h),
                hex(fill),
                escape(&title)
            );
            text(
                &mut body,
                x + col_w / 2.0,
                y + cell_h / 2.0 + 4.0,
                &format!(
                    "text-anchor=\"middle\" fill=\"{}\" aria-hidden=\"true\"",
                    hex(text_colour_on(fill).rgb())
                ),
                &shown,
            );
        }
    }
    body.push_str("</g>");
    // Colour key.
    let ky = y0 + cell_h * spec.row_labels.len() as f64 + 22.0;
    let sw = 26.0;
    let _ = write!(
        body,
        "<g class=\"sa-key\" font-size=\"12\" fill=\"{INK_SOFT}\">"
    );
    for (i, c) in pal.iter().enumerate() {
        let _ = write!(
            body,
            "<rect x=\"{}\" y=\"{}\" width=\"{sw}\" height=\"12\" fill=\"{}\"/>",
            n(x0 + sw * i as f64),
            n(ky),
            hex(*c)
        );
    }
    let lim = crate::format_number(limit, locale);
    text(
        &mut body,
        x0,
        ky + 28.0,
        "text-anchor=\"start\"",
        &format!("-{lim}"),
    );
    text(
        &mut body,
        x0 + sw * 4.5,
        ky + 28.0,
        "text-anchor=\"middle\"",
        "0",
    );
    text(
        &mut body,
        x0 + sw * BINS as f64,
        ky + 28.0,
        "text-anchor=\"end\"",
        &format!("+{lim}"),
    );
    text(
        &mut body,
        x0 + sw * BINS as f64 + 12.0,
        ky + 11.0,
        "",
        locale.pick(
            "mittleres z (0 = Stadt; hoch = schlechter)",
            "mean z (0 = city; high = worse)",
        ),
    );
    body.push_str("</g>");
    let height = ky + 28.0 + MARGIN;
    let width = width.max(
        x0 + sw * BINS as f64
            + 12.0
            + text_width(
                locale.pick(
                    "mittleres z (0 = Stadt; hoch = schlechter)",
                    "mean z (0 = city; high = worse)",
                ),
                12.0,
                false,
            )
            + MARGIN,
    );
    let desc = format!(
        "{} {} × {} {}.",
        locale.pick(
            "Heat-Tabelle der Clusterprofile:",
            "Heat table of cluster profiles:"
        ),
        spec.row_labels.len(),
        ncol,
        locale.pick("Indikatoren, mittlere z-Werte", "indicators, mean z-values")
    );
    chart(
        &id,
        width.ceil(),
        height,
        &spec.title,
        &desc,
        "sa-heat",
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_symmetric() {
        assert_eq!(bin(0.0, 2.0), 4);
        assert_eq!(bin(-5.0, 2.0), 0);
        assert_eq!(bin(5.0, 2.0), 8);
        assert_eq!(bin(0.2, 2.0), 4); // the middle bin is ±2/9
        assert_eq!(bin(0.3, 2.0), 5);
        let c = colours(Diverging::RdBu);
        assert_eq!(c[8].hex(), "#b2182b"); // warm = high z = worse
    }

    #[test]
    fn column_labels_stay_within_their_columns() {
        let labels = [
            "Grundsicherungsleistungen",
            "SGB-II-Quote",
            "Nicht erwerbsfähige SGB-II-Leistungsberechtigte je 100 unter 18-Jährige",
            "Beschäftigtenquote",
        ];
        let svg = heat_table(&HeatTableSpec {
            locale: Locale::De,
            title: "Profile".into(),
            row_labels: vec!["Cluster 1".into()],
            column_labels: labels.iter().map(|s| s.to_string()).collect(),
            values: vec![vec![Some(0.5); labels.len()]],
            ..Default::default()
        });
        let cols = svg.split("<g class=\"sa-columns\"").nth(1).unwrap();
        let cols = cols.split("</g>").next().unwrap();
        let lines: Vec<&str> = cols
            .split("<text")
            .skip(1)
            .map(|t| t.split('>').nth(1).unwrap().split('<').next().unwrap())
            .collect();
        assert!(lines.len() >= labels.len() + 3, "{lines:?}");
        for l in &lines {
            assert!(
                text_width(l, 12.0, false) <= 78.0,
                "{l:?} wider than its column"
            );
        }
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Grund") && l.ends_with('-')),
            "{lines:?}"
        );
        // The longest label is cut to three lines, with an ellipsis.
        assert!(lines.iter().any(|l| l.ends_with('…')), "{lines:?}");
    }
}
