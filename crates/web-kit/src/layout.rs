//! The frame of every page ([`Layout`]): title, navigation, language switch, footer, the
//! static assets' URLs. The navigation's entries are given by the crate that composes the
//! application ([`Nav`], kept in the state), so the frame knows no part that serves pages.

use std::sync::LazyLock;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sozialatlas_core::Locale;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{self, Msgs, msgs, prefix};

/// An entry of the site's navigation.
#[derive(Clone, Copy, Debug)]
pub struct NavEntry {
    /// The path, relative to the language prefix (`/compare`).
    pub path: &'static str,
    /// The link's text in a language.
    pub label: fn(Locale) -> &'static str,
    /// The first path segments of the pages for which this entry is the current one
    /// (`""` for the start page).
    pub sections: &'static [&'static str],
}

/// The site's navigation, in order: set by the composing crate with
/// [`AppState::set_part`] (no navigation until then).
#[derive(Clone, Debug, Default)]
pub struct Nav(pub Vec<NavEntry>);

/// A version tag for the static assets' URLs, so that browsers may keep them for a day and
/// still get a new file after an update.
static ASSET_TAG: LazyLock<String> = LazyLock::new(|| {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    crate::assets::CSS.hash(&mut h);
    crate::assets::JS.hash(&mut h);
    format!("{:08x}", h.finish() as u32)
});

/// A link in the navigation.
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    /// The page shown is in this entry's section (`aria-current="true"`: the indicator page
    /// is in the start page's section, but the start page's link does not lead to it).
    pub current: bool,
    /// The page shown is this entry's page itself (`aria-current="page"`).
    pub page: bool,
}

/// What every page's frame shows.
pub struct Layout {
    pub m: &'static Msgs,
    pub title: String,
    pub atlas: String,
    pub home: String,
    pub switch_href: String,
    pub switch_lang: &'static str,
    pub switch_name: &'static str,
    pub nav: Vec<NavItem>,
    pub attribution: Vec<String>,
    pub licence: String,
    pub stand: String,
    pub sources_href: String,
    /// The search page, for the "/" shortcut on pages without a search field.
    pub search_href: String,
    pub css: String,
    pub js: String,
    /// The page's address for link previews (`og:url`): the public address and the path;
    /// empty without a public address.
    pub og_url: String,
    /// A picture for link previews (`og:image`, absolute), empty for none.
    pub og_image: String,
    /// One sentence for link previews and search engines (`og:description`), empty for none.
    pub og_description: String,
}

impl Layout {
    /// The frame of a page at `path` (with the original `/en` prefix, if any) and `query`.
    pub fn new(
        state: &AppState,
        locale: Locale,
        heading: &str,
        path: &str,
        query: Option<&str>,
    ) -> Layout {
        let snap = state.snapshot();
        let m = msgs(locale);
        let p = prefix(locale);
        let bare = path.strip_prefix(p).unwrap_or(path);
        let bare = if bare.is_empty() { "/" } else { bare };
        let other = i18n::other(locale);
        let mut switch_href = match other {
            Locale::En if bare == "/" => "/en".to_string(),
            Locale::En => format!("/en{bare}"),
            Locale::De => bare.to_string(),
        };
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            switch_href.push('?');
            switch_href.push_str(q);
        }
        let section = bare.split('/').nth(1).unwrap_or("");
        let nav = state
            .part::<Nav>()
            .0
            .iter()
            .map(|e| NavItem {
                href: if e.path == "/" {
                    format!("{p}/")
                } else {
                    format!("{p}{}", e.path)
                },
                label: (e.label)(locale),
                current: e.sections.contains(&section),
                page: bare == e.path,
            })
            .collect();
        let atlas = snap.meta.name.get(locale).to_string();
        Layout {
            m,
            title: if heading.is_empty() || heading == atlas {
                atlas.clone()
            } else {
                format!("{heading} – {atlas}")
            },
            atlas,
            home: format!("{p}/"),
            switch_href,
            switch_lang: m.other_lang,
            switch_name: m.other_lang_name,
            nav,
            attribution: snap.meta.attribution.clone(),
            licence: snap.meta.licence.clone().unwrap_or_default(),
            stand: snap.meta.stand.clone(),
            sources_href: format!("{p}/sources"),
            search_href: format!("{p}/search"),
            css: format!("/static/atlas.css?v={}", *ASSET_TAG),
            js: format!("/static/atlas.js?v={}", *ASSET_TAG),
            og_url: public_url(state)
                .map(|base| format!("{base}{path}"))
                .unwrap_or_default(),
            og_image: String::new(),
            og_description: String::new(),
        }
    }

    /// The link preview of a page: a picture (a path on this server, e.g. the map as PNG) and
    /// one sentence. The picture needs the public address (`--public-url`): without it only
    /// the sentence is given.
    pub fn with_preview(mut self, state: &AppState, image: &str, description: &str) -> Layout {
        if let Some(base) = public_url(state) {
            self.og_image = format!("{base}{image}");
        }
        self.og_description = description.to_string();
        self
    }
}

/// The public address of the site without a trailing slash, if configured.
pub fn public_url(state: &AppState) -> Option<String> {
    state
        .auth()
        .config
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
}

/// Renders a personal page — one that no cache may keep: accounts, participation, offices —
/// with `status` (422 for a form that comes back with its errors).
pub fn personal_page<T: Template>(t: &T, status: StatusCode) -> Result<Response, AppError> {
    let mut r = crate::auth::no_store(Html(t.render()?).into_response());
    *r.status_mut() = status;
    Ok(r)
}

/// Renders a template as an HTML response (a failed render is a 500 page).
pub fn html<T: Template>(t: &T) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}
