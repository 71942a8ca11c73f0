//! The search behind `/search`: areas by name or key, and — when the atlas has an address
//! register — addresses (`Ackerstraße 1B`, `ackerstr 1b, 10115`), streets and postcodes, each
//! with the areas they lie in. Names and queries are compared [folded](fold) (`Ackerstr.` is
//! `Ackerstraße`, `Muerwik` is `Mürwik`); when nothing matches as typed, names within a small
//! edit distance are offered as similar (`Murwik` → Mürwik, `Neustat` → Neustadt).
//!
//! Pure: a Snapshot and a query in, the hits out; the page lays them out.

use sozialatlas_model::address::fold;
use sozialatlas_model::{AddressRegister, HouseNumber, Snapshot};

/// How a hit matches the query; the better first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The name (or key, or postcode) as typed, folded.
    Exact,
    /// The name begins with the query.
    Prefix,
    /// A word of the name begins with the query (areas: the name contains it).
    Part,
    /// A similar spelling: within the edit distance [`tolerance`] allows.
    Similar,
}

/// What was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// An address: the street (an index into the register's streets), its house number as
    /// the register writes it, and the area it lies in.
    Address {
        /// The street.
        street: usize,
        /// The house number.
        number: HouseNumber,
        /// The area (an index into the tree's areas).
        area: usize,
    },
    /// A street with the areas it runs through and the number of its addresses in each;
    /// `missing` is the house number asked for when the street does not have it.
    Street {
        /// The street.
        street: usize,
        /// (area, addresses there).
        areas: Vec<(usize, u32)>,
        /// The house number asked for that the street does not have.
        missing: Option<String>,
    },
    /// A postcode with the areas its addresses lie in and how many there.
    Postcode {
        /// The postcode.
        code: String,
        /// (area, addresses there).
        areas: Vec<(usize, u32)>,
    },
    /// An area by name or key.
    Area {
        /// The area.
        area: usize,
    },
}

/// One hit: what was found and how it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// How it matched.
    pub matched: Match,
    /// What was found.
    pub found: Found,
}

/// A query taken apart: the words of a name, a house number, a postcode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The whole query, folded.
    pub folded: String,
    /// The words that are no house number or postcode, folded (a street or area name).
    pub name: String,
    /// The words that are no postcode, folded: the name when the house number is part of it
    /// (`Straße des 17. Juni`).
    pub whole_name: String,
    /// The house number: number and suffix (`1b` → 1, `b`).
    pub number: Option<(u32, String)>,
    /// A postcode: five digits.
    pub postcode: Option<String>,
}

impl Query {
    /// Takes a query apart: the first word of five digits is a postcode; the last other word
    /// that begins with digits is a house number (a single letter right after it is its
    /// suffix: `1 b`); the rest is the name.
    pub fn parse(q: &str) -> Query {
        let folded = fold(q);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let postcode = words
            .iter()
            .position(|w| w.len() == 5 && w.bytes().all(|b| b.is_ascii_digit()));
        let digits = |w: &str| w.bytes().take_while(u8::is_ascii_digit).count();
        let number = (0..words.len())
            .rev()
            .find(|&i| Some(i) != postcode && (1..=6).contains(&digits(words[i])));
        let suffix = number.map(|i| i + 1).filter(|&j| {
            digits(words[j - 1]) == words[j - 1].len()
                && Some(j) != postcode
                && words
                    .get(j)
                    .is_some_and(|w| w.chars().count() == 1 && w.chars().all(char::is_alphabetic))
        });
        let name = |skip_number: bool| {
            words
                .iter()
                .enumerate()
                .filter(|&(i, _)| {
                    Some(i) != postcode
                        && !(skip_number && (Some(i) == number || Some(i) == suffix))
                })
                .map(|(_, w)| *w)
                .collect::<Vec<_>>()
                .join(" ")
        };
        Query {
            name: name(true),
            whole_name: name(false),
            number: number.map(|i| {
                let w = words[i];
                let d = digits(w);
                let mut suffix_text = w[d..].to_string();
                if let Some(j) = suffix {
                    suffix_text.push_str(words[j]);
                }
                (w[..d].parse().unwrap_or(0), suffix_text)
            }),
            postcode: postcode.map(|i| words[i].to_string()),
            folded,
        }
    }
}

/// The edit distance a name of `chars` characters may be from the query to count as similar:
/// none below 5 characters (too many short names are one edit apart), 1 up to 8, else 2.
pub fn tolerance(chars: usize) -> usize {
    match chars {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

/// The Damerau–Levenshtein distance of `a` and `b` (optimal string alignment: insertions,
/// deletions, substitutions, transpositions of neighbours), if it is at most `max`.
pub fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut before: Vec<usize> = vec![0; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur: Vec<usize> = vec![0; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[n]).filter(|&d| d <= max)
}

/// How far `name` (folded) is from `query` (folded, as chars), if it is a similar spelling:
/// the whole name, or as many of its words in a row as the query has, within [`tolerance`].
fn similar(query: &[char], words: usize, name: &str) -> Option<usize> {
    let max = tolerance(query.len());
    if max == 0 {
        return None;
    }
    // Lengths first: most names are too long or too short to be one or two edits away.
    let near = |chars: usize| chars.abs_diff(query.len()) <= max;
    let mut best = None;
    if near(name.chars().count()) {
        let whole: Vec<char> = name.chars().collect();
        best = distance(query, &whole, max);
    }
    let parts: Vec<&str> = name.split(' ').collect();
    if parts.len() > words {
        for w in parts.windows(words) {
            let chars = w.iter().map(|p| p.chars().count()).sum::<usize>() + words - 1;
            if !near(chars) {
                continue;
            }
            let part: Vec<char> = w.join(" ").chars().collect();
            if let Some(d) = distance(query, &part, max) {
                best = Some(best.map_or(d, |b: usize| b.min(d)));
            }
        }
    }
    best
}

/// The candidates at the smallest distance: of several similar spellings only the nearest are
/// offered (`Akerstraße` is one edit from Ackerstraße, two from Adlerstraße).
fn nearest(found: Vec<(usize, usize)>) -> impl Iterator<Item = usize> {
    let min = found.iter().map(|&(d, _)| d).min().unwrap_or(0);
    found
        .into_iter()
        .filter(move |&(d, _)| d == min)
        .map(|(_, i)| i)
}

/// The hits for query `q`, best first, at most `limit`; `folded_names` are the areas' names
/// folded (built once per snapshot: [`Index::folded_names`](sozialatlas_web_kit::Index)).
pub fn search(snap: &Snapshot, folded_names: &[String], q: &str, limit: usize) -> Vec<Hit> {
    let query = Query::parse(q);
    let mut hits = Vec::new();
    if query.folded.is_empty() {
        return hits;
    }
    areas(snap, folded_names, q.trim(), &query, &mut hits);
    if let Some(register) = &snap.addresses {
        addresses(register, &query, limit, &mut hits);
    }
    let kind = |f: &Found| match f {
        Found::Address { .. } => 0,
        Found::Postcode { .. } => 1,
        Found::Area { .. } => 2,
        Found::Street { .. } => 3,
    };
    let name = |f: &Found| match f {
        Found::Address { street, .. } | Found::Street { street, .. } => snap
            .addresses
            .as_ref()
            .map(|r| {
                let s = &r.streets()[*street];
                format!("{} {} {}", s.folded, s.postcode, s.locality)
            })
            .unwrap_or_default(),
        Found::Postcode { code, .. } => code.clone(),
        Found::Area { area } => folded_names[*area].clone(),
    };
    hits.sort_by_cached_key(|h| (h.matched, kind(&h.found), name(&h.found)));
    hits.truncate(limit);
    hits
}

/// Areas by name (folded) or key.
fn areas(snap: &Snapshot, folded: &[String], raw: &str, query: &Query, hits: &mut Vec<Hit>) {
    let fq = query.folded.as_str();
    let before = hits.len();
    for ((i, a), name) in snap.tree.areas.iter().enumerate().zip(folded) {
        let matched = if *name == fq || a.key == raw {
            Match::Exact
        } else if name.starts_with(fq) {
            Match::Prefix
        } else if name.contains(fq) || a.key.contains(raw) {
            Match::Part
        } else {
            continue;
        };
        hits.push(Hit {
            matched,
            found: Found::Area { area: i },
        });
    }
    if hits.len() > before {
        return;
    }
    let chars: Vec<char> = fq.chars().collect();
    let words = fq.split(' ').count();
    let found = folded
        .iter()
        .enumerate()
        .filter_map(|(i, name)| Some((similar(&chars, words, name)?, i)))
        .collect();
    for area in nearest(found) {
        hits.push(Hit {
            matched: Match::Similar,
            found: Found::Area { area },
        });
    }
}

/// Addresses, streets and postcodes of the register.
fn addresses(register: &AddressRegister, query: &Query, limit: usize, hits: &mut Vec<Hit>) {
    if query.name.is_empty() {
        if let Some(code) = &query.postcode
            && let Some(areas) = register.postcode(code)
        {
            hits.push(Hit {
                matched: Match::Exact,
                found: Found::Postcode {
                    code: code.clone(),
                    areas: areas.to_vec(),
                },
            });
        }
        return;
    }
    let streets = register.streets();
    let mut found = matching_streets(register, &query.name);
    let mut number = query.number.as_ref();
    if found.is_empty() && number.is_some() && query.whole_name != query.name {
        // The number was part of the name (`Straße des 17. Juni`).
        found = matching_streets(register, &query.whole_name);
        number = None;
    }
    // A postcode narrows the streets, unless none of them has it (then it was mistyped).
    if let Some(code) = &query.postcode
        && found.iter().any(|&(_, s)| streets[s].postcode == *code)
    {
        found.retain(|&(_, s)| streets[s].postcode == *code);
    }
    found.sort();
    found.truncate(limit);
    // With a house number: the addresses; when no street has it, the streets say so.
    let mut missing = None;
    if let Some((number, suffix)) = number {
        let before = hits.len();
        for &(matched, street) in &found {
            if let Some((number, area)) = register.find(street, *number, suffix) {
                hits.push(Hit {
                    matched,
                    found: Found::Address {
                        street,
                        number,
                        area,
                    },
                });
            }
        }
        if hits.len() > before {
            return;
        }
        missing = Some(
            HouseNumber {
                number: Some(*number),
                suffix: suffix.to_uppercase(),
            }
            .to_string(),
        );
    }
    for &(matched, street) in &found {
        hits.push(Hit {
            matched,
            found: Found::Street {
                street,
                areas: register.areas_of_street(street),
                missing: missing.clone(),
            },
        });
    }
}

/// The streets whose folded name is `name`, begins with it, has a word that begins with it,
/// or — when none does — is a similar spelling.
fn matching_streets(register: &AddressRegister, name: &str) -> Vec<(Match, usize)> {
    let streets = register.streets();
    let mut found: Vec<(Match, usize)> = register
        .streets_starting_with(name)
        .map(|s| {
            let m = if streets[s].folded == name {
                Match::Exact
            } else {
                Match::Prefix
            };
            (m, s)
        })
        .collect();
    if name.len() >= 3 {
        let inner = format!(" {name}");
        found.extend(
            streets
                .iter()
                .enumerate()
                .filter(|(_, s)| s.folded.contains(&inner))
                .map(|(i, _)| (Match::Part, i)),
        );
    }
    if found.is_empty() {
        let chars: Vec<char> = name.chars().collect();
        let words = name.split(' ').count();
        let mut last: Option<(&str, Option<usize>)> = None;
        let mut similar_ones = Vec::new();
        for (i, s) in streets.iter().enumerate() {
            // Streets of one name follow each other: the distance once per name.
            let d = match last {
                Some((n, d)) if n == s.folded => d,
                _ => similar(&chars, words, &s.folded),
            };
            last = Some((&s.folded, d));
            if let Some(d) = d {
                similar_ones.push((d, i));
            }
        }
        found.extend(nearest(similar_ones).map(|i| (Match::Similar, i)));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        let d = |a: &str, b: &str| distance(&chars(a), &chars(b), 3);
        assert_eq!(d("murwik", "muerwik"), Some(1));
        assert_eq!(d("neustat", "neustadt"), Some(1));
        assert_eq!(d("nuestadt", "neustadt"), Some(1));
        assert_eq!(d("abc", "abc"), Some(0));
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(distance(&chars("kitten"), &chars("sitting"), 2), None);
        assert_eq!(distance(&chars("a"), &chars("abcd"), 2), None);
    }

    #[test]
    fn distance_agrees_with_a_plain_table() {
        // The full table without the early exit, as a reference.
        fn reference(a: &[char], b: &[char]) -> usize {
            let (m, n) = (a.len(), b.len());
            let mut t = vec![vec![0usize; n + 1]; m + 1];
            for (i, row) in t.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in t[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=m {
                for j in 1..=n {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    t[i][j] = (t[i - 1][j] + 1)
                        .min(t[i][j - 1] + 1)
                        .min(t[i - 1][j - 1] + cost);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        t[i][j] = t[i][j].min(t[i - 2][j - 2] + 1);
                    }
                }
            }
            t[m][n]
        }
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "neustadt",
            "neustat",
            "muerwik",
            "murwik",
            "friedrichshain",
            "friedrichhsain",
            "weiche",
            "wiche",
            "ackerstrasse",
        ];
        for a in words {
            for b in words {
                let r = reference(&chars(a), &chars(b));
                for max in 0..4 {
                    assert_eq!(
                        distance(&chars(a), &chars(b), max),
                        (r <= max).then_some(r),
                        "{a} {b} {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn queries_are_taken_apart() {
        let q = Query::parse("Ackerstr. 1, 10115");
        assert_eq!(q.name, "ackerstrasse");
        assert_eq!(q.number, Some((1, String::new())));
        assert_eq!(q.postcode.as_deref(), Some("10115"));
        let q = Query::parse("ackerstr 1b");
        assert_eq!(q.name, "ackerstrasse");
        assert_eq!(q.number, Some((1, "b".into())));
        let q = Query::parse("Ackerstraße 1 B");
        assert_eq!(q.number, Some((1, "b".into())));
        assert_eq!(q.name, "ackerstrasse");
        let q = Query::parse("10115");
        assert_eq!(
            (q.name.as_str(), q.postcode.as_deref()),
            ("", Some("10115"))
        );
        let q = Query::parse("Straße des 17. Juni 100");
        assert_eq!(q.name, "strasse des 17 juni");
        assert_eq!(q.number, Some((100, String::new())));
        let q = Query::parse("Straße des 17. Juni");
        assert_eq!(q.name, "strasse des juni");
        assert_eq!(q.whole_name, "strasse des 17 juni");
    }

    #[test]
    fn tolerance_grows_with_length() {
        assert_eq!(tolerance(4), 0);
        assert_eq!(tolerance(6), 1);
        assert_eq!(tolerance(12), 2);
        let q = chars("murwik");
        assert_eq!(similar(&q, 1, "muerwik"), Some(1));
        assert_eq!(
            similar(&chars("kreuzburg"), 1, "friedrichshain kreuzberg"),
            Some(1)
        );
        assert_eq!(similar(&chars("mitt"), 1, "mitte"), None);
        assert_eq!(
            nearest(vec![(2, 7), (1, 3), (1, 5)]).collect::<Vec<_>>(),
            [3, 5]
        );
    }
}
