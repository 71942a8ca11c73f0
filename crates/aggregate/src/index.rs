//! The polygon index: which area contains a point, exactly, in O(1) on average.
//!
//! A uniform **grid** over the bounding box of all areas, sized from the areas (see
//! [`IndexOptions`]). Every cell is classified once, at build time: *empty* (no area touches it),
//! *inside area i* (no boundary of any area touches the cell and the cell lies in exactly one area),
//! or *mixed*. Most points land in an *inside* cell and cost one multiply and one truncation per
//! axis and one load. A mixed cell holds its candidate areas, each with the slice of the area's
//! edges that the crossing-number test of a point in that cell can meet: per area and grid row a
//! **strip** of the edges whose y-range meets the row, sorted by east end, and for each cell the
//! prefix of the strip whose edges reach the cell's west side (edges further west cannot be crossed
//! by the eastward ray). So a point in a mixed cell reads one short candidate list and a few edges
//! stored next to each other — two cache misses, not a walk through the whole polygon.
//!
//! Exactness without epsilons: a cell number is computed by a function
//! `trunc((v - origin) * inverse_size)` that is monotone in `v` under IEEE rounding, and edges are
//! registered with the same function (with a safety margin where an edge is clipped to a row or a
//! column), so an edge that touches a point, or that the point's ray crosses, is always in the
//! point's cell's candidate slice. The predicates themselves are exact: comparisons of coordinates
//! and the adaptive-precision `orient2d` of the `robust` crate (the one `geo` uses). Per area, the
//! index also keeps its edges in y-bands for the single-area tests
//! ([`PolygonIndex::contains_half_open`] and friends) and for classifying cells at build time.

use geo_types::{LineString, MultiPolygon};

/// Which areas own a point that lies on a border; see the crate documentation for the full rule.
///
/// The half-open rule treats a point as if it were moved by an infinitesimal ε to the east (+x) and
/// by a much smaller ε² to the north (+y). With exact predicates this is one consistent symbolic
/// perturbation, so where neighbouring areas share their border vertex for vertex (a tessellation),
/// every point of the plane is owned by exactly one area or by none.
#[derive(Clone, Copy, Debug)]
struct Edge {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
}

impl Edge {
    /// Does the ray from (x, y) towards +x cross this edge, under the half-open rule?
    ///
    /// An edge counts when exactly one endpoint lies strictly above the ray (so a vertex on the ray
    /// counts as below: the point is nudged north) and the crossing lies strictly east of the point
    /// (a point on the edge does not count it: the point is nudged east).
    #[inline(always)]
    fn crosses_ray(&self, x: f64, y: f64) -> bool {
        let up1 = self.y1 > y;
        let up2 = self.y2 > y;
        if up1 == up2 {
            return false;
        }
        let (min_x, max_x) = if self.x1 <= self.x2 {
            (self.x1, self.x2)
        } else {
            (self.x2, self.x1)
        };
        if x < min_x {
            return true;
        }
        if x > max_x {
            return false;
        }
        let o = orient(self.x1, self.y1, self.x2, self.y2, x, y);
        // Upward edge: the crossing is east of the point iff the point is left of the edge.
        if up2 { o > 0.0 } else { o < 0.0 }
    }

    /// Does (x, y) lie exactly on this (closed) segment?
    #[inline]
    fn touches(&self, x: f64, y: f64) -> bool {
        x >= self.x1.min(self.x2)
            && x <= self.x1.max(self.x2)
            && y >= self.y1.min(self.y2)
            && y <= self.y1.max(self.y2)
            && orient(self.x1, self.y1, self.x2, self.y2, x, y) == 0.0
    }
}

#[inline(always)]
fn orient(ax: f64, ay: f64, bx: f64, by: f64, px: f64, py: f64) -> f64 {
    robust::orient2d(
        robust::Coord { x: ax, y: ay },
        robust::Coord { x: bx, y: by },
        robust::Coord { x: px, y: py },
    )
}

/// A monotone map from a coordinate to a bucket number in `0..n`.
///
/// Monotone because subtraction, multiplication by a positive constant and `floor` are monotone
/// under round-to-nearest; NaN maps to 0 (callers reject NaN before).
#[derive(Clone, Copy, Debug)]
struct Buckets {
    origin: f64,
    inv_size: f64,
    n: usize,
}

impl Buckets {
    fn new(min: f64, max: f64, n: usize) -> Self {
        let n = n.max(1);
        let span = max - min;
        let inv_size = if span > 0.0 { n as f64 / span } else { 0.0 };
        Buckets {
            origin: min,
            inv_size,
            n,
        }
    }

    #[inline(always)]
    fn of(&self, v: f64) -> usize {
        let b = (v - self.origin) * self.inv_size;
        if b >= 0.0 {
            // Truncation is `floor` for b ≥ 0 (and needs no libm call without SSE 4.1); `as`
            // saturates; the min keeps the closed upper bound in the last bucket.
            (b as usize).min(self.n - 1)
        } else {
            0
        }
    }

    /// Nominal lower bound of bucket `i` (not exact; used only with a safety margin).
    fn lower(&self, i: usize) -> f64 {
        if self.inv_size > 0.0 {
            self.origin + i as f64 / self.inv_size
        } else {
            self.origin
        }
    }

    fn size(&self) -> f64 {
        if self.inv_size > 0.0 {
            1.0 / self.inv_size
        } else {
            0.0
        }
    }
}

/// One area prepared for fast exact point-in-polygon tests (all rings, even-odd rule).
#[derive(Clone, Debug)]
struct PreparedArea {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    bands: Buckets,
    /// `band_start[b]..band_start[b + 1]` indexes `edges` for band `b`.
    band_start: Vec<u32>,
    edges: Vec<Edge>,
}

impl PreparedArea {
    fn new(edges: &[Edge]) -> Self {
        if edges.is_empty() {
            return PreparedArea {
                min_x: f64::INFINITY,
                min_y: f64::INFINITY,
                max_x: f64::NEG_INFINITY,
                max_y: f64::NEG_INFINITY,
                bands: Buckets::new(0.0, 0.0, 1),
                band_start: vec![0, 0],
                edges: Vec::new(),
            };
        }
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for e in edges {
            min_x = min_x.min(e.x1).min(e.x2);
            max_x = max_x.max(e.x1).max(e.x2);
            min_y = min_y.min(e.y1).min(e.y2);
            max_y = max_y.max(e.y1).max(e.y2);
        }
        // About two edges per band; halve the band count while long edges would be copied into
        // too many bands (bounded memory for polygons with a few very long edges).
        let mut n_bands = (edges.len() / 2).clamp(1, 1 << 20);
        loop {
            let bands = Buckets::new(min_y, max_y, n_bands);
            let copies: usize = edges
                .iter()
                .map(|e| bands.of(e.y1.max(e.y2)) - bands.of(e.y1.min(e.y2)) + 1)
                .sum();
            if copies <= 4 * edges.len() + n_bands || n_bands == 1 {
                break;
            }
            n_bands /= 2;
        }
        let bands = Buckets::new(min_y, max_y, n_bands);
        let mut count = vec![0u32; n_bands + 1];
        for e in edges {
            for b in bands.of(e.y1.min(e.y2))..=bands.of(e.y1.max(e.y2)) {
                count[b + 1] += 1;
            }
        }
        for b in 0..n_bands {
            count[b + 1] += count[b];
        }
        let band_start = count.clone();
        let mut fill = count;
        let mut sorted = vec![edges[0]; band_start[n_bands] as usize];
        for e in edges {
            for b in bands.of(e.y1.min(e.y2))..=bands.of(e.y1.max(e.y2)) {
                sorted[fill[b] as usize] = *e;
                fill[b] += 1;
            }
        }
        PreparedArea {
            min_x,
            min_y,
            max_x,
            max_y,
            bands,
            band_start,
            edges: sorted,
        }
    }

    #[inline]
    fn band(&self, y: f64) -> &[Edge] {
        let b = self.bands.of(y);
        &self.edges[self.band_start[b] as usize..self.band_start[b + 1] as usize]
    }

    /// Half-open containment (the perturbed point lies inside).
    #[inline]
    fn contains_half_open(&self, x: f64, y: f64) -> bool {
        if !(y >= self.min_y && y < self.max_y && x >= self.min_x && x < self.max_x) {
            // Outside the half-open bounding box the perturbed point is outside.
            return false;
        }
        let mut inside = false;
        for e in self.band(y) {
            inside ^= e.crosses_ray(x, y);
        }
        inside
    }

    /// Does the point lie exactly on a ring of this area?
    fn on_boundary(&self, x: f64, y: f64) -> bool {
        if !(y >= self.min_y && y <= self.max_y && x >= self.min_x && x <= self.max_x) {
            return false;
        }
        self.band(y).iter().any(|e| e.touches(x, y))
    }

    /// Closed containment: interior or boundary.
    fn contains_closed(&self, x: f64, y: f64) -> bool {
        self.contains_half_open(x, y) || self.on_boundary(x, y)
    }
}

const EMPTY: u32 = u32::MAX;
/// Set in a cell value that refers to a mixed cell.
const MIXED: u32 = 1 << 31;
/// In a [`Candidate`]: the area contains the whole cell (no boundary of it in the cell).
const FULL: u32 = 1 << 31;
/// In a [`Candidate`]: the last candidate of its cell.
const LAST: u32 = 1 << 30;
/// Areas are numbered below this (two flag bits in [`Candidate::area`]).
const MAX_AREAS: usize = 1 << 30;

/// The cell array, in 16 bits a cell when the numbers fit: random points miss the cache on the
/// cell load, so its size is what the throughput depends on.
#[derive(Clone, Debug)]
enum Cells {
    /// `0xFFFF` empty, `< 0x8000` an area, else `0x8000 | k` for the k-th mixed cell, whose
    /// candidates start at `mixed_at[k]`.
    Small { cells: Vec<u16>, mixed_at: Vec<u32> },
    /// `EMPTY`, an area, or `MIXED | offset` of the cell's first candidate.
    Large(Vec<u32>),
}

impl Cells {
    /// `cells` in the `u32` encoding; `mixed_at[k]` is the offset of the k-th mixed cell.
    fn new(cells: Vec<u32>, n_areas: usize, mixed_at: Vec<u32>) -> Self {
        if n_areas < 0x8000 && mixed_at.len() < 0x7FFF {
            let k_of: std::collections::HashMap<u32, u16> = mixed_at
                .iter()
                .enumerate()
                .map(|(k, &o)| (o, k as u16))
                .collect();
            Cells::Small {
                cells: cells
                    .into_iter()
                    .map(|c| match c {
                        EMPTY => 0xFFFF,
                        c if c >= MIXED => 0x8000 | k_of[&(c - MIXED)],
                        c => c as u16,
                    })
                    .collect(),
                mixed_at,
            }
        } else {
            Cells::Large(cells)
        }
    }

    /// The cell value in the `u32` encoding (`MIXED | offset` for a mixed cell).
    #[inline(always)]
    fn get(&self, i: usize) -> u32 {
        match self {
            Cells::Small { cells, mixed_at } => match cells[i] {
                0xFFFF => EMPTY,
                c if c >= 0x8000 => MIXED | mixed_at[usize::from(c - 0x8000)],
                c => u32::from(c),
            },
            Cells::Large(v) => v[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Cells::Small { cells, .. } => cells.len(),
            Cells::Large(v) => v.len(),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Cells::Small { cells, mixed_at } => cells.len() * 2 + mixed_at.len() * 4,
            Cells::Large(v) => v.len() * 4,
        }
    }
}

/// One area that a mixed cell's points may belong to, with the edges needed to decide it.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// Area index, with `FULL` when the area contains the whole cell and `LAST` on the cell's last
    /// candidate.
    area: u32,
    /// `strips[start..start + len]`: the area's edges that can meet the eastward ray from a point
    /// of the cell — those in the cell's row whose east end is not west of the cell.
    start: u32,
    len: u32,
}

/// The top-level uniform grid.
#[derive(Clone, Debug)]
struct Grid {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    cols: Buckets,
    rows: Buckets,
    /// Per cell: `EMPTY`, an area index for a cell inside exactly one area and touched by no
    /// boundary, or a mixed cell (its candidates, sorted by area index).
    cells: Cells,
    candidates: Vec<Candidate>,
    /// Per area and grid row, the area's edges whose y-range (with a margin) meets the row,
    /// sorted by their east end, descending: so the edges a cell needs are a prefix.
    strips: Vec<Edge>,
}

/// Errors building a [`PolygonIndex`].
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A coordinate is NaN or infinite.
    #[error("area '{key}' has a non-finite coordinate ({x}, {y})")]
    NonFinite {
        /// The area key.
        key: String,
        /// The x coordinate.
        x: f64,
        /// The y coordinate.
        y: f64,
    },
    /// More areas (or more edges) than the index can number.
    #[error("too many areas or edges: {0} (at most 2^30 areas and 2^32 edge copies)")]
    TooMany(usize),
}

/// Build-time settings of a [`PolygonIndex`].
///
/// The grid's cell count is, by default, chosen from the areas: the larger of
/// [`AUTO_CELLS_PER_EDGE`](IndexOptions::AUTO_CELLS_PER_EDGE) cells per polygon edge (so that few
/// edges cross a cell, whatever the areas look like) and
/// [`AUTO_CELLS_PER_AREA`](IndexOptions::AUTO_CELLS_PER_AREA) cells per average area bounding box
/// (so that most points of an area land in a cell that no border crosses, which is what makes a
/// lookup cost one memory access), within `min_cells..=max_cells`.
#[derive(Clone, Copy, Debug)]
pub struct IndexOptions {
    /// Grid cells per polygon edge instead of the automatic size (`None`, the default). More
    /// cells: more points answered by one lookup, more memory (2–4 bytes a cell).
    pub cells_per_edge: Option<f64>,
    /// Lower bound on the number of grid cells (default 65,536).
    pub min_cells: usize,
    /// Upper bound on the number of grid cells (default 2²²: 8–16 MiB).
    pub max_cells: usize,
}

impl IndexOptions {
    /// Automatic sizing: at least this many grid cells per polygon edge.
    pub const AUTO_CELLS_PER_EDGE: f64 = 8.0;
    /// Automatic sizing: at least this many grid cells per average area bounding box.
    pub const AUTO_CELLS_PER_AREA: f64 = 256.0;

    /// Target cell count for `n_edges` edges of `n_areas` non-empty areas whose bounding boxes
    /// cover `sum_boxes` in all, inside an overall bounding box of size `bbox`.
    fn target_cells(&self, n_edges: usize, n_areas: usize, sum_boxes: f64, bbox: f64) -> usize {
        if let Some(c) = self.cells_per_edge {
            return (n_edges as f64 * c).min(usize::MAX as f64 / 2.0) as usize;
        }
        let by_edges = n_edges as f64 * Self::AUTO_CELLS_PER_EDGE;
        let by_areas = if sum_boxes > 0.0 && bbox > 0.0 && bbox.is_finite() {
            // Cells of the overall box for AUTO_CELLS_PER_AREA cells per average area box.
            bbox / (sum_boxes / n_areas as f64) * Self::AUTO_CELLS_PER_AREA
        } else {
            0.0
        };
        by_edges.max(by_areas).min(usize::MAX as f64 / 2.0) as usize
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            cells_per_edge: None,
            min_cells: 1 << 16,
            max_cells: 1 << 22,
        }
    }
}

/// An exact point-in-polygon index over a set of areas (Gebiete) in one planar CRS.
///
/// Build it once with [`PolygonIndex::new`], then call [`PolygonIndex::locate`] from any number of
/// threads (the index is immutable and `Sync`).
///
/// ```
/// use geo_types::{MultiPolygon, polygon};
/// use sozialatlas_aggregate::PolygonIndex;
///
/// let west = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]]);
/// let east = MultiPolygon(vec![polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)]]);
/// let index = PolygonIndex::new(vec![("W".into(), west), ("E".into(), east)]).unwrap();
/// assert_eq!(index.locate(0.5, 0.5), Some(0));
/// // On the shared border x = 1 the point belongs to the area east of it.
/// assert_eq!(index.locate(1.0, 0.5), Some(1));
/// // On the outer boundary the point belongs to the one area it touches.
/// assert_eq!(index.locate(2.0, 0.5), Some(1));
/// assert_eq!(index.locate(3.0, 0.5), None);
/// ```
#[derive(Clone, Debug)]
pub struct PolygonIndex {
    keys: Vec<String>,
    areas: Vec<PreparedArea>,
    grid: Grid,
}

impl PolygonIndex {
    /// Builds the index with default [`IndexOptions`].
    pub fn new(areas: Vec<(String, MultiPolygon<f64>)>) -> Result<Self, IndexError> {
        Self::with_options(areas, IndexOptions::default())
    }

    /// Builds the index.
    pub fn with_options(
        areas: Vec<(String, MultiPolygon<f64>)>,
        options: IndexOptions,
    ) -> Result<Self, IndexError> {
        if areas.len() >= MAX_AREAS {
            return Err(IndexError::TooMany(areas.len()));
        }
        let mut keys = Vec::with_capacity(areas.len());
        let mut prepared = Vec::with_capacity(areas.len());
        let mut edges = Vec::new();
        for (key, mp) in areas {
            edges.clear();
            for polygon in &mp.0 {
                push_ring(polygon.exterior(), &mut edges);
                for hole in polygon.interiors() {
                    push_ring(hole, &mut edges);
                }
            }
            if let Some(e) = edges
                .iter()
                .find(|e| !(e.x1.is_finite() && e.y1.is_finite()))
            {
                return Err(IndexError::NonFinite {
                    key,
                    x: e.x1,
                    y: e.y1,
                });
            }
            prepared.push(PreparedArea::new(&edges));
            keys.push(key);
        }
        let grid = Grid::build(&prepared, options)?;
        Ok(PolygonIndex {
            keys,
            areas: prepared,
            grid,
        })
    }

    /// The area containing (x, y), by the border rule of the crate documentation; `None` outside
    /// every area.
    #[inline]
    pub fn locate(&self, x: f64, y: f64) -> Option<usize> {
        self.resolve(self.cell_of(x, y), x, y)
    }

    /// Step 1 of [`locate`](Self::locate): the value of the grid cell holding (x, y). Split from
    /// [`resolve`](Self::resolve) so that a caller can load the cells of many points first (the
    /// loads then overlap instead of waiting for each other).
    #[inline(always)]
    pub(crate) fn cell_of(&self, x: f64, y: f64) -> u32 {
        let g = &self.grid;
        if !(x >= g.min_x && x <= g.max_x && y >= g.min_y && y <= g.max_y) {
            return EMPTY;
        }
        g.cells.get(g.rows.of(y) * g.cols.n + g.cols.of(x))
    }

    /// Step 2 of [`locate`](Self::locate): the owner of (x, y) given its cell value.
    #[inline(always)]
    pub(crate) fn resolve(&self, cell: u32, x: f64, y: f64) -> Option<usize> {
        if cell < MIXED {
            Some(cell as usize)
        } else if cell == EMPTY {
            None
        } else {
            self.locate_mixed((cell - MIXED) as usize, x, y)
        }
    }

    /// Loads what [`resolve`](Self::resolve) will need for a mixed cell (its first candidates
    /// and their first edges) and returns some of the bits, for the caller to feed to
    /// `black_box`: touching the data of many records before resolving any of them lets their
    /// cache misses overlap.
    #[inline(always)]
    pub(crate) fn warm(&self, cell: u32) -> u64 {
        if cell < MIXED || cell == EMPTY {
            return 0;
        }
        let g = &self.grid;
        let first = (cell - MIXED) as usize;
        let c = g.candidates[first];
        let mut bits = g.strips.get(c.start as usize).map_or(0, |e| e.y1.to_bits());
        if c.area & LAST == 0
            && let Some(d) = g.candidates.get(first + 1)
        {
            bits ^= g.strips.get(d.start as usize).map_or(0, |e| e.y2.to_bits());
        }
        bits
    }

    #[inline(never)]
    fn locate_mixed(&self, first: usize, x: f64, y: f64) -> Option<usize> {
        let g = &self.grid;
        let mut owners = 0;
        let mut owner = 0;
        let mut i = first;
        loop {
            let c = g.candidates[i];
            if c.area & FULL != 0 || g.crosses_odd(c, x, y) {
                owners += 1;
                owner = (c.area & (LAST - 1)) as usize;
            }
            if c.area & LAST != 0 {
                break;
            }
            i += 1;
        }
        if owners == 1 {
            return Some(owner);
        }
        // No owner (a point on the outer boundary, or in a sliver between neighbours whose
        // borders differ) or several (overlapping areas): the lowest-numbered area whose closure
        // contains the point. Candidates are sorted by area index.
        let mut i = first;
        loop {
            let c = g.candidates[i];
            let edges = &g.strips[c.start as usize..(c.start + c.len) as usize];
            if c.area & FULL != 0 || g.crosses_odd(c, x, y) || edges.iter().any(|e| e.touches(x, y))
            {
                return Some((c.area & (LAST - 1)) as usize);
            }
            if c.area & LAST != 0 {
                return None;
            }
            i += 1;
        }
    }

    /// Half-open containment of (x, y) in area `area` alone (the first step of the border rule).
    pub fn contains_half_open(&self, area: usize, x: f64, y: f64) -> bool {
        self.areas[area].contains_half_open(x, y)
    }

    /// Closed containment (interior or boundary) of (x, y) in area `area` alone.
    pub fn contains_closed(&self, area: usize, x: f64, y: f64) -> bool {
        self.areas[area].contains_closed(x, y)
    }

    /// Does (x, y) lie exactly on a ring of area `area`?
    pub fn on_boundary(&self, area: usize, x: f64, y: f64) -> bool {
        self.areas[area].on_boundary(x, y)
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the index has no areas.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of area `area`.
    pub fn key(&self, area: usize) -> &str {
        &self.keys[area]
    }

    /// All area keys, in index order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Grid statistics: (columns, rows, share of cells answered without an edge test).
    pub fn grid_stats(&self) -> (usize, usize, f64) {
        let g = &self.grid;
        let direct = (0..g.cells.len())
            .filter(|&i| {
                let c = g.cells.get(i);
                c < MIXED || c == EMPTY
            })
            .count();
        (g.cols.n, g.rows.n, direct as f64 / g.cells.len() as f64)
    }

    /// Memory held by the index's lookup structures, in bytes (grid, candidates, edge strips;
    /// not the per-area copies used by [`contains_half_open`](Self::contains_half_open)).
    pub fn grid_bytes(&self) -> usize {
        let g = &self.grid;
        g.cells.bytes()
            + g.candidates.len() * std::mem::size_of::<Candidate>()
            + g.strips.len() * std::mem::size_of::<Edge>()
    }
}

fn push_ring(ring: &LineString<f64>, edges: &mut Vec<Edge>) {
    let pts = &ring.0;
    let n = pts.len();
    if n < 2 {
        return;
    }
    for i in 0..n {
        let a = pts[i];
        // geo-types rings are closed, but a ring that is not gets its closing edge here.
        let b = if i + 1 < n { pts[i + 1] } else { pts[0] };
        if a != b {
            edges.push(Edge {
                x1: a.x,
                y1: a.y,
                x2: b.x,
                y2: b.y,
            });
        }
    }
}

impl Grid {
    /// Even-odd crossing test of the eastward ray from (x, y) against a candidate's edges: the
    /// half-open containment of the candidate's area (exact; see [`Edge::crosses_ray`]).
    #[inline(always)]
    fn crosses_odd(&self, c: Candidate, x: f64, y: f64) -> bool {
        let mut inside = false;
        for e in &self.strips[c.start as usize..(c.start + c.len) as usize] {
            inside ^= e.crosses_ray(x, y);
        }
        inside
    }

    fn empty() -> Grid {
        // Nothing to find: an empty bounding box rejects every point.
        Grid {
            min_x: f64::INFINITY,
            min_y: f64::INFINITY,
            max_x: f64::NEG_INFINITY,
            max_y: f64::NEG_INFINITY,
            cols: Buckets::new(0.0, 0.0, 1),
            rows: Buckets::new(0.0, 0.0, 1),
            cells: Cells::Large(vec![EMPTY]),
            candidates: Vec::new(),
            strips: Vec::new(),
        }
    }

    fn build(areas: &[PreparedArea], options: IndexOptions) -> Result<Grid, IndexError> {
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut n_edges = 0usize;
        let mut n_nonempty = 0usize;
        let mut sum_area_boxes = 0.0;
        for a in areas.iter().filter(|a| !a.edges.is_empty()) {
            min_x = min_x.min(a.min_x);
            min_y = min_y.min(a.min_y);
            max_x = max_x.max(a.max_x);
            max_y = max_y.max(a.max_y);
            n_edges += a.band_edges_unique().count();
            n_nonempty += 1;
            sum_area_boxes += (a.max_x - a.min_x) * (a.max_y - a.min_y);
        }
        if n_edges == 0 {
            return Ok(Grid::empty());
        }
        let (w, h) = (max_x - min_x, max_y - min_y);
        let magnitude = [min_x, min_y, max_x, max_y]
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        // Cells must stay far larger than the rounding error of coordinates of this magnitude.
        let min_cell = magnitude * 1e-9;
        let target = options
            .target_cells(n_edges, n_nonempty, sum_area_boxes, w * h)
            .clamp(options.min_cells.max(1), options.max_cells.max(1)) as f64;
        let (nx, ny) = if w <= min_cell && h <= min_cell {
            (1, 1)
        } else if w <= min_cell {
            (1, (target as usize).min((h / min_cell) as usize).max(1))
        } else if h <= min_cell {
            ((target as usize).min((w / min_cell) as usize).max(1), 1)
        } else {
            let nx = (target * w / h).sqrt().ceil().max(1.0);
            let ny = (target / nx).ceil().max(1.0);
            (
                (nx as usize).min((w / min_cell) as usize).max(1),
                (ny as usize).min((h / min_cell) as usize).max(1),
            )
        };
        let cols = Buckets::new(min_x, max_x, nx);
        let rows = Buckets::new(min_y, max_y, ny);
        let (cw, ch) = (cols.size(), rows.size());
        // Safety margins for clipping an edge to a row: far above rounding error, far below a cell.
        let slack = magnitude * 1e-12;
        let (mx, my) = (cw * 1e-6 + slack, ch * 1e-6 + slack);

        // (cell, candidate) pairs; the LAST flag is set when the cells are assembled.
        let mut entries: Vec<(u32, Candidate)> = Vec::new();
        let mut strips: Vec<Edge> = Vec::new();
        let mut boundary: Vec<u32> = Vec::new();
        let mut in_rows: Vec<(usize, Edge)> = Vec::new();
        // Per row of the current area: its strip in `strips` (start, len).
        let mut row_strip: Vec<(usize, usize)> = Vec::new();
        for (ai, area) in areas.iter().enumerate() {
            if area.edges.is_empty() {
                continue;
            }
            boundary.clear();
            in_rows.clear();
            for r in area.band_edges_unique() {
                let (ya, yb) = (r.y1.min(r.y2), r.y1.max(r.y2));
                let (xa, xb) = (r.x1.min(r.x2), r.x1.max(r.x2));
                for row in rows.of(ya - my)..=rows.of(yb + my) {
                    in_rows.push((row, *r));
                    let lo = (rows.lower(row) - my).max(ya);
                    let hi = (rows.lower(row + 1) + my).min(yb);
                    let (xlo, xhi) = if r.y1 == r.y2 || lo > hi {
                        (xa, xb)
                    } else {
                        let at = |y: f64| r.x1 + (y - r.y1) * (r.x2 - r.x1) / (r.y2 - r.y1);
                        let (p, q) = (at(lo), at(hi));
                        (p.min(q).max(xa), p.max(q).min(xb))
                    };
                    for col in cols.of(xlo - mx)..=cols.of(xhi + mx) {
                        boundary.push((row * nx + col) as u32);
                    }
                }
            }
            boundary.sort_unstable();
            boundary.dedup();
            // The area's strips: its edges per row, east end descending.
            in_rows.sort_unstable_by(|(ra, a), (rb, b)| {
                ra.cmp(rb).then(b.x1.max(b.x2).total_cmp(&a.x1.max(a.x2)))
            });
            let row0 = rows.of(area.min_y - my);
            let row1 = rows.of(area.max_y + my);
            row_strip.clear();
            row_strip.resize(row1 - row0 + 1, (0, 0));
            let mut i = 0;
            while i < in_rows.len() {
                let row = in_rows[i].0;
                let mut j = i;
                while j < in_rows.len() && in_rows[j].0 == row {
                    j += 1;
                }
                row_strip[row - row0] = (strips.len(), j - i);
                strips.extend(in_rows[i..j].iter().map(|&(_, e)| e));
                i = j;
            }
            if strips.len() > u32::MAX as usize {
                return Err(IndexError::TooMany(strips.len()));
            }
            for &cell in &boundary {
                let (row, col) = (cell as usize / nx, cell as usize % nx);
                let (start, len) = row_strip[row - row0];
                // Edges whose east end lies west of every point of the column cannot be met.
                let west = cols.lower(col) - mx;
                let len = strips[start..start + len].partition_point(|e| e.x1.max(e.x2) >= west);
                entries.push((
                    cell,
                    Candidate {
                        area: ai as u32,
                        start: start as u32,
                        len: len as u32,
                    },
                ));
            }
            // Clean cells of the area's bounding box: a run of clean cells in a row is connected
            // and free of this area's boundary, so one test of one point decides the whole run.
            let full = Candidate {
                area: ai as u32 | FULL,
                start: 0,
                len: 0,
            };
            for row in rows.of(area.min_y)..=rows.of(area.max_y) {
                let mut run_status: Option<bool> = None;
                let cy = rows.lower(row) + 0.5 * ch;
                for col in cols.of(area.min_x)..=cols.of(area.max_x) {
                    let cell = (row * nx + col) as u32;
                    if boundary.binary_search(&cell).is_ok() {
                        run_status = None;
                        continue;
                    }
                    let inside = match run_status {
                        Some(s) => s,
                        None => {
                            let cx = cols.lower(col) + 0.5 * cw;
                            if cols.of(cx) != col || rows.of(cy) != row {
                                // Cannot happen with the size limits above; stay conservative:
                                // a candidate with the area's whole row strip.
                                let (start, len) = row_strip[row - row0];
                                entries.push((
                                    cell,
                                    Candidate {
                                        area: ai as u32,
                                        start: start as u32,
                                        len: len as u32,
                                    },
                                ));
                                continue;
                            }
                            let s = area.contains_half_open(cx, cy);
                            run_status = Some(s);
                            s
                        }
                    };
                    if inside {
                        entries.push((cell, full));
                    }
                }
            }
        }
        if entries.len() > u32::MAX as usize {
            return Err(IndexError::TooMany(entries.len()));
        }
        // Group the entries by cell, stably (a counting sort): they were made area by area, so
        // each cell's candidates come out sorted by area index.
        let mut first = vec![0u32; nx * ny + 1];
        for &(cell, _) in &entries {
            first[cell as usize + 1] += 1;
        }
        for i in 0..nx * ny {
            first[i + 1] += first[i];
        }
        let mut by_cell = vec![
            Candidate {
                area: 0,
                start: 0,
                len: 0
            };
            entries.len()
        ];
        let mut fill = first.clone();
        for &(cell, c) in &entries {
            by_cell[fill[cell as usize] as usize] = c;
            fill[cell as usize] += 1;
        }
        drop(fill);
        drop(entries);

        let mut cells = vec![EMPTY; nx * ny];
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut mixed_at = Vec::new();
        for (cell, value) in cells.iter_mut().enumerate() {
            let run = &by_cell[first[cell] as usize..first[cell + 1] as usize];
            match run {
                [] => {}
                [c] if c.area & FULL != 0 => *value = c.area & (LAST - 1),
                _ => {
                    if candidates.len() >= (MIXED - 1) as usize {
                        return Err(IndexError::TooMany(candidates.len()));
                    }
                    *value = MIXED | candidates.len() as u32;
                    mixed_at.push(candidates.len() as u32);
                    candidates.extend_from_slice(run);
                    if let Some(last) = candidates.last_mut() {
                        last.area |= LAST;
                    }
                }
            }
        }
        Ok(Grid {
            min_x,
            min_y,
            max_x,
            max_y,
            cols,
            rows,
            cells: Cells::new(cells, areas.len(), mixed_at),
            candidates,
            strips,
        })
    }
}

impl PreparedArea {
    /// Each edge once (the bands hold copies).
    fn band_edges_unique(&self) -> impl Iterator<Item = &Edge> {
        // An edge is stored in every band from the band of its lower end on; yield it only there.
        (0..self.bands.n).flat_map(move |b| {
            self.edges[self.band_start[b] as usize..self.band_start[b + 1] as usize]
                .iter()
                .filter(move |e| self.bands.of(e.y1.min(e.y2)) == b)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Coord, LineString, Polygon};

    /// `n` × `n` quads over [0, 100 n]², interior vertices moved by a seeded LCG (shared exactly
    /// by neighbours, so the quads tile the square).
    fn jittered(n: usize) -> Vec<(String, MultiPolygon<f64>)> {
        let mut state = 12345u64;
        let mut jitter = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % 6001) as f64 / 100.0 - 30.0
        };
        let mut v = vec![Coord { x: 0.0, y: 0.0 }; (n + 1) * (n + 1)];
        for i in 0..=n {
            for j in 0..=n {
                let inner = i > 0 && j > 0 && i < n && j < n;
                let (dx, dy) = if inner {
                    (jitter(), jitter())
                } else {
                    (0.0, 0.0)
                };
                v[i * (n + 1) + j] = Coord {
                    x: i as f64 * 100.0 + dx,
                    y: j as f64 * 100.0 + dy,
                };
            }
        }
        let mut areas = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let at = |a: usize, b: usize| v[a * (n + 1) + b];
                let ring = vec![
                    at(i, j),
                    at(i + 1, j),
                    at(i + 1, j + 1),
                    at(i, j + 1),
                    at(i, j),
                ];
                areas.push((
                    format!("{i}-{j}"),
                    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]),
                ));
            }
        }
        areas
    }

    #[test]
    fn many_areas_follow_the_border_rule() {
        let areas = jittered(60);
        let vertices: Vec<(f64, f64)> = areas
            .iter()
            .flat_map(|(_, mp)| mp.0[0].exterior().0.iter().map(|c| (c.x, c.y)))
            .collect();
        let index = PolygonIndex::new(areas).unwrap();
        let (_, _, direct) = index.grid_stats();
        assert!(direct < 0.95, "mixed cells are exercised: {direct} direct");
        // The border rule, area by area: the one half-open owner, else the lowest-numbered area
        // whose closure holds the point.
        let naive = |x: f64, y: f64| {
            let owners: Vec<usize> = (0..index.len())
                .filter(|&a| index.contains_half_open(a, x, y))
                .collect();
            match owners[..] {
                [a] => Some(a),
                _ => (0..index.len()).find(|&a| index.contains_closed(a, x, y)),
            }
        };
        let mut state = 99u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<(f64, f64)> = (0..20_000)
            .map(|_| (next() * 6100.0 - 50.0, next() * 6100.0 - 50.0))
            .chain(vertices)
            .collect();
        let mut located = 0;
        for &(x, y) in &points {
            let a = index.locate(x, y);
            assert_eq!(a, naive(x, y), "({x}, {y})");
            located += usize::from(a.is_some());
        }
        assert!(located > 30_000, "{located} of {} located", points.len());
    }
}
