//! The choropleth map (Choroplethenkarte) as SVG.

use std::fmt::Write as _;

use geo_types::{Coord, MultiPolygon, Rect};
use sozialatlas_classify::Breaks;
use sozialatlas_classify::palette::{self, Rgb, text_colour_on};
use sozialatlas_core::locale::{Locale, format_decimal};

use crate::geom::{Projection, label_point, path_data, polygon_area, to_pixels};
use crate::svg::{INK, INK_SOFT, data_num, escape, hex, id_or, n, open, size_or, text};
use crate::text::{text_width, wrap};

/// What an area shows.
#[derive(Clone, Debug, PartialEq)]
pub enum AreaState {
    /// A value in a class of the legend. `value` is `None` for categorical maps (cluster, LISA):
    /// the title then shows the class label.
    Class {
        /// Index into [`MapSpec::classes`].
        class: usize,
        /// The value shown in the tooltip and in `data-value`.
        value: Option<f64>,
    },
    /// No value for this area (keine Daten): hatched.
    NoData,
    /// The value is suppressed for confidentiality (Geheimhaltung): dotted.
    Suppressed,
}

/// One area (Gebiet) of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapArea {
    /// The area's key (`data-key`), e.g. `STGT02`.
    pub key: String,
    /// The name shown in the tooltip and label, e.g. `Neustadt`.
    pub name: String,
    /// The boundary in WGS84 longitude/latitude.
    pub geometry: MultiPolygon<f64>,
    /// Class and value, or why there is none.
    pub state: AreaState,
    /// Link to the area's profile page; the area then becomes a link (`<a href>`).
    pub href: Option<String>,
}

/// A place marked on a map: a dot with its name as tooltip, a link if it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct MapPoint {
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Its name (tooltip and accessible name).
    pub label: String,
    /// Where it links to.
    pub href: Option<String>,
}

/// One class row of the legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendClass {
    /// The label, e.g. `5,23 < 11,17` (from [`Breaks::legend`]) or `HH` for a LISA map.
    pub label: String,
    /// Fill colour.
    pub colour: Rgb,
    /// The class's bounds, to place the city mark inside the swatch (`None` for categories).
    pub bounds: Option<(f64, f64)>,
}

/// The legend rows of a classified map: [`Breaks::legend_entries`] with the given colours (one per
/// class, e.g. from [`palette::sequential`]). Returns `None` when the counts differ.
pub fn legend_classes(
    breaks: &Breaks,
    colours: &[Rgb],
    decimals: usize,
    locale: Locale,
) -> Option<Vec<LegendClass>> {
    let entries = breaks.legend_entries(decimals, locale);
    if entries.len() != colours.len() {
        return None;
    }
    Some(
        entries
            .into_iter()
            .zip(colours)
            .map(|(e, &colour)| LegendClass {
                label: e.label,
                colour,
                bounds: Some((e.lower, e.upper)),
            })
            .collect(),
    )
}

/// The legend rows of a categorical map (clusters, LISA classes): one per label, colours in order.
pub fn legend_categories(labels: &[String], colours: &[Rgb]) -> Vec<LegendClass> {
    labels
        .iter()
        .zip(colours)
        .map(|(l, &colour)| LegendClass {
            label: l.clone(),
            colour,
            bounds: None,
        })
        .collect()
}

/// An area of a locator map (Lagekarte): class 1 when `marked`, else 0; no value.
pub fn locator_area(
    key: String,
    name: String,
    geometry: MultiPolygon<f64>,
    marked: bool,
    href: Option<String>,
) -> MapArea {
    MapArea {
        key,
        name,
        geometry,
        state: AreaState::Class {
            class: usize::from(marked),
            value: None,
        },
        href,
    }
}

/// The two classes of a locator map: the other areas light grey, the marked one(s) blue; `others`
/// and `marked` are their legend labels.
pub fn locator_classes(others: String, marked: String) -> Vec<LegendClass> {
    legend_categories(
        &[others, marked],
        &[Rgb::from_u32(0xe8e8e8), Rgb::from_u32(0x1d70b8)],
    )
}

/// The reference value of the whole city (Stadtdurchschnitt), marked in the legend.
#[derive(Clone, Debug, PartialEq)]
pub struct CityReference {
    /// The value.
    pub value: f64,
    /// The legend class that contains it ([`Breaks::class_of`]).
    pub class: Option<usize>,
    /// The name shown, default `Stadt` / `City`.
    pub label: Option<String>,
}

impl CityReference {
    /// The city's value, placed in its class by the breaks.
    pub fn in_breaks(value: f64, breaks: &Breaks) -> CityReference {
        CityReference {
            value,
            class: breaks.class_of(value),
            label: None,
        }
    }
}

/// Which text labels the areas carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AreaLabels {
    /// None (the default; tooltips still name every area).
    #[default]
    None,
    /// The area names.
    Names,
    /// The area keys (short, for dense maps).
    Keys,
}

/// Everything a choropleth shows. Build it with struct-update syntax from `Default`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapSpec {
    /// Prefix of every id in the SVG; unique on the page that embeds it (e.g. `map-sgb2`).
    pub id: String,
    /// Language of every text and number.
    pub locale: Locale,
    /// Width in px of the whole figure (default 760); the height follows from the city's shape.
    pub width: f64,
    /// Title, e.g. `SGB-II-Quote`.
    pub title: String,
    /// What is shown and in which unit, e.g. `Leistungsberechtigte nach SGB II in % der unter 65-Jährigen`.
    pub subtitle: Option<String>,
    /// The period, e.g. `2022`; follows the subtitle.
    pub period: Option<String>,
    /// Unit written after values, e.g. `%` (empty for none).
    pub unit: String,
    /// Decimals of the values in tooltips and in the city mark.
    pub decimals: usize,
    /// The areas, drawn in this order (which is also the keyboard order).
    pub areas: Vec<MapArea>,
    /// The legend classes; [`AreaState::Class`] indexes into them.
    pub classes: Vec<LegendClass>,
    /// Heading of the legend, e.g. `in %`.
    pub legend_title: Option<String>,
    /// The city average, marked in the legend.
    pub city: Option<CityReference>,
    /// Borders of a coarser level drawn thicker over the areas (e.g. Stadtteile over statistical
    /// districts).
    pub outlines: Vec<MultiPolygon<f64>>,
    /// Key of an area to outline thickly (locator map of an area profile).
    pub highlight: Option<String>,
    /// Labels on the areas.
    pub labels: AreaLabels,
    /// The reference date of the data, e.g. `31.12.2022` ("Stand: …").
    pub stand: Option<String>,
    /// The source line, e.g. `Stadt Flensburg, Sozialatlas`.
    pub source: Option<String>,
    /// Attribution of data and geometry, shown under the source.
    pub attribution: Option<String>,
    /// Draw a scale bar.
    pub scale_bar: bool,
    /// Leave out the legend (small locator maps).
    pub no_legend: bool,
    /// Places marked on the map (e.g. the ideas of an action area), drawn over the areas.
    pub points: Vec<MapPoint>,
    /// Write the map's projection into the figure (`data-projection` on `<g class="sa-pick">`:
    /// `lon0 lat0 cos_lat0 x_min y_max scale ox oy`, see [`Projection::params`]), so that a
    /// script can turn a click or tap into longitude and latitude (a place picked on the map).
    pub pick: bool,
    /// Leave out every text drawn on the figure — heading, legend, area labels, footer — for a
    /// page that sets them in HTML beside the map (from [`map_legend`]), where they stay legible
    /// at any width; the scale bar stays, the title and description still name the figure, and
    /// each area's tooltip its name.
    pub bare: bool,
}

/// How a legend row is filled.
#[derive(Clone, Debug, PartialEq)]
pub enum LegendFill {
    /// A class colour.
    Colour(Rgb),
    /// The hatching of no data.
    NoData,
    /// The dots of a suppressed value.
    Suppressed,
}

/// One row of a map's legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendRow {
    /// The class label, e.g. `5,23 < 11,17`, or `keine Daten`.
    pub label: String,
    /// How many areas of the map are in the row.
    pub count: usize,
    /// The swatch.
    pub fill: LegendFill,
    /// Where the city mark crosses the swatch (0 top, 1 bottom), in the city's class only.
    pub city_mark: Option<f64>,
}

/// A map's legend: what [`choropleth`] draws beside the map, for a page that sets it in HTML.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLegend {
    /// The heading, e.g. `in %`.
    pub title: Option<String>,
    /// The classes, then no data and suppressed when some area is.
    pub rows: Vec<LegendRow>,
    /// The city mark's line, e.g. `Stadt: 12,3 %`, when the city's class is in the legend.
    pub city: Option<String>,
}

/// The legend of the map `spec` describes, with the areas counted per row; empty rows without
/// a legend (`no_legend`).
pub fn map_legend(spec: &MapSpec) -> MapLegend {
    let locale = spec.locale;
    let k = spec.classes.len();
    let mut counts = vec![0usize; k];
    let (mut n_nodata, mut n_suppressed) = (0, 0);
    for a in &spec.areas {
        match a.state {
            AreaState::Class { class, .. } if class < k => counts[class] += 1,
            AreaState::Class { .. } | AreaState::NoData => n_nodata += 1,
            AreaState::Suppressed => n_suppressed += 1,
        }
    }
    let city_class = spec.city.as_ref().and_then(|c| c.class).filter(|&c| c < k);
    let mut rows: Vec<LegendRow> = spec
        .classes
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(j, (c, count))| LegendRow {
            label: c.label.clone(),
            count,
            fill: LegendFill::Colour(c.colour),
            // At the city's place in its class.
            city_mark: spec
                .city
                .as_ref()
                .filter(|_| city_class == Some(j))
                .map(|city| {
                    c.bounds
                        .filter(|(lo, hi)| hi > lo)
                        .map(|(lo, hi)| ((city.value - lo) / (hi - lo)).clamp(0.1, 0.9))
                        .unwrap_or(0.5)
                }),
        })
        .collect();
    // No data and suppressed, when some area is.
    for (label, count, fill) in [
        (no_data_label(locale), n_nodata, LegendFill::NoData),
        (
            suppressed_label(locale),
            n_suppressed,
            LegendFill::Suppressed,
        ),
    ] {
        if count > 0 {
            rows.push(LegendRow {
                label: label.to_string(),
                count,
                fill,
                city_mark: None,
            });
        }
    }
    let city = spec.city.as_ref().map(|c| {
        let name = c
            .label
            .clone()
            .unwrap_or_else(|| locale.pick("Stadt", "City").to_string());
        format!(
            "{name}: {}",
            value_text(c.value, spec.decimals, &spec.unit, locale)
        )
    });
    MapLegend {
        title: spec.legend_title.clone(),
        rows,
        city,
    }
}

const MARGIN: f64 = 16.0;
const SWATCH_W: f64 = 28.0;
const SWATCH_H: f64 = 18.0;
const ROW_H: f64 = 24.0;
const BORDER: &str = "#ffffff";
const OUTLINE: &str = "#3a3a3a";

/// The value as text with unit: `23,1 %`.
pub(crate) fn value_text(v: f64, decimals: usize, unit: &str, locale: Locale) -> String {
    let s = format_decimal(v, decimals, locale);
    if unit.is_empty() {
        s
    } else {
        format!("{s} {unit}")
    }
}

fn no_data_label(locale: Locale) -> &'static str {
    locale.pick("keine Daten", "no data")
}

fn suppressed_label(locale: Locale) -> &'static str {
    locale.pick("gesperrt (Geheimhaltung)", "suppressed (confidentiality)")
}

/// Nice round length for a scale bar of at most `max_m` metres: 1, 2 or 5 × 10ⁿ.
fn nice_length(max_m: f64) -> f64 {
    if max_m.is_nan() || max_m <= 0.0 || max_m.is_infinite() {
        return 0.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= max_m)
        .unwrap_or(p)
}

fn length_label(m: f64, locale: Locale) -> String {
    if m >= 1000.0 {
        format!("{} km", crate::format_number(m / 1000.0, locale))
    } else {
        format!("{} m", crate::format_number(m, locale))
    }
}

/// Patterns for no data (hatching) and suppressed (dots).
fn patterns(out: &mut String, id: &str) {
    let _ = write!(
        out,
        "<defs><pattern id=\"{id}-nodata\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#4d4d4d\" stroke-width=\"1.5\"/></pattern><pattern id=\"{id}-suppressed\" patternUnits=\"userSpaceOnUse\" width=\"5\" height=\"5\"><rect width=\"5\" height=\"5\" fill=\"{}\"/><circle cx=\"2.5\" cy=\"2.5\" r=\"1.1\" fill=\"#333333\"/></pattern></defs>",
        hex(palette::NO_DATA),
        hex(palette::SUPPRESSED),
    );
}

struct Placed {
    rect: Rect<f64>,
}

fn overlaps(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x < b.max().x && b.min().x < a.max().x && a.min().y < b.max().y && b.min().y < a.max().y
}

/// Renders the choropleth map; see [`MapSpec`] for what it shows.
///
/// Each area is one `<path class="sa-area">` with `id`, `data-key`, `data-value`, `data-class`
/// (`nodata`, `suppressed` or the class index), a `<title>` tooltip (`Neustadt: 23,1 %`) and, for
/// keyboard users, `tabindex="0"`, `role="img"` and `aria-label` (or, with `href`, inside an
/// `<a>` that carries the label, so that each area is one tab stop). The root is
/// `role="group"` labelled by its `<title>` and `<desc>`.
pub fn choropleth(spec: &MapSpec) -> String {
    choropleth_with_labels(spec, LABEL_PX, |a| a.name.clone()).0
}

/// The text size in CSS px of the labels a page sets over a bare map ([`HtmlLabel`]).
pub const LABEL_PX: f64 = 12.0;

/// An area's label that a page sets in HTML over a bare map ([`MapSpec::bare`] with
/// [`MapSpec::labels`]), where its text keeps its size at any width of the figure.
#[derive(Clone, Debug, PartialEq)]
pub struct HtmlLabel {
    /// The area's key.
    pub key: String,
    /// The name (or key).
    pub text: String,
    /// Where the label's centre goes, as shares (0–1) of the figure's width and height.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// The narrowest width of the figure, in CSS px, at which the label's text (at the size
    /// given) lies inside its area: within the largest circle the area holds, so that labels of
    /// different areas never overlap.
    pub min_width: f64,
    /// The text colour that reads on the area's fill, and the fill (for a halo).
    pub ink: Rgb,
    /// See `ink`.
    pub halo: Rgb,
}

/// [`choropleth`], and for a bare map with labels the labels to set over it in HTML at
/// `label_px` CSS px, each with the text `label_of` gives its area (the name alone, where the area's name
/// carries more for its tooltip); empty otherwise: a map that is not bare draws its labels
/// itself.
pub fn choropleth_with_labels(
    spec: &MapSpec,
    label_px: f64,
    label_of: impl Fn(&MapArea) -> String,
) -> (String, Vec<HtmlLabel>) {
    let mut html_labels: Vec<HtmlLabel> = Vec::new();
    let id = id_or(&spec.id, "map");
    let locale = spec.locale;
    let width = size_or(spec.width, 760.0);

    let k = spec.classes.len();
    let no_legend = spec.no_legend || spec.bare;
    let legend = map_legend(spec);
    let n_of = |fill: LegendFill| {
        legend
            .rows
            .iter()
            .find(|r| r.fill == fill)
            .map_or(0, |r| r.count)
    };
    let (n_nodata, n_suppressed) = (n_of(LegendFill::NoData), n_of(LegendFill::Suppressed));
    // The city line, under its class in the legend and in the description (maps without a
    // legend leave it out; a bare map's page sets it beside the map).
    let city_label = legend.city.clone().filter(|_| !spec.no_legend);
    let mut rows: Vec<(String, usize, String)> = Vec::new();
    if !no_legend {
        for r in &legend.rows {
            let fill = match r.fill {
                LegendFill::Colour(c) => hex(c),
                LegendFill::NoData => format!("url(#{id}-nodata)"),
                LegendFill::Suppressed => format!("url(#{id}-suppressed)"),
            };
            rows.push((r.label.clone(), r.count, fill));
        }
    }
    let count_text = |c: usize| format!("({c})");
    let mut legend_w: f64 = 0.0;
    if !no_legend {
        for (label, c, _) in &rows {
            legend_w = legend_w.max(
                SWATCH_W
                    + 10.0
                    + text_width(label, 13.0, false)
                    + 4.0
                    + text_width(&count_text(*c), 13.0, false),
            );
        }
        if let Some(t) = &spec.legend_title {
            legend_w = legend_w.max(text_width(t, 13.0, true));
        }
        if let Some(cl) = &city_label {
            legend_w = legend_w.max(SWATCH_W + 10.0 + text_width(cl, 13.0, false));
        }
        legend_w = legend_w.clamp(150.0, width * 0.45);
    }
    let gap = if no_legend { 0.0 } else { 28.0 };

    // Header.
    let inner_w = width - 2.0 * MARGIN;
    let mut y = MARGIN;
    let mut body = String::new();
    let mut header = String::new();
    if !spec.title.is_empty() && !spec.bare {
        for line in wrap(&spec.title, 18.0, true, inner_w) {
            y += 22.0;
            text(
                &mut header,
                MARGIN,
                y,
                "class=\"sa-heading\" font-size=\"18\" font-weight=\"bold\"",
                &line,
            );
        }
    }
    let sub: Vec<&str> = [spec.subtitle.as_deref(), spec.period.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !sub.is_empty() && !spec.bare {
        for line in wrap(&sub.join(", "), 14.0, false, inner_w) {
            y += 19.0;
            text(
                &mut header,
                MARGIN,
                y,
                &format!("class=\"sa-subheading\" font-size=\"14\" fill=\"{INK_SOFT}\""),
                &line,
            );
        }
    }
    if !spec.bare {
        y += 16.0;
    }

    // Map box.
    let map_x = MARGIN;
    let map_y = y;
    let map_w_max = (inner_w - legend_w - gap).max(100.0);
    let proj = Projection::fit(
        spec.areas.iter().map(|a| &a.geometry),
        map_x,
        map_y,
        map_w_max,
        map_w_max * 1.25,
    );
    let (map_w, map_h) = proj.map(|p| p.size()).unwrap_or((map_w_max, 0.0));

    // Areas.
    let pixel_areas: Vec<Option<MultiPolygon<f64>>> = spec
        .areas
        .iter()
        .map(|a| proj.as_ref().map(|p| to_pixels(&a.geometry, p, 0.3)))
        .collect();
    let _ = write!(
        body,
        "<g class=\"sa-areas\" stroke=\"{BORDER}\" stroke-width=\"0.8\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">"
    );
    for (i, (a, px)) in spec.areas.iter().zip(&pixel_areas).enumerate() {
        let Some(px) = px else { continue };
        let (fill, value, class_attr, state_text) = match a.state {
            AreaState::Class { class, value } => match spec.classes.get(class) {
                Some(c) => (
                    hex(c.colour),
                    value,
                    class.to_string(),
                    value
                        .map(|v| value_text(v, spec.decimals, &spec.unit, locale))
                        .unwrap_or_else(|| c.label.clone()),
                ),
                None => (
                    format!("url(#{id}-nodata)"),
                    value,
                    "nodata".to_string(),
                    no_data_label(locale).to_string(),
                ),
            },
            AreaState::NoData => (
                format!("url(#{id}-nodata)"),
                None,
                "nodata".into(),
                no_data_label(locale).to_string(),
            ),
            AreaState::Suppressed => (
                format!("url(#{id}-suppressed)"),
                None,
                "suppressed".into(),
                suppressed_label(locale).to_string(),
            ),
        };
        let label = escape(&format!("{}: {state_text}", a.name));
        let focus = if a.href.is_some() {
            String::new()
        } else {
            format!(" tabindex=\"0\" role=\"img\" aria-label=\"{label}\"")
        };
        if let Some(href) = &a.href {
            let _ = write!(body, "<a href=\"{}\" aria-label=\"{label}\">", escape(href));
        }
        let _ = write!(
            body,
            "<path class=\"sa-area\" id=\"{id}-area-{i}\" data-key=\"{}\" data-value=\"{}\" data-class=\"{class_attr}\" fill=\"{fill}\"{focus} d=\"{}\"><title>{label}</title></path>",
            escape(&a.key),
            value.map(data_num).unwrap_or_default(),
            path_data(px),
        );
        if a.href.is_some() {
            body.push_str("</a>");
        }
    }
    body.push_str("</g>");

    // Coarser level's borders.
    if let Some(p) = &proj
        && !spec.outlines.is_empty()
    {
        let _ = write!(
            body,
            "<g class=\"sa-outlines\" fill=\"none\" stroke=\"{OUTLINE}\" stroke-width=\"1.6\" stroke-linejoin=\"round\" pointer-events=\"none\" aria-hidden=\"true\">"
        );
        for o in &spec.outlines {
            let _ = write!(body, "<path d=\"{}\"/>", path_data(&to_pixels(o, p, 0.3)));
        }
        body.push_str("</g>");
    }

    // Highlighted area: a white halo under a black line, visible on every class colour.
    if let Some(key) = &spec.highlight
        && let Some(i) = spec.areas.iter().position(|a| &a.key == key)
        && let Some(Some(px)) = pixel_areas.get(i)
    {
        let d = path_data(px);
        let _ = write!(
            body,
            "<g class=\"sa-highlight\" data-key=\"{}\" fill=\"none\" stroke-linejoin=\"round\" pointer-events=\"none\" aria-hidden=\"true\"><path d=\"{d}\" stroke=\"#ffffff\" stroke-width=\"5\"/><path d=\"{d}\" stroke=\"#000000\" stroke-width=\"2.5\"/></g>",
            escape(key)
        );
    }

    // Places, over the areas (and their highlight).
    if let Some(p) = &proj
        && !spec.points.is_empty()
    {
        body.push_str("<g class=\"sa-points\">");
        let placed = fan_out(
            spec.points
                .iter()
                .map(|pt| {
                    (pt.lon.is_finite() && pt.lat.is_finite()).then(|| {
                        p.project(Coord {
                            x: pt.lon,
                            y: pt.lat,
                        })
                    })
                })
                .collect(),
        );
        for (pt, c) in spec.points.iter().zip(placed) {
            let Some(c) = c else { continue };
            let label = escape(&pt.label);
            if let Some(href) = &pt.href {
                let _ = write!(body, "<a href=\"{}\" aria-label=\"{label}\">", escape(href));
            }
            let _ = write!(
                body,
                "<circle class=\"sa-point\" cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"#d4351c\" stroke=\"#ffffff\" stroke-width=\"2\"><title>{label}</title></circle>",
                n(c.x),
                n(c.y)
            );
            if pt.href.is_some() {
                body.push_str("</a>");
            }
        }
        body.push_str("</g>");
    }
    if let Some(p) = &proj
        && spec.pick
    {
        let params: Vec<String> = p.params().iter().map(|v| format!("{v}")).collect();
        let _ = write!(
            body,
            "<g class=\"sa-pick\" data-projection=\"{}\"></g>",
            params.join(" ")
        );
    }

    // Labels, largest areas first; a label that would collide with one placed is left out
    // (the tooltip still names the area).
    if spec.labels != AreaLabels::None && spec.bare {
        for (a, px) in spec.areas.iter().zip(&pixel_areas) {
            let Some(px) = px else { continue };
            let Some((c, dist)) = label_point(px, 0.5) else {
                continue;
            };
            if dist <= 0.0 {
                continue;
            }
            let text = match spec.labels {
                AreaLabels::Keys => a.key.clone(),
                _ => label_of(a),
            };
            // Half the diagonal of the text's box (with a halo of 2 px) at `label_px`.
            let half = (text_width(&text, label_px, false) / 2.0 + 2.0).hypot(label_px * 0.6 + 2.0);
            let fill = area_fill(a, &spec.classes);
            // In user units until the figure's height is known.
            html_labels.push(HtmlLabel {
                key: a.key.clone(),
                text,
                x: c.x,
                y: c.y,
                min_width: width * half / dist,
                ink: text_colour_on(fill).rgb(),
                halo: fill,
            });
        }
    }
    if spec.labels != AreaLabels::None && !spec.bare {
        let mut order: Vec<usize> = (0..spec.areas.len()).collect();
        let size = |i: usize| {
            pixel_areas[i]
                .as_ref()
                .map(|mp| mp.0.iter().map(polygon_area).sum::<f64>())
                .unwrap_or(0.0)
        };
        order.sort_by(|&a, &b| size(b).total_cmp(&size(a)));
        let mut placed: Vec<Placed> = Vec::new();
        let mut labels = String::new();
        for i in order {
            let a = &spec.areas[i];
            let Some(px) = &pixel_areas[i] else { continue };
            let Some((c, dist)) = label_point(px, 0.5) else {
                continue;
            };
            let s = match spec.labels {
                AreaLabels::Keys => a.key.as_str(),
                _ => a.name.as_str(),
            };
            let fs = 12.0;
            // Two lines when the name is wider than the room around the label point.
            let one = text_width(s, fs, false);
            let lines: Vec<String> = if one > 2.2 * dist && s.contains([' ', '-']) {
                split_two(s)
            } else {
                vec![s.to_string()]
            };
            let w = lines
                .iter()
                .map(|l| text_width(l, fs, false))
                .fold(0.0, f64::max);
            let h = lines.len() as f64 * 14.0;
            let rect = Rect::new(
                (c.x - w / 2.0, c.y - h / 2.0),
                (c.x + w / 2.0, c.y + h / 2.0),
            );
            if placed.iter().any(|p| overlaps(&p.rect, &rect))
                || rect.min().x < map_x
                || rect.max().x > map_x + map_w
            {
                continue;
            }
            placed.push(Placed { rect });
            let fill = area_fill(a, &spec.classes);
            // Inside its area the label takes the text colour that reads on the fill, with a
            // halo of the fill hiding borders; one that spills over neighbours is dark on white.
            let fits = w / 2.0 <= dist + 2.0 && h / 2.0 <= dist + 2.0;
            let (ink, fill) = if fits {
                (text_colour_on(fill).rgb(), fill)
            } else {
                (Rgb::from_u32(0x222222), Rgb::from_u32(0xffffff))
            };
            let _ = write!(
                labels,
                "<text class=\"sa-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" stroke=\"{}\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">",
                n(c.x),
                n(c.y - h / 2.0 + 10.5),
                hex(ink),
                hex(fill),
            );
            for (li, l) in lines.iter().enumerate() {
                let _ = write!(
                    labels,
                    "<tspan x=\"{}\" dy=\"{}\">{}</tspan>",
                    n(c.x),
                    if li == 0 { "0" } else { "14" },
                    escape(l)
                );
            }
            labels.push_str("</text>");
        }
        if !labels.is_empty() {
            let _ = write!(
                body,
                "<g class=\"sa-labels\" font-size=\"12\" pointer-events=\"none\" aria-hidden=\"true\">{labels}</g>"
            );
        }
    }

    // Legend.
    let legend_x = map_x + map_w_max + gap;
    let mut ly = map_y;
    if !no_legend {
        let _ = write!(body, "<g class=\"sa-legend\" font-size=\"13\">");
        if let Some(t) = &spec.legend_title {
            text(&mut body, legend_x, ly + 13.0, "font-weight=\"bold\"", t);
            ly += 24.0;
        }
        for (j, (label, count, fill)) in rows.iter().enumerate() {
            let _ = write!(
                body,
                "<rect class=\"sa-swatch\" x=\"{}\" y=\"{}\" width=\"{SWATCH_W}\" height=\"{SWATCH_H}\" fill=\"{fill}\" stroke=\"#767676\" stroke-width=\"0.5\"/>",
                n(legend_x),
                n(ly)
            );
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\">{}<tspan class=\"sa-count\" dx=\"4\" fill=\"{INK_SOFT}\">({count})</tspan></text>",
                n(legend_x + SWATCH_W + 10.0),
                n(ly + 13.5),
                escape(label),
            );
            // The city mark: a line across the swatch of its class, at its place in the class.
            if let Some(f) = legend.rows[j].city_mark {
                let my = ly + SWATCH_H * f;
                let _ = write!(
                    body,
                    "<line class=\"sa-city-mark\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000000\" stroke-width=\"2.5\"/>",
                    n(legend_x - 5.0),
                    n(my),
                    n(legend_x + SWATCH_W + 5.0),
                    n(my)
                );
            }
            ly += ROW_H;
        }
        if let Some(cl) = &city_label
            && legend.rows.iter().any(|r| r.city_mark.is_some())
        {
            ly += 6.0;
            let my = ly + SWATCH_H / 2.0;
            let _ = write!(
                body,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000000\" stroke-width=\"2.5\"/>",
                n(legend_x - 5.0),
                n(my),
                n(legend_x + SWATCH_W + 5.0),
                n(my)
            );
            text(
                &mut body,
                legend_x + SWATCH_W + 10.0,
                ly + 13.5,
                "class=\"sa-city\"",
                cl,
            );
            ly += ROW_H;
        }
        body.push_str("</g>");
    }

    // Scale bar under the legend (or under the map without one).
    if spec.scale_bar
        && let Some(p) = &proj
    {
        let max_px = if no_legend {
            map_w * 0.3
        } else {
            legend_w.min(140.0)
        };
        let len_m = nice_length(p.metres_per_px() * max_px);
        let len_px = len_m / p.metres_per_px();
        if len_px > 10.0 {
            let (sx, sy) = if no_legend {
                ly = map_y + map_h + 8.0;
                (map_x, ly + 16.0)
            } else {
                ly += 16.0;
                (legend_x, ly + 16.0)
            };
            let half = len_px / 2.0;
            let _ = write!(
                body,
                "<g class=\"sa-scale\" font-size=\"12\" fill=\"{INK}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\" fill=\"#000000\"/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1\"/>",
                n(sx),
                n(sy),
                n(half),
                n(sx + half),
                n(sy),
                n(half)
            );
            text(&mut body, sx, sy - 4.0, "", "0");
            text(
                &mut body,
                sx + len_px,
                sy - 4.0,
                "text-anchor=\"end\"",
                &length_label(len_m, locale),
            );
            body.push_str("</g>");
            ly = sy + 5.0;
        }
    }

    // Footer: Stand, source, attribution.
    let mut fy = (map_y + map_h).max(ly) + 14.0;
    let mut footer = String::new();
    let lines: Vec<String> = [
        spec.stand
            .as_ref()
            .map(|s| format!("{}: {s}", locale.pick("Stand", "As of"))),
        spec.source
            .as_ref()
            .map(|s| format!("{}: {s}", locale.pick("Quelle", "Source"))),
        spec.attribution.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|_| !spec.bare)
    .collect();
    for l in lines {
        for w in wrap(&l, 12.0, false, inner_w) {
            fy += 16.0;
            text(
                &mut footer,
                MARGIN,
                fy,
                &format!("class=\"sa-source\" font-size=\"12\" fill=\"{INK_SOFT}\""),
                &w,
            );
        }
    }
    let height = fy + MARGIN;

    // Description for assistive technology.
    let mut desc = format!(
        "{} {} {}",
        locale.pick("Karte mit", "Map of"),
        spec.areas.len(),
        locale.pick("Gebieten", "areas"),
    );
    if k > 0 {
        let _ = write!(
            desc,
            " {} {k} {}",
            locale.pick("in", "in"),
            locale.pick("Klassen", "classes")
        );
    }
    desc.push('.');
    if let Some(cl) = &city_label {
        let _ = write!(desc, " {cl}.");
    }
    if n_nodata > 0 {
        let _ = write!(desc, " {}: {n_nodata}.", no_data_label(locale));
    }
    if n_suppressed > 0 {
        let _ = write!(desc, " {}: {n_suppressed}.", suppressed_label(locale));
    }
    let title = [spec.title.as_str()]
        .into_iter()
        .chain(sub.iter().copied())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");

    let mut out = String::with_capacity(body.len() + 4096);
    open(
        &mut out,
        &id,
        width,
        height.ceil(),
        "group",
        &title,
        &desc,
        "sa-map",
    );
    patterns(&mut out, &id);
    let _ = write!(
        out,
        "<rect class=\"sa-background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    out.push_str(&header);
    out.push_str(&body);
    out.push_str(&footer);
    out.push_str("</svg>");
    let height = height.ceil();
    let labels = html_labels
        .into_iter()
        .map(|l| HtmlLabel {
            x: l.x / width,
            y: l.y / height,
            ..l
        })
        .collect();
    (out, labels)
}

/// The colour an area is filled with (a pattern's base colour for no data and suppressed).
fn area_fill(a: &MapArea, classes: &[LegendClass]) -> Rgb {
    match a.state {
        AreaState::Class { class, .. } => classes
            .get(class)
            .map(|c| c.colour)
            .unwrap_or(palette::NO_DATA),
        AreaState::NoData => palette::NO_DATA,
        AreaState::Suppressed => palette::SUPPRESSED,
    }
}

/// Places that fall on one spot (within a dot's radius, e.g. ideas placed in the same area
/// without a point of their own) are set around it on a circle, so that each can be seen and
/// chosen; the others stay where they are.
fn fan_out(points: Vec<Option<Coord<f64>>>) -> Vec<Option<Coord<f64>>> {
    const RADIUS: f64 = 8.0;
    let mut out = points.clone();
    let mut done = vec![false; points.len()];
    for i in 0..points.len() {
        let Some(c) = points[i] else { continue };
        if done[i] {
            continue;
        }
        let group: Vec<usize> = (i..points.len())
            .filter(|&j| {
                !done[j] && points[j].is_some_and(|d| (d.x - c.x).hypot(d.y - c.y) < RADIUS)
            })
            .collect();
        if group.len() < 2 {
            continue;
        }
        // Neighbouring dots just touch: the circumference holds the group's diameters.
        let r = (group.len() as f64 * 2.0 * RADIUS / std::f64::consts::TAU).max(RADIUS * 1.5);
        for (k, &j) in group.iter().enumerate() {
            let a = std::f64::consts::TAU * k as f64 / group.len() as f64;
            out[j] = Some(Coord {
                x: c.x + r * a.sin(),
                y: c.y - r * a.cos(),
            });
            done[j] = true;
        }
    }
    out
}

/// Splits a name into two lines at the space or hyphen nearest its middle.
fn split_two(s: &str) -> Vec<String> {
    let mid = s.chars().count() / 2;
    let best = s
        .char_indices()
        .filter(|(_, c)| *c == ' ' || *c == '-')
        .min_by_key(|(i, _)| (s[..*i].chars().count() as isize - mid as isize).abs());
    match best {
        Some((i, ' ')) => vec![s[..i].to_string(), s[i + 1..].to_string()],
        Some((i, _)) => vec![s[..=i].to_string(), s[i + 1..].to_string()],
        None => vec![s.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_lengths() {
        assert_eq!(nice_length(1234.0), 1000.0);
        assert_eq!(nice_length(2600.0), 2000.0);
        assert_eq!(nice_length(780.0), 500.0);
        assert_eq!(nice_length(f64::NAN), 0.0);
        assert_eq!(length_label(500.0, Locale::De), "500 m");
        assert_eq!(length_label(2000.0, Locale::En), "2 km");
    }

    #[test]
    fn places_on_one_spot_are_set_around_it() {
        let at = |x: f64, y: f64| Some(Coord { x, y });
        let out = fan_out(vec![
            at(100.0, 100.0),
            at(100.0, 101.0),
            None,
            at(100.0, 100.0),
            at(300.0, 50.0),
        ]);
        assert_eq!(out[2], None);
        assert_eq!(out[4], at(300.0, 50.0), "a place alone stays");
        let group: Vec<Coord<f64>> = [0, 1, 3].iter().map(|&i| out[i].unwrap()).collect();
        for (i, a) in group.iter().enumerate() {
            assert!(
                (a.x - 100.0).hypot(a.y - 100.0) <= 13.0,
                "{a:?} near the spot"
            );
            for b in &group[i + 1..] {
                assert!(
                    (a.x - b.x).hypot(a.y - b.y) >= 15.9,
                    "{a:?} and {b:?} apart"
                );
            }
        }
    }

    #[test]
    fn splits_names() {
        assert_eq!(split_two("Westliche Höhe"), ["Westliche", "Höhe"]);
        assert_eq!(split_two("Friesischer-Berg"), ["Friesischer-", "Berg"]);
    }
}
