//! The report of the demo atlas (Flensburg), as PDF (text extracted with `pdftotext`) and HTML.

use std::sync::OnceLock;

use sozialatlas_core::Locale;
use sozialatlas_model::Snapshot;
use sozialatlas_report::model::{self, Shown};
use sozialatlas_report::{Format, Inputs, Options, ReportError, lay_out, render};

fn demo() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| sozialatlas_test_support::example_snapshot_blocking("flensburg"))
}

fn inputs() -> Inputs<'static> {
    Inputs {
        snapshot: demo(),
        action_areas: None,
    }
}

fn quiet() -> impl FnMut(usize, usize, &str) {
    |_, _, _| {}
}

/// The level and areas the report uses by default: the finest level with data.
fn level_areas(snap: &Snapshot, level: &str) -> Vec<usize> {
    snap.tree
        .areas_of_level(snap.tree.level_index(level).unwrap())
}

/// The first indicator with decimals and a published city value in the report year: its name
/// and the expected text of the city value (formatted by core).
fn city_value(snap: &Snapshot, year: i32, locale: Locale) -> (String, String) {
    let root = snap.tree.root().unwrap();
    for (i, def) in snap.catalogue.indicators.iter().enumerate() {
        if def.decimals() == 0 {
            continue;
        }
        if let Some(x) = snap.value(i, root, year).and_then(|v| v.published()) {
            return (
                def.name.get(locale).to_string(),
                sozialatlas_core::locale::format_decimal(x, def.decimals(), locale),
            );
        }
    }
    panic!("no city value in {year}");
}

use sozialatlas_test_support::pdftotext;

#[test]
fn the_demo_report_as_pdf_has_title_contents_city_values_and_a_profile_page_per_area() {
    let snap = demo();
    let mut steps = 0;
    let pdf = render(
        &inputs(),
        &Options::new(Locale::De),
        Format::Pdf,
        &mut |_, _, _| steps += 1,
    )
    .expect("the demo report renders");
    assert!(pdf.starts_with(b"%PDF-"));
    // To look at it: REPORT_PDF_OUT=/tmp/bericht.pdf cargo test -p sozialatlas-report
    if let Some(out) = std::env::var_os("REPORT_PDF_OUT") {
        std::fs::write(out, &pdf).unwrap();
    }
    assert!(
        steps > snap.catalogue.indicators.len(),
        "progress was reported {steps} times"
    );
    let Some(text) = pdftotext(&pdf) else { return };
    let pages: Vec<&str> = text.split('\u{c}').collect();
    // Title page.
    assert!(
        pages[0].contains("Bericht zur sozialen Lage"),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains(&snap.meta.city), "{}", pages[0]);
    let year = *snap.periods.last().unwrap();
    assert!(
        pages[0].contains(&format!("{} {year}", snap.meta.city)),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains(&snap.meta.stand), "{}", pages[0]);
    // Table of contents with page numbers.
    let toc = pages[1];
    assert!(toc.contains("Inhalt"), "{toc}");
    assert!(
        toc.contains("Gebietsprofile") && toc.contains("Anhang"),
        "{toc}"
    );
    let profile_line = toc.lines().find(|l| l.contains("Gebietsprofile")).unwrap();
    let digits: String = profile_line
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let page_no: usize = digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no page number in `{profile_line}`"));
    assert!(
        pages[page_no - 1].contains("Gebietsprofile"),
        "the contents point to page {page_no}"
    );
    // One indicator's city value, formatted in German by core.
    let (name, value) = city_value(snap, year, Locale::De);
    assert!(
        value.contains(','),
        "a decimal comma is expected in {value}"
    );
    let page = pages
        .iter()
        .find(|p| {
            p.contains(&name)
                && p.lines()
                    .any(|l| l.trim_start().starts_with("Flensburg") && l.contains(&value))
        })
        .unwrap_or_else(|| panic!("no page with {name} and the city row {value}"));
    assert!(!page.is_empty());
    // One profile page per area, headed by its name and its level and key.
    let areas = level_areas(snap, "stadtteil");
    let mut profile_pages = 0;
    for &a in &areas {
        let area = &snap.tree.areas[a];
        let heading = format!("Stadtteil {}", area.key);
        let found = pages.iter().filter(|p| {
            p.lines().any(|l| l.trim() == area.name) && p.lines().any(|l| l.trim() == heading)
        });
        let n = found.count();
        assert_eq!(n, 1, "profile of {} ({heading}) on {n} pages", area.name);
        profile_pages += n;
    }
    assert_eq!(profile_pages, areas.len());
    // The appendix names the licence and the suppression threshold.
    let last = pages
        .iter()
        .rev()
        .find(|p| p.contains("Geheimhaltungsschwelle"))
        .expect("method settings");
    assert!(last.contains(&snap.settings.suppression_threshold.to_string()));
}

#[test]
fn the_demo_report_as_html_is_self_contained_and_has_every_profile() {
    let snap = demo();
    let html = String::from_utf8(
        render(
            &inputs(),
            &Options::new(Locale::De),
            Format::Html,
            &mut quiet(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"de\">"));
    for bad in [
        "src=\"http",
        "src='http",
        "<link",
        "<script",
        "@import",
        "url(http",
    ] {
        assert!(!html.contains(bad), "external or scripted content: {bad}");
    }
    assert!(!html.contains("<img"), "figures are inline SVG");
    // Every href is an anchor in the file or a link in the editors' text (none in the demo).
    for (i, _) in html.match_indices("href=\"") {
        let target = &html[i + 6..];
        assert!(
            target.starts_with('#'),
            "external href: {}",
            &target[..target.len().min(60)]
        );
        let id = &target[1..target.find('"').unwrap()];
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "the contents link #{id} has no target"
        );
    }
    for &a in &level_areas(snap, "stadtteil") {
        let area = &snap.tree.areas[a];
        let escaped = sozialatlas_report::markdown::esc(&area.name);
        assert!(
            html.contains(&format!("\">{escaped}</h2>")),
            "no profile heading for {}",
            area.name
        );
    }
    let year = *snap.periods.last().unwrap();
    let (_, value) = city_value(snap, year, Locale::De);
    assert!(
        html.contains(&format!("<td>{value}</td>")),
        "city value {value}"
    );
    assert!(html.matches("<svg").count() > snap.catalogue.indicators.len());
    assert!(html.contains("<th scope=\"col\">"));
    assert!(html.contains("<title"), "SVG titles");
}

#[test]
fn english_report_uses_english_words_and_numbers() {
    let snap = demo();
    let html = String::from_utf8(
        render(
            &inputs(),
            &Options::new(Locale::En),
            Format::Html,
            &mut quiet(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Report on the social situation"));
    let year = *snap.periods.last().unwrap();
    let (_, value) = city_value(snap, year, Locale::En);
    assert!(value.contains('.'), "{value}");
    assert!(
        html.contains(&format!("<td>{value}</td>")),
        "city value {value}"
    );
}

#[test]
fn suppressed_and_missing_values_are_signs_never_zero() {
    assert_eq!(Shown::Suppressed.cell(1, Locale::De), "•");
    assert_eq!(Shown::NoData.cell(1, Locale::De), "–");
    assert_eq!(Shown::Value(1234.56).cell(1, Locale::De), "1.234,6");
    // The demo has values suppressed at the source (households at risk of homelessness): the
    // report shows them as •.
    let snap = demo();
    let report = model::build(&inputs(), &Options::new(Locale::De), &mut quiet()).unwrap();
    let suppressed = snap.values.iter().any(|v| v.state.is_suppressed());
    let shows_dot = report
        .chapters
        .iter()
        .flat_map(|c| &c.indicators)
        .any(|i| i.rows.iter().any(|r| r.iter().any(|c| c == "•")));
    assert_eq!(
        suppressed, shows_dot,
        "suppressed in the atlas: {suppressed}, • in the report: {shows_dot}"
    );
}

#[test]
fn a_figure_that_cannot_be_read_names_its_indicator_or_area() {
    let opts = Options::new(Locale::De);
    let mut report = model::build(&inputs(), &opts, &mut quiet()).unwrap();
    let ind = &mut report.chapters[0].indicators[0];
    let id = ind.id.trim_start_matches("indikator-").to_string();
    ind.map.as_mut().unwrap().svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=".into();
    let err = lay_out(&report, Format::Pdf, &mut quiet()).unwrap_err();
    assert!(matches!(err, ReportError::Figure { .. }));
    let msg = err.to_string();
    assert!(msg.contains(&format!("indicator `{id}`")), "{msg}");

    let mut report = model::build(&inputs(), &opts, &mut quiet()).unwrap();
    let p = &mut report.profiles[2];
    let name = p.name.clone();
    let row = p
        .groups
        .iter_mut()
        .flat_map(|g| &mut g.rows)
        .find(|r| r.spine.is_some())
        .unwrap();
    row.spine.as_mut().unwrap().svg = "not svg".into();
    let msg = lay_out(&report, Format::Pdf, &mut quiet())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("({name})")) && msg.contains("profile of area"),
        "{msg}"
    );
}

#[test]
fn options_that_do_not_fit_the_atlas_are_named() {
    let mut o = Options::new(Locale::De);
    o.year = Some(1990);
    let msg = render(&inputs(), &o, Format::Html, &mut quiet())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("--year 1990") && msg.contains("2022"), "{msg}");
    let mut o = Options::new(Locale::De);
    o.level = Some("ortsteil".into());
    let msg = render(&inputs(), &o, Format::Html, &mut quiet())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("--level ortsteil") && msg.contains("stadtteil"),
        "{msg}"
    );
    let mut o = Options::new(Locale::De);
    o.compare_year = Some(2030);
    let msg = render(&inputs(), &o, Format::Html, &mut quiet())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("--compare-year 2030"), "{msg}");
}

#[test]
fn a_compare_year_heads_the_change_column() {
    let mut o = Options::new(Locale::De);
    o.compare_year = Some(2015);
    let report = model::build(&inputs(), &o, &mut quiet()).unwrap();
    let ind = &report.chapters[0].indicators[0];
    assert_eq!(ind.columns[2], "2015");
    assert!(
        ind.columns[3].starts_with("Veränderung 2015–"),
        "{:?}",
        ind.columns
    );
    // Default: the indicator's earliest year.
    let report = model::build(&inputs(), &Options::new(Locale::De), &mut quiet()).unwrap();
    let snap = demo();
    let ind = &report.chapters[0].indicators[0];
    let def = snap
        .catalogue
        .indicators
        .iter()
        .position(|d| d.name.get(Locale::De) == ind.name)
        .unwrap();
    let first = snap.periods_of(def)[0];
    assert_eq!(ind.columns[2], first.to_string());
}

/// A value converted from earlier boundaries is marked `≈` in the column of its year — here the
/// comparison year, whose values of one area are marked converted by hand — and the mark is
/// explained under the table (the Berlin example's reform, `crates/sozialatlas/tests/it/vintage.rs`,
/// shows it on real data through the pages; its report takes too long to build in a test).
#[test]
fn converted_values_are_marked_in_the_comparison_year() {
    let o = Options::new(Locale::De);
    let plain = model::build(&inputs(), &o, &mut quiet()).unwrap();
    let ind = &plain.chapters[0].indicators[0];
    let def = demo()
        .catalogue
        .indicators
        .iter()
        .position(|d| d.name.get(Locale::De) == ind.name)
        .unwrap();
    let name = &ind.rows[0][0];
    let compare: i32 = ind.columns[2].parse().unwrap();
    let area = demo()
        .tree
        .areas
        .iter()
        .position(|a| &a.name == name)
        .unwrap();
    let mut snap = demo().clone();
    let mut marked = 0;
    for v in snap.values.iter_mut().filter(|v| {
        v.indicator == def
            && v.area == area
            && v.period == compare
            && v.state == sozialatlas_core::ValueState::Ok
    }) {
        v.basis = sozialatlas_core::compute::Basis::Converted;
        marked += 1;
    }
    assert_eq!(marked, 1, "{name} has a value in {compare}");
    let inputs = Inputs {
        snapshot: &snap,
        action_areas: None,
    };
    let report = model::build(&inputs, &o, &mut quiet()).unwrap();
    let ind = &report.chapters[0].indicators[0];
    assert_eq!(
        ind.rows[0][2],
        format!("≈ {}", plain.chapters[0].indicators[0].rows[0][2])
    );
    assert!(!ind.rows[0][1].starts_with('≈'), "{:?}", ind.rows[0]);
    assert!(
        ind.notes
            .contains(&"≈ umgerechnet von früheren Gebietsgrenzen.".to_string()),
        "{:?}",
        ind.notes
    );
    assert!(
        !plain.chapters[0].indicators[0]
            .notes
            .iter()
            .any(|n| n.contains("umgerechnet"))
    );
}
