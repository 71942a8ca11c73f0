//! Areas and levels (Raumgliederung) and the observations of base variables.

use crate::catalogue::Text;
use serde::{Deserialize, Serialize};

/// A level of the spatial hierarchy (Gliederungsebene), e.g. Stadt, Stadtteil, or an overlay
/// layer such as the Aktionsräume that is not part of the partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Stable identifier used in URLs and data mappings.
    pub id: String,
    /// Display name (singular).
    pub name: Text,
    /// Index of the parent level in [`AreaTree::levels`] (None for the city).
    pub parent: Option<usize>,
    /// An overlay layer is not a partition: its areas get their values from their member
    /// areas ([`AreaTree::memberships`]), never the other way round.
    pub overlay: bool,
    /// Overlays: what the membership shares measure (stated in `atlas.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<ShareKind>,
    /// The boundary vintage (Gebietsstand) of the level's areas. A level whose boundaries
    /// changed has one level per vintage: the current one under the level's id, each older one
    /// linked to the next by [`Vintage::next`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<Vintage>,
}

impl Level {
    /// Whether this level is an older boundary vintage of another (its values are converted onto
    /// the next vintage; pages show the current one).
    pub fn is_older_vintage(&self) -> bool {
        self.vintage.as_ref().is_some_and(|v| v.next.is_some())
    }

    /// Whether the level's boundaries are valid in `year` (always, without years stated).
    pub fn valid_in(&self, year: i32) -> bool {
        self.vintage.as_ref().is_none_or(|v| v.valid_in(year))
    }
}

/// A boundary vintage (Gebietsstand): the years a level's boundaries are valid for and, for an
/// older vintage, the level of the next one that its counts are converted onto.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vintage {
    /// The label ("2021"), as `atlas.toml` names the vintage.
    pub label: String,
    /// The first year the boundaries are valid for (none: every year before `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i32>,
    /// The last year the boundaries are valid for (none: still valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i32>,
    /// The next vintage (index into [`AreaTree::levels`]); none for the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<usize>,
    /// For a vintage an older one is converted onto: what the weights of that crosswalk
    /// measure ([`AreaTree::crosswalk`]), shown with the converted values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_by: Option<ShareKind>,
}

impl Vintage {
    /// A vintage that is only a label (`vintage = "2023"` in `atlas.toml`).
    pub fn label(label: impl Into<String>) -> Self {
        Vintage {
            label: label.into(),
            from: None,
            until: None,
            next: None,
            converted_by: None,
        }
    }

    /// Whether the boundaries are valid in `year`.
    pub fn valid_in(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.until.is_none_or(|u| year <= u)
    }

    /// The years in words: "2019–2020", "ab 2021" / "from 2021", "bis 2020" / "until 2020".
    pub fn years(&self, locale: crate::Locale) -> Option<String> {
        match (self.from, self.until) {
            (Some(f), Some(u)) if f == u => Some(f.to_string()),
            (Some(f), Some(u)) => Some(format!("{f}–{u}")),
            (Some(f), None) => Some(format!("{} {f}", locale.pick("ab", "from"))),
            (None, Some(u)) => Some(format!("{} {u}", locale.pick("bis", "until"))),
            (None, None) => None,
        }
    }
}

/// What the share of a member area in an overlay area measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    /// The share of the member's area (km²) inside the overlay area: what the geometries give.
    Area,
    /// The share of the member's population living inside the overlay area (from a membership
    /// file).
    Population,
}

impl ShareKind {
    /// The name as written in `atlas.toml` and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareKind::Area => "area",
            ShareKind::Population => "population",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "area" => Some(ShareKind::Area),
            "population" => Some(ShareKind::Population),
            _ => None,
        }
    }
}

/// Membership of an area in an overlay area (Aktionsraum), with the share of the member that
/// lies inside the overlay: an overlay's count is `Σ share × member's count`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// The overlay area (index into the tree's areas).
    pub overlay_area: usize,
    /// The member area.
    pub member_area: usize,
    /// Share of the member inside the overlay area, in (0, 1], used to six decimals (see
    /// [`Membership::share_millionths`]).
    pub share: f64,
}

impl Membership {
    /// The share in millionths (what computation and the confidentiality check use exactly).
    pub fn share_millionths(&self) -> i64 {
        millionths(self.share)
    }

    /// The share as used: rounded to six decimals.
    pub fn share_used(&self) -> f64 {
        self.share_millionths() as f64 / 1e6
    }
}

/// A share as used by the computation: in millionths, so that sums and the confidentiality
/// check are exact.
pub fn millionths(share: f64) -> i64 {
    (share * 1e6).round() as i64
}

/// A link of a crosswalk (Umschlüsselung) between two boundary vintages: the share of an area of
/// the older vintage that lies in an area of the next one. A count of the new area is
/// `Σ weight × count of the old area` over its links ([`crate::compute`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrosswalkLink {
    /// The area of the older vintage (index into the tree's areas).
    pub old_area: usize,
    /// The area of the next vintage.
    pub new_area: usize,
    /// The share of the old area's count that goes to the new area, in (0, 1]; the weights of
    /// an old area sum to exactly 1 in millionths ([`normalise_weights`]).
    pub weight: f64,
}

impl CrosswalkLink {
    /// The weight in millionths.
    pub fn weight_millionths(&self) -> i64 {
        millionths(self.weight)
    }
}

/// Rounds the weights of one old area to millionths that sum to exactly 1 000 000 (largest
/// remainder), so that converted counts sum to the old count exactly. `weights` must sum to
/// about 1; a weight that rounds to 0 stays 0.
pub fn normalise_weights(weights: &[f64]) -> Vec<i64> {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / total * 1e6).collect();
    let mut out: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut rest = 1_000_000 - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if rest <= 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

/// An area (Gebiet) of one level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Stable key, a string (leading zeros kept).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Index of the level in [`AreaTree::levels`].
    pub level: usize,
    /// Index of the parent area in [`AreaTree::areas`].
    pub parent: Option<usize>,
    /// Area in km² (geodesic), when a geometry exists or the children have one.
    pub area_km2: Option<f64>,
}

/// The areas of a city with their hierarchy. Levels are ordered coarsest first; an area's
/// parent always belongs to its level's parent level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AreaTree {
    /// The levels, coarsest first, overlays last.
    pub levels: Vec<Level>,
    /// All areas of all levels.
    pub areas: Vec<Area>,
    /// Members of the overlay areas, with their shares.
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// The crosswalks from each older boundary vintage to the next.
    #[serde(default)]
    pub crosswalk: Vec<CrosswalkLink>,
}

/// A problem in the area hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeProblem {
    /// The levels' parent links form a cycle.
    LevelCycle(Vec<String>),
    /// An area's parent is not on the parent level.
    ParentOnWrongLevel {
        /// Key of the area.
        area: String,
        /// Key of the parent area.
        parent: String,
    },
    /// Two areas of one level share a key.
    DuplicateKey {
        /// Level id.
        level: String,
        /// The key.
        key: String,
    },
}

impl std::fmt::Display for TreeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TreeProblem::LevelCycle(c) => write!(
                f,
                "the level hierarchy has a cycle: {} (expected each level to have a coarser parent, ending at the city)",
                c.join(" → ")
            ),
            TreeProblem::ParentOnWrongLevel { area, parent } => write!(
                f,
                "area `{area}`: parent `{parent}` is not on the parent level"
            ),
            TreeProblem::DuplicateKey { level, key } => {
                write!(f, "level `{level}`: the key `{key}` occurs twice")
            }
        }
    }
}

impl AreaTree {
    /// Finds a level by id.
    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    /// The ids of the levels, comma-separated (`stadt, stadtbezirk, stadtteil`): what a message
    /// about an unknown level lists.
    pub fn level_ids(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Finds an area by level and key.
    pub fn find(&self, level: usize, key: &str) -> Option<usize> {
        self.areas
            .iter()
            .position(|a| a.level == level && a.key == key)
    }

    /// Indices of the areas of one level, in input order.
    pub fn areas_of_level(&self, level: usize) -> Vec<usize> {
        (0..self.areas.len())
            .filter(|&i| self.areas[i].level == level)
            .collect()
    }

    /// The members of every overlay area, in membership order (empty for other areas).
    pub fn members(&self) -> Vec<Vec<Membership>> {
        let mut m = vec![Vec::new(); self.areas.len()];
        for x in &self.memberships {
            m[x.overlay_area].push(*x);
        }
        m
    }

    /// The levels that show the atlas: every level but the older boundary vintages.
    pub fn shown_levels(&self) -> Vec<usize> {
        (0..self.levels.len())
            .filter(|&l| !self.levels[l].is_older_vintage())
            .collect()
    }

    /// The vintages of the level `level` belongs to, oldest first (just `level` for a level
    /// without vintages).
    pub fn vintages_of(&self, level: usize) -> Vec<usize> {
        let mut newest = level;
        while let Some(n) = self.levels[newest].vintage.as_ref().and_then(|v| v.next) {
            newest = n;
        }
        let mut chain = vec![newest];
        // An older vintage is the one whose `next` is the oldest found so far.
        while let Some(prev) = (0..self.levels.len())
            .find(|&l| self.levels[l].vintage.as_ref().and_then(|v| v.next) == Some(chain[0]))
        {
            if chain.contains(&prev) {
                break;
            }
            chain.insert(0, prev);
        }
        chain
    }

    /// The vintage of `level`'s family that is valid in `year`, if any.
    pub fn vintage_in(&self, level: usize, year: i32) -> Option<usize> {
        self.vintages_of(level)
            .into_iter()
            .find(|&l| self.levels[l].valid_in(year))
    }

    /// Children of every area (index lists).
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut ch = vec![Vec::new(); self.areas.len()];
        for (i, a) in self.areas.iter().enumerate() {
            if let Some(p) = a.parent {
                ch[p].push(i);
            }
        }
        ch
    }

    /// The root area (the city): the first area of a level without parent that is not an
    /// overlay.
    pub fn root(&self) -> Option<usize> {
        self.areas
            .iter()
            .position(|a| self.levels[a.level].parent.is_none() && !self.levels[a.level].overlay)
    }

    /// Depth of each level (0 for the city), or the cycle if the parent links loop.
    pub fn level_depths(&self) -> Result<Vec<usize>, TreeProblem> {
        let mut depths = Vec::with_capacity(self.levels.len());
        for start in 0..self.levels.len() {
            let mut seen = vec![start];
            let mut cur = start;
            let mut d = 0;
            while let Some(p) = self.levels[cur].parent {
                if seen.contains(&p) {
                    let mut names: Vec<String> =
                        seen.iter().map(|&i| self.levels[i].id.clone()).collect();
                    names.push(self.levels[p].id.clone());
                    return Err(TreeProblem::LevelCycle(names));
                }
                seen.push(p);
                cur = p;
                d += 1;
            }
            depths.push(d);
        }
        Ok(depths)
    }

    /// Checks the hierarchy: no level cycle, unique keys per level, parents on the parent level.
    pub fn check(&self) -> Vec<TreeProblem> {
        let mut out = Vec::new();
        if let Err(e) = self.level_depths() {
            out.push(e);
            return out;
        }
        let mut keys = std::collections::HashSet::new();
        for a in &self.areas {
            if !keys.insert((a.level, a.key.as_str())) {
                out.push(TreeProblem::DuplicateKey {
                    level: self.levels[a.level].id.clone(),
                    key: a.key.clone(),
                });
            }
            if let Some(p) = a.parent
                && Some(self.areas[p].level) != self.levels[a.level].parent
            {
                out.push(TreeProblem::ParentOnWrongLevel {
                    area: a.key.clone(),
                    parent: self.areas[p].key.clone(),
                });
            }
        }
        out
    }

    /// Fills missing areas in km² of parents with the sum of their children.
    pub fn fill_parent_areas(&mut self) {
        let depths = match self.level_depths() {
            Ok(d) => d,
            Err(_) => return,
        };
        let mut order: Vec<usize> = (0..self.areas.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(depths[self.areas[i].level]));
        let children = self.children();
        for i in order {
            // An older boundary vintage covers the same ground as the current one: not twice.
            let current: Vec<usize> = children[i]
                .iter()
                .copied()
                .filter(|&c| !self.levels[self.areas[c].level].is_older_vintage())
                .collect();
            if self.areas[i].area_km2.is_none() && !current.is_empty() {
                let parts: Option<f64> = current.iter().map(|&c| self.areas[c].area_km2).sum();
                self.areas[i].area_km2 = parts;
            }
        }
    }
}

/// The state of one base value as it came from the input (Beobachtung).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Obs {
    /// A number.
    Value(f64),
    /// Not available ("–", empty). Never zero.
    Missing,
    /// Withheld by the source for confidentiality ("x", "*"). Never missing, never zero.
    Suppressed,
}
