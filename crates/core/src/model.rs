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
        (self.share * 1e6).round() as i64
    }

    /// The share as used: rounded to six decimals.
    pub fn share_used(&self) -> f64 {
        self.share_millionths() as f64 / 1e6
    }
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
            if self.areas[i].area_km2.is_none() && !children[i].is_empty() {
                let parts: Option<f64> = children[i].iter().map(|&c| self.areas[c].area_km2).sum();
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
