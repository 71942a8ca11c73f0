//! SVG snapshots of the maps and charts (see `tests/snapshots/README.md`): each figure is
//! rendered through the web application and compared with its committed file; a change in the
//! rendering fails here. `UPDATE_SNAPSHOTS=1` rewrites the files.

use crate::common::get;
use axum::http::StatusCode;

const TYPOLOGY: &str = "/analysis/typology?k=3&indicators=arbeitslosenanteil,sgb2_quote,nef_quote,wohngeld,beschaeftigtenquote";

/// The inline `<svg>` with this id in a page.
fn inline_svg(page: &str, id: &str) -> String {
    let marker = format!(" id=\"{id}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no svg with id {id}"));
    let start = page[..at].rfind("<svg").expect("svg start");
    let end = at + page[at..].find("</svg>").expect("svg end") + "</svg>".len();
    page[start..end].to_string()
}

fn check(name: &str, svg: &str) {
    assert!(
        svg.starts_with("<svg") && svg.ends_with("</svg>"),
        "{name}: not an SVG"
    );
    let path = format!("{}/tests/snapshots/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, svg).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} is missing; run with UPDATE_SNAPSHOTS=1 to make it"));
    if want != svg {
        // The SVGs are single lines: show the first difference with some context.
        let at = want
            .bytes()
            .zip(svg.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(want.len().min(svg.len()));
        let around = |s: &str| {
            let mut lo = at.saturating_sub(80).min(s.len());
            while !s.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (at + 120).min(s.len());
            while !s.is_char_boundary(hi) {
                hi += 1;
            }
            s[lo..hi].to_string()
        };
        panic!(
            "{name} changed at byte {at}:\n  expected: …{}…\n  rendered: …{}…\nIf intended: UPDATE_SNAPSHOTS=1 cargo test -p sozialatlas-web --test it svg_snapshots",
            around(&want),
            around(svg)
        );
    }
}

async fn page(path: &str) -> String {
    let r = get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    r.text()
}

#[tokio::test]
async fn indicator_map() {
    check(
        "indicator_map.svg",
        &page("/indicators/sgb2_quote/stadtteil/2022.svg").await,
    );
}

#[tokio::test]
async fn profile_spine() {
    let p = page("/areas/stadtteil/2").await;
    check("profile_spine.svg", &inline_svg(&p, "spine-sgb2_quote"));
}

#[tokio::test]
async fn index_map() {
    let p = page("/analysis/index").await;
    check("index_map.svg", &inline_svg(&p, "index-map"));
}

#[tokio::test]
async fn typology_figures() {
    let p = page(TYPOLOGY).await;
    check("cluster_map.svg", &inline_svg(&p, "typology-map"));
    check("dendrogram.svg", &inline_svg(&p, "typology-dendrogram"));
}

#[tokio::test]
async fn moran_figures() {
    let p = page("/indicators/sgb2_quote/stadtteil/2022").await;
    check("lisa_map.svg", &inline_svg(&p, "moran-lisa"));
    check("moran_scatter.svg", &inline_svg(&p, "moran-scatter"));
}

/// The comparison itself must notice a change: one altered digit fails.
#[test]
#[should_panic(expected = "changed")]
fn a_changed_figure_fails() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        panic!("changed (skipped while updating)");
    }
    let path = format!(
        "{}/tests/snapshots/indicator_map.svg",
        env!("CARGO_MANIFEST_DIR")
    );
    let svg = std::fs::read_to_string(path).expect("snapshot");
    let altered = svg.replacen("21,7", "21,8", 1);
    assert_ne!(altered, svg, "the snapshot shows Neustadt's 21,7 %");
    check("indicator_map.svg", &altered);
}
