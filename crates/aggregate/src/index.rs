//! The polygon index: which area contains a point, exactly, in O(1) on average.
//!
//! Two levels:
//!
//! 1. A uniform **grid** over the bounding box of all areas. Every cell is classified once, at build
//!    time: *empty* (no area touches it), *inside area i* (no boundary of any area touches the cell
//!    and the cell lies in exactly one area), or *mixed* (a list of the areas whose boundary touches
//!    the cell or which contain it). Most points land in an *inside* cell and cost one multiply,
//!    one `floor` and one load per axis.
//! 2. Per area, **y-bands** of edges: the area's y-range is cut into bands of equal height and each
//!    band lists the edges whose closed y-range overlaps it. The crossing-number test for a point in
//!    a mixed cell then looks only at the edges of one band instead of all edges of the area.
//!
//! Both levels use the same trick to stay exact without epsilons: a cell or band number is computed
//! by a function `floor((v - origin) * inverse_size)` that is monotone in `v` under IEEE rounding,
//! and edges are registered with the same function (with a safety margin where an edge is clipped to
//! a cell), so an edge that touches a point is always registered in the point's band and cell.
//! The predicates themselves are exact: comparisons of coordinates and the adaptive-precision
//! `orient2d` of the `robust` crate (the one `geo` uses).

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
        let b = ((v - self.origin) * self.inv_size).floor();
        if b >= 0.0 {
            // `as` saturates; the min keeps the closed upper bound in the last bucket.
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

/// The cell array, in 16 bits a cell when the numbers fit: random points miss the cache on the
/// cell load, so its size is what the throughput depends on.
#[derive(Clone, Debug)]
enum Cells {
    /// `0xFFFF` empty, `< 0x8000` an area, else `0x8000 | k` for the k-th mixed cell.
    Small(Vec<u16>),
    /// The `u32` encoding (`EMPTY`, area, `MIXED | k`).
    Large(Vec<u32>),
}

impl Cells {
    fn new(cells: Vec<u32>, n_areas: usize, n_mixed: usize) -> Self {
        if n_areas < 0x8000 && n_mixed < 0x7FFF {
            Cells::Small(
                cells
                    .into_iter()
                    .map(|c| match c {
                        EMPTY => 0xFFFF,
                        c if c >= MIXED => (0x8000 | (c - MIXED)) as u16,
                        c => c as u16,
                    })
                    .collect(),
            )
        } else {
            Cells::Large(cells)
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> u32 {
        match self {
            Cells::Small(v) => match v[i] {
                0xFFFF => EMPTY,
                c if c >= 0x8000 => MIXED | u32::from(c - 0x8000),
                c => u32::from(c),
            },
            Cells::Large(v) => v[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Cells::Small(v) => v.len(),
            Cells::Large(v) => v.len(),
        }
    }
}
const MIXED: u32 = 1 << 31;
const FULL: u32 = 1 << 31;

/// The top-level uniform grid.
#[derive(Clone, Debug)]
struct Grid {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    cols: Buckets,
    rows: Buckets,
    /// Per cell: `EMPTY`, an area index (< 2³¹) for a cell inside exactly one area and touched by
    /// no boundary, or `MIXED | k` for the k-th mixed cell.
    cells: Cells,
    /// `mixed_start[k]..mixed_start[k + 1]` indexes `mixed` for the k-th mixed cell.
    mixed_start: Vec<u32>,
    /// Area index, with `FULL` set when the area contains the whole cell (no boundary in it);
    /// sorted by area index within a cell.
    mixed: Vec<u32>,
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
    /// More areas than the index can number.
    #[error("too many areas: {0} (at most 2^31 - 1)")]
    TooMany(usize),
}

/// Build-time settings of a [`PolygonIndex`].
#[derive(Clone, Copy, Debug)]
pub struct IndexOptions {
    /// Target number of grid cells per polygon edge (default 8). More cells: more points answered
    /// by one lookup, more memory (4 bytes a cell).
    pub cells_per_edge: f64,
    /// Lower bound on the number of grid cells (default 65,536).
    pub min_cells: usize,
    /// Upper bound on the number of grid cells (default 2²², 16 MiB).
    pub max_cells: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            cells_per_edge: 8.0,
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
        if areas.len() >= MIXED as usize {
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
        let grid = Grid::build(&prepared, options);
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
        let g = &self.grid;
        if !(x >= g.min_x && x <= g.max_x && y >= g.min_y && y <= g.max_y) {
            return None;
        }
        let cell = g.cells.get(g.rows.of(y) * g.cols.n + g.cols.of(x));
        if cell < MIXED {
            Some(cell as usize)
        } else if cell == EMPTY {
            None
        } else {
            self.locate_mixed((cell - MIXED) as usize, x, y)
        }
    }

    #[inline(never)]
    fn locate_mixed(&self, k: usize, x: f64, y: f64) -> Option<usize> {
        let g = &self.grid;
        let candidates = &g.mixed[g.mixed_start[k] as usize..g.mixed_start[k + 1] as usize];
        let mut owners = 0;
        let mut owner = 0;
        for &c in candidates {
            let area = (c & !FULL) as usize;
            if c & FULL != 0 || self.areas[area].contains_half_open(x, y) {
                owners += 1;
                owner = area;
            }
        }
        if owners == 1 {
            return Some(owner);
        }
        // No owner (a point on the outer boundary, or in a sliver between neighbours whose
        // borders differ) or several (overlapping areas): the lowest-numbered area whose closure
        // contains the point. Candidates are sorted by area index.
        candidates.iter().find_map(|&c| {
            let area = (c & !FULL) as usize;
            (c & FULL != 0 || self.areas[area].contains_closed(x, y)).then_some(area)
        })
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
    fn build(areas: &[PreparedArea], options: IndexOptions) -> Grid {
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut n_edges = 0usize;
        for a in areas.iter().filter(|a| !a.edges.is_empty()) {
            min_x = min_x.min(a.min_x);
            min_y = min_y.min(a.min_y);
            max_x = max_x.max(a.max_x);
            max_y = max_y.max(a.max_y);
            n_edges += a.band_edges_unique().count();
        }
        if n_edges == 0 {
            // Nothing to find: an empty bounding box rejects every point.
            return Grid {
                min_x: f64::INFINITY,
                min_y: f64::INFINITY,
                max_x: f64::NEG_INFINITY,
                max_y: f64::NEG_INFINITY,
                cols: Buckets::new(0.0, 0.0, 1),
                rows: Buckets::new(0.0, 0.0, 1),
                cells: Cells::Large(vec![EMPTY]),
                mixed_start: vec![0],
                mixed: Vec::new(),
            };
        }
        let (w, h) = (max_x - min_x, max_y - min_y);
        let magnitude = [min_x, min_y, max_x, max_y]
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        // Cells must stay far larger than the rounding error of coordinates of this magnitude.
        let min_cell = magnitude * 1e-9;
        let target = ((n_edges as f64 * options.cells_per_edge) as usize)
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

        // (cell, area | FULL?) pairs.
        let mut entries: Vec<(u32, u32)> = Vec::new();
        let mut boundary: Vec<u32> = Vec::new();
        for (ai, area) in areas.iter().enumerate() {
            if area.edges.is_empty() {
                continue;
            }
            boundary.clear();
            for r in area.band_edges_unique() {
                let (ya, yb) = (r.y1.min(r.y2), r.y1.max(r.y2));
                let (xa, xb) = (r.x1.min(r.x2), r.x1.max(r.x2));
                for row in rows.of(ya - my)..=rows.of(yb + my) {
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
            for &c in &boundary {
                entries.push((c, ai as u32));
            }
            // Clean cells of the area's bounding box: a run of clean cells in a row is connected
            // and free of this area's boundary, so one test of one point decides the whole run.
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
                                // Cannot happen with the size limits above; stay conservative.
                                entries.push((cell, ai as u32));
                                continue;
                            }
                            let s = area.contains_half_open(cx, cy);
                            run_status = Some(s);
                            s
                        }
                    };
                    if inside {
                        entries.push((cell, ai as u32 | FULL));
                    }
                }
            }
        }
        entries.sort_unstable_by_key(|&(cell, a)| (cell, a & !FULL));

        let mut cells = vec![EMPTY; nx * ny];
        let mut mixed_start = vec![0u32];
        let mut mixed = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let cell = entries[i].0;
            let mut j = i;
            while j < entries.len() && entries[j].0 == cell {
                j += 1;
            }
            let run = &entries[i..j];
            if run.len() == 1 && run[0].1 & FULL != 0 {
                cells[cell as usize] = run[0].1 & !FULL;
            } else {
                cells[cell as usize] = MIXED | (mixed_start.len() as u32 - 1);
                mixed.extend(run.iter().map(|&(_, a)| a));
                mixed_start.push(mixed.len() as u32);
            }
            i = j;
        }
        let n_mixed = mixed_start.len() - 1;
        Grid {
            min_x,
            min_y,
            max_x,
            max_y,
            cols,
            rows,
            cells: Cells::new(cells, areas.len(), n_mixed),
            mixed_start,
            mixed,
        }
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
