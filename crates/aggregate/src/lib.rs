//! Spatial aggregation of geocoded records (sozialraumorientierte Datensammlung): which area
//! (Gebiet) contains each point, and how many records (or how much weight) fall in each area.
//!
//! Two parts:
//!
//! - [`PolygonIndex`]: exact point-in-polygon for many points against a set of areas, in O(1) on
//!   average (a uniform grid of pre-classified cells; where a border crosses a cell, the few edges
//!   that can decide it, stored together).
//! - [`aggregate_csv`]: streams a CSV of records through the index on all cores with bounded
//!   memory and returns counts or sums per area and group ([`AggregateResult::write_csv`]).
//!   Records are located in batches: first every record's grid cell is loaded, then the cells are
//!   resolved, then the counters are incremented — with thousands of areas each step misses the
//!   cache, and batching lets those misses overlap instead of queueing.
//!
//! The crate does no I/O of its own beyond the readers and writers handed to it.
//!
//! # Containment and the border rule
//!
//! Each area is a `MultiPolygon`; a point is inside when a ray from it crosses the area's rings
//! (exteriors and holes alike) an odd number of times (even-odd rule; for valid polygons this is
//! ordinary containment with holes excluded). All predicates are exact: coordinate comparisons and
//! the adaptive-precision `orient2d` of the `robust` crate, so no point is misclassified by
//! rounding, however close to an edge.
//!
//! **Border rule.** A point on a border is assigned in two steps:
//!
//! 1. *Half-open rule*: the point is treated as if moved an infinitesimal ε east (+x) and a much
//!    smaller ε² north (+y), and the area containing the moved point owns it. So a point on a
//!    north–south or sloping border belongs to the area east of it, a point on an east–west
//!    border to the area north of it, and a point on a vertex to the area that contains the sector
//!    just east (slightly north of east) of the vertex. This is the tie-break of the crossing-number
//!    test with half-open edges and of rasterisers' top-left rule (mirrored). Because it is one
//!    consistent perturbation, areas that share their borders vertex for vertex (a tessellation,
//!    like municipal districts from one topology) give every point exactly one owner.
//! 2. *Fallback*: when step 1 finds no owner or more than one, the point goes to the
//!    lowest-numbered area (in the order given to [`PolygonIndex::new`]) whose closure
//!    (interior plus boundary) contains it, and to none if there is none. This happens for points on
//!    the outer boundary of the union on its east or north side (they go to the one area they
//!    touch: every point of the *closed* union is assigned), for points in zero-width slivers where
//!    neighbours' borders do not match exactly (different vertices along a shared border), and in
//!    overlaps of areas (lowest index wins).
//!
//! Net effect: every point in the closed union of the areas is assigned to exactly one area, and a
//! point outside every closed area to none.
//!
//! # Coordinate reference systems
//!
//! The index is planar: points and areas must be in the same CRS. The recommended path is to
//! transform the *areas* once into the CRS of the points (a few thousand vertices instead of
//! millions of points) and then aggregate without a transform. Keep in mind that reprojecting
//! moves borders by the transform's error, so a point on a border may change sides; that is the
//! same for every tool. A per-point transform ([`AggregateOptions::transform`]) is supported for
//! the cases where the areas must stay as they are.

mod aggregate;
mod index;
mod records;

pub use aggregate::{
    AggregateError, AggregateOptions, AggregateResult, Delimiter, GroupCheck, OutsideRecord,
    SkippedRecord, Transform, aggregate_csv,
};
pub use index::{IndexError, IndexOptions, PolygonIndex};
