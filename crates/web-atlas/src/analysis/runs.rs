//! `/analysis/runs/{id}`: a stored run, shown exactly as stored (its own areas, parameters and
//! result; only the boundaries come from the atlas), and `/analysis/runs/compare?a=&b=`: the
//! cross-tabulation of two typology runs with the adjusted Rand index.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_runs::{IndexRun, MoranRun, RegionsRun, TypologyRun};
use sozialatlas_store::StoredRun;

use super::{num, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::{Msgs, msgs, prefix};
use crate::layout::Layout;
use crate::params;

/// Parses a run id (400) and reads the run (404).
pub(crate) async fn load(
    state: &AppState,
    param: &str,
    raw: &str,
    locale: Locale,
) -> Result<StoredRun, AppError> {
    let id: i64 = raw.parse().ok().filter(|&i| i > 0).ok_or_else(|| {
        super::bad_param(
            param,
            raw,
            "die Nummer einer gespeicherten Berechnung",
            "the number of a stored run",
            locale,
        )
    })?;
    sozialatlas_store::get_run(state.pool(), id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(texts(locale).no_such_run.replace("{id}", &id.to_string()))
        })
}

fn unreadable(run: &StoredRun, e: serde_json::Error) -> AppError {
    AppError::Internal(format!("run {}: stored result unreadable: {e}", run.id))
}

#[derive(Template)]
#[template(path = "analysis/run.html")]
struct RunPage {
    l: Layout,
    a: &'static AMsgs,
    heading: String,
    facts: Vec<(&'static str, String)>,
    load_note: String,
    repeat_href: String,
    json_href: String,
    body: String,
}

/// `GET /analysis/runs/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    saver: super::auth::MaySave,
    Path(raw): Path<String>,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let run = load(&state, "id", &raw, locale).await?;
    let a = texts(locale);
    let p = prefix(locale);
    let (body, repeat_href) = match run.kind.as_str() {
        "index" => {
            let r: IndexRun =
                serde_json::from_str(&run.result_json).map_err(|e| unreadable(&run, e))?;
            let body = super::index::result(&state, &r, locale, "run-map").render()?;
            (
                body,
                format!(
                    "{p}/analysis/index{}",
                    super::index::params_query(&r.params)
                ),
            )
        }
        "typology" => {
            let r: TypologyRun =
                serde_json::from_str(&run.result_json).map_err(|e| unreadable(&run, e))?;
            let query = super::query(&super::typology::params_pairs(&r.params));
            let mut body = super::typology::result(&state, &r, locale, "run").render()?;
            body += &super::typology::proposal_form(
                &state,
                &r,
                Some(run.id),
                &query,
                &saver.0,
                locale,
                uri.0.path(),
                None,
            )
            .render()?;
            (body, format!("{p}/analysis/typology{query}"))
        }
        "moran" => {
            let r: MoranRun =
                serde_json::from_str(&run.result_json).map_err(|e| unreadable(&run, e))?;
            let title = super::indicator_name(&state, &r.params.indicator, locale);
            let body = super::moran::section_of(&state, &r, locale, "run", &title).render()?;
            (
                body,
                format!(
                    "{p}/indicators/{}/{}/{}#moran",
                    r.params.indicator, r.params.level, r.params.year
                ),
            )
        }
        "regions" => {
            let r: RegionsRun =
                serde_json::from_str(&run.result_json).map_err(|e| unreadable(&run, e))?;
            let mut body = String::new();
            if params::get(&params::pairs(query.as_deref()), "saved").is_some() {
                body += &format!(
                    "<p class=\"notice\" role=\"status\">{}</p>\n",
                    crate::i18n::regions::rmsgs(locale).saved
                );
            }
            body += &super::regions::result(&state, &r, locale, "run").render()?;
            body += &super::regions::overlay_section(
                &state,
                &r,
                run.id,
                saver.0.csrf.is_some(),
                locale,
            )
            .render()?;
            let query = super::query(&super::regions::params_pairs(&r.params, locale));
            (body, format!("{p}/analysis/regions{query}"))
        }
        other => {
            return Err(AppError::NotFound(
                a.unknown_run_kind.replace("{kind}", other),
            ));
        }
    };
    let heading = format!(
        "{} {}: {}",
        a.run,
        run.id,
        super::overview::kind_label(&run.kind, a)
    );
    let facts = vec![
        (a.parameters, super::overview::summary(&state, &run, locale)),
        (a.created, super::overview::when(&run.created_at, locale)),
        (a.data_load, run.load_id.to_string()),
        (a.program, run.program_version.clone()),
    ];
    let page = RunPage {
        l: Layout::new(&state, locale, &heading, uri.0.path(), uri.0.query()),
        a,
        heading,
        facts,
        load_note: super::load_note(&state, run.load_id, locale).unwrap_or_default(),
        repeat_href,
        json_href: format!("/api/v1/runs/{}", run.id),
        body,
    };
    Ok(super::no_store(super::html(&page)?))
}

/// One row of the cross-tabulation.
struct CrossRow {
    label: String,
    colour: String,
    counts: Vec<u64>,
    total: u64,
}

#[derive(Template)]
#[template(path = "analysis/compare.html")]
struct ComparePage {
    l: Layout,
    m: &'static Msgs,
    a: &'static AMsgs,
    run_a: (i64, String, String),
    run_b: (i64, String, String),
    columns: Vec<(String, String)>,
    rows: Vec<CrossRow>,
    column_totals: Vec<u64>,
    common: usize,
    ari: String,
    ari_words: &'static str,
    moved: Vec<(String, String, String, String)>,
    only_a: Vec<String>,
    only_b: Vec<String>,
}

fn typology_of(run: &StoredRun, param: &str, locale: Locale) -> Result<TypologyRun, AppError> {
    if run.kind != "typology" {
        return Err(AppError::BadRequest(
            texts(locale)
                .compare_needs_typology
                .replace("{param}", param)
                .replace("{id}", &run.id.to_string()),
        ));
    }
    serde_json::from_str(&run.result_json).map_err(|e| unreadable(run, e))
}

/// The adjusted Rand index in words.
fn ari_words(ari: f64, a: &AMsgs) -> &'static str {
    if ari >= 0.9 {
        a.ari_same
    } else if ari >= 0.65 {
        a.ari_largely
    } else if ari >= 0.35 {
        a.ari_partly
    } else {
        a.ari_hardly
    }
}

/// `GET /analysis/runs/compare?a=&b=`.
pub async fn compare(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let a = texts(locale);
    let pairs = params::pairs(raw.as_deref());
    let get = |k: &str| {
        params::get(&pairs, k).ok_or_else(|| {
            super::bad_param(
                k,
                "",
                "die Nummer einer gespeicherten Berechnung",
                "the number of a stored run",
                locale,
            )
        })
    };
    let (sa, sb) = (get("a")?, get("b")?);
    let ra = load(&state, "a", sa, locale).await?;
    let rb = load(&state, "b", sb, locale).await?;
    let ta = typology_of(&ra, "a", locale)?;
    let tb = typology_of(&rb, "b", locale)?;
    // Match areas by key: runs may come from different loads or levels.
    let pos_b: std::collections::HashMap<&str, usize> = tb
        .areas
        .iter()
        .enumerate()
        .map(|(i, x)| (x.key.as_str(), i))
        .collect();
    let mut la = Vec::new();
    let mut lb = Vec::new();
    let mut moved = Vec::new();
    let mut only_a = Vec::new();
    for (i, x) in ta.areas.iter().enumerate() {
        match pos_b.get(x.key.as_str()) {
            Some(&j) => {
                let (ca, cb) = (ta.result.membership[i], tb.result.membership[j]);
                la.push(ca);
                lb.push(cb);
                moved.push((
                    x.key.clone(),
                    x.name.clone(),
                    ca.to_string(),
                    cb.to_string(),
                ));
            }
            None => only_a.push(x.name.clone()),
        }
    }
    let keys_a: std::collections::HashSet<&str> = ta.areas.iter().map(|x| x.key.as_str()).collect();
    let only_b: Vec<String> = tb
        .areas
        .iter()
        .filter(|x| !keys_a.contains(x.key.as_str()))
        .map(|x| x.name.clone())
        .collect();
    if la.is_empty() {
        return Err(AppError::BadRequest(a.compare_no_common.to_string()));
    }
    let ct = sozialatlas_analysis::agreement::crosstab(&la, &lb)?;
    let ari = ct.adjusted_rand_index();
    let fa = super::colours::clusters(ta.result.clusters.len());
    let fb = super::colours::clusters(tb.result.clusters.len());
    let describe = |t: &TypologyRun, c: usize| {
        t.result
            .clusters
            .iter()
            .find(|x| x.number == c)
            .map(|x| match locale {
                Locale::De => x.description_de.clone(),
                Locale::En => x.description_en.clone(),
            })
            .unwrap_or_default()
    };
    let rows: Vec<CrossRow> = ct
        .rows
        .iter()
        .zip(&ct.counts)
        .map(|(&c, counts)| CrossRow {
            label: format!("{} {c}: {}", a.cluster, describe(&ta, c)),
            colour: fa.get(c - 1).map(|x| x.hex()).unwrap_or_default(),
            total: counts.iter().sum(),
            counts: counts.clone(),
        })
        .collect();
    let columns = ct
        .columns
        .iter()
        .map(|&c| {
            (
                format!("{} {c}", a.cluster),
                fb.get(c - 1).map(|x| x.hex()).unwrap_or_default(),
            )
        })
        .collect();
    let column_totals = (0..ct.columns.len())
        .map(|j| ct.counts.iter().map(|r| r[j]).sum())
        .collect();
    let p = prefix(locale);
    let title = a.compare_title.to_string();
    let page = ComparePage {
        l: Layout::new(&state, locale, &title, uri.0.path(), uri.0.query()),
        m: msgs(locale),
        a,
        run_a: (
            ra.id,
            format!("{p}/analysis/runs/{}", ra.id),
            super::overview::summary(&state, &ra, locale),
        ),
        run_b: (
            rb.id,
            format!("{p}/analysis/runs/{}", rb.id),
            super::overview::summary(&state, &rb, locale),
        ),
        columns,
        rows,
        column_totals,
        common: la.len(),
        ari: num(ari, 3, locale),
        ari_words: ari_words(ari, a),
        moved,
        only_a,
        only_b,
    };
    super::html(&page)
}
