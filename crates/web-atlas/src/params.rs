//! The options of the indicator view as they appear in the query string, parsed strictly
//! (a malformed option is a 400 naming the parameter, never a silent default) and written
//! back in one canonical order, so that equal views have equal URLs (and share a cache entry).

use sozialatlas_classify::palette::{Diverging, Sequential};
use sozialatlas_classify::{Closure, Scheme, SdKind, SdStep};
use sozialatlas_runs::smoothing::Smoothing;

use crate::error::AppError;

/// The classification scheme chosen in the URL (`scheme=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchemeOpt {
    /// `equal`
    Equal,
    /// `quantiles`
    Quantiles,
    /// `natural` (the default)
    #[default]
    Natural,
    /// `stddev`
    StdDev,
    /// `box`
    Box,
    /// `manual`
    Manual,
}

impl SchemeOpt {
    /// Every scheme, in the order of the selector.
    pub const ALL: [SchemeOpt; 6] = [
        SchemeOpt::Natural,
        SchemeOpt::Quantiles,
        SchemeOpt::Equal,
        SchemeOpt::StdDev,
        SchemeOpt::Box,
        SchemeOpt::Manual,
    ];

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemeOpt::Equal => "equal",
            SchemeOpt::Quantiles => "quantiles",
            SchemeOpt::Natural => "natural",
            SchemeOpt::StdDev => "stddev",
            SchemeOpt::Box => "box",
            SchemeOpt::Manual => "manual",
        }
    }

    fn parse(s: &str) -> Option<SchemeOpt> {
        SchemeOpt::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether the number of classes can be chosen.
    pub fn has_k(self) -> bool {
        matches!(
            self,
            SchemeOpt::Equal | SchemeOpt::Quantiles | SchemeOpt::Natural
        )
    }
}

/// The options of an indicator view.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewOptions {
    /// Classification scheme.
    pub scheme: SchemeOpt,
    /// Number of classes (2..=9) for the schemes that take one.
    pub k: usize,
    /// Class closure.
    pub closure: Closure,
    /// ColorBrewer palette name; `None` = the default for the view.
    pub palette: Option<String>,
    /// Breaks over all years (`breaks=fixed`).
    pub fixed: bool,
    /// The other year of a change view.
    pub compare: Option<i32>,
    /// The selected area's key.
    pub area: Option<String>,
    /// Inner breaks of the manual scheme.
    pub manual: Vec<f64>,
    /// Empirical-Bayes smoothing of a rate map (`smooth=eb|seb`).
    pub smooth: Option<Smoothing>,
}

/// Default number of classes.
pub const DEFAULT_K: usize = 5;
/// Default sequential palette.
pub const DEFAULT_SEQUENTIAL: Sequential = Sequential::YlOrRd;
/// Default diverging palette (change view).
pub const DEFAULT_DIVERGING: Diverging = Diverging::RdBu;

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            scheme: SchemeOpt::default(),
            k: DEFAULT_K,
            closure: Closure::LeftClosed,
            palette: None,
            fixed: false,
            compare: None,
            area: None,
            manual: Vec::new(),
            smooth: None,
        }
    }
}

/// Manual class breaks that could not be read (see [`ViewOptions::parse_page`]).
#[derive(Debug)]
pub struct ManualError {
    /// What was typed.
    pub typed: String,
    /// What is wrong ([`AppError::BadParam`] of `manual`).
    pub error: AppError,
}

fn bad(param: &str, value: &str, expected: &str) -> AppError {
    AppError::BadParam {
        param: param.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

/// Parses a number written with a decimal point or a decimal comma.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', ".");
    let x: f64 = t.parse().ok()?;
    x.is_finite().then_some(x)
}

/// The query's pairs, decoded; empty values count as absent (a GET form sends every field).
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// The last value of a parameter.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl ViewOptions {
    /// Parses the options; unknown parameters are ignored (trackers, `lang`), known ones must
    /// be well formed.
    pub fn parse(pairs: &[(String, String)]) -> Result<ViewOptions, AppError> {
        let mut o = ViewOptions::default();
        if let Some(s) = get(pairs, "scheme") {
            o.scheme = SchemeOpt::parse(s).ok_or_else(|| {
                bad(
                    "scheme",
                    s,
                    "equal, quantiles, natural, stddev, box or manual",
                )
            })?;
        }
        if let Some(s) = get(pairs, "k") {
            o.k = s
                .parse::<usize>()
                .ok()
                .filter(|k| (2..=9).contains(k))
                .ok_or_else(|| bad("k", s, "a whole number from 2 to 9"))?;
        }
        if let Some(s) = get(pairs, "closure") {
            o.closure = match s {
                "left" => Closure::LeftClosed,
                "right" => Closure::RightClosed,
                _ => return Err(bad("closure", s, "left or right")),
            };
        }
        if let Some(s) = get(pairs, "palette") {
            let known = Sequential::ALL.iter().any(|p| p.name() == s)
                || Diverging::ALL.iter().any(|p| p.name() == s);
            if !known {
                return Err(bad(
                    "palette",
                    s,
                    "a ColorBrewer scheme name such as YlOrRd, Blues or RdBu",
                ));
            }
            o.palette = Some(s.to_string());
        }
        if let Some(s) = get(pairs, "breaks") {
            o.fixed = match s {
                "fixed" => true,
                "year" => false,
                _ => return Err(bad("breaks", s, "fixed or year")),
            };
        }
        if let Some(s) = get(pairs, "compare") {
            o.compare = Some(
                s.parse::<i32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| bad("compare", s, "a year such as 2011"))?,
            );
        }
        if let Some(s) = get(pairs, "area") {
            if s.len() > 64 {
                return Err(bad("area", s, "an area key"));
            }
            o.area = Some(s.to_string());
        }
        if let Some(s) = get(pairs, "smooth") {
            o.smooth = Some(Smoothing::parse(s).ok_or_else(|| {
                bad(
                    "smooth",
                    s,
                    "eb (empirical Bayes towards all areas) or seb (towards the neighbouring areas)",
                )
            })?);
        }
        if let Some(s) = get(pairs, "manual") {
            let mut v = Vec::new();
            for part in s.split([';', ' ']).filter(|p| !p.trim().is_empty()) {
                v.push(parse_number(part).ok_or_else(|| {
                    bad(
                        "manual",
                        s,
                        "numbers separated by semicolons, e.g. 10; 15; 20",
                    )
                })?);
            }
            if v.is_empty() || v.len() > 8 || v.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad(
                    "manual",
                    s,
                    "1 to 8 ascending numbers separated by semicolons, e.g. 10; 15; 20",
                ));
            }
            o.manual = v;
        }
        if o.scheme == SchemeOpt::Manual && o.manual.is_empty() {
            return Err(bad(
                "manual",
                "",
                "class breaks for the manual scheme, e.g. 10; 15; 20",
            ));
        }
        Ok(o)
    }

    /// Parses the options of the indicator page, where the manual class breaks are typed by
    /// hand: breaks that cannot be read leave the other options as chosen (the map drawn with
    /// the default scheme) and come back as the error to show by the field, with what was
    /// typed. Every other malformed option is an error, as in [`ViewOptions::parse`].
    pub fn parse_page(
        pairs: &[(String, String)],
    ) -> Result<(ViewOptions, Option<ManualError>), AppError> {
        match Self::parse(pairs) {
            Err(error @ AppError::BadParam { .. }) if error.param() == Some("manual") => {
                let rest: Vec<(String, String)> = pairs
                    .iter()
                    .filter(|(k, v)| k != "manual" && !(k == "scheme" && v == "manual"))
                    .cloned()
                    .collect();
                let typed = get(pairs, "manual").unwrap_or_default().to_string();
                Ok((Self::parse(&rest)?, Some(ManualError { typed, error })))
            }
            other => Ok((other?, None)),
        }
    }

    /// The classify scheme.
    pub fn scheme(&self) -> Scheme {
        match self.scheme {
            SchemeOpt::Equal => Scheme::EqualInterval { k: self.k },
            SchemeOpt::Quantiles => Scheme::Quantiles { k: self.k },
            SchemeOpt::Natural => Scheme::NaturalBreaks { k: self.k },
            SchemeOpt::StdDev => Scheme::std_dev(SdStep::One, SdKind::Population),
            SchemeOpt::Box => Scheme::box_map(),
            SchemeOpt::Manual => Scheme::Manual {
                breaks: self.manual.clone(),
            },
        }
    }

    /// The canonical query string (without `?`), leaving out defaults; `area` is left out when
    /// `with_area` is false (links that select another area).
    pub fn query(&self, with_area: bool) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if self.scheme != SchemeOpt::default() {
            s.append_pair("scheme", self.scheme.as_str());
        }
        if self.k != DEFAULT_K && self.scheme.has_k() {
            s.append_pair("k", &self.k.to_string());
        }
        if self.closure == Closure::RightClosed {
            s.append_pair("closure", "right");
        }
        if let Some(p) = &self.palette {
            s.append_pair("palette", p);
        }
        if self.fixed {
            s.append_pair("breaks", "fixed");
        }
        if let Some(c) = self.compare {
            s.append_pair("compare", &c.to_string());
        }
        if let Some(m) = self.smooth {
            s.append_pair("smooth", m.param());
        }
        if self.scheme == SchemeOpt::Manual && !self.manual.is_empty() {
            let m: Vec<String> = self.manual.iter().map(|x| x.to_string()).collect();
            s.append_pair("manual", &m.join(";"));
        }
        if with_area && let Some(a) = &self.area {
            s.append_pair("area", a);
        }
        s.finish()
    }

    /// The query with its `?`, or nothing.
    pub fn query_suffix(&self, with_area: bool) -> String {
        let q = self.query(with_area);
        if q.is_empty() { q } else { format!("?{q}") }
    }

    /// The manual breaks as the user types them.
    pub fn manual_text(&self) -> String {
        let m: Vec<String> = self.manual.iter().map(|x| x.to_string()).collect();
        m.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Vec<(String, String)> {
        pairs(Some(q))
    }

    #[test]
    fn defaults_and_round_trip() {
        let o = ViewOptions::parse(&p("")).unwrap();
        assert_eq!(o, ViewOptions::default());
        assert_eq!(o.query(true), "");
        let o = ViewOptions::parse(&p(
            "scheme=equal&k=6&closure=right&palette=Blues&breaks=fixed&compare=2011&area=01",
        ))
        .unwrap();
        assert_eq!(
            o.query(true),
            "scheme=equal&k=6&closure=right&palette=Blues&breaks=fixed&compare=2011&area=01"
        );
        let o = ViewOptions::parse(&p("area=01&smooth=seb&k=4")).unwrap();
        assert_eq!(o.smooth, Some(Smoothing::Spatial));
        assert_eq!(o.query(true), "k=4&smooth=seb&area=01");
        assert_eq!(ViewOptions::parse(&p(&o.query(true))).unwrap(), o);
        assert_eq!(ViewOptions::parse(&p(&o.query(true))).unwrap(), o);
    }

    #[test]
    fn empty_form_fields_are_absent() {
        let o = ViewOptions::parse(&p("scheme=&k=&compare=&manual=")).unwrap();
        assert_eq!(o, ViewOptions::default());
    }

    #[test]
    fn malformed() {
        for q in [
            "scheme=jenks",
            "k=1",
            "k=abc",
            "k=10",
            "closure=up",
            "palette=<script>",
            "breaks=always",
            "compare=20x1",
            "scheme=manual",
            "scheme=manual&manual=3;2",
            "smooth=yes",
        ] {
            assert!(ViewOptions::parse(&p(q)).is_err(), "{q}");
        }
    }

    #[test]
    fn manual_with_commas() {
        let o = ViewOptions::parse(&p("scheme=manual&manual=10,5%3B+20")).unwrap();
        assert_eq!(o.manual, vec![10.5, 20.0]);
    }
}
