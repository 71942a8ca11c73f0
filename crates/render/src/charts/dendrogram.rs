//! Dendrogram of a hierarchical clustering (Ward), from SciPy-style merge data.

use std::fmt::Write as _;

use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_decimal;

use super::axis::{Scale, nice_ticks, x_grid};
use super::{MARGIN, chart, heading};
use crate::RenderError;
use crate::svg::{INK, INK_SOFT, escape, hex, id_or, n, size_or, text};
use crate::text::text_width;

/// One merge of the clustering, SciPy's numbering: leaves are `0..n`, merge `i` creates node
/// `n + i` (a row of SciPy's `linkage` matrix without the count).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Merge {
    /// First child.
    pub left: usize,
    /// Second child.
    pub right: usize,
    /// Merge height (for Ward: SciPy's distance).
    pub height: f64,
}

/// A dendrogram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DendrogramSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 640); height follows from the number of leaves.
    pub width: f64,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Label of each leaf (area names), `n` of them.
    pub leaf_labels: Vec<String>,
    /// Key of each leaf (`data-key`), `n` of them.
    pub leaf_keys: Vec<String>,
    /// The `n − 1` merges.
    pub merges: Vec<Merge>,
    /// The order of the leaves from top to bottom; default [`leaf_order`] (SciPy's).
    pub leaf_order: Option<Vec<usize>>,
    /// Height of the cut, drawn as a dashed line with the number of clusters it gives.
    pub cut_height: Option<f64>,
    /// Colour of each leaf's swatch (its cluster), `n` of them.
    pub leaf_colours: Option<Vec<Rgb>>,
    /// Title of the height axis, default `Fusionsniveau` / `Merge height`.
    pub height_label: Option<String>,
}

fn check(merges: &[Merge], n: usize) -> Result<(), RenderError> {
    if n == 0 {
        return Err(RenderError::Dendrogram("no leaves".into()));
    }
    if merges.len() + 1 != n {
        return Err(RenderError::Dendrogram(format!(
            "{n} leaves need {} merges, not {}",
            n - 1,
            merges.len()
        )));
    }
    let mut used = vec![false; 2 * n - 1];
    for (i, m) in merges.iter().enumerate() {
        for c in [m.left, m.right] {
            if c >= n + i {
                return Err(RenderError::Dendrogram(format!(
                    "merge {i} uses node {c}, which does not exist before it"
                )));
            }
            if std::mem::replace(&mut used[c], true) {
                return Err(RenderError::Dendrogram(format!(
                    "node {c} is merged twice (merge {i})"
                )));
            }
        }
        if m.left == m.right {
            return Err(RenderError::Dendrogram(format!(
                "merge {i} joins node {} with itself",
                m.left
            )));
        }
        if !m.height.is_finite() {
            return Err(RenderError::Dendrogram(format!(
                "merge {i} has no finite height"
            )));
        }
    }
    Ok(())
}

/// The leaf order SciPy's `dendrogram` draws (and `leaves_list` returns): depth first from the
/// root, left child before right child.
///
/// ```
/// use sozialatlas_render::{leaf_order, Merge};
/// let m = [Merge { left: 0, right: 2, height: 1.0 }, Merge { left: 1, right: 3, height: 2.0 }];
/// assert_eq!(leaf_order(&m, 3)?, vec![1, 0, 2]);
/// # Ok::<(), sozialatlas_render::RenderError>(())
/// ```
pub fn leaf_order(merges: &[Merge], n: usize) -> Result<Vec<usize>, RenderError> {
    check(merges, n)?;
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![2 * n - 2];
    while let Some(node) = stack.pop() {
        if node < n {
            order.push(node);
        } else {
            let m = merges[node - n];
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    Ok(order)
}

/// Renders the dendrogram, leaves as rows (labels left), heights to the right. Each merge is a
/// `<path class="sa-link">` with `data-key="merge-i"` and a `<title>`; each leaf label a
/// `<text class="sa-leaf">` with the leaf's `data-key` and a `<title>`. Errors if the merges do
/// not form one binary tree over the leaves, or the order is not a permutation of them.
pub fn dendrogram(spec: &DendrogramSpec) -> Result<String, RenderError> {
    let id = id_or(&spec.id, "dendrogram");
    let locale = spec.locale;
    let width = size_or(spec.width, 640.0);
    let nl = spec.leaf_labels.len();
    let order = match &spec.leaf_order {
        Some(o) => {
            check(&spec.merges, nl)?;
            let mut seen = vec![false; nl];
            for &l in o {
                if l >= nl || std::mem::replace(&mut seen[l], true) {
                    return Err(RenderError::Dendrogram(format!(
                        "leaf order is not a permutation of 0..{nl}"
                    )));
                }
            }
            if o.len() != nl {
                return Err(RenderError::Dendrogram(format!(
                    "leaf order is not a permutation of 0..{nl}"
                )));
            }
            o.clone()
        }
        None => leaf_order(&spec.merges, nl)?,
    };
    let label = |i: usize| spec.leaf_labels.get(i).cloned().unwrap_or_default();
    let key = |i: usize| {
        spec.leaf_keys
            .get(i)
            .cloned()
            .unwrap_or_else(|| i.to_string())
    };

    let mut body = String::new();
    let top = heading(
        &mut body,
        MARGIN - 4.0,
        width,
        &spec.title,
        spec.subtitle.as_deref(),
    );
    let row = 20.0;
    let swatch = if spec.leaf_colours.is_some() {
        16.0
    } else {
        0.0
    };
    let label_w = (0..nl)
        .map(|i| text_width(&label(i), 12.0, false))
        .fold(20.0, f64::max)
        .min(width * 0.4);
    let x0 = MARGIN + swatch + label_w + 8.0;
    let x1 = width - MARGIN - 16.0;
    let max_h = spec
        .merges
        .iter()
        .map(|m| m.height)
        .chain(spec.cut_height)
        .fold(0.0, f64::max);
    let ticks = nice_ticks(0.0, max_h, 6);
    let xs = Scale::new(0.0, ticks[ticks.len() - 1], x0, x1);
    let cut_room = if spec.cut_height.is_some() { 20.0 } else { 0.0 };
    let y_top = top + cut_room;
    let y_bottom = y_top + row * nl as f64;
    x_grid(
        &mut body,
        &xs,
        &ticks,
        y_top - 4.0,
        y_bottom + 4.0,
        locale,
        None,
    );

    // Positions: leaves at their rows, internal nodes between their children.
    let mut pos = vec![(0.0, 0.0); 2 * nl - 1];
    for (r, &leaf) in order.iter().enumerate() {
        pos[leaf] = (x0, y_top + row * (r as f64 + 0.5));
    }
    let _ = write!(body, "<g class=\"sa-leaves\" font-size=\"12\">");
    for (r, &leaf) in order.iter().enumerate() {
        let y = y_top + row * (r as f64 + 0.5);
        if let Some(c) = spec.leaf_colours.as_ref().and_then(|c| c.get(leaf)) {
            let _ = write!(
                body,
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\" stroke=\"#4d4d4d\" stroke-width=\"0.5\"/>",
                n(MARGIN),
                n(y - 5.0),
                hex(*c)
            );
        }
        let _ = write!(
            body,
            "<text class=\"sa-leaf\" data-key=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            escape(&key(leaf)),
            n(x0 - 6.0),
            n(y + 4.0),
            escape(&label(leaf)),
            escape(&label(leaf))
        );
    }
    body.push_str("</g>");
    let _ = write!(
        body,
        "<g class=\"sa-links\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"1.4\">"
    );
    let mut size = vec![1usize; 2 * nl - 1];
    for (i, m) in spec.merges.iter().enumerate() {
        let (a, b) = (pos[m.left], pos[m.right]);
        let x = xs.at(m.height);
        let node = nl + i;
        pos[node] = (x, (a.1 + b.1) / 2.0);
        size[node] = size[m.left] + size[m.right];
        let _ = write!(
            body,
            "<path class=\"sa-link\" data-key=\"merge-{i}\" d=\"M{} {}H{}V{}H{}\"><title>{}</title></path>",
            n(a.0),
            n(a.1),
            n(x),
            n(b.1),
            n(b.0),
            escape(&format!(
                "{} {}: {} {}, {} {}",
                locale.pick("Fusion", "Merge"),
                i + 1,
                size[node],
                locale.pick("Gebiete", "areas"),
                locale.pick("Höhe", "height"),
                format_decimal(m.height, 2, locale)
            ))
        );
    }
    body.push_str("</g>");
    let mut desc = format!(
        "{} {nl} {}.",
        locale.pick(
            "Dendrogramm der hierarchischen Clusteranalyse mit",
            "Dendrogram of the hierarchical clustering of"
        ),
        locale.pick("Gebieten", "areas")
    );
    if let Some(c) = spec.cut_height.filter(|c| c.is_finite()) {
        let k = spec.merges.iter().filter(|m| m.height > c).count() + 1;
        let cx = xs.at(c);
        let label = format!(
            "{} {}: {k} {}",
            locale.pick("Schnitt bei", "Cut at"),
            format_decimal(c, 2, locale),
            locale.pick("Cluster", "clusters")
        );
        let _ = write!(
            body,
            "<g class=\"sa-cut\" data-key=\"cut\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d55e00\" stroke-width=\"1.8\" stroke-dasharray=\"6 4\"><title>{}</title></line>",
            n(cx),
            n(y_top - 8.0),
            n(cx),
            n(y_bottom + 4.0),
            escape(&label)
        );
        let lw = text_width(&label, 12.0, false);
        let anchor = if cx + lw / 2.0 > width - MARGIN {
            "end"
        } else if cx - lw / 2.0 < MARGIN {
            "start"
        } else {
            "middle"
        };
        text(
            &mut body,
            cx,
            y_top - 12.0,
            &format!("text-anchor=\"{anchor}\" font-weight=\"bold\""),
            &label,
        );
        body.push_str("</g>");
        let _ = write!(desc, " {label}.");
    }
    let axis_title = spec
        .height_label
        .clone()
        .unwrap_or_else(|| locale.pick("Fusionsniveau", "Merge height").to_string());
    text(
        &mut body,
        (x0 + x1) / 2.0,
        y_bottom + 40.0,
        &format!(
            "class=\"sa-axis-title\" text-anchor=\"middle\" font-size=\"13\" fill=\"{INK_SOFT}\""
        ),
        &axis_title,
    );
    let height = y_bottom + 40.0 + MARGIN;
    Ok(chart(
        &id,
        width,
        height,
        &spec.title,
        &desc,
        "sa-dendrogram",
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_trees() {
        let m = |l, r| Merge {
            left: l,
            right: r,
            height: 1.0,
        };
        assert!(leaf_order(&[m(0, 1)], 3).is_err()); // too few merges
        assert!(leaf_order(&[m(0, 3), m(1, 2)], 3).is_err()); // forward reference
        assert!(leaf_order(&[m(0, 1), m(0, 3)], 3).is_err()); // 0 twice
        assert_eq!(leaf_order(&[m(0, 1), m(2, 3)], 3).unwrap(), vec![2, 0, 1]);
        assert_eq!(leaf_order(&[], 1).unwrap(), vec![0]);
    }
}
