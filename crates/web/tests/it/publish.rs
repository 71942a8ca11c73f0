//! The static publication of the demo atlas: every internal link of the site resolves to one
//! of its files, the files are the server's responses (links aside), a failed publication
//! leaves nothing behind, and links that need the server go to it when it is named.

use crate::common;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lol_html::{RewriteStrSettings, element, rewrite_str};
use percent_encoding::percent_decode_str;
use sozialatlas_web::publish::{self, Phase, PublishError, PublishOptions, PublishSummary};

fn no_progress(_: Phase, _: usize, _: usize) {}

async fn publish_demo(out: &Path, server_url: Option<&str>) -> PublishSummary {
    let opts = PublishOptions {
        server_url: server_url.map(str::to_string),
        ..PublishOptions::default()
    };
    publish::publish(common::state().await, out, &opts, &no_progress)
        .await
        .expect("the demo publishes")
}

/// Every file under `root`, site-relative with `/`.
fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Every `href`, `src`, `srcset` candidate and form `action` of an HTML page, entity `&amp;`
/// and `&#38;` decoded.
fn links_of_html(html: &str) -> Vec<(String, String)> {
    let found = std::cell::RefCell::new(Vec::new());
    let push = |el: &lol_html::html_content::Element, attr: &str| {
        if let Some(v) = el.get_attribute(attr) {
            let v = v.replace("&amp;", "&").replace("&#38;", "&");
            if attr == "srcset" {
                for c in v.split(',') {
                    let u = c.split_whitespace().next().unwrap_or("").to_string();
                    found.borrow_mut().push((el.tag_name(), u));
                }
            } else {
                found.borrow_mut().push((el.tag_name(), v));
            }
        }
    };
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("[href]", |el| {
                push(el, "href");
                Ok(())
            }))
            .append_element_content_handler(element!("[src]", |el| {
                push(el, "src");
                Ok(())
            }))
            .append_element_content_handler(element!("[srcset]", |el| {
                push(el, "srcset");
                Ok(())
            }))
            .append_element_content_handler(element!("form", |el| {
                found.borrow_mut().push((
                    "form".into(),
                    el.get_attribute("action").unwrap_or_default(),
                ));
                Ok(())
            })),
    )
    .expect("the page parses");
    found.into_inner()
}

fn is_external(link: &str) -> bool {
    link.starts_with('#')
        || link.starts_with("//")
        || link
            .split_once(':')
            .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The file a relative link of the file `from` names, if it exists.
fn resolve(root: &Path, from: &str, link: &str) -> Option<PathBuf> {
    let no_frag = link.split('#').next().unwrap_or("");
    let path = no_frag.split('?').next().unwrap_or("");
    let mut segs: Vec<String> = from.split('/').map(str::to_string).collect();
    segs.pop();
    if path.is_empty() {
        return Some(root.join(from));
    }
    for s in path.split('/') {
        match s {
            "." | "" => {}
            ".." => {
                segs.pop()?;
            }
            s => segs.push(percent_decode_str(s).decode_utf8().ok()?.into_owned()),
        }
    }
    let mut p = root.to_path_buf();
    for s in &segs {
        p.push(s);
    }
    if path.ends_with('/') {
        p.push("index.html");
    }
    p.is_file().then_some(p)
}

#[tokio::test]
async fn demo_site_links_resolve_and_pages_are_the_servers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let s = publish_demo(&out, None).await;
    assert!(s.broken.is_empty(), "broken links: {:?}", s.broken);
    // Nothing but the site next to it: the temporary folder was renamed.
    let siblings: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(siblings.len(), 1);

    // Every indicator × level × year page and every area profile, in both languages.
    let state = common::state().await;
    let snap = state.snapshot();
    let files = walk(&out);
    let file_set: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    for prefix in ["", "en/"] {
        for a in &snap.tree.areas {
            let f = format!(
                "{prefix}areas/{}/{}/index.html",
                snap.tree.levels[a.level].id, a.key
            );
            assert!(file_set.contains(f.as_str()), "missing {f}");
        }
    }
    let mut indicator_pages = 0;
    for v in &snap.values {
        if v.state == sozialatlas_core::ValueState::Ok {
            let a = &snap.tree.areas[v.area];
            let f = format!(
                "indicators/{}/{}/{}/index.html",
                snap.catalogue.indicators[v.indicator].id, snap.tree.levels[a.level].id, v.period
            );
            assert!(file_set.contains(f.as_str()), "missing {f}");
            indicator_pages += 1;
        }
    }
    assert!(indicator_pages > 0);
    for f in [
        "index.html",
        "en/index.html",
        "catalogue/index.html",
        "sources/index.html",
        "data/index.html",
        "data/datenpool.csv",
        "data/datenpool.xlsx",
        "data/datenpool.geojson",
        "en/data/datenpool.csv",
        // The report, linked from the data pool page, in both languages and formats.
        "data/bericht.pdf",
        "data/bericht.html",
        "en/data/report.pdf",
        "en/data/report.html",
        "static/atlas.css",
        "static/atlas.js",
        "analysis/index.html",
    ] {
        assert!(file_set.contains(f), "missing {f}");
    }
    let html_files = files.iter().filter(|f| f.ends_with(".html")).count();
    assert_eq!(html_files, s.pages + s.redirects);
    assert_eq!(files.len(), s.pages + s.files + s.redirects);
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(out.join(f)).unwrap().len())
        .sum();
    assert_eq!(total, s.bytes);

    // (1) Every internal link of every page resolves to a file of the site.
    let mut checked = 0;
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(out.join(f)).unwrap();
        for (tag, link) in links_of_html(&html) {
            assert_ne!(tag, "form", "{f}: a form was kept without a server");
            if is_external(&link) {
                continue;
            }
            assert!(!link.starts_with('/'), "{f}: absolute internal link {link}");
            assert!(
                resolve(&out, f, &link).is_some(),
                "{f}: <{tag}> {link} names no file of the site"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
    // The stylesheet's url(…) too.
    let css = std::fs::read_to_string(out.join("static/atlas.css")).unwrap();
    let mut rest = css.as_str();
    while let Some(i) = rest.find("url(") {
        let inner = &rest[i + 4..];
        let end = inner.find(')').unwrap();
        let u = inner[..end].trim().trim_matches(['"', '\'']);
        if !is_external(u) && !u.is_empty() {
            assert!(resolve(&out, "static/atlas.css", u).is_some(), "css: {u}");
        }
        rest = &inner[end..];
    }

    // (2) Each kind of page is the server's response for its URL, with the same link rewrite.
    let ind = &snap.catalogue.indicators[0].id;
    let first = snap
        .values
        .iter()
        .find(|v| v.state == sozialatlas_core::ValueState::Ok && v.indicator == 0)
        .unwrap();
    let area = &snap.tree.areas[first.area];
    let level = &snap.tree.levels[area.level].id;
    let samples = [
        "/".to_string(),
        format!("/indicators/{ind}/{level}/{}", first.period),
        format!("/areas/{level}/{}", area.key),
        "/catalogue".into(),
        "/sources".into(),
        "/data".into(),
        "/analysis".into(),
        "/data/datenpool.csv".into(),
        "/data/datenpool.xlsx".into(),
        "/static/atlas.css".into(),
        "/static/atlas.js".into(),
        "/en".into(),
        format!("/en/indicators/{ind}/{level}/{}", first.period),
        format!("/en/areas/{level}/{}", area.key),
    ];
    for url in &samples {
        let file = s
            .site
            .file_of(url)
            .unwrap_or_else(|| panic!("{url} not published"));
        let got = common::get_from(&state, url).await;
        assert_eq!(got.status, 200, "{url}");
        let expected = s.site.rewrite(url, &got.body).unwrap();
        let written = std::fs::read(out.join(file)).unwrap();
        assert!(
            written == expected,
            "{url}: {file} differs from the server's response"
        );
        if got.ctype.starts_with("text/html") {
            // The links were rewritten: no link to the server's root is left.
            assert_ne!(written, got.body, "{url}");
            let text = String::from_utf8(written).unwrap();
            assert!(!text.contains("href=\"/"), "{url}");
        } else {
            assert_eq!(written, got.body, "{url}");
        }
    }
}

#[tokio::test]
async fn with_a_server_url_links_that_need_the_server_go_there() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let s = publish_demo(&out, Some("https://atlas.example")).await;
    assert_eq!(s.dropped_links, 0);
    assert!(s.server_links > 0);
    let start = std::fs::read_to_string(out.join("index.html")).unwrap();
    let links = links_of_html(&start);
    assert!(
        links
            .iter()
            .any(|(t, l)| t == "form" && l == "https://atlas.example/search"),
        "{links:?}"
    );
    // The "/" shortcut of atlas.js follows <link rel="search">: to the server, too.
    assert!(
        links
            .iter()
            .any(|(t, l)| t == "link" && l == "https://atlas.example/search"),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|(_, l)| l == "https://atlas.example/account"),
        "{links:?}"
    );
    // Published pages stay relative even with a server.
    assert!(
        links.iter().any(|(_, l)| l == "catalogue/index.html"),
        "{links:?}"
    );
    let page = walk(&out)
        .into_iter()
        .find(|f| {
            f.starts_with("indicators/") && f.ends_with("/index.html") && f.split('/').count() == 5
        })
        .unwrap();
    let html = std::fs::read_to_string(out.join(&page)).unwrap();
    assert!(
        links_of_html(&html).iter().any(|(t, l)| t == "a"
            && l.starts_with("https://atlas.example/indicators/")
            && l.contains('?')),
        "{page}: no option link to the server"
    );
    // The view's GeoJSON is the server's (the site has the data pool's).
    assert!(
        links_of_html(&html).iter().any(|(t, l)| t == "a"
            && l.starts_with("https://atlas.example/indicators/")
            && l.ends_with(".geojson")),
        "{page}: no GeoJSON link to the server"
    );
    assert!(
        !walk(&out)
            .iter()
            .any(|f| f.ends_with(".geojson") && f.contains("indicators/"))
    );
    // So is the PDF of a profile (the site has the report with every profile).
    let profile = walk(&out)
        .into_iter()
        .find(|f| f.starts_with("areas/stadtteil/") && f.ends_with("/index.html"))
        .unwrap();
    let html = std::fs::read_to_string(out.join(&profile)).unwrap();
    assert!(
        links_of_html(&html).iter().any(|(t, l)| t == "a"
            && l.starts_with("https://atlas.example/areas/stadtteil/")
            && l.ends_with("/profile.pdf")),
        "{profile}: no PDF link to the server"
    );
    assert!(!walk(&out).iter().any(|f| f.ends_with("profile.pdf")));
}

#[tokio::test]
async fn a_refused_publication_leaves_nothing() {
    let state = common::state().await;
    let dir = tempfile::tempdir().unwrap();
    let opts = PublishOptions::default();

    // A non-empty folder without force: refused, untouched, nothing next to it.
    let out = dir.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let e = publish::publish(state.clone(), &out, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(matches!(e, PublishError::Usage(_)), "{e}");
    assert!(e.to_string().contains("not empty"), "{e}");
    assert_eq!(walk(dir.path()), vec!["site/keep.txt"]);

    // A file where the folder should be.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let e = publish::publish(state.clone(), &file, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("found a file"), "{e}");

    // A missing parent folder.
    let deep = dir.path().join("missing/site");
    let e = publish::publish(state.clone(), &deep, &opts, &no_progress)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert_eq!(walk(dir.path()), vec!["file", "site/keep.txt"]);

    // With force the folder is replaced as a whole.
    let forced = PublishOptions {
        force: true,
        ..PublishOptions::default()
    };
    let s = publish::publish(state.clone(), &out, &forced, &no_progress)
        .await
        .unwrap();
    assert!(s.pages > 0);
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("index.html").is_file());
    let names: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, BTreeSet::from(["file".into(), "site".into()]));
}
