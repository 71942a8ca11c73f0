//! The address register (Adressverzeichnis) of an atlas: every address of the city — street,
//! house number, postcode, locality — with the area of one level it lies in, so that a resident
//! finds their area by their address.
//!
//! Kept compact for the search: the streets (one per street name, postcode and locality) sorted
//! by their [folded](fold) names, and each street's house numbers, sorted, as 12 bytes each with
//! the area (Berlin's 401,032 addresses take about 6 MB). The store keeps each street's house
//! numbers per area as the list a street directory prints ([`NumberItem`]: `1–7, 9, 11A`).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A house number (Hausnummer): the number and what follows it (Zusatz, `A` of `12A`), or none
/// (a square or place without numbers). Ordered as a street directory lists them: none first,
/// then by number, then by suffix.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HouseNumber {
    /// The number; `None` for an address without one.
    pub number: Option<u32>,
    /// The suffix as written (`A`, `a`, `1/2`), empty for none.
    pub suffix: String,
}

impl HouseNumber {
    /// A plain number without suffix.
    pub fn plain(number: u32) -> Self {
        HouseNumber {
            number: Some(number),
            suffix: String::new(),
        }
    }
}

impl std::fmt::Display for HouseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = self.number {
            write!(f, "{n}")?;
            // `12 1/2`, but `12A`.
            if self.suffix.starts_with(|c: char| c.is_ascii_digit()) {
                f.write_str(" ")?;
            }
        }
        f.write_str(&self.suffix)
    }
}

/// One street of a postcode and locality with its addresses, each with the area it lies in (an
/// index into the atlas's `tree.areas`): what the import gives and the store reads back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreetAddresses {
    /// The street name as written (`Ackerstraße`).
    pub name: String,
    /// The postcode, empty when the register has none.
    pub postcode: String,
    /// The locality (Ortsteil, Ort), empty when the register has none.
    pub locality: String,
    /// The house numbers with their areas, in any order.
    pub numbers: Vec<(HouseNumber, usize)>,
}

/// One item of a street's house numbers in an area, as the store keeps them: a list such as
/// `[1, 7], 9, [11, "A"], null` (numbers 1 to 7, 9, 11A, the address without number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberItem {
    /// The address without a number (`null`).
    Unnumbered(()),
    /// One number without suffix.
    One(u32),
    /// Every number from the first to the last, none with a suffix.
    Range(u32, u32),
    /// A number with a suffix.
    Suffixed(u32, String),
}

impl NumberItem {
    /// The items of sorted house numbers: consecutive plain numbers as ranges.
    pub fn compress<'a>(numbers: impl IntoIterator<Item = &'a HouseNumber>) -> Vec<NumberItem> {
        let mut items: Vec<NumberItem> = Vec::new();
        for h in numbers {
            let item = match (h.number, h.suffix.is_empty()) {
                (None, _) => NumberItem::Unnumbered(()),
                (Some(n), false) => NumberItem::Suffixed(n, h.suffix.clone()),
                (Some(n), true) => {
                    let extended = match items.last_mut() {
                        Some(last) => match *last {
                            NumberItem::One(m) if m.checked_add(1) == Some(n) => {
                                *last = NumberItem::Range(m, n);
                                true
                            }
                            NumberItem::Range(a, b) if b.checked_add(1) == Some(n) => {
                                *last = NumberItem::Range(a, n);
                                true
                            }
                            _ => false,
                        },
                        None => false,
                    };
                    if extended {
                        continue;
                    }
                    NumberItem::One(n)
                }
            };
            items.push(item);
        }
        items
    }

    /// The house numbers of the item (a range whose ends are reversed gives none).
    pub fn expand(&self) -> Vec<HouseNumber> {
        match self {
            NumberItem::Unnumbered(()) => vec![HouseNumber::default()],
            NumberItem::One(n) => vec![HouseNumber::plain(*n)],
            NumberItem::Range(a, b) => (*a..=*b).map(HouseNumber::plain).collect(),
            NumberItem::Suffixed(n, s) => vec![HouseNumber {
                number: Some(*n),
                suffix: s.clone(),
            }],
        }
    }
}

/// A street of the register (one per name, postcode and locality).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Street {
    /// The name as written.
    pub name: String,
    /// The postcode (empty: none given).
    pub postcode: String,
    /// The locality (empty: none given).
    pub locality: String,
    /// The name [folded](fold) for matching.
    pub folded: String,
    numbers: Range<u32>,
}

/// A house number of a street in memory: the number plus one (0 for none, so that the numbers
/// sort as [`HouseNumber`]s do), the suffix (an index into the register's suffixes, 0 for none),
/// the area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Numbered {
    number: u32,
    suffix: u32,
    area: u32,
}

/// A street's place in the register's order: (folded name, postcode, locality, name).
type StreetKey = (String, String, String, String);

/// The address register in memory; see the [module](self).
#[derive(Clone, Debug, PartialEq)]
pub struct AddressRegister {
    level: usize,
    streets: Vec<Street>,
    numbers: Vec<Numbered>,
    /// The distinct suffixes; `suffixes[0]` is the empty one.
    suffixes: Vec<String>,
    /// Each postcode with the areas its addresses lie in and how many there.
    postcodes: BTreeMap<String, Vec<(usize, u32)>>,
}

impl AddressRegister {
    /// The register of `streets`, whose areas are areas of `level`. A house number given twice
    /// for a street counts once (the first area given; the import refuses two areas for one
    /// address). Streets with the same name, postcode and locality are one street.
    pub fn new(level: usize, streets: Vec<StreetAddresses>) -> Self {
        let mut merged: BTreeMap<StreetKey, Vec<(HouseNumber, usize)>> = BTreeMap::new();
        for s in streets {
            merged
                .entry((fold(&s.name), s.postcode, s.locality, s.name))
                .or_default()
                .extend(s.numbers);
        }
        let mut suffix_ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut suffixes = vec![String::new()];
        let mut out = AddressRegister {
            level,
            streets: Vec::with_capacity(merged.len()),
            numbers: Vec::new(),
            suffixes: Vec::new(),
            postcodes: BTreeMap::new(),
        };
        let mut per_postcode: BTreeMap<String, BTreeMap<usize, u32>> = BTreeMap::new();
        for ((folded, postcode, locality, name), mut numbers) in merged {
            numbers.sort();
            numbers.dedup_by(|b, a| a.0 == b.0);
            let start = out.numbers.len() as u32;
            for (h, area) in numbers {
                let suffix = if h.suffix.is_empty() {
                    0
                } else {
                    *suffix_ids.entry(h.suffix.clone()).or_insert_with(|| {
                        suffixes.push(h.suffix);
                        suffixes.len() as u32 - 1
                    })
                };
                out.numbers.push(Numbered {
                    number: h.number.map_or(0, |n| n.saturating_add(1)),
                    suffix,
                    area: area as u32,
                });
                if !postcode.is_empty() {
                    *per_postcode
                        .entry(postcode.clone())
                        .or_default()
                        .entry(area)
                        .or_default() += 1;
                }
            }
            out.streets.push(Street {
                name,
                postcode,
                locality,
                folded,
                numbers: start..out.numbers.len() as u32,
            });
        }
        out.suffixes = suffixes;
        out.postcodes = per_postcode
            .into_iter()
            .map(|(p, areas)| (p, areas.into_iter().collect()))
            .collect();
        out
    }

    /// The level whose areas the addresses lie in (an index into the tree's levels).
    pub fn level(&self) -> usize {
        self.level
    }

    /// How many addresses the register holds.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Whether the register holds no address.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// The streets, sorted by folded name, then postcode and locality.
    pub fn streets(&self) -> &[Street] {
        &self.streets
    }

    /// The indices of the streets whose folded name starts with `prefix` (already folded).
    pub fn streets_starting_with(&self, prefix: &str) -> Range<usize> {
        let start = self.streets.partition_point(|s| s.folded.as_str() < prefix);
        let len = self.streets[start..]
            .iter()
            .take_while(|s| s.folded.starts_with(prefix))
            .count();
        start..start + len
    }

    /// The house numbers of street `street` with their areas, in order.
    pub fn numbers(&self, street: usize) -> impl Iterator<Item = (HouseNumber, usize)> + '_ {
        self.numbered(street)
            .iter()
            .map(|n| (self.house(n), n.area as usize))
    }

    fn numbered(&self, street: usize) -> &[Numbered] {
        let r = &self.streets[street].numbers;
        &self.numbers[r.start as usize..r.end as usize]
    }

    fn house(&self, n: &Numbered) -> HouseNumber {
        HouseNumber {
            number: n.number.checked_sub(1),
            suffix: self.suffixes[n.suffix as usize].clone(),
        }
    }

    /// The house number `number` with `suffix` (compared without case: `1b` is `1B`) of street
    /// `street`: the number as the register writes it and its area.
    pub fn find(&self, street: usize, number: u32, suffix: &str) -> Option<(HouseNumber, usize)> {
        let numbered = self.numbered(street);
        let number = number.saturating_add(1);
        let from = numbered.partition_point(|n| n.number < number);
        numbered[from..]
            .iter()
            .take_while(|n| n.number == number)
            .find(|n| self.suffixes[n.suffix as usize].eq_ignore_ascii_case(suffix.trim()))
            .map(|n| (self.house(n), n.area as usize))
    }

    /// The areas street `street` runs through, each with its number of addresses there, in the
    /// order of the street's first house number in each.
    pub fn areas_of_street(&self, street: usize) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = Vec::new();
        for n in self.numbered(street) {
            match out.iter_mut().find(|(a, _)| *a == n.area as usize) {
                Some((_, c)) => *c += 1,
                None => out.push((n.area as usize, 1)),
            }
        }
        out
    }

    /// The areas the addresses of postcode `code` lie in, each with its number of addresses
    /// there (by area index); `None` for a postcode not in the register.
    pub fn postcode(&self, code: &str) -> Option<&[(usize, u32)]> {
        self.postcodes.get(code.trim()).map(Vec::as_slice)
    }

    /// Street `street`'s house numbers per area, as the store keeps them: (area, number of
    /// addresses, the numbers as [`NumberItem`]s), areas in index order.
    pub fn numbers_by_area(&self, street: usize) -> Vec<(usize, u32, Vec<NumberItem>)> {
        let mut by_area: BTreeMap<usize, Vec<HouseNumber>> = BTreeMap::new();
        for (h, area) in self.numbers(street) {
            by_area.entry(area).or_default().push(h);
        }
        by_area
            .into_iter()
            .map(|(area, hs)| (area, hs.len() as u32, NumberItem::compress(&hs)))
            .collect()
    }
}

/// Folds a name or a query for matching: lower case; umlauts and ß spelled out (`ü` → `ue`),
/// other accents dropped (`é` → `e`); hyphens, dots, commas and slashes as spaces; runs of
/// space as one; and a word ending in `str` read as `strasse` (`Ackerstr.` and `Ackerstraße`
/// are both `ackerstrasse`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'æ' => out.push_str("ae"),
            'ö' | 'ø' | 'œ' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'ç' | 'č' | 'ć' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' | 'ń' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'š' | 'ś' => out.push('s'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'ł' => out.push('l'),
            '-' | '_' | '.' | ',' | '/' | '\u{2013}' => out.push(' '),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    let mut words: Vec<String> = Vec::new();
    for w in out.split(' ').filter(|w| !w.is_empty()) {
        match w.strip_suffix("str") {
            Some(stem) => words.push(format!("{stem}strasse")),
            None => words.push(w.to_string()),
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u32, s: &str) -> HouseNumber {
        HouseNumber {
            number: Some(n),
            suffix: s.into(),
        }
    }

    #[test]
    fn fold_spells_out_umlauts_and_street() {
        assert_eq!(fold("Mürwik"), "muerwik");
        assert_eq!(fold("  Ackerstr. 1B "), "ackerstrasse 1b");
        assert_eq!(fold("Ackerstraße"), "ackerstrasse");
        assert_eq!(fold("ACKERSTRASSE"), "ackerstrasse");
        assert_eq!(fold("Berliner Str."), "berliner strasse");
        assert_eq!(fold("Karl-Marx-Allee"), "karl marx allee");
        assert_eq!(fold("Rue de l'Église"), "rue de l'eglise");
    }

    #[test]
    fn numbers_compress_to_ranges_and_back() {
        let hs = vec![
            HouseNumber::default(),
            HouseNumber::plain(1),
            h(1, "A"),
            HouseNumber::plain(2),
            HouseNumber::plain(3),
            HouseNumber::plain(4),
            HouseNumber::plain(6),
            HouseNumber::plain(7),
            h(7, "1/2"),
        ];
        let items = NumberItem::compress(&hs);
        assert_eq!(
            items,
            vec![
                NumberItem::Unnumbered(()),
                NumberItem::One(1),
                NumberItem::Suffixed(1, "A".into()),
                NumberItem::Range(2, 4),
                NumberItem::Range(6, 7),
                NumberItem::Suffixed(7, "1/2".into()),
            ]
        );
        let json = serde_json::to_string(&items).unwrap();
        assert_eq!(json, r#"[null,1,[1,"A"],[2,4],[6,7],[7,"1/2"]]"#);
        let back: Vec<NumberItem> = serde_json::from_str(&json).unwrap();
        let expanded: Vec<HouseNumber> = back.iter().flat_map(NumberItem::expand).collect();
        assert_eq!(expanded, hs);
        assert_eq!(h(7, "1/2").to_string(), "7 1/2");
        assert_eq!(h(1, "B").to_string(), "1B");
    }

    #[test]
    fn register_finds_numbers_streets_and_postcodes() {
        let street =
            |name: &str, postcode: &str, numbers: Vec<(HouseNumber, usize)>| StreetAddresses {
                name: name.into(),
                postcode: postcode.into(),
                locality: "Mitte".into(),
                numbers,
            };
        let r = AddressRegister::new(
            3,
            vec![
                street(
                    "Ackerstraße",
                    "10115",
                    vec![
                        (h(1, "B"), 7),
                        (HouseNumber::plain(1), 5),
                        (h(1, "A"), 5),
                        (HouseNumber::plain(2), 7),
                    ],
                ),
                street(
                    "Zionskirchstraße",
                    "10119",
                    vec![(HouseNumber::plain(1), 7)],
                ),
                street("Ackerstraße", "13355", vec![(HouseNumber::plain(100), 9)]),
            ],
        );
        assert_eq!(r.len(), 6);
        assert_eq!(r.level(), 3);
        let acker = r.streets_starting_with("ackerstr");
        assert_eq!(acker, 0..2);
        assert_eq!(r.streets()[0].postcode, "10115");
        assert_eq!(r.find(0, 1, "b"), Some((h(1, "B"), 7)));
        assert_eq!(r.find(0, 1, ""), Some((HouseNumber::plain(1), 5)));
        assert_eq!(r.find(0, 1, "C"), None);
        assert_eq!(r.find(1, 100, ""), Some((HouseNumber::plain(100), 9)));
        assert_eq!(r.areas_of_street(0), vec![(5, 2), (7, 2)]);
        assert_eq!(r.postcode("10115"), Some(&[(5, 2), (7, 2)][..]));
        assert_eq!(r.postcode("10119"), Some(&[(7, 1)][..]));
        assert_eq!(r.postcode("99999"), None);
        assert_eq!(r.streets_starting_with("zz"), 3..3);
        assert_eq!(
            r.numbers_by_area(0),
            vec![
                (
                    5,
                    2,
                    vec![NumberItem::One(1), NumberItem::Suffixed(1, "A".into())]
                ),
                (
                    7,
                    2,
                    vec![NumberItem::Suffixed(1, "B".into()), NumberItem::One(2)]
                )
            ]
        );
    }
}
