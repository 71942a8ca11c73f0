//! The static publication: the whole public atlas as files, so that any static web server or a
//! CDN can host it (`sozialatlas publish`).
//!
//! The pages are the server's own: every URL is requested from the real router (the one
//! `sozialatlas-web` serves, handed to [`publish`]) in-process, anonymously, and its body is written as it is — except for links, which are
//! rewritten with a streaming HTML tokenizer (lol_html), so the rest of each page stays
//! byte-identical.
//!
//! What is published: everything reachable from `/` and `/en` through `href`, `src` and
//! `srcset` of the pages and `url(…)` in the stylesheets, restricted to the GET routes of the
//! public atlas ([`sozialatlas_web_atlas::serves`], less the pages that only work with
//! a query: search and compare), plus every indicator × level × year page and every area
//! profile in both languages, so that none is missed when no page links it.
//!
//! URL → file: a URL whose last segment has an extension keeps its name
//! (`/data/datenpool.csv` → `data/datenpool.csv`); every other URL is a folder with an
//! `index.html` (`/indicators/a/b/2022` → `indicators/a/b/2022/index.html`, `/` →
//! `index.html`, `/en` → `en/index.html`), so a static server answers the same URL.
//! A redirect of the server (`/indicators/a` → its default page) becomes a small page that
//! refreshes to the target.
//!
//! The link rule: a link to a published file becomes a relative link to the file itself
//! (`../../areas/stadtteil/01/index.html`, fragment kept), which works from a static server
//! and from `file://` alike; links to `/static/…` keep their version query (`?v=…`). Every
//! other internal link needs the server — a query (`?year=`, `?area=`), search, compare,
//! sign-in, accounts, participation, offices: with a server URL it becomes an absolute link
//! to the live server; without one the link is dropped and its text kept (`<a>` becomes
//! `<span>`; in SVG the `href` is removed), a `<link>` or `<script>` is removed, and so is
//! every form (they all submit to the server). External links and fragments stay as they are.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use tokio::task::JoinSet;
use tower::ServiceExt;

use sozialatlas_web_kit::AppState;

/// Characters percent-encoded in a path segment of a written link.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b'&')
    .add(b'\'');

/// How to publish.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The live server (`https://atlas.stadt.example`, no trailing slash): links that need the
    /// server point there. Without it they are dropped.
    pub server_url: Option<String>,
    /// Replace a non-empty output folder.
    pub force: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            server_url: None,
            force: false,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
        }
    }
}

/// Checks and normalises a server URL: `http://` or `https://`, a host, no query or fragment;
/// a trailing `/` is removed.
pub fn parse_server_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("--server-url: expected an http:// or https:// address, found `{url}`")
        })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "--server-url: expected an address like https://atlas.stadt.example (a host, no query), found `{url}`"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// What went wrong.
#[derive(Debug)]
pub enum PublishError {
    /// The output folder cannot be used (exists and is not empty, is a file, its parent is
    /// missing): nothing was written.
    Usage(String),
    /// Reading or writing a file.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A page could not be requested or rewritten.
    Page {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Usage(m) => f.write_str(m),
            PublishError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            PublishError::Page { url, message } => write!(f, "{url}: {message}"),
        }
    }
}

impl std::error::Error for PublishError {}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Progress: which phase, how many done of how many known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Requesting the pages and files.
    Fetch,
    /// Rewriting the links of pages and stylesheets.
    Rewrite,
}

/// What one URL of the site turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Published as this file (relative path, `/`-separated, decoded).
    File { file: String, kind: Kind },
    /// The server redirects to this URL path (decoded, may carry a query).
    Redirect(String),
    /// Needs the server: it answered 401/403, or redirected out of the atlas.
    Server,
    /// The server answered with an error status.
    Broken(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Html,
    Css,
    Other,
}

/// A link that points nowhere: found on a page, but the server answers it with an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// The URL path.
    pub url: String,
    /// The server's status.
    pub status: u16,
    /// A page that links it (empty for enumerated pages).
    pub from: String,
}

/// The result: what was written, and the map of URLs that the link rewrite used.
#[derive(Debug)]
pub struct PublishSummary {
    /// HTML pages written.
    pub pages: usize,
    /// Other files written (downloads, stylesheet, script, JSON).
    pub files: usize,
    /// Redirect pages written.
    pub redirects: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Links that needed the server and were rewritten to it (with a server URL).
    pub server_links: usize,
    /// Links that needed the server and were dropped (without a server URL), forms removed.
    pub dropped_links: usize,
    /// Links that the server itself answers with an error (none in a sound atlas).
    pub broken: Vec<BrokenLink>,
    /// How long it took.
    pub elapsed: Duration,
    /// The URL map, for [`PublishSummary::rewrite`].
    pub site: Site,
}

/// The published URLs and their files: the link rewrite of the publication.
#[derive(Clone, Debug)]
pub struct Site {
    map: HashMap<String, Outcome>,
    server_url: Option<String>,
}

impl Site {
    /// The file of a URL path (`/indicators/a/b/2022` → `indicators/a/b/2022/index.html`), if
    /// it was published as a file.
    pub fn file_of(&self, url: &str) -> Option<&str> {
        match self.map.get(&decode_path(url)?) {
            Some(Outcome::File { file, .. }) => Some(file),
            _ => None,
        }
    }

    /// Every URL published as a file, sorted.
    pub fn urls(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .map
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::File { .. }))
            .map(|(u, _)| u.clone())
            .collect();
        v.sort();
        v
    }

    /// The body the publication writes for `url` given what the server answered: HTML and CSS
    /// with their links rewritten, everything else as it is.
    pub fn rewrite(&self, url: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        let Some(path) = decode_path(url) else {
            return Ok(body.to_vec());
        };
        let mut counts = Counts::default();
        match self.map.get(&path) {
            Some(Outcome::File {
                kind: Kind::Html, ..
            }) => {
                let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
                self.rewrite_html(&path, text, &mut counts)
                    .map(String::into_bytes)
            }
            Some(Outcome::File {
                kind: Kind::Css, ..
            }) => {
                let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
                Ok(self.rewrite_css(&path, text, &mut counts).into_bytes())
            }
            _ => Ok(body.to_vec()),
        }
    }

    /// Follows redirects to the final outcome (at most 10 steps).
    fn resolve(&self, path: &str) -> Option<(&str, &Outcome)> {
        let mut p = path;
        for _ in 0..10 {
            match self.map.get_key_value(p)? {
                (_, Outcome::Redirect(to)) => {
                    if to.contains('?') {
                        return None;
                    }
                    p = to;
                }
                (k, o) => return Some((k.as_str(), o)),
            }
        }
        None
    }

    /// What a link on the page at `page` (decoded path) becomes.
    fn link(&self, page: &str, raw: &str) -> Link {
        let value = decode_entities(raw.trim());
        let Some(target) = Target::parse(page, &value) else {
            return Link::Keep;
        };
        let page_file = match self.map.get(page) {
            Some(Outcome::File { file, .. }) => file.as_str(),
            _ => "index.html",
        };
        let resolved = self.resolve(&target.path);
        if let Some((_, Outcome::File { file, .. })) = resolved
            && (target.query.is_empty() || target.path.starts_with("/static/"))
        {
            let mut out = relative(page_file, file);
            target.append_query_and_fragment(&mut out);
            return Link::Rewrite(escape_attr(&out));
        }
        match &self.server_url {
            Some(base) => {
                let mut out = format!("{base}{}", encode_path(&target.path));
                target.append_query_and_fragment(&mut out);
                Link::Server(escape_attr(&out))
            }
            None => Link::Drop,
        }
    }

    fn rewrite_html(&self, page: &str, html: &str, counts: &mut Counts) -> Result<String, String> {
        let counts = std::cell::RefCell::new(counts);
        let attr = |el: &mut Element, name: &str| -> LinkAction {
            let Some(raw) = el.get_attribute(name) else {
                return LinkAction::None;
            };
            match self.link(page, &raw) {
                Link::Keep => LinkAction::None,
                Link::Rewrite(v) => {
                    let _ = el.set_attribute(name, &v);
                    LinkAction::None
                }
                Link::Server(v) => {
                    counts.borrow_mut().server += 1;
                    let _ = el.set_attribute(name, &v);
                    LinkAction::None
                }
                Link::Drop => {
                    counts.borrow_mut().dropped += 1;
                    LinkAction::Drop
                }
            }
        };
        let settings = RewriteStrSettings::new()
            .append_element_content_handler(element!("a[href], area[href]", |el| {
                if attr(el, "href") == LinkAction::Drop {
                    el.remove_attribute("href");
                    for a in ["hreflang", "rel", "download", "target", "type", "ping"] {
                        el.remove_attribute(a);
                    }
                    el.remove_attribute("data-shortcut");
                    if el.namespace_uri() == "http://www.w3.org/1999/xhtml" && el.tag_name() == "a"
                    {
                        let _ = el.set_tag_name("span");
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("link[href]", |el| {
                if attr(el, "href") == LinkAction::Drop {
                    el.remove();
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[src]", |el| {
                if attr(el, "src") == LinkAction::Drop {
                    el.remove();
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[srcset]", |el| {
                if let Some(raw) = el.get_attribute("srcset") {
                    let mut kept = Vec::new();
                    for (url, descriptor) in parse_srcset(&raw) {
                        match self.link(page, &url) {
                            Link::Keep => kept.push(join_candidate(&url, &descriptor)),
                            Link::Rewrite(v) => kept.push(join_candidate(&v, &descriptor)),
                            Link::Server(v) => {
                                counts.borrow_mut().server += 1;
                                kept.push(join_candidate(&v, &descriptor));
                            }
                            Link::Drop => counts.borrow_mut().dropped += 1,
                        }
                    }
                    if kept.is_empty() {
                        el.remove_attribute("srcset");
                    } else {
                        let _ = el.set_attribute("srcset", &kept.join(", "));
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("form", |el| {
                // A form submits to the server, always.
                match &self.server_url {
                    Some(base) => {
                        let raw = el.get_attribute("action").unwrap_or_default();
                        let value = decode_entities(raw.trim());
                        if let Some(t) = Target::parse(page, &value) {
                            let mut out = format!("{base}{}", encode_path(&t.path));
                            if !t.query.is_empty() {
                                out.push('?');
                                out.push_str(&t.query);
                            }
                            let _ = el.set_attribute("action", &escape_attr(&out));
                            counts.borrow_mut().server += 1;
                        }
                    }
                    None => {
                        counts.borrow_mut().dropped += 1;
                        el.remove();
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(element!("[formaction]", |el| {
                if let Some(base) = &self.server_url
                    && let Some(raw) = el.get_attribute("formaction")
                    && let Some(t) = Target::parse(page, &decode_entities(raw.trim()))
                {
                    let mut out = format!("{base}{}", encode_path(&t.path));
                    if !t.query.is_empty() {
                        out.push('?');
                        out.push_str(&t.query);
                    }
                    let _ = el.set_attribute("formaction", &escape_attr(&out));
                }
                Ok(())
            }));
        rewrite_str(html, settings).map_err(|e| e.to_string())
    }

    fn rewrite_css(&self, page: &str, css: &str, counts: &mut Counts) -> String {
        let mut out = String::with_capacity(css.len());
        let mut last = 0;
        for (start, end, url) in css_urls(css) {
            out.push_str(&css[last..start]);
            match self.link(page, &url) {
                Link::Keep => out.push_str(&css[start..end]),
                Link::Rewrite(v) | Link::Server(v) => {
                    let v = decode_entities(&v);
                    out.push_str(&format!("\"{}\"", v.replace('"', "%22")));
                }
                Link::Drop => {
                    counts.dropped += 1;
                    out.push_str("\"\"");
                }
            }
            last = end;
        }
        out.push_str(&css[last..]);
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkAction {
    None,
    Drop,
}

#[derive(Debug, PartialEq, Eq)]
enum Link {
    /// External, a fragment, or not a URL: unchanged.
    Keep,
    /// Relative link to a published file (attribute text).
    Rewrite(String),
    /// Absolute link to the live server (attribute text).
    Server(String),
    /// Needs the server, and there is none.
    Drop,
}

#[derive(Default, Debug)]
struct Counts {
    server: usize,
    dropped: usize,
}

/// An internal link target: decoded path, raw query, raw fragment.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    path: String,
    query: String,
    fragment: Option<String>,
}

impl Target {
    /// Appends `?query` (when there is one) and `#fragment` (when there is one) to `out`.
    fn append_query_and_fragment(&self, out: &mut String) {
        if !self.query.is_empty() {
            out.push('?');
            out.push_str(&self.query);
        }
        if let Some(f) = &self.fragment {
            out.push('#');
            out.push_str(f);
        }
    }

    /// Parses a link (entities decoded) found on the page at `page` (decoded path); `None` for
    /// external links, fragments on the same page, `mailto:`, `data:` and the like.
    fn parse(page: &str, value: &str) -> Option<Target> {
        if value.starts_with('#') || value.starts_with("//") {
            return None;
        }
        if let Some(colon) = value.find(':') {
            let scheme = &value[..colon];
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !value[..colon].contains(['/', '?', '#'])
            {
                return None;
            }
        }
        let (rest, fragment) = match value.split_once('#') {
            Some((r, f)) => (r, Some(f.to_string())),
            None => (value, None),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let joined = if path.is_empty() {
            page.to_string()
        } else if path.starts_with('/') {
            decode_path(path)?
        } else {
            let dir = match page.rfind('/') {
                Some(i) => &page[..=i],
                None => "/",
            };
            format!(
                "{dir}{}",
                decode_path(&format!("/{path}"))?.trim_start_matches('/')
            )
        };
        Some(Target {
            path: normalise(&joined),
            query: query.to_string(),
            fragment,
        })
    }
}

/// Removes `.` and `..` segments.
fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    for (i, s) in segs.iter().enumerate() {
        match *s {
            "." => {}
            ".." => {
                out.pop();
            }
            s => {
                if !s.is_empty() || i + 1 == segs.len() {
                    out.push(s);
                }
            }
        }
    }
    format!("/{}", out.join("/"))
}

/// Percent-decodes a path; `None` when it is not UTF-8 or a segment would hold a `/` or `\`.
fn decode_path(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let d = percent_decode_str(seg).decode_utf8().ok()?;
        if d.contains(['/', '\\', '\0']) {
            return None;
        }
        out.push_str(&d);
    }
    Some(out)
}

/// Percent-encodes a decoded path for a URL.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The file of a URL path: `index.html` in a folder, or the name itself when the last segment
/// has an extension. `None` for paths that cannot be files (`..`, empty segments).
fn file_for(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let segs: Vec<&str> = if segs.last() == Some(&"") {
        segs[..segs.len() - 1].to_vec()
    } else {
        segs
    };
    if segs
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == ".." || s.starts_with('.'))
    {
        return if segs.is_empty() {
            Some("index.html".into())
        } else {
            None
        };
    }
    let last = segs.last().copied().unwrap_or("");
    let has_ext = !path.ends_with('/')
        && last
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty());
    Some(if segs.is_empty() {
        "index.html".to_string()
    } else if has_ext {
        segs.join("/")
    } else {
        format!("{}/index.html", segs.join("/"))
    })
}

/// The relative link from the file `from` to the file `to` (both site-relative,
/// `/`-separated, decoded), percent-encoded.
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = {
        let mut v: Vec<&str> = from.split('/').collect();
        v.pop();
        v
    };
    let to_segs: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_segs)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_segs.len() - 1);
    let mut parts: Vec<String> = vec!["..".to_string(); from_dir.len() - common];
    parts.extend(
        to_segs[common..]
            .iter()
            .map(|s| utf8_percent_encode(s, SEGMENT).to_string()),
    );
    parts.join("/")
}

/// Decodes the character references that can appear in a URL attribute.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                _ => {
                    if let Some(h) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
                    } else if let Some(d) = name.strip_prefix('#') {
                        d.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes `&` for an attribute value (lol_html escapes the quotes).
fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
}

/// The candidates of a `srcset`: URL and descriptor.
fn parse_srcset(s: &str) -> Vec<(String, String)> {
    s.split(',')
        .filter_map(|c| {
            let c = c.trim();
            if c.is_empty() {
                return None;
            }
            let (url, desc) = c.split_once(char::is_whitespace).unwrap_or((c, ""));
            Some((url.to_string(), desc.trim().to_string()))
        })
        .collect()
}

fn join_candidate(url: &str, descriptor: &str) -> String {
    if descriptor.is_empty() {
        url.to_string()
    } else {
        format!("{url} {descriptor}")
    }
}

/// The `url(…)` references of a stylesheet: byte range of the whole `url(…)` and the URL.
fn css_urls(css: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let lower = css.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("url(") {
        let start = from + i;
        let inner = start + 4;
        let Some(close) = css[inner..].find(')') else {
            break;
        };
        let end = inner + close + 1;
        let url = css[inner..inner + close]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        // Only a real `url(` token: not part of a longer identifier.
        let word_before = css[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !word_before {
            out.push((start + 4, end - 1, url));
        }
        from = end;
    }
    out
}

/// The links of an HTML page or stylesheet (raw attribute values, entities decoded).
fn extract_links(kind: Kind, body: &str) -> Result<Vec<String>, String> {
    match kind {
        Kind::Css => Ok(css_urls(body).into_iter().map(|(_, _, u)| u).collect()),
        Kind::Other => Ok(Vec::new()),
        Kind::Html => {
            let found = std::cell::RefCell::new(Vec::new());
            let settings = RewriteStrSettings::new()
                .append_element_content_handler(element!("[href]", |el| {
                    if let Some(v) = el.get_attribute("href") {
                        found.borrow_mut().push(decode_entities(v.trim()));
                    }
                    Ok(())
                }))
                .append_element_content_handler(element!("[src]", |el| {
                    if let Some(v) = el.get_attribute("src") {
                        found.borrow_mut().push(decode_entities(v.trim()));
                    }
                    Ok(())
                }))
                .append_element_content_handler(element!("[srcset]", |el| {
                    if let Some(v) = el.get_attribute("srcset") {
                        for (u, _) in parse_srcset(&v) {
                            found.borrow_mut().push(decode_entities(&u));
                        }
                    }
                    Ok(())
                }));
            rewrite_str(body, settings).map_err(|e| e.to_string())?;
            Ok(found.into_inner())
        }
    }
}

/// Whether a URL path is a page or file of the public atlas that can be a static file: the
/// atlas's GET routes, less the pages that need a query to be of use and the GeoJSON of each
/// view (the same boundaries once per indicator, level and year: 220 KB each for Flensburg's
/// Stadtteile, which would make the site half again as large; the data pool's GeoJSON has them
/// all once) and the PDF of each profile (typeset on request; the printed report has every
/// profile).
fn publishable(path: &str) -> bool {
    if !sozialatlas_web_atlas::serves(path) || file_for(path).is_none() {
        return false;
    }
    let bare = match path.strip_prefix("/en") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    };
    let first = bare.trim_start_matches('/').split('/').next().unwrap_or("");
    let needs_server = ["search", "compare"].contains(&first)
        || bare.starts_with("/analysis/runs/compare")
        || (first == "indicators" && bare.ends_with(".geojson"))
        || (first == "areas" && bare.ends_with("/profile.pdf"));
    !needs_server
}

/// The URLs published even when no page links them: the start pages, the stylesheet and
/// script, every indicator × level × year page and every area profile, in both languages.
fn enumerated(state: &AppState) -> Vec<String> {
    let snap = state.snapshot();
    let index = state.index();
    let mut out = vec![
        "/".to_string(),
        "/en".to_string(),
        "/static/atlas.css".to_string(),
        "/static/atlas.js".to_string(),
    ];
    for prefix in ["", "/en"] {
        for (i, ind) in snap.catalogue.indicators.iter().enumerate() {
            for &l in index.levels_with_data.get(i).map_or(&[][..], Vec::as_slice) {
                for y in index.periods_at(i, l) {
                    out.push(format!(
                        "{prefix}/indicators/{}/{}/{y}",
                        ind.id, snap.tree.levels[l].id
                    ));
                }
            }
        }
        for a in &snap.tree.areas {
            out.push(format!(
                "{prefix}/areas/{}/{}",
                snap.tree.levels[a.level].id, a.key
            ));
        }
    }
    out
}

/// What one request gave.
struct Fetched {
    url: String,
    outcome: Outcome,
    links: Vec<String>,
    bytes: u64,
}

async fn fetch(router: Router, url: String, root: PathBuf) -> Result<Fetched, PublishError> {
    let page_err = |message: String| PublishError::Page {
        url: url.clone(),
        message,
    };
    let req = Request::get(encode_path(&url))
        .body(Body::empty())
        .map_err(|e| page_err(e.to_string()))?;
    let resp = router
        .oneshot(req)
        .await
        .map_err(|e| page_err(e.to_string()))?;
    let status = resp.status();
    if status.is_redirection() {
        let to = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let target = Target::parse(&url, &to);
        let outcome = match target {
            Some(t) if t.query.is_empty() && publishable(&t.path) => Outcome::Redirect(t.path),
            _ => Outcome::Server,
        };
        let links = match &outcome {
            Outcome::Redirect(p) => vec![p.clone()],
            _ => Vec::new(),
        };
        return Ok(Fetched {
            url,
            outcome,
            links,
            bytes: 0,
        });
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Ok(Fetched {
            url,
            outcome: Outcome::Server,
            links: Vec::new(),
            bytes: 0,
        });
    }
    if status != StatusCode::OK {
        return Ok(Fetched {
            url,
            outcome: Outcome::Broken(status.as_u16()),
            links: Vec::new(),
            bytes: 0,
        });
    }
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = if ctype.starts_with("text/html") {
        Kind::Html
    } else if ctype.starts_with("text/css") {
        Kind::Css
    } else {
        Kind::Other
    };
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|e| page_err(e.to_string()))?;
    let Some(file) = file_for(&url) else {
        return Err(page_err("cannot be written as a file".into()));
    };
    let links = if kind == Kind::Other {
        Vec::new()
    } else {
        let text = std::str::from_utf8(&body).map_err(|e| page_err(e.to_string()))?;
        extract_links(kind, text).map_err(page_err)?
    };
    let path = root.join(&file);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io_err(dir))?;
    }
    tokio::fs::write(&path, &body)
        .await
        .map_err(io_err(&path))?;
    Ok(Fetched {
        url,
        outcome: Outcome::File { file, kind },
        links,
        bytes: body.len() as u64,
    })
}

/// A page that sends the browser on to `target` (relative link).
fn redirect_page(target: &str) -> String {
    let t = escape_attr(target).replace('"', "&quot;");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={t}\"><link rel=\"canonical\" href=\"{t}\"><title>→</title></head><body><p><a href=\"{t}\">{t}</a></p></body></html>\n"
    )
}

/// Publishes the atlas of `state`, as `router` (the server's, on the same state) serves it,
/// into the folder `out`: everything is written into a new folder next to it and renamed at
/// the end, so a failure leaves nothing behind. `out` must be missing or empty, unless
/// `opts.force` (then it is replaced).
pub async fn publish(
    state: AppState,
    router: Router,
    out: &Path,
    opts: &PublishOptions,
    progress: &(dyn Fn(Phase, usize, usize) + Send + Sync),
) -> Result<PublishSummary, PublishError> {
    let started = Instant::now();
    let out_exists = match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => {
            return Err(PublishError::Usage(format!(
                "{}: expected a folder for the site, found a file",
                out.display()
            )));
        }
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(out)(e)),
    };
    if out_exists
        && !opts.force
        && std::fs::read_dir(out)
            .map_err(io_err(out))?
            .next()
            .is_some()
    {
        return Err(PublishError::Usage(format!(
            "{}: the folder is not empty (use --force to replace it)",
            out.display()
        )));
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            PublishError::Usage(format!(
                "{}: expected a folder name for the site",
                out.display()
            ))
        })?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(PublishError::Usage(format!(
            "{}: the folder {} does not exist",
            out.display(),
            parent.display()
        )));
    }
    let tmp = parent.join(format!(".{name}.publishing-{}", std::process::id()));
    std::fs::create_dir(&tmp).map_err(io_err(&tmp))?;
    let result = publish_into(&state, router, &tmp, opts, progress).await;
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    // Swap the new site in.
    let swap = || -> Result<(), PublishError> {
        if out_exists {
            let old = parent.join(format!(".{name}.replaced-{}", std::process::id()));
            std::fs::rename(out, &old).map_err(io_err(out))?;
            if let Err(e) = std::fs::rename(&tmp, out) {
                let _ = std::fs::rename(&old, out);
                return Err(io_err(out)(e));
            }
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            std::fs::rename(&tmp, out).map_err(io_err(out))?;
        }
        Ok(())
    };
    if let Err(e) = swap() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

async fn publish_into(
    state: &AppState,
    router: Router,
    root: &Path,
    opts: &PublishOptions,
    progress: &(dyn Fn(Phase, usize, usize) + Send + Sync),
) -> Result<PublishSummary, PublishError> {
    let mut map: HashMap<String, Outcome> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut first_from: HashMap<String, String> = HashMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for u in enumerated(state) {
        if seen.insert(u.clone()) {
            queue.push_back(u);
        }
    }
    let mut tasks: JoinSet<Result<Fetched, PublishError>> = JoinSet::new();
    let mut bytes = 0u64;
    let mut done = 0usize;
    let limit = opts.concurrency.max(1);
    loop {
        while tasks.len() < limit
            && let Some(u) = queue.pop_front()
        {
            tasks.spawn(fetch(router.clone(), u, root.to_path_buf()));
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let f = match joined {
            Ok(r) => r?,
            Err(e) => {
                return Err(PublishError::Page {
                    url: String::new(),
                    message: e.to_string(),
                });
            }
        };
        bytes += f.bytes;
        for link in &f.links {
            let Some(t) = Target::parse(&f.url, link) else {
                continue;
            };
            if (t.query.is_empty() || t.path.starts_with("/static/"))
                && publishable(&t.path)
                && seen.insert(t.path.clone())
            {
                first_from.insert(t.path.clone(), f.url.clone());
                queue.push_back(t.path);
            }
        }
        map.insert(f.url, f.outcome);
        done += 1;
        progress(Phase::Fetch, done, seen.len());
    }
    // Two URLs on one file (`/en/` and `/en` are told apart by the server's redirect, so this
    // means a route maps onto another's file): refuse rather than overwrite.
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (u, o) in &map {
        if let Outcome::File { file, .. } = o
            && let Some(other) = files.insert(file.clone(), u.clone())
        {
            return Err(PublishError::Page {
                url: u.clone(),
                message: format!("would be written to {file}, the file of {other}"),
            });
        }
    }
    let site = Site {
        map,
        server_url: opts.server_url.clone(),
    };
    // Redirect pages for the redirects that do not share their target's file.
    let mut redirects = 0;
    let mut redirect_files = Vec::new();
    for (u, o) in &site.map {
        if let Outcome::Redirect(_) = o
            && let Some((_, Outcome::File { file: to, .. })) = site.resolve(u)
            && let Some(file) = file_for(u)
            && !files.contains_key(file.as_str())
            && file != *to
        {
            redirect_files.push((file.clone(), redirect_page(&relative(&file, to))));
        }
    }
    for (file, body) in redirect_files {
        let path = root.join(&file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        std::fs::write(&path, &body).map_err(io_err(&path))?;
        bytes += body.len() as u64;
        redirects += 1;
    }
    // Rewrite the links of pages and stylesheets, on every core.
    let to_rewrite: Vec<(&str, &str)> = site
        .map
        .iter()
        .filter_map(|(u, o)| match o {
            Outcome::File {
                file,
                kind: Kind::Html | Kind::Css,
            } => Some((u.as_str(), file.as_str())),
            _ => None,
        })
        .collect();
    let total = to_rewrite.len();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let results: Vec<Result<(Counts, i64), PublishError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Result<(Counts, i64), PublishError> {
                    let mut counts = Counts::default();
                    let mut delta = 0i64;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(url, file)) = to_rewrite.get(i) else {
                            break;
                        };
                        let path = root.join(file);
                        let body = std::fs::read(&path).map_err(io_err(&path))?;
                        let mut c = Counts::default();
                        let text = std::str::from_utf8(&body).map_err(|e| PublishError::Page {
                            url: url.to_string(),
                            message: e.to_string(),
                        })?;
                        let new = match site.map.get(url) {
                            Some(Outcome::File {
                                kind: Kind::Css, ..
                            }) => site.rewrite_css(url, text, &mut c),
                            _ => site.rewrite_html(url, text, &mut c).map_err(|message| {
                                PublishError::Page {
                                    url: url.to_string(),
                                    message,
                                }
                            })?,
                        };
                        delta += new.len() as i64 - body.len() as i64;
                        std::fs::write(&path, new).map_err(io_err(&path))?;
                        counts.server += c.server;
                        counts.dropped += c.dropped;
                        progress(Phase::Rewrite, i + 1, total);
                    }
                    Ok((counts, delta))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(PublishError::Page {
                        url: String::new(),
                        message: "a rewriting thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    let mut counts = Counts::default();
    for r in results {
        let (c, delta) = r?;
        counts.server += c.server;
        counts.dropped += c.dropped;
        bytes = bytes.saturating_add_signed(delta);
    }
    let mut pages = 0;
    let mut other = 0;
    let mut broken = Vec::new();
    for (u, o) in &site.map {
        match o {
            Outcome::File {
                kind: Kind::Html, ..
            } => pages += 1,
            Outcome::File { .. } => other += 1,
            Outcome::Broken(status) => broken.push(BrokenLink {
                url: u.clone(),
                status: *status,
                from: first_from.get(u).cloned().unwrap_or_default(),
            }),
            _ => {}
        }
    }
    broken.sort_by(|a, b| a.url.cmp(&b.url));
    Ok(PublishSummary {
        pages,
        files: other,
        redirects,
        bytes,
        server_links: counts.server,
        dropped_links: counts.dropped,
        broken,
        elapsed: Duration::ZERO,
        site,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_urls() {
        assert_eq!(file_for("/").unwrap(), "index.html");
        assert_eq!(file_for("/en").unwrap(), "en/index.html");
        assert_eq!(file_for("/en/").unwrap(), "en/index.html");
        assert_eq!(
            file_for("/indicators/a/b/2022").unwrap(),
            "indicators/a/b/2022/index.html"
        );
        assert_eq!(
            file_for("/data/datenpool.csv").unwrap(),
            "data/datenpool.csv"
        );
        assert_eq!(
            file_for("/api/v1/openapi.json").unwrap(),
            "api/v1/openapi.json"
        );
        assert_eq!(file_for("/a/../b"), None);
        assert_eq!(file_for("/a/.hidden"), None);
    }

    #[test]
    fn relative_links() {
        assert_eq!(
            relative(
                "indicators/a/b/2022/index.html",
                "areas/stadtteil/01/index.html"
            ),
            "../../../../areas/stadtteil/01/index.html"
        );
        assert_eq!(
            relative("index.html", "static/atlas.css"),
            "static/atlas.css"
        );
        assert_eq!(
            relative("en/index.html", "en/data/index.html"),
            "data/index.html"
        );
        assert_eq!(
            relative("en/data/index.html", "en/index.html"),
            "../index.html"
        );
        assert_eq!(
            relative(
                "areas/x/J\u{fc}rgensby/index.html",
                "areas/x/J\u{fc}rgensby/index.html"
            ),
            "index.html"
        );
        assert_eq!(
            relative("index.html", "areas/x/a b/index.html"),
            "areas/x/a%20b/index.html"
        );
    }

    #[test]
    fn targets() {
        let t = Target::parse("/indicators/a/b/2022", "/areas/x/J%C3%BCrgensby#top").unwrap();
        assert_eq!(t.path, "/areas/x/J\u{fc}rgensby");
        assert_eq!(t.fragment.as_deref(), Some("top"));
        let t = Target::parse("/indicators/a/b/2022", "?year=2020&area=1").unwrap();
        assert_eq!(t.path, "/indicators/a/b/2022");
        assert_eq!(t.query, "year=2020&area=1");
        let t = Target::parse("/en/data", "datenpool.csv").unwrap();
        assert_eq!(t.path, "/en/datenpool.csv");
        let t = Target::parse("/en/data/", "../x/./y").unwrap();
        assert_eq!(t.path, "/en/x/y");
        for external in [
            "https://example.org/",
            "mailto:a@b.de",
            "#main",
            "//cdn/x",
            "data:,x",
        ] {
            assert_eq!(Target::parse("/", external), None, "{external}");
        }
        assert_eq!(Target::parse("/", "/a%2Fb"), None);
    }

    #[test]
    fn entities_and_css() {
        assert_eq!(decode_entities("?a=1&#38;b=2&amp;c&x"), "?a=1&b=2&c&x");
        let css = "a{background:url(\"/static/x.svg\")} b{background:URL(/static/y.png)}";
        let urls: Vec<String> = css_urls(css).into_iter().map(|(_, _, u)| u).collect();
        assert_eq!(urls, vec!["/static/x.svg", "/static/y.png"]);
        assert_eq!(
            parse_srcset("/a.png 1x, /b.png 2x"),
            vec![
                ("/a.png".to_string(), "1x".to_string()),
                ("/b.png".to_string(), "2x".to_string())
            ]
        );
    }

    fn site(server_url: Option<&str>) -> Site {
        let mut map = HashMap::new();
        let file = |u: &str, kind| {
            (
                u.to_string(),
                Outcome::File {
                    file: file_for(u).unwrap(),
                    kind,
                },
            )
        };
        map.extend([
            file("/", Kind::Html),
            file("/en", Kind::Html),
            file("/indicators/a/b/2022", Kind::Html),
            file("/static/atlas.css", Kind::Css),
            file("/static/x.svg", Kind::Other),
            (
                "/indicators/a".into(),
                Outcome::Redirect("/indicators/a/b/2022".into()),
            ),
            ("/login".into(), Outcome::Server),
        ]);
        Site {
            map,
            server_url: server_url.map(str::to_string),
        }
    }

    #[test]
    fn html_links_are_rewritten_or_dropped() {
        let page = concat!(
            "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/static/atlas.css?v=12\">",
            "<link rel=\"alternate\" href=\"/en?year=2020\"></head><body>",
            "<a href=\"/\">Start</a> <a href=\"/indicators/a\">A</a> ",
            "<a href=\"/indicators/a/b/2022?area=1&#38;k=5#zeitreihe\" data-shortcut=\"next\">sel</a> ",
            "<a href=\"#main\">skip</a> <a href=\"https://example.org/\">ext</a> ",
            "<svg><a href=\"/login\"><path d=\"M0 0\"/></a></svg>",
            "<form method=\"post\" action=\"/login\"><button>Go</button></form><p>after</p>",
            "</body></html>"
        );
        let s = site(None);
        let mut c = Counts::default();
        let out = s
            .rewrite_html("/indicators/a/b/2022", page, &mut c)
            .unwrap();
        assert!(
            out.contains("href=\"../../../../static/atlas.css?v=12\""),
            "{out}"
        );
        assert!(!out.contains("rel=\"alternate\""), "{out}");
        assert!(
            out.contains("<a href=\"../../../../index.html\">Start</a>"),
            "{out}"
        );
        assert!(out.contains("<a href=\"index.html\">A</a>"), "{out}");
        assert!(out.contains("<span>sel</span>"), "{out}");
        assert!(out.contains("<a href=\"#main\">skip</a>"), "{out}");
        assert!(
            out.contains("<a href=\"https://example.org/\">ext</a>"),
            "{out}"
        );
        assert!(
            out.contains("<svg><a><path d=\"M0 0\"/></a></svg>"),
            "{out}"
        );
        assert!(!out.contains("<form"), "{out}");
        assert!(out.contains("<p>after</p>"), "{out}");
        assert_eq!(c.dropped, 4);

        let s = site(Some("https://atlas.example"));
        let out = s
            .rewrite_html("/indicators/a/b/2022", page, &mut Counts::default())
            .unwrap();
        assert!(
            out.contains(
                "href=\"https://atlas.example/indicators/a/b/2022?area=1&amp;k=5#zeitreihe\""
            ),
            "{out}"
        );
        assert!(
            out.contains("<form method=\"post\" action=\"https://atlas.example/login\">"),
            "{out}"
        );
        assert!(
            out.contains("<svg><a href=\"https://atlas.example/login\">"),
            "{out}"
        );
    }

    #[test]
    fn server_urls() {
        assert_eq!(
            parse_server_url("https://atlas.example/").unwrap(),
            "https://atlas.example"
        );
        assert_eq!(
            parse_server_url("http://localhost:8080/atlas").unwrap(),
            "http://localhost:8080/atlas"
        );
        assert!(parse_server_url("atlas.example").is_err());
        assert!(parse_server_url("https://").is_err());
        assert!(parse_server_url("https://a.example/?x=1").is_err());
    }
}
