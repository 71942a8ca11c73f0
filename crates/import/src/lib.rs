//! Reads a city's atlas folder into validated tables: `atlas.toml`, the indicator catalogue,
//! boundary files and data files (CSV, XLSX; long and wide).
//!
//! Architecture invariant: this crate reads files and validates them; it writes nothing, holds
//! no SQL and computes no indicators. Every error names the file, the line or row, the column
//! or field, what was expected and what was found.

mod addresses;
pub mod config;
pub mod error;
pub mod init;
mod numbers;
mod points;
mod reference;
pub mod source;
pub mod table;
pub mod texts;
mod vintage;

pub use config::AtlasConfig;
pub use error::{ImportError, ImportErrors};
pub use source::{DirSource, FileSource, MemorySource};
pub use sozialatlas_model::{AddressRegister, EditorText, InputFile, Markers, Membership};

use config::{DataConfig, DataKind, Layout, LevelConfig};
use error::MAX_ERRORS;
use geo_types::MultiPolygon;
use numbers::Ways;
use sha2::{Digest, Sha256};
use sozialatlas_core::compute::{Computed, Observations, ValueState};
use sozialatlas_core::model::Vintage;
use sozialatlas_core::{Area, AreaTree, Catalogue, Level, Obs, ShareKind, VariableKind};
use sozialatlas_model::Summary;
use std::collections::HashMap;
use table::RawCell;

/// Everything read from an atlas folder.
#[derive(Clone, Debug)]
pub struct Atlas {
    /// The parsed atlas.toml.
    pub config: AtlasConfig,
    /// The catalogue.
    pub catalogue: Catalogue,
    /// Levels and areas.
    pub tree: AreaTree,
    /// Geometry of each area (WGS84), parallel to `tree.areas`.
    pub geometries: Vec<Option<MultiPolygon<f64>>>,
    /// The given observations.
    pub observations: Observations,
    /// Every file read, with checksums.
    pub inputs: Vec<InputFile>,
    /// Warnings (the load goes on).
    pub warnings: Vec<String>,
    /// The editors' texts of the report (`texts/*.md`, optional).
    pub texts: Vec<EditorText>,
    /// The address register (`[addresses]`, optional).
    pub addresses: Option<AddressRegister>,
}

impl Atlas {
    /// The combined checksum of all inputs (order-independent of reading order).
    pub fn fingerprint(&self) -> String {
        let mut files = self.inputs.clone();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut h = Sha256::new();
        for f in &files {
            h.update(f.path.as_bytes());
            h.update([0]);
            h.update(f.sha256.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())
    }

    /// The counts a build prints and the store keeps with the load: areas per level,
    /// variables, periods, indicators, observations, values published / suppressed / not
    /// available, warnings.
    pub fn summary(&self, computed: &Computed) -> Summary {
        let mut s = Summary {
            areas_per_level: self
                .tree
                .levels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    (
                        l.id.clone(),
                        self.tree.areas.iter().filter(|a| a.level == i).count(),
                    )
                })
                .collect(),
            variables: self.catalogue.variables.len(),
            periods: computed.periods.clone(),
            indicators: self.catalogue.indicators.len(),
            observations: self.observations.len(),
            warnings: self.warnings.len() + computed.warnings.len(),
            ..Default::default()
        };
        for v in &computed.values {
            match v.state {
                ValueState::Ok => s.values_published += 1,
                st if st.is_suppressed() => s.values_suppressed += 1,
                _ => s.values_unavailable += 1,
            }
        }
        s
    }
}

struct Reader<'a> {
    src: &'a dyn FileSource,
    inputs: Vec<InputFile>,
    /// The text of atlas.toml, to find the line that names a path.
    config_text: String,
}

impl<'a> Reader<'a> {
    /// Opens a file as a stream (its input record is the caller's, who sees the bytes).
    fn open(&self, rel: &str, what: &str) -> Result<Box<dyn std::io::Read + 'a>, ImportError> {
        source::check_relative(rel).map_err(|o| self.outside(rel, what, o))?;
        let src: &'a dyn FileSource = self.src;
        src.open(rel).map_err(|e| self.io_error(rel, what, e))
    }

    fn read(&mut self, rel: &str, what: &str) -> Result<Vec<u8>, ImportError> {
        match self.read_optional(rel, what)? {
            Some(bytes) => Ok(bytes),
            None => Err(ImportError::file(
                rel,
                format!("{what} at {}/{rel}", self.src.describe()),
                "no such file",
            )),
        }
    }

    /// Reads a file that may be absent (`None`); any other failure is an error.
    fn read_optional(&mut self, rel: &str, what: &str) -> Result<Option<Vec<u8>>, ImportError> {
        source::check_relative(rel).map_err(|o| self.outside(rel, what, o))?;
        match self.src.read(rel) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io_error(rel, what, e)),
            Ok(bytes) => {
                let bytes = bytes.into_owned();
                // A file read twice (a level's boundaries, again for a points file) is one input.
                if !self.inputs.iter().any(|i| i.path == rel) {
                    self.inputs.push(InputFile {
                        path: rel.to_string(),
                        sha256: hex::encode(Sha256::digest(&bytes)),
                        bytes: bytes.len() as u64,
                        markers: None,
                    });
                }
                Ok(Some(bytes))
            }
        }
    }

    fn io_error(&self, rel: &str, what: &str, e: std::io::Error) -> ImportError {
        match e
            .get_ref()
            .and_then(|x| x.downcast_ref::<source::Outside>())
        {
            Some(o) => self.outside(rel, what, *o),
            None => ImportError::file(
                rel,
                format!("{what} at {}/{rel}", self.src.describe()),
                e.to_string(),
            ),
        }
    }

    /// A path that leaves the atlas folder: named where atlas.toml names it; nothing of the file
    /// is read or shown.
    fn outside(&self, rel: &str, what: &str, why: source::Outside) -> ImportError {
        let line = self
            .config_text
            .lines()
            .position(|l| l.contains(&format!("\"{rel}\"")) || l.contains(&format!("'{rel}'")));
        let mut e = ImportError::file(
            if line.is_some() { "atlas.toml" } else { rel },
            format!(
                "{what} inside the atlas folder (a path relative to it, without `..` leaving it \
                 and no link pointing out of it)"
            ),
            format!("`{rel}`, {why}"),
        );
        e.line = line.map(|l| l as u64 + 1);
        e
    }
}

/// Progress of a load, for a progress bar: (step done, steps in all, what).
pub type Progress<'a> = &'a dyn Fn(usize, usize, &str);

/// Reads and validates a whole atlas folder.
pub fn load_atlas(src: &dyn FileSource, progress: Progress<'_>) -> Result<Atlas, ImportErrors> {
    let mut r = Reader {
        src,
        inputs: Vec::new(),
        config_text: String::new(),
    };
    let cfg_bytes = r.read("atlas.toml", "the atlas description")?;
    let config: AtlasConfig = parse_toml(&cfg_bytes, "atlas.toml")?;
    r.config_text = String::from_utf8_lossy(&cfg_bytes).into_owned();
    let plan = vintage::plan(&config)?;
    let steps = 2
        + plan.levels.len()
        + plan.crosswalks.len()
        + config.overlays.len()
        + config.data.len()
        + usize::from(config.addresses.is_some());
    progress(1, steps, "atlas.toml");

    let cat_file = config.atlas.catalogue.clone();
    let cat_bytes = r.read(&cat_file, "the indicator catalogue")?;
    let catalogue: Catalogue = parse_toml(&cat_bytes, &cat_file)?;
    let problems = catalogue.check();
    if !problems.is_empty() {
        let text = String::from_utf8_lossy(&cat_bytes);
        return Err(ImportErrors(
            problems
                .into_iter()
                .map(|p| {
                    let mut e = ImportError::file(&cat_file, p.expected.clone(), p.found.clone())
                        .in_column(format!("{} `{}`: {}", p.item_kind, p.item, p.field));
                    e.line = find_field_line(&text, &p.item, &p.field);
                    e
                })
                .collect(),
        ));
    }
    check_settings(&config, &catalogue)?;
    progress(2, steps, &cat_file);

    let mut tree = AreaTree::default();
    let mut geometries = Vec::new();
    let mut warnings = Vec::new();
    // Levels first (their ids), then parents, so a cycle is found before areas are read. A level
    // with boundary vintages is one level per vintage (`vintage::plan`).
    for (lc, vintage) in plan.levels.iter().zip(&plan.vintages) {
        for (set, key) in [
            (lc.members.is_some(), "members"),
            (lc.shares.is_some(), "shares"),
            (lc.share_tolerance.is_some(), "share_tolerance"),
            (lc.membership.is_some(), "membership"),
        ] {
            if set {
                return Err(ImportError::file(
                    "atlas.toml",
                    format!("`{key}` only in an [[overlay]]"),
                    format!("`{key}` in [[level]] `{}`", lc.id),
                )
                .in_column(format!("level `{}`: {key}", lc.id))
                .into());
            }
        }
        if tree.level_index(&lc.id).is_some() {
            return Err(ImportError::file(
                "atlas.toml",
                "unique level ids",
                format!("`{}` twice", lc.id),
            )
            .in_column("level.id")
            .into());
        }
        tree.levels.push(Level {
            id: lc.id.clone(),
            name: lc.name.clone(),
            parent: None,
            overlay: false,
            shares: None,
            vintage: vintage.clone(),
        });
    }
    for (i, lc) in plan.levels.iter().enumerate() {
        if let Some(p) = &lc.parent {
            let pi = tree.level_index(p).ok_or_else(|| {
                ImportError::file(
                    "atlas.toml",
                    format!("the id of a level (one of {})", ids(&config.levels)),
                    format!("`{p}`"),
                )
                .in_column(format!("level `{}`: parent", lc.id))
            })?;
            tree.levels[i].parent = Some(pi);
        }
    }
    if let Err(e) = tree.level_depths() {
        return Err(ImportError::file(
            "atlas.toml",
            "levels whose parents lead to the city without a cycle",
            e.to_string(),
        )
        .in_column("level.parent")
        .into());
    }
    let roots = tree.levels.iter().filter(|l| l.parent.is_none()).count();
    if roots != 1 {
        return Err(ImportError::file(
            "atlas.toml",
            "exactly one level without parent (the city)",
            format!("{roots}"),
        )
        .in_column("level.parent")
        .into());
    }
    // Read areas, coarsest first so parents exist.
    let depths = tree
        .level_depths()
        .map_err(|e| ImportError::file("atlas.toml", "no cycle", e.to_string()))?;
    let mut order: Vec<usize> = (0..plan.levels.len()).collect();
    order.sort_by_key(|&i| depths[i]);
    let mut step = 2;
    for li in order {
        let lc = &plan.levels[li];
        let parent_width = lc
            .parent
            .as_ref()
            .and_then(|p| plan.levels.iter().find(|l| &l.id == p))
            .and_then(|l| l.key_width);
        read_level(
            &mut r,
            lc,
            li,
            &mut tree,
            &mut geometries,
            &mut warnings,
            parent_width,
        )?;
        step += 1;
        progress(step, steps, &lc.id);
    }
    let mut memberships = Vec::new();
    for oc in &config.overlays {
        if tree.level_index(&oc.id).is_some() {
            return Err(ImportError::file(
                "atlas.toml",
                "an overlay id unlike every level id",
                format!("`{}`", oc.id),
            )
            .in_column("overlay.id")
            .into());
        }
        let li = tree.levels.len();
        tree.levels.push(Level {
            id: oc.id.clone(),
            name: oc.name.clone(),
            parent: None,
            overlay: true,
            shares: None,
            vintage: match &oc.vintage {
                Some(config::VintageSpec::Label(l)) => Some(Vintage::label(l.clone())),
                _ => None,
            },
        });
        read_level(
            &mut r,
            oc,
            li,
            &mut tree,
            &mut geometries,
            &mut warnings,
            None,
        )?;
        if let Some(m) = &oc.members {
            let mi = tree
                .level_index(m)
                .filter(|&i| !tree.levels[i].overlay)
                .ok_or_else(|| {
                    ImportError::file(
                        "atlas.toml",
                        format!("the id of a level (one of {})", ids(&config.levels)),
                        format!("`{m}`"),
                    )
                    .in_column(format!("overlay `{}`: members", oc.id))
                })?;
            let member_width = plan
                .levels
                .iter()
                .find(|l| &l.id == m)
                .and_then(|l| l.key_width);
            let (kind, found) = match &oc.membership {
                Some(mc) => {
                    let kind = match (oc.shares, &mc.share) {
                        (Some(k), _) => k,
                        (None, None) => ShareKind::Area,
                        (None, Some(_)) => {
                            return Err(ImportError::file(
                                "atlas.toml",
                                "what the shares of the membership file measure: shares = \"population\" or shares = \"area\"",
                                "none",
                            )
                            .in_column(format!("overlay `{}`: shares", oc.id))
                            .into());
                        }
                    };
                    (
                        kind,
                        file_members(&mut r, oc, mc, &tree, li, mi, member_width, &mut warnings)?,
                    )
                }
                None => {
                    if oc.shares == Some(ShareKind::Population) {
                        return Err(ImportError::file(
                            "atlas.toml",
                            "shares = \"area\" for members found by the geometries (population shares come from a membership file: [overlay.membership])",
                            "shares = \"population\" without a membership file",
                        )
                        .in_column(format!("overlay `{}`: shares", oc.id))
                        .into());
                    }
                    let tolerance = oc.share_tolerance.unwrap_or(DEFAULT_SHARE_TOLERANCE);
                    if !(0.0..0.5).contains(&tolerance) {
                        return Err(ImportError::file(
                            "atlas.toml",
                            "a share tolerance from 0 to under 0.5",
                            tolerance.to_string(),
                        )
                        .in_column(format!("overlay `{}`: share_tolerance", oc.id))
                        .into());
                    }
                    (
                        ShareKind::Area,
                        overlay_members(&tree, &geometries, li, mi, tolerance),
                    )
                }
            };
            tree.levels[li].shares = Some(kind);
            memberships.extend(found);
        } else if oc.membership.is_some() || oc.shares.is_some() {
            return Err(ImportError::file(
                "atlas.toml",
                "`members = \"level id\"`: the level whose areas make up the overlay",
                "none",
            )
            .in_column(format!("overlay `{}`: members", oc.id))
            .into());
        }
        step += 1;
        progress(step, steps, &oc.id);
    }
    tree.memberships = memberships;
    for (old, new, cc) in &plan.crosswalks {
        let side = |level: usize, column| LinkSide {
            column,
            level,
            key_width: plan.levels[level].key_width,
            name: vintage::describe(&tree, level),
        };
        let links = read_links(
            &mut r,
            &tree,
            (&cc.file, cc.sheet.as_deref(), "a crosswalk"),
            (side(*old, &cc.old), side(*new, &cc.new)),
            Some(&cc.share),
            "old and new area",
        )?;
        let links = vintage::crosswalk_links(cc, &tree, (*old, *new), links, &mut warnings)?;
        tree.crosswalk.extend(links);
        step += 1;
        progress(step, steps, &cc.file);
    }
    tree.fill_parent_areas();
    let problems = tree.check();
    if let Some(p) = problems.first() {
        return Err(
            ImportError::file("atlas.toml", "a consistent area hierarchy", p.to_string()).into(),
        );
    }

    let mut observations = Observations::new();
    // The areas of each level by key, made once for all data files (a city may split its data
    // into many files).
    let mut level_keys: Vec<HashMap<&str, usize>> = vec![HashMap::new(); tree.levels.len()];
    for (i, a) in tree.areas.iter().enumerate() {
        level_keys[a.level].insert(a.key.as_str(), i);
    }
    for dc in &config.data {
        match dc.kind {
            DataKind::Table => read_data(
                &mut r,
                dc,
                (&tree, &level_keys),
                &catalogue,
                &config,
                &mut observations,
            )?,
            DataKind::Points => points::read_points(
                &mut r,
                dc,
                &plan.levels,
                &tree,
                &catalogue,
                &config,
                &mut observations,
                &mut warnings,
            )?,
        }
        step += 1;
        progress(step, steps, &dc.file);
    }
    let addresses = match &config.addresses {
        Some(ac) => {
            let register =
                addresses::read_addresses(&mut r, ac, &plan.levels, &tree, &mut warnings)?;
            step += 1;
            progress(step, steps, &ac.file);
            Some(register)
        }
        None => None,
    };
    let texts = texts::read_texts(&mut r, &catalogue, &mut warnings)?;
    Ok(Atlas {
        config,
        catalogue,
        tree,
        geometries,
        observations,
        inputs: r.inputs,
        warnings,
        texts,
        addresses,
    })
}

fn ids(levels: &[LevelConfig]) -> String {
    levels
        .iter()
        .map(|l| format!("`{}`", l.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_toml<T: serde::de::DeserializeOwned>(bytes: &[u8], file: &str) -> Result<T, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::file(file, "UTF-8 text", "bytes that are not UTF-8"))?;
    toml::from_str(text).map_err(|e| {
        let mut err = ImportError::file(
            file,
            "valid TOML of the documented form",
            e.message().to_string(),
        );
        if let Some(span) = e.span() {
            err.line = Some(text[..span.start.min(text.len())].matches('\n').count() as u64 + 1);
        }
        err
    })
}

/// The line of `field` in the table whose `id` is `item` (for catalogue messages).
fn find_field_line(text: &str, item: &str, field: &str) -> Option<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let id_line = lines.iter().position(|l| {
        let t = l.trim();
        t.starts_with("id")
            && (t.contains(&format!("\"{item}\"")) || t.contains(&format!("'{item}'")))
    })?;
    let key = field.split('.').next_back().unwrap_or(field);
    for (i, l) in lines.iter().enumerate().skip(id_line) {
        if i > id_line && l.trim_start().starts_with("[[") {
            break;
        }
        let t = l.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
            return Some(i as u64 + 1);
        }
    }
    Some(id_line as u64 + 1)
}

fn check_settings(config: &AtlasConfig, cat: &Catalogue) -> Result<(), ImportError> {
    if let Some(v) = &config.settings.population_variable
        && cat.variable(v).is_none()
    {
        return Err(ImportError::file(
            "atlas.toml",
            "the id of a variable of the catalogue",
            format!("`{v}`"),
        )
        .in_column("settings.population_variable"));
    }
    Ok(())
}

fn prop_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.to_string(),
        }),
        _ => None,
    }
}

/// A row's cell (an XLSX row may end before the header does: empty).
fn cell_at(row: &[RawCell], col: usize) -> &RawCell {
    row.get(col).unwrap_or(&RawCell::Empty)
}

/// When a key that is not found would be found with leading zeros added to it (`101` for the
/// area `0101`) or taken off the level's keys, the setting that makes it match.
fn padding_hint(key: &str, keys: &HashMap<&str, usize>, level: &str) -> String {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    let padded = keys.keys().find(|k| {
        k.len() > key.len()
            && k.ends_with(key)
            && k[..k.len() - key.len()].bytes().all(|b| b == b'0')
    });
    if let Some(k) = padded {
        return format!(
            "; `{key}` matches the area `{k}` with leading zeros: set key_width = {} for this \
             data file",
            k.len()
        );
    }
    let stripped = key.trim_start_matches('0');
    if stripped.len() < key.len() && !stripped.is_empty() && keys.contains_key(stripped) {
        return format!(
            "; `{key}` matches the area `{stripped}` without its leading zeros: set key_width = {} \
             for the level `{level}`",
            key.len()
        );
    }
    String::new()
}

fn pad(key: String, width: Option<usize>) -> String {
    match width {
        Some(w) if key.len() < w && key.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{key:0>w$}")
        }
        _ => key,
    }
}

/// Reads a level's boundary file: into WGS84, or into `target_crs` (see
/// [`sozialatlas_geo::ReadOptions::target_crs`]).
fn read_boundaries(
    r: &mut Reader<'_>,
    lc: &LevelConfig,
    file: &str,
    target_crs: Option<&str>,
) -> Result<sozialatlas_geo::Layer, ImportError> {
    let opts = sozialatlas_geo::ReadOptions {
        crs: lc.crs.clone(),
        repair: lc.repair,
        key_property: lc.key.clone(),
        target_crs: target_crs.map(str::to_owned),
    };
    let lower = file.to_ascii_lowercase();
    if lc.layer.is_some() && !lower.ends_with(".gpkg") {
        return Err(ImportError::file(
            "atlas.toml",
            "`layer` only with a GeoPackage (.gpkg)",
            format!(
                "layer = \"{}\" for `{file}`",
                lc.layer.as_deref().unwrap_or("")
            ),
        )
        .in_column(format!("level `{}`: layer", lc.id)));
    }
    let geo_err = |e: sozialatlas_geo::GeoError| {
        let mut err = ImportError::file(file, e.expected.clone(), e.found.clone());
        let mut col = String::new();
        if let Some(i) = e.feature {
            col.push_str(&format!("feature {}", i + 1));
        }
        if let Some(k) = &e.key {
            col.push_str(&format!(" (key {k})"));
        }
        if let Some(f) = &e.field {
            if !col.is_empty() {
                col.push_str(", ");
            }
            col.push_str(f);
        }
        if !col.is_empty() {
            err.column = Some(col.trim().to_string());
        }
        err
    };
    if lower.ends_with(".shp") {
        let shp = r.read(file, "a Shapefile")?;
        let stem = &file[..file.len() - 4];
        let dbf = r.read(
            &format!("{stem}.dbf"),
            "the Shapefile's attribute table (.dbf)",
        )?;
        let prj = r
            .read_optional(&format!("{stem}.prj"), "the Shapefile's CRS (.prj)")?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        sozialatlas_geo::read_shapefile(&shp, &dbf, prj.as_deref(), file, &opts).map_err(geo_err)
    } else if lower.ends_with(".gpkg") {
        r.read(file, "a GeoPackage")?;
        // SQLite reads a file on disk; the bytes above are the input's checksum.
        let path = r.src.path(file).ok_or_else(|| {
            ImportError::file(
                file,
                "a GeoPackage in an atlas folder on disk",
                format!("a file in {}", r.src.describe()),
            )
        })?;
        sozialatlas_geo::read_gpkg(&path, file, lc.layer.as_deref(), &opts).map_err(geo_err)
    } else if lower.ends_with(".zip") {
        let bytes = r.read(file, "a zipped Shapefile")?;
        sozialatlas_geo::read_zip(&bytes, file, &opts).map_err(geo_err)
    } else if lower.ends_with(".geojson") || lower.ends_with(".json") {
        let bytes = r.read(file, "a GeoJSON file")?;
        sozialatlas_geo::read_geojson(&bytes, file, &opts).map_err(geo_err)
    } else {
        Err(ImportError::file(
            file,
            "a boundary file ending in .geojson, .json, .shp, .zip or .gpkg",
            format!("`{file}`"),
        )
        .in_column("boundaries"))
    }
}

fn read_level(
    r: &mut Reader<'_>,
    lc: &LevelConfig,
    li: usize,
    tree: &mut AreaTree,
    geometries: &mut Vec<Option<MultiPolygon<f64>>>,
    warnings: &mut Vec<String>,
    parent_width: Option<usize>,
) -> Result<(), ImportErrors> {
    let parent_level = tree.levels[li].parent;
    let parent_areas: Vec<usize> = parent_level
        .map(|p| tree.areas_of_level(p))
        .unwrap_or_default();
    let find_parent =
        |key: Option<String>, file: &str, line_desc: &str| -> Result<Option<usize>, ImportError> {
            let Some(pl) = parent_level else {
                return Ok(None);
            };
            match key {
                Some(k) => {
                    let found = parent_areas
                        .iter()
                        .copied()
                        .find(|&a| tree.areas[a].key == k);
                    found.map(Some).ok_or_else(|| {
                        let keys: Vec<String> = parent_areas
                            .iter()
                            .take(8)
                            .map(|&a| tree.areas[a].key.clone())
                            .collect();
                        ImportError::file(
                            file,
                            format!(
                                "a key of level `{}` ({} …)",
                                tree.levels[pl].id,
                                keys.join(", ")
                            ),
                            format!("`{k}`"),
                        )
                        .in_column(line_desc.to_string())
                    })
                }
                None if parent_areas.len() == 1 => Ok(Some(parent_areas[0])),
                None => Err(ImportError::file(
                    file,
                    format!("a parent key (set parent_key for level `{}`)", lc.id),
                    format!("{} possible parents", parent_areas.len()),
                )),
            }
        };
    let mut new_areas = Vec::new();
    match (&lc.boundaries, lc.areas.is_empty()) {
        (Some(file), true) => {
            let layer = read_boundaries(r, lc, file, None)?;
            warnings.extend(layer.warnings.iter().map(|w| format!("{file}: {w}")));
            let key_prop = lc.key.as_deref().ok_or_else(|| {
                ImportError::file("atlas.toml", "the property holding the area key", "none")
                    .in_column(format!("level `{}`: key", lc.id))
            })?;
            for f in layer.features {
                let feat = format!("feature {}", f.index + 1);
                let key = f
                    .properties
                    .get(key_prop)
                    .and_then(prop_text)
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        ImportError::file(file, "a key in every feature", "none")
                            .in_column(format!("{feat}, property `{key_prop}`"))
                    })?;
                let key = pad(key, lc.key_width);
                let name = match &lc.name_property {
                    Some(np) => f.properties.get(np).and_then(prop_text).ok_or_else(|| {
                        ImportError::file(file, "a name in every feature", "none")
                            .in_column(format!("{feat} (key {key}), property `{np}`"))
                    })?,
                    None => key.clone(),
                };
                let pkey = match &lc.parent_key {
                    Some(pk) => {
                        Some(f.properties.get(pk).and_then(prop_text).ok_or_else(|| {
                            ImportError::file(file, "a parent key in every feature", "none")
                                .in_column(format!("{feat} (key {key}), property `{pk}`"))
                        })?)
                    }
                    None => None,
                };
                let pkey = pkey.map(|k| pad(k, parent_width));
                let parent = find_parent(
                    pkey,
                    file,
                    &format!(
                        "{feat} (key {key}), property `{}`",
                        lc.parent_key.as_deref().unwrap_or("")
                    ),
                )?;
                let problems = sozialatlas_geo::validate(&f.geometry);
                let geometry = if problems.is_empty() {
                    f.geometry
                } else if lc.repair {
                    warnings.push(format!(
                        "{file}: area {key}: repaired ({})",
                        problems.join("; ")
                    ));
                    sozialatlas_geo::repair(&f.geometry)
                } else {
                    return Err(ImportError::file(
                        file,
                        "a valid polygon (or set repair = true for the level)",
                        problems.join("; "),
                    )
                    .in_column(format!("{feat} (key {key})"))
                    .into());
                };
                let km2 = sozialatlas_geo::geodesic_area_km2(&geometry);
                new_areas.push((key, name, parent, Some(km2), Some(geometry)));
            }
        }
        (None, false) => {
            for a in &lc.areas {
                let parent = find_parent(
                    a.parent.clone(),
                    "atlas.toml",
                    &format!("level `{}`: area `{}`: parent", lc.id, a.key),
                )?;
                new_areas.push((a.key.clone(), a.name.clone(), parent, None, None));
            }
        }
        (Some(_), false) => {
            return Err(ImportError::file(
                "atlas.toml",
                "either `boundaries` or `areas`, not both",
                "both",
            )
            .in_column(format!("level `{}`", lc.id))
            .into());
        }
        (None, true) => {
            return Err(ImportError::file(
                "atlas.toml",
                "`boundaries = \"file\"` or inline `areas`",
                "neither",
            )
            .in_column(format!("level `{}`", lc.id))
            .into());
        }
    }
    let mut seen = HashMap::new();
    for (key, name, parent, km2, geom) in new_areas {
        if seen.insert(key.clone(), ()).is_some() {
            return Err(ImportError::file(
                lc.boundaries.as_deref().unwrap_or("atlas.toml"),
                format!("unique keys in level `{}`", lc.id),
                format!("the key `{key}` twice"),
            )
            .into());
        }
        tree.areas.push(Area {
            key,
            name,
            level: li,
            parent,
            area_km2: km2,
        });
        geometries.push(geom);
    }
    Ok(())
}

/// The default of `share_tolerance`: boundary slivers below half a per cent of a member's area.
const DEFAULT_SHARE_TOLERANCE: f64 = 0.005;

/// Matches member areas to overlay areas by the share of the member's area inside: within
/// `tolerance` of 1 a whole member, below `tolerance` none, else the share to three decimals.
fn overlay_members(
    tree: &AreaTree,
    geoms: &[Option<MultiPolygon<f64>>],
    overlay: usize,
    members: usize,
    tolerance: f64,
) -> Vec<Membership> {
    use geo::{Area as _, BooleanOps, BoundingRect, Intersects};
    let mut out = Vec::new();
    for o in tree.areas_of_level(overlay) {
        let Some(og) = &geoms[o] else { continue };
        let Some(obox) = og.bounding_rect() else {
            continue;
        };
        for m in tree.areas_of_level(members) {
            let Some(mg) = &geoms[m] else { continue };
            let Some(mbox) = mg.bounding_rect() else {
                continue;
            };
            if !obox.intersects(&mbox) {
                continue;
            }
            let inter = og.intersection(mg).unsigned_area();
            let total = mg.unsigned_area();
            if total <= 0.0 {
                continue;
            }
            let share = inter / total;
            let share = if share >= 1.0 - tolerance {
                1.0
            } else {
                (share * 1000.0).round() / 1000.0
            };
            if share >= tolerance.max(0.001) {
                out.push(Membership {
                    overlay_area: o,
                    member_area: m,
                    share,
                });
            }
        }
    }
    out
}

/// One side of a file that links the areas of two levels: the column with the keys, the level
/// they belong to, the width keys are padded to, and how messages name the level.
struct LinkSide<'a> {
    column: &'a str,
    level: usize,
    key_width: Option<usize>,
    name: String,
}

/// Reads a file (CSV or XLSX) that links areas of two levels, one row per pair, with an optional
/// share column (numbers read with the file's marks; each in (0, 1], 1 without the column): an
/// overlay's membership file, a crosswalk between boundary vintages. Every key is an area of
/// its side's level and every pair occurs once, or the errors name line and column. Returns
/// (area of side a, area of side b, share, line).
fn read_links(
    r: &mut Reader<'_>,
    tree: &AreaTree,
    (file, sheet, what): (&str, Option<&str>, &str),
    (a, b): (LinkSide<'_>, LinkSide<'_>),
    share: Option<&str>,
    pair: &str,
) -> Result<Vec<(usize, usize, f64, u64)>, ImportErrors> {
    let bytes = r.read(file, what)?;
    let lower = file.to_ascii_lowercase();
    let table = if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        table::read_xlsx(&bytes, file, sheet, &table::Shape::default())?
    } else {
        table::read_csv(&bytes, file, "auto", "auto", &table::Shape::default())?
    };
    let a_col = table.column(a.column, &format!("{} key", a.name))?;
    let b_col = table.column(b.column, &format!("{} key", b.name))?;
    let sc_col = match share {
        Some(s) => Some(table.column(s, "share")?),
        None => None,
    };
    let ways = match sc_col {
        Some(c) => numbers::decide(&table, &[c], "auto", "auto", &|_| false)?,
        None => Ways::of(""),
    };
    let keys = |level: usize| -> HashMap<&str, usize> {
        tree.areas_of_level(level)
            .into_iter()
            .map(|a| (tree.areas[a].key.as_str(), a))
            .collect()
    };
    let (a_keys, b_keys) = (keys(a.level), keys(b.level));
    let sample = |k: &HashMap<&str, usize>| {
        let mut s: Vec<&str> = k.keys().copied().collect();
        s.sort_unstable();
        s.truncate(6);
        s.join(", ")
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut first_line: HashMap<(usize, usize), u64> = HashMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let mut err = |e: ImportError| {
            if errors.len() < MAX_ERRORS {
                errors.push(e);
            }
        };
        let side = |s: &LinkSide<'_>, col: usize, k: &HashMap<&str, usize>| {
            let key = pad(cell_at(row, col).text(), s.key_width);
            match k.get(key.as_str()) {
                Some(&x) => Ok((x, key)),
                None => Err(ImportError::file(
                    file,
                    format!("a key of {} (e.g. {})", s.name, sample(k)),
                    format!("`{key}`"),
                )
                .at_line(line)
                .in_column(&table.header[col])),
            }
        };
        let (x, x_key) = match side(&a, a_col, &a_keys) {
            Ok(found) => found,
            Err(e) => {
                err(e);
                continue;
            }
        };
        let (y, y_key) = match side(&b, b_col, &b_keys) {
            Ok(found) => found,
            Err(e) => {
                err(e);
                continue;
            }
        };
        let share = match sc_col {
            None => 1.0,
            Some(c) => {
                let text = cell_at(row, c).text();
                let parsed = match cell_at(row, c) {
                    RawCell::Number(n) => Some(*n),
                    _ => match ways.readings(&text).as_slice() {
                        [(v, _)] => Some(*v),
                        _ => None,
                    },
                };
                match parsed {
                    Some(s) if s > 0.0 && s <= 1.0 => s,
                    _ => {
                        err(ImportError::file(
                            file,
                            "a share greater than 0 and at most 1 (e.g. 0,35 or 1)",
                            format!("`{text}`"),
                        )
                        .at_line(line)
                        .in_column(&table.header[c]));
                        continue;
                    }
                }
            }
        };
        if let Some(prev) = first_line.insert((x, y), line) {
            err(ImportError::file(
                file,
                format!("one row per {pair}"),
                format!("`{x_key}` and `{y_key}` again (first on line {prev})"),
            )
            .at_line(line)
            .in_column(&table.header[b_col]));
            continue;
        }
        out.push((x, y, share, line));
    }
    if !errors.is_empty() {
        return Err(ImportErrors(errors));
    }
    Ok(out)
}

/// Reads an overlay's members and shares from its membership file.
#[allow(clippy::too_many_arguments)]
fn file_members(
    r: &mut Reader<'_>,
    oc: &LevelConfig,
    mc: &config::MembershipConfig,
    tree: &AreaTree,
    overlay: usize,
    members: usize,
    member_width: Option<usize>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Membership>, ImportErrors> {
    let file = mc.file.as_str();
    let out: Vec<Membership> = read_links(
        r,
        tree,
        (file, mc.sheet.as_deref(), "a membership file"),
        (
            LinkSide {
                column: &mc.overlay,
                level: overlay,
                key_width: oc.key_width,
                name: format!("overlay `{}`", oc.id),
            },
            LinkSide {
                column: &mc.member,
                level: members,
                key_width: member_width,
                name: format!("level `{}`", tree.levels[members].id),
            },
        ),
        mc.share.as_deref(),
        "overlay area and member",
    )?
    .into_iter()
    .map(|(o, m, share, _)| Membership {
        overlay_area: o,
        member_area: m,
        share,
    })
    .collect();
    // A member cannot lie more than whole in the overlay areas (they may overlap, so this warns).
    let mut total: HashMap<usize, f64> = HashMap::new();
    for x in &out {
        *total.entry(x.member_area).or_default() += x.share_used();
    }
    let mut over: Vec<(&str, f64)> = total
        .iter()
        .filter(|&(_, &s)| s > 1.0 + 1e-6)
        .map(|(&m, &s)| (tree.areas[m].key.as_str(), s))
        .collect();
    over.sort_by(|a, b| a.0.cmp(b.0));
    for (key, s) in over {
        warnings.push(format!(
            "{file}: the shares of member `{key}` add up to {s} over the areas of overlay `{}` (more than 1)",
            oc.id
        ));
    }
    Ok(out)
}

/// The variable of each name in the variable column of a long table or points file:
/// `variable_names` (each id looked up by `var_idx`, which names the setting in its error), or,
/// when that is empty, every variable of the catalogue under its own id.
pub(crate) fn variable_name_map<E>(
    dc: &DataConfig,
    cat: &Catalogue,
    var_idx: impl Fn(&str, &str) -> Result<usize, E>,
) -> Result<HashMap<String, usize>, E> {
    let mut names = HashMap::new();
    for (src, id) in &dc.variable_names {
        names.insert(src.clone(), var_idx(id, "variable_names")?);
    }
    if dc.variable_names.is_empty() {
        for (i, v) in cat.variables.iter().enumerate() {
            names.insert(v.id.clone(), i);
        }
    }
    Ok(names)
}

/// Reads one data table into `obs`; `level_keys[level]` maps the keys of a level's areas to
/// their index in `tree`.
fn read_data(
    r: &mut Reader<'_>,
    dc: &DataConfig,
    (tree, level_keys): (&AreaTree, &[HashMap<&str, usize>]),
    cat: &Catalogue,
    cfg: &AtlasConfig,
    obs: &mut Observations,
) -> Result<(), ImportErrors> {
    let file = dc.file.as_str();
    // The vintages a row's year chooses from (a level with vintages and no `vintage` set), else
    // the one level of the file.
    let levels = vintage::data_levels(dc, tree)?;
    let bytes = r.read(file, "a data file")?;
    let lower = file.to_ascii_lowercase();
    let shape = table::Shape {
        header_rows: dc.header_row.as_ref().map_or_else(|| vec![1], |h| h.rows()),
        skip_rows: dc.skip_rows.clone(),
    };
    let mut table = if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        table::read_xlsx(&bytes, file, dc.sheet.as_deref(), &shape)?
    } else {
        table::read_csv(&bytes, file, &dc.encoding, &dc.delimiter, &shape)?
    };
    let area_name = dc.area.as_deref().ok_or_else(|| {
        ImportError::file(
            "atlas.toml",
            "`area = \"column\"`: the column with the area key (or kind = \"points\" for a file of coordinates)",
            "none",
        )
        .in_column(format!("data `{file}`"))
    })?;
    let area_col = table.column(area_name, "area key")?;
    table.drop_notes(|t| {
        let key = pad(t.to_string(), dc.key_width);
        levels
            .iter()
            .any(|&l| level_keys[l].contains_key(key.as_str()))
    });
    table.check_widths()?;
    let period_col = match (&dc.period, dc.period_value) {
        (Some(p), _) => Some(table.column(p, "period")?),
        (None, Some(_)) => None,
        (None, None) => {
            return Err(ImportError::file(
                "atlas.toml",
                "`period = \"column\"` or `period_value = year`",
                "neither",
            )
            .in_column(format!("data `{file}`"))
            .into());
        }
    };
    // (variable index, column) pairs for wide; for long the variable and value columns.
    let var_idx = |id: &str, field: &str| {
        cat.variables
            .iter()
            .position(|v| v.id == id)
            .ok_or_else(|| {
                ImportError::file(
                    "atlas.toml",
                    "the id of a variable of the catalogue",
                    format!("`{id}`"),
                )
                .in_column(format!("data `{file}`: {field}"))
            })
    };
    enum Shape {
        Wide(Vec<(usize, usize)>),
        Long {
            var_col: usize,
            val_col: usize,
            names: HashMap<String, usize>,
        },
    }
    let shape = match dc.layout {
        Layout::Wide => {
            if dc.variables.is_empty() {
                return Err(ImportError::file(
                    "atlas.toml",
                    "a `variables` table (variable id = \"column\")",
                    "none",
                )
                .in_column(format!("data `{file}`"))
                .into());
            }
            let mut v = Vec::new();
            for (id, col) in &dc.variables {
                v.push((
                    var_idx(id, "variables")?,
                    table.column(col, &format!("variable `{id}`"))?,
                ));
            }
            Shape::Wide(v)
        }
        Layout::Long => {
            let var_col = table.column(
                dc.variable_column.as_deref().unwrap_or("variable"),
                "variable name",
            )?;
            let val_col = table.column(dc.value_column.as_deref().unwrap_or("value"), "value")?;
            let names = variable_name_map(dc, cat, var_idx)?;
            Shape::Long {
                var_col,
                val_col,
                names,
            }
        }
    };
    if table.rows.is_empty() {
        if dc.optional {
            return Ok(());
        }
        return Err(ImportError::file(
            file,
            "rows of data below the header (or optional = true for this file in atlas.toml, \
             when it may be empty)",
            "a header and no rows",
        )
        .at_line(table.header_line + 1)
        .into());
    }
    let filter: Vec<(usize, &config::OneOrMany)> = dc
        .filter
        .iter()
        .map(|(col, v)| Ok((table.column(col, "where")?, v)))
        .collect::<Result<_, ImportError>>()?;
    if !filter.is_empty() {
        table.rows.retain(|(_, row)| {
            filter
                .iter()
                .all(|(c, v)| v.matches(&cell_at(row, *c).text()))
        });
    }
    let value_cols: Vec<usize> = match &shape {
        Shape::Wide(v) => v.iter().map(|x| x.1).collect(),
        Shape::Long { val_col, .. } => vec![*val_col],
    };
    let missing = dc.missing.as_ref().unwrap_or(&cfg.settings.missing_markers);
    let suppressed = dc
        .suppressed
        .as_ref()
        .unwrap_or(&cfg.settings.suppressed_markers);
    let zero = dc.zero.as_ref().unwrap_or(&cfg.settings.zero_markers);
    let meanings = [
        ("missing", missing),
        ("suppressed", suppressed),
        ("zero", zero),
    ];
    for (i, (a, am)) in meanings.iter().enumerate() {
        for (b, bm) in &meanings[i + 1..] {
            if let Some(both) = am.iter().find(|m| bm.contains(m)) {
                return Err(ImportError::file(
                    "atlas.toml",
                    format!("a marker that means one thing: {a} or {b}, not both"),
                    format!("`{both}` in both (set {a} and {b} for this file)"),
                )
                .in_column(format!("data `{file}`: {a}, {b}"))
                .into());
            }
        }
    }
    if let Some(input) = r.inputs.iter_mut().find(|i| i.path == file) {
        input.markers = Some(Markers {
            missing: missing.clone(),
            suppressed: suppressed.clone(),
            zero: zero.clone(),
        });
    }
    let is_marker = |t: &str| missing.iter().chain(suppressed).chain(zero).any(|m| m == t);
    let ways = numbers::decide(&table, &value_cols, &dc.decimal, &dc.thousands, &is_marker)?;
    // The first ambiguous value of each column is reported, with how many more there are.
    let mut ambiguous: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<(usize, i32, usize), u64> = HashMap::new();
    let push = |e: ImportError, errors: &mut Vec<ImportError>| {
        if errors.len() < MAX_ERRORS {
            errors.push(e);
        }
    };
    for (line, row) in &table.rows {
        let line = *line;
        let raw_key = cell_at(row, area_col).text();
        if raw_key.is_empty() && dc.skip_empty_area {
            continue;
        }
        let key = pad(raw_key.clone(), dc.key_width);
        // A key that is no area of the file's level (of any of its vintages) is named first, so
        // that a row that is no data row (a units row, a note) is named by its key.
        let key_error = |level: usize| {
            let keys = &level_keys[level];
            let mut sample: Vec<&str> = keys.keys().copied().collect();
            sample.sort_unstable();
            sample.truncate(6);
            ImportError::file(
                file,
                format!(
                    "a key of {} (e.g. {}){}",
                    vintage::describe(tree, level),
                    sample.join(", "),
                    padding_hint(&key, keys, &dc.level)
                ),
                format!("`{raw_key}`"),
            )
            .at_line(line)
            .in_column(area_name)
        };
        if !levels
            .iter()
            .any(|&l| level_keys[l].contains_key(key.as_str()))
        {
            // Of several vintages, the one of the row's year where it can be read.
            let year =
                period_col.map_or(dc.period_value, |pc| cell_at(row, pc).text().parse().ok());
            let level = year
                .and_then(|y| vintage::level_in(tree, &levels, y).ok())
                .unwrap_or(levels[levels.len() - 1]);
            push(key_error(level), &mut errors);
            continue;
        }
        let period = match period_col {
            Some(pc) => {
                let t = cell_at(row, pc).text();
                match t.parse::<i32>() {
                    Ok(p) if (1800..=2200).contains(&p) => p,
                    _ => {
                        push(
                            ImportError::file(file, "a year such as 2022", format!("`{t}`"))
                                .at_line(line)
                                .in_column(&table.header[pc]),
                            &mut errors,
                        );
                        continue;
                    }
                }
            }
            None => dc.period_value.unwrap_or_default(),
        };
        let level = match vintage::level_in(tree, &levels, period) {
            Ok(l) => l,
            Err(expected) => {
                push(
                    ImportError::file(file, expected, format!("{period}"))
                        .at_line(line)
                        .in_column(period_col.map_or("period_value", |c| &table.header[c])),
                    &mut errors,
                );
                continue;
            }
        };
        let Some(&area) = level_keys[level].get(key.as_str()) else {
            push(key_error(level), &mut errors);
            continue;
        };
        let cells: Vec<(usize, usize)> = match &shape {
            Shape::Wide(v) => v.clone(),
            Shape::Long {
                var_col,
                val_col,
                names,
            } => {
                let name = cell_at(row, *var_col).text();
                match names.get(&name) {
                    Some(&vi) => vec![(vi, *val_col)],
                    None if dc.ignore_unmapped => continue,
                    None => {
                        push(
                            ImportError::file(
                                file,
                                "a variable of the catalogue (or map it in variable_names)",
                                format!("`{name}`"),
                            )
                            .at_line(line)
                            .in_column(&table.header[*var_col]),
                            &mut errors,
                        );
                        continue;
                    }
                }
            }
        };
        for (vi, col) in cells {
            let cell = cell_at(row, col);
            let text = cell.text();
            let o = if let RawCell::Number(n) = cell {
                Obs::Value(*n)
            } else if suppressed.contains(&text) {
                Obs::Suppressed
            } else if missing.contains(&text) {
                Obs::Missing
            } else if zero.contains(&text) {
                Obs::Value(0.0)
            } else {
                let readings = ways.readings(&text);
                match readings.as_slice() {
                    [(v, _)] => Obs::Value(*v),
                    [] => {
                        let (expected, found) = if text == "." {
                            (
                                "a number, or `.` declared as a marker: in German statistics `.` \
                                 means \"unknown\" or \"secret\" (Zahlenwert unbekannt oder geheim zu \
                                 halten), so say which for this file in atlas.toml: \
                                 missing = [\".\"] or suppressed = [\".\"]"
                                    .to_string(),
                                "`.`".to_string(),
                            )
                        } else if ["-", "–", "—"].contains(&text.as_str()) {
                            (
                                format!(
                                    "a number, or `{text}` declared as a marker: in German official \
                                     statistics a dash means \"nothing, exactly zero\" (nichts \
                                     vorhanden), elsewhere often \"missing\", so say which for this \
                                     file in atlas.toml: zero = [\"{text}\"] or missing = [\"{text}\"]"
                                ),
                                format!("`{text}`"),
                            )
                        } else {
                            (
                                "a number, or a marker declared in missing, suppressed or zero"
                                    .to_string(),
                                format!("`{text}`"),
                            )
                        };
                        push(
                            ImportError::file(file, expected, found)
                                .at_line(line)
                                .in_column(&table.header[col]),
                            &mut errors,
                        );
                        continue;
                    }
                    many => {
                        let seen = ambiguous.entry(col).or_insert((errors.len(), 0));
                        seen.1 += 1;
                        if seen.1 == 1 {
                            let all = ways.and(Ways::of(&text));
                            let described: Vec<String> = many
                                .iter()
                                .map(|(v, w)| match w.deciding_settings(all).as_slice() {
                                    [] => format!("{v}"),
                                    [one] => format!("{v} with {one}"),
                                    [one, rest @ ..] => {
                                        format!("{v} with {one} (or {})", rest.join(", "))
                                    }
                                })
                                .collect();
                            push(
                                ImportError::file(
                                    file,
                                    "a number that reads one way (nothing else in the file decides \
                                     its marks: set thousands or decimal for this file in atlas.toml)",
                                    format!("`{text}`, which is {}", described.join(" but ")),
                                )
                                .at_line(line)
                                .in_column(&table.header[col]),
                                &mut errors,
                            );
                        }
                        continue;
                    }
                }
            };
            if let Obs::Value(v) = o
                && v < 0.0
                && cat.variables[vi].kind == VariableKind::Count
            {
                push(
                    ImportError::file(
                        file,
                        format!("a count ≥ 0 for variable `{}`", cat.variables[vi].id),
                        format!("`{text}`"),
                    )
                    .at_line(line)
                    .in_column(&table.header[col]),
                    &mut errors,
                );
                continue;
            }
            let k = (area, period, vi);
            if let Some(prev) = first_line.get(&k) {
                push(
                    ImportError::file(
                        file,
                        "one value per area, period and variable",
                        format!("a second value for area `{key}`, {period}, variable `{}` (first on line {prev})", cat.variables[vi].id),
                    )
                    .at_line(line)
                    .in_column(&table.header[col]),
                    &mut errors,
                );
                continue;
            }
            if obs.contains_key(&k) {
                push(
                    ImportError::file(
                        file,
                        "one value per area, period and variable across all data files",
                        format!("area `{key}`, {period}, variable `{}` is already given by an earlier data file", cat.variables[vi].id),
                    )
                    .at_line(line)
                    .in_column(&table.header[col]),
                    &mut errors,
                );
                continue;
            }
            first_line.insert(k, line);
            obs.insert(k, o);
        }
    }
    for (idx, n) in ambiguous.into_values() {
        if n > 1
            && let Some(e) = errors.get_mut(idx)
        {
            e.found
                .push_str(&format!(" ({} more such values in this column)", n - 1));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportErrors(errors))
    }
}
