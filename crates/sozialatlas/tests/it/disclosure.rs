//! The disclosure attack by changing what is secret (issue 18, item 3): two copies of the
//! Flensburg atlas, with an overlay of three regions and a high threshold, differ only in
//! suppressed counts — moved between areas and variables so that every published count, total,
//! overlay and derived sum stays the same. If anything the atlas publishes depended on a
//! suppressed count (a page, a map, a download, the report, an analysis, a change between
//! years, an API answer, a file's hash or ETag), the two publications would differ somewhere.
//! They must not differ in a single byte.

use crate::common::*;
use sozialatlas_core::compute::Disclosure;
use sozialatlas_core::{Computed, Obs, ValueState};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// High enough that whole districts' counts are withheld, low enough that most are published.
const THRESHOLD: u32 = 150;
/// Every build of this test records this load time (`SOURCE_DATE_EPOCH`).
const EPOCH: &str = "1700000000";
/// The variables of the main table whose column is named like the variable.
const WIDE_VARS: [&str; 8] = [
    "births",
    "residents_under_18",
    "residents_18_to_64",
    "residents_65_plus",
    "employed_svb",
    "unemployed",
    "housing_benefit_recipients",
    "sgb2_beneficiaries",
];
const WIDE: &str = "data/flensburg_core_indicators_wide.csv";

fn load(folder: &Path) -> sozialatlas_import::Atlas {
    sozialatlas_import::load_atlas(&sozialatlas_import::DirSource::new(folder), &|_, _, _| {})
        .unwrap_or_else(|e| panic!("{}: {e:?}", folder.display()))
}

/// What the computation publishes: published cells and indicator values with their numbers,
/// the others by their state alone.
fn public(c: &Computed) -> Vec<String> {
    let cells = c.cells.iter().map(|cell| match cell.disclosure {
        Disclosure::Open => format!("{cell:?}"),
        d => format!("{d:?}"),
    });
    let values = c.values.iter().map(|v| {
        if v.state == ValueState::Ok {
            format!("{v:?}")
        } else {
            format!("{} {} {} {:?}", v.indicator, v.area, v.period, v.state)
        }
    });
    cells.chain(values).collect()
}

/// One move of counts: `(area, period, variable) → change`.
type Move = BTreeMap<(usize, i32, usize), f64>;
type Cell = (usize, i32, usize);

/// The suppressed counts of the main table's districts and the moves between them that might
/// keep every published figure: one count up or down by one, one moved between two districts
/// (their total stays), or a rectangle (two districts × two variables, so that the sums over
/// the variables stay too).
struct Secrets<'a> {
    atlas: &'a sozialatlas_import::Atlas,
    settings: sozialatlas_core::ComputeSettings,
    published: Vec<String>,
    /// The given counts of the districts that the computation withholds.
    cells: BTreeMap<Cell, f64>,
    /// Candidate moves, rectangles first, each kind in a seeded order that spreads over
    /// districts and years.
    candidates: Vec<Vec<(Cell, f64)>>,
}

impl<'a> Secrets<'a> {
    fn new(atlas: &'a sozialatlas_import::Atlas) -> Self {
        let settings = atlas.config.settings.compute_settings();
        let base = sozialatlas_core::compute(
            &atlas.tree,
            &atlas.catalogue,
            &atlas.observations,
            &settings,
        );
        let level = atlas
            .tree
            .levels
            .iter()
            .position(|l| l.id == "stadtteil")
            .unwrap();
        let districts = atlas.tree.areas_of_level(level);
        let vars: Vec<usize> = WIDE_VARS
            .iter()
            .map(|id| {
                atlas
                    .catalogue
                    .variables
                    .iter()
                    .position(|v| v.id == *id)
                    .unwrap()
            })
            .collect();
        let mut cells = BTreeMap::new();
        for &p in &base.periods {
            for &a in &districts {
                for &v in &vars {
                    let open = base.cell(p, a, v).unwrap().disclosure == Disclosure::Open;
                    if let (false, Some(Obs::Value(x))) = (open, atlas.observations.get(&(a, p, v)))
                    {
                        cells.insert((a, p, v), *x);
                    }
                }
            }
        }
        // A count may go down by one only from 2 (0 is published, never withheld).
        let down = |c: &Cell| cells.get(c).is_some_and(|x| *x >= 2.0);
        let up = |c: &Cell| cells.contains_key(c);
        // A count alone (where its totals are withheld too) …
        let mut candidates: Vec<Vec<(Cell, f64)>> = cells
            .keys()
            .flat_map(|c| [vec![(*c, 1.0)], vec![(*c, -1.0)]])
            .filter(|m| m[0].1 > 0.0 || down(&m[0].0))
            .collect();
        // … or moved to another district, and back in another variable.
        for &p in &base.periods {
            for &a1 in &districts {
                for &a2 in districts.iter().filter(|&&a| a != a1) {
                    for (j, &v1) in vars.iter().enumerate() {
                        if !(up(&(a1, p, v1)) && down(&(a2, p, v1))) {
                            continue;
                        }
                        candidates.push(vec![((a1, p, v1), 1.0), ((a2, p, v1), -1.0)]);
                        for &v2 in &vars[j + 1..] {
                            if down(&(a1, p, v2)) && up(&(a2, p, v2)) {
                                candidates.push(vec![
                                    ((a1, p, v1), 1.0),
                                    ((a2, p, v1), -1.0),
                                    ((a1, p, v2), -1.0),
                                    ((a2, p, v2), 1.0),
                                ]);
                            }
                        }
                    }
                }
            }
        }
        candidates.sort_by_key(|c| std::cmp::Reverse(c.len()));
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for kind in candidates.chunk_by_mut(|x, y| x.len() == y.len()) {
            for i in (1..kind.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                kind.swap(i, (seed % (i as u64 + 1)) as usize);
            }
        }
        Secrets {
            atlas,
            published: public(&base),
            settings,
            cells,
            candidates,
        }
    }

    /// Whether the counts moved by `moves` publish exactly what the given counts publish.
    fn keeps_the_publication<'m>(&self, moves: impl Iterator<Item = (&'m Cell, &'m f64)>) -> bool {
        let mut obs = self.atlas.observations.clone();
        for (k, d) in moves {
            let Some(Obs::Value(x)) = obs.get_mut(k) else {
                unreachable!("{k:?} is a given count")
            };
            *x += d;
        }
        let c = sozialatlas_core::compute(
            &self.atlas.tree,
            &self.atlas.catalogue,
            &obs,
            &self.settings,
        );
        public(&c) == self.published
    }

    /// Up to `want` moves that hold together, at most one per variable and year so that they
    /// spread.
    fn moves(&self, want: usize) -> (Move, usize) {
        let mut moves = Move::new();
        let mut accepted = 0;
        for c in &self.candidates {
            if accepted == want {
                break;
            }
            if c.iter()
                .any(|((_, p, v), _)| moves.keys().any(|k| k.1 == *p && k.2 == *v))
            {
                continue;
            }
            if self.keeps_the_publication(moves.iter().chain(c.iter().map(|(k, d)| (k, d)))) {
                moves.extend(c.iter().copied());
                accepted += 1;
            }
        }
        (moves, accepted)
    }
}

/// Applies `moves` to the main table of the atlas folder `folder` (the CSV written back with
/// the same layout and line ends).
fn apply(folder: &Path, atlas: &sozialatlas_import::Atlas, moves: &Move) {
    let path = folder.join(WIDE);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let header = lines[0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (year, district) = (col("year"), col("district_id"));
    for (&(a, p, v), d) in moves {
        let c = col(&atlas.catalogue.variables[v].id);
        let key = &atlas.tree.areas[a].key;
        let row = lines
            .iter_mut()
            .find(|r| r[year] == p.to_string() && &r[district] == key)
            .unwrap_or_else(|| panic!("no row {key} {p}"));
        let x: f64 = row[c].parse().unwrap();
        row[c] = format!("{}", x + d);
    }
    let end = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let out: Vec<String> = lines.iter().map(|r| r.join(",") + end).collect();
    std::fs::write(&path, out.concat()).unwrap();
}

fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// Where two files first differ: the differing parts around the first differing byte.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let part = |x: &[u8]| {
        String::from_utf8_lossy(&x[at.saturating_sub(80)..(at + 80).min(x.len())]).into_owned()
    };
    format!("byte {at}: {:?} vs {:?}", part(a), part(b))
}

fn build(folder: &Path, db: &Path) {
    let r = run_env(
        &[
            "build",
            folder.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        &[("SOURCE_DATE_EPOCH", EPOCH)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The API answers that name values: every indicator on both levels in the years the moves
/// touch (the first two), alone and as changes from the first and the last year, smoothed where it can be; every district;
/// the analyses.
fn api_paths(atlas: &sozialatlas_import::Atlas, years: &BTreeSet<i32>) -> Vec<String> {
    let mut paths = vec![
        "/api/v1/catalogue".to_string(),
        "/api/v1/analysis/index".into(),
        "/api/v1/analysis/moran".into(),
        "/api/v1/analysis/typology".into(),
        "/api/v1/action-areas".into(),
        "/api/v1/runs".into(),
    ];
    for level in ["stadt", "stadtteil", "sozialraum"] {
        paths.push(format!("/api/v1/areas/{level}"));
    }
    for a in &atlas.tree.areas {
        let level = &atlas.tree.levels[a.level].id;
        if level != "bezirk" {
            paths.push(format!("/api/v1/areas/{level}/{}", a.key));
        }
    }
    for ind in &atlas.catalogue.indicators {
        for level in ["stadtteil", "sozialraum"] {
            for y in years.iter().take(2) {
                let base = format!("/api/v1/indicators/{}/{level}/{y}", ind.id);
                paths.push(format!("{base}?smooth=seb"));
                for y0 in [2011, 2022] {
                    if y0 != *y {
                        paths.push(format!("{base}?compare={y0}"));
                    }
                }
                paths.push(base);
            }
        }
    }
    paths
}

/// A scratch copy of Flensburg with the threshold raised to [`THRESHOLD`] and an overlay
/// `sozialraum` of three regions of whole Stadtteile (so that `region − its other members` is
/// one more route): the scratch folder and the atlas folder in it.
fn prepared() -> (tempfile::TempDir, PathBuf) {
    let (dir, a) = scratch("flensburg");
    edit(
        &a.join("atlas.toml"),
        "suppression_threshold = 3",
        &format!("suppression_threshold = {THRESHOLD}"),
    );
    let first = dir.path().join("first.db");
    build(&a, &first);
    let r = run(&[
        "regions",
        "--db",
        first.to_str().unwrap(),
        "--level",
        "stadtteil",
        "--method",
        "skater",
        "--regions",
        "3",
        "--indicators",
        "anteil_u18,anteil_65plus,altenquotient",
        "--save-overlay",
        "sozialraum",
        "--folder",
        a.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, a)
}

/// Every withheld count of the main table has a twin: a move of it, with other withheld
/// counts, after which the computation publishes the same figures. So none of them follows
/// from what is published, by any route (a total minus its parts, a sum over variables, an
/// overlay minus its other members): the route would give two values.
#[test]
fn every_withheld_count_has_a_twin() {
    let (_dir, a) = prepared();
    let atlas = load(&a);
    let secrets = Secrets::new(&atlas);
    assert!(
        secrets.cells.len() > 100,
        "{} withheld",
        secrets.cells.len()
    );
    let alone: Vec<&Cell> = secrets
        .cells
        .keys()
        .filter(|cell| {
            !secrets.candidates.iter().any(|c| {
                c.iter().any(|(k, _)| k == *cell)
                    && secrets.keeps_the_publication(c.iter().map(|(k, d)| (k, d)))
            })
        })
        .collect();
    assert!(
        alone.is_empty(),
        "{} of {} withheld counts have no twin: {:?}",
        alone.len(),
        secrets.cells.len(),
        &alone[..alone.len().min(10)]
    );
}

#[test]
fn nothing_published_depends_on_a_suppressed_count() {
    let (dir, a) = prepared();
    let atlas = load(&a);
    let secrets = Secrets::new(&atlas);
    let tried = secrets.candidates.len();
    let (moves, accepted) = secrets.moves(6);
    assert!(
        accepted == 6,
        "{accepted} secret moves found among {tried} candidates: {moves:?}"
    );
    let years: BTreeSet<i32> = moves.keys().map(|k| k.1).collect();
    // Primary (small) and secondary (large) counts move, in more than one year.
    let given: Vec<f64> = moves.keys().map(|k| secrets.cells[k]).collect();
    assert!(
        given.iter().any(|x| *x < f64::from(THRESHOLD))
            && given.iter().any(|x| *x >= f64::from(THRESHOLD))
            && years.len() > 1,
        "{moves:?}"
    );
    let b = dir.path().join("b");
    copy_dir(&a, &b);
    apply(&b, &atlas, &moves);
    // The copy really holds other counts, and the computation publishes the same.
    let other = load(&b);
    for (k, d) in &moves {
        let (Some(Obs::Value(x)), Some(Obs::Value(y))) =
            (atlas.observations.get(k), other.observations.get(k))
        else {
            panic!("{k:?} is no count");
        };
        assert_eq!(y - x, *d, "{k:?}");
    }
    let settings = atlas.config.settings.compute_settings();
    let compute = |x: &sozialatlas_import::Atlas| {
        sozialatlas_core::compute(&x.tree, &x.catalogue, &x.observations, &settings)
    };
    assert_eq!(public(&compute(&atlas)), public(&compute(&other)));

    let (db_a, db_b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    build(&a, &db_a);
    build(&b, &db_b);

    // Every file of the static publication: pages, maps, downloads, the report.
    let mut sites = Vec::new();
    for (db, name) in [(&db_a, "site-a"), (&db_b, "site-b")] {
        let out = dir.path().join(name);
        let r = run(&[
            "publish",
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        sites.push(files(&out));
    }
    assert!(sites[0].len() > 1000, "{} files", sites[0].len());
    assert!(sites[0].keys().any(|p| p.ends_with("data/bericht.pdf")));
    // Both record the load time SOURCE_DATE_EPOCH gives.
    let sources = String::from_utf8_lossy(&sites[0][Path::new("sources/index.html")]);
    assert!(sources.contains("2023-11-14T22:13:20Z"), "{sources}");
    let differ: Vec<&PathBuf> = sites[0]
        .iter()
        .filter(|(p, bytes)| sites[1].get(*p) != Some(bytes))
        .map(|(p, _)| p)
        .collect();
    assert!(
        differ.is_empty() && sites[0].len() == sites[1].len(),
        "{} of {} published files depend on suppressed counts, e.g. {:?}; the first: {}",
        differ.len(),
        sites[0].len(),
        &differ[..differ.len().min(12)],
        differ.first().map_or(String::new(), |p| first_difference(
            &sites[0][*p],
            &sites[1][*p]
        ))
    );

    // The API, answer by answer, with its ETag.
    let (sa, sb) = (
        Server::start(&["--db", db_a.to_str().unwrap()]),
        Server::start(&["--db", db_b.to_str().unwrap()]),
    );
    let paths = api_paths(&atlas, &years);
    let mut ok = 0;
    for p in &paths {
        let (x, y) = (
            http(&sa.addr, "GET", p, "", "").unwrap(),
            http(&sb.addr, "GET", p, "", "").unwrap(),
        );
        let etag = |r: &Response| {
            r.head
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("etag:"))
                .map(str::to_string)
        };
        assert_eq!(x.status, y.status, "{p}");
        assert!(x.body == y.body, "{p} depends on suppressed counts");
        assert_eq!(etag(&x), etag(&y), "{p}");
        ok += usize::from(x.status == 200);
    }
    assert!(ok > paths.len() / 2, "{ok} of {} answered", paths.len());
}
