//! Coordinate reference systems: naming them (EPSG codes, proj strings, `.prj` WKT) and
//! transforming coordinates between them with proj4rs.
//!
//! proj4rs works in radians for geographic CRSs; [`Transformer`] hides that: geographic
//! coordinates go in and come out in degrees, x = longitude, y = latitude (the GeoJSON and
//! shapefile axis order, also for EPSG:4326).

use crate::GeoError;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use proj4rs::Proj;

/// The CRS every geometry leaves this crate in.
pub const WGS84: &str = "EPSG:4326";

/// A resolved CRS: a label for people and a proj string for proj4rs.
#[derive(Debug, Clone, PartialEq)]
pub struct Crs {
    /// `EPSG:25832` when the CRS is (equivalent to) an EPSG code, else the proj string.
    pub label: String,
    /// The proj string handed to proj4rs.
    pub proj: String,
    /// A caveat about the CRS, e.g. an unknown datum without a datum shift.
    pub note: Option<String>,
}

impl Crs {
    fn epsg(code: u32) -> Result<Crs, GeoError> {
        let def = u16::try_from(code)
            .ok()
            .and_then(crs_definitions::from_code)
            .ok_or_else(|| {
                GeoError::file(
                    "",
                    Some("crs"),
                    "an EPSG code known to this program (e.g. EPSG:25832) or a proj string (+proj=…)",
                    format!("EPSG:{code}, which is not in the EPSG table"),
                )
            })?;
        Ok(Crs {
            label: format!("EPSG:{code}"),
            proj: def.proj4.to_string(),
            note: None,
        })
    }
}

/// Resolves what a user or a file says about a CRS.
///
/// Accepts `EPSG:25832`, `25832`, `urn:ogc:def:crs:EPSG::25832`,
/// `http://www.opengis.net/def/crs/EPSG/0/25832`, `CRS84`/`WGS84`, a proj string (`+proj=…`) or
/// WKT (the content of a `.prj` file).
pub fn resolve_crs(s: &str) -> Result<Crs, GeoError> {
    let t = s.trim();
    let bad = |found: String| {
        GeoError::file(
            "",
            Some("crs"),
            "an EPSG code (e.g. \"EPSG:25832\" or \"25832\"), a proj string (+proj=…) or WKT",
            found,
        )
    };
    if t.is_empty() {
        return Err(bad("an empty string".into()));
    }
    if t.starts_with('+') {
        Proj::from_proj_string(t).map_err(|e| bad(format!("{t:?}, which proj4rs rejects: {e}")))?;
        return Ok(Crs {
            label: t.to_string(),
            proj: t.to_string(),
            note: None,
        });
    }
    let upper = t.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper == "WGS84" || upper == "WGS 84" {
        return Crs::epsg(4326);
    }
    if upper.starts_with("PROJCS")
        || upper.starts_with("GEOGCS")
        || upper.starts_with("PROJCRS")
        || upper.starts_with("GEOGCRS")
        || upper.starts_with("PROJECTEDCRS")
        || upper.starts_with("GEOGRAPHICCRS")
        || upper.starts_with("BOUNDCRS")
    {
        return crs_from_wkt(t);
    }
    // EPSG:25832, urn:ogc:def:crs:EPSG::25832, urn:ogc:def:crs:EPSG:6.3:25832,
    // http://www.opengis.net/def/crs/EPSG/0/25832, 25832
    let has_epsg = upper.contains("EPSG");
    let code = t
        .rsplit([':', '/'])
        .next()
        .map(str::trim)
        .and_then(|c| c.parse::<u32>().ok());
    match code {
        Some(c) if has_epsg || t.chars().all(|ch| ch.is_ascii_digit()) => Crs::epsg(c),
        _ => Err(bad(format!("{t:?}"))),
    }
}

/// Transforms coordinates from one CRS to another (proj4rs, pure Rust).
///
/// CRS names as accepted by [`resolve_crs`]. Geographic coordinates are in degrees, x first.
pub struct Transformer {
    from: Proj,
    to: Proj,
    from_geographic: bool,
    to_geographic: bool,
    identity: bool,
    from_label: String,
    to_label: String,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Transformer({} -> {})", self.from_label, self.to_label)
    }
}

impl Transformer {
    /// A transformer between two CRSs, e.g. `Transformer::new("EPSG:25832", "EPSG:4326")`.
    pub fn new(from: &str, to: &str) -> Result<Self, GeoError> {
        Self::from_crs(&resolve_crs(from)?, &resolve_crs(to)?)
    }

    /// A transformer between two resolved CRSs.
    pub fn from_crs(from: &Crs, to: &Crs) -> Result<Self, GeoError> {
        let proj = |c: &Crs| {
            Proj::from_proj_string(&c.proj).map_err(|e| {
                GeoError::file(
                    "",
                    Some("crs"),
                    "a CRS that proj4rs supports",
                    format!("{} ({}): {e}", c.label, c.proj),
                )
            })
        };
        let (p_from, p_to) = (proj(from)?, proj(to)?);
        Ok(Transformer {
            from_geographic: p_from.is_latlong(),
            to_geographic: p_to.is_latlong(),
            identity: from.proj == to.proj,
            from: p_from,
            to: p_to,
            from_label: from.label.clone(),
            to_label: to.label.clone(),
        })
    }

    /// Transforms one point; geographic coordinates in degrees (x = longitude).
    pub fn transform_point(&self, x: f64, y: f64) -> Result<(f64, f64), GeoError> {
        if self.identity {
            return Ok((x, y));
        }
        let fail = |why: String| {
            GeoError::file(
                "",
                Some("coordinates"),
                format!(
                    "a point that can be transformed from {} to {}",
                    self.from_label, self.to_label
                ),
                format!("({x}, {y}): {why}"),
            )
        };
        if !x.is_finite() || !y.is_finite() {
            return Err(fail("not a finite number".into()));
        }
        let mut p = if self.from_geographic {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(&self.from, &self.to, &mut p)
            .map_err(|e| fail(e.to_string()))?;
        let (mut ox, mut oy) = (p.0, p.1);
        if self.to_geographic {
            ox = ox.to_degrees();
            oy = oy.to_degrees();
        }
        if !ox.is_finite() || !oy.is_finite() {
            return Err(fail(
                "the projection gives no finite result (outside its domain?)".into(),
            ));
        }
        Ok((ox, oy))
    }

    /// Transforms every coordinate of a multipolygon.
    pub fn transform_multipolygon(
        &self,
        g: &MultiPolygon<f64>,
    ) -> Result<MultiPolygon<f64>, GeoError> {
        if self.identity {
            return Ok(g.clone());
        }
        let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, GeoError> {
            ls.0.iter()
                .map(|c| self.transform_point(c.x, c.y).map(|(x, y)| Coord { x, y }))
                .collect::<Result<Vec<_>, _>>()
                .map(LineString)
        };
        g.0.iter()
            .map(|p| {
                let ext = ring(p.exterior())?;
                let ints = p
                    .interiors()
                    .iter()
                    .map(ring)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Polygon::new(ext, ints))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(MultiPolygon)
    }
}

// ---------------------------------------------------------------------------------------------
// WKT (.prj files)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Wkt {
    Node(String, Vec<Wkt>),
    Str(String),
    Num(f64),
    Ident(String),
}

impl Wkt {
    fn name(&self) -> &str {
        match self {
            Wkt::Node(n, _) | Wkt::Ident(n) | Wkt::Str(n) => n,
            Wkt::Num(_) => "",
        }
    }
    fn children(&self) -> &[Wkt] {
        match self {
            Wkt::Node(_, c) => c,
            _ => &[],
        }
    }
    /// The first child node with one of these keywords.
    fn child(&self, keywords: &[&str]) -> Option<&Wkt> {
        self.children().iter().find(
            |c| matches!(c, Wkt::Node(n, _) if keywords.iter().any(|k| n.eq_ignore_ascii_case(k))),
        )
    }
    /// The first quoted string argument (the element's name).
    fn title(&self) -> Option<&str> {
        self.children().iter().find_map(|c| match c {
            Wkt::Str(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// The `i`th numeric argument.
    fn num(&self, i: usize) -> Option<f64> {
        self.children()
            .iter()
            .filter_map(|c| match c {
                Wkt::Num(v) => Some(*v),
                _ => None,
            })
            .nth(i)
    }
    /// `AUTHORITY["EPSG","25832"]` (WKT1) or `ID["EPSG",25832]` (WKT2) directly under this node.
    fn epsg(&self) -> Option<u32> {
        let a = self.child(&["AUTHORITY", "ID"])?;
        let mut it = a.children().iter();
        let auth = it.next()?;
        if !auth.name().eq_ignore_ascii_case("EPSG") {
            return None;
        }
        match it.next()? {
            Wkt::Str(s) => s.trim().parse().ok(),
            Wkt::Num(v) if *v >= 0.0 && v.fract() == 0.0 => Some(*v as u32),
            _ => None,
        }
    }
}

fn parse_wkt(s: &str) -> Result<Wkt, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let node = parse_wkt_value(&chars, &mut pos)?;
    skip_ws(&chars, &mut pos);
    // ESRI .prj files may append a vertical CRS (`PROJCS[…],VERTCS[…]`): only the first counts.
    if let Some(&c) = chars.get(pos)
        && !(c == ',' || c == '\0' || c.is_ascii_alphabetic())
    {
        return Err(format!("unexpected {c:?} at character {pos}"));
    }
    Ok(node)
}

fn skip_ws(c: &[char], pos: &mut usize) {
    while *pos < c.len() && c[*pos].is_whitespace() {
        *pos += 1;
    }
}

fn parse_wkt_value(c: &[char], pos: &mut usize) -> Result<Wkt, String> {
    skip_ws(c, pos);
    let Some(&ch) = c.get(*pos) else {
        return Err("unexpected end".into());
    };
    if ch == '"' {
        let mut out = String::new();
        *pos += 1;
        loop {
            match c.get(*pos) {
                None => return Err("unterminated string".into()),
                Some('"') if c.get(*pos + 1) == Some(&'"') => {
                    out.push('"');
                    *pos += 2;
                }
                Some('"') => {
                    *pos += 1;
                    return Ok(Wkt::Str(out));
                }
                Some(&x) => {
                    out.push(x);
                    *pos += 1;
                }
            }
        }
    }
    if ch.is_ascii_digit() || ch == '-' || ch == '+' || ch == '.' {
        let start = *pos;
        while *pos < c.len() && (c[*pos].is_ascii_alphanumeric() || "+-.".contains(c[*pos])) {
            *pos += 1;
        }
        let t: String = c[start..*pos].iter().collect();
        return t
            .parse()
            .map(Wkt::Num)
            .map_err(|_| format!("bad number {t:?}"));
    }
    if ch.is_ascii_alphabetic() || ch == '_' {
        let start = *pos;
        while *pos < c.len() && (c[*pos].is_ascii_alphanumeric() || c[*pos] == '_') {
            *pos += 1;
        }
        let name: String = c[start..*pos].iter().collect();
        skip_ws(c, pos);
        let close = match c.get(*pos) {
            Some('[') => ']',
            Some('(') => ')',
            _ => return Ok(Wkt::Ident(name)),
        };
        *pos += 1;
        let mut kids = Vec::new();
        loop {
            skip_ws(c, pos);
            match c.get(*pos) {
                Some(&x) if x == close => {
                    *pos += 1;
                    return Ok(Wkt::Node(name, kids));
                }
                Some(',') => *pos += 1,
                None => return Err(format!("unterminated {name}[…]")),
                _ => kids.push(parse_wkt_value(c, pos)?),
            }
        }
    }
    Err(format!("unexpected {ch:?} at character {}", *pos))
}

/// Lower-case, letters and digits only: `False_Easting` and `false easting` compare equal.
fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Reads a `.prj` file (OGC or ESRI WKT1, or WKT2) into a CRS.
///
/// An `AUTHORITY["EPSG", …]`/`ID["EPSG", …]` element at the top decides. Without one, the
/// projection and its parameters are turned into a proj string; if that equals one of the
/// German CRSs in common use (EPSG:25832, 25833, 31466, 31467, 31468, 4647, 32632, 3857,
/// 4326, 4258) the CRS is labelled with that code, else with the proj string (e.g. Cologne's
/// UTM 32N with false easting 2,500,000 m).
pub fn crs_from_wkt(wkt: &str) -> Result<Crs, GeoError> {
    let bad = |found: String| {
        GeoError::file(
            "",
            Some(".prj"),
            "a WKT coordinate reference system (PROJCS[…] or GEOGCS[…])",
            found,
        )
    };
    let root = parse_wkt(wkt.trim_start_matches('\u{feff}')).map_err(|e| bad(e.to_string()))?;
    let root = match root.name().to_ascii_uppercase().as_str() {
        "BOUNDCRS" => root
            .child(&["SOURCECRS"])
            .and_then(|s| s.children().first())
            .cloned()
            .unwrap_or(root),
        _ => root,
    };
    if let Some(code) = root.epsg()
        && let Ok(c) = Crs::epsg(code)
    {
        return Ok(c);
    }
    let kind = root.name().to_ascii_uppercase();
    match kind.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEOGRAPHICCRS" | "GEODCRS" => {
            let (datum, note, known) = datum_of(&root);
            match known {
                Some(KnownDatum::Wgs84) => Crs::epsg(4326),
                Some(KnownDatum::Etrs89) => Crs::epsg(4258),
                _ => Ok(Crs {
                    proj: format!("+proj=longlat {datum} +no_defs"),
                    label: format!("+proj=longlat {datum} +no_defs"),
                    note,
                }),
            }
        }
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => projected(&root).map_err(bad),
        other => Err(bad(format!("{other}[…]"))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum KnownDatum {
    Wgs84,
    Etrs89,
    Dhdn,
}

/// The datum part of a proj string for the GEOGCS inside `node` (or `node` itself).
fn datum_of(node: &Wkt) -> (String, Option<String>, Option<KnownDatum>) {
    let geog = node
        .child(&["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS", "GEOGCRS"])
        .unwrap_or(node);
    let datum = geog.child(&["DATUM", "GEODETICDATUM", "TRF"]);
    let dname = norm(datum.and_then(Wkt::title).unwrap_or(""));
    let dname = dname
        .strip_prefix('d')
        .filter(|_| dname.starts_with("d"))
        .unwrap_or(&dname);
    let known = if dname.contains("wgs1984")
        || dname.contains("wgs84")
        || dname.contains("worldgeodeticsystem1984")
    {
        Some(KnownDatum::Wgs84)
    } else if dname.contains("etrs1989")
        || dname.contains("etrs89")
        || dname.contains("europeanterrestrialreferencesystem1989")
    {
        Some(KnownDatum::Etrs89)
    } else if dname.contains("deutscheshauptdreiecksnetz")
        || dname.contains("dhdn")
        || dname.contains("potsdam")
    {
        Some(KnownDatum::Dhdn)
    } else {
        None
    };
    let pm = geog
        .child(&["PRIMEM", "PRIMEMERIDIAN"])
        .and_then(|p| p.num(0))
        .filter(|v| *v != 0.0)
        .map(|v| format!(" +pm={v}"))
        .unwrap_or_default();
    match known {
        Some(KnownDatum::Wgs84) => (format!("+datum=WGS84{pm}"), None, known),
        Some(KnownDatum::Etrs89) => (
            format!("+ellps=GRS80 +towgs84=0,0,0,0,0,0,0{pm}"),
            None,
            known,
        ),
        Some(KnownDatum::Dhdn) => (format!("+datum=potsdam{pm}"), None, known),
        None => {
            let sph = datum.and_then(|d| d.child(&["SPHEROID", "ELLIPSOID"]));
            let (a, rf) = (
                sph.and_then(|s| s.num(0)).unwrap_or(6378137.0),
                sph.and_then(|s| s.num(1)).unwrap_or(298.257223563),
            );
            let ell = if rf == 0.0 {
                format!("+a={a} +b={a}")
            } else {
                format!("+a={a} +rf={rf}")
            };
            match datum.and_then(|d| d.child(&["TOWGS84"])) {
                Some(t) => {
                    let v: Vec<String> = (0..7)
                        .map_while(|i| t.num(i))
                        .map(|x| x.to_string())
                        .collect();
                    (format!("{ell} +towgs84={}{pm}", v.join(",")), None, None)
                }
                None => (
                    format!("{ell}{pm}"),
                    Some(format!(
                        "datum {:?} is unknown and has no TOWGS84 shift: coordinates may be off by up to a few hundred metres; set crs = \"EPSG:…\" to be sure",
                        datum.and_then(Wkt::title).unwrap_or("?")
                    )),
                    None,
                ),
            }
        }
    }
}

fn projected(root: &Wkt) -> Result<Crs, String> {
    let conversion = root.child(&["CONVERSION"]).unwrap_or(root);
    let method = conversion
        .child(&["PROJECTION", "METHOD"])
        .and_then(Wkt::title)
        .ok_or("a PROJCS without PROJECTION")?;
    let mut params: Vec<(String, f64)> = Vec::new();
    for p in conversion.children() {
        if let Wkt::Node(n, _) = p
            && n.eq_ignore_ascii_case("PARAMETER")
            && let (Some(name), Some(v)) = (p.title(), p.num(0))
        {
            params.push((norm(name), v));
        }
    }
    let get = |names: &[&str], default: f64| {
        params
            .iter()
            .find(|(n, _)| names.contains(&n.as_str()))
            .map(|(_, v)| *v)
            .unwrap_or(default)
    };
    let lat_0 = get(
        &[
            "latitudeoforigin",
            "latitudeofnaturalorigin",
            "latitudeoffalseorigin",
            "latitudeofcenter",
        ],
        0.0,
    );
    let lon_0 = get(
        &[
            "centralmeridian",
            "longitudeofnaturalorigin",
            "longitudeoffalseorigin",
            "longitudeofcenter",
            "longitudeoforigin",
        ],
        0.0,
    );
    let k = get(&["scalefactor", "scalefactoratnaturalorigin"], 1.0);
    let x_0 = get(&["falseeasting", "eastingatfalseorigin"], 0.0);
    let y_0 = get(&["falsenorthing", "northingatfalseorigin"], 0.0);
    let lat_1 = get(
        &["standardparallel1", "latitudeof1ststandardparallel"],
        lat_0,
    );
    let lat_2 = get(
        &["standardparallel2", "latitudeof2ndstandardparallel"],
        lat_1,
    );
    let (datum, note, known) = datum_of(root);
    // Units: WKT1 UNIT["Meter",1.0] under PROJCS; WKT2 LENGTHUNIT under CS/AXIS (metre assumed).
    let to_meter = root
        .child(&["UNIT", "LENGTHUNIT"])
        .and_then(|u| u.num(0))
        .unwrap_or(1.0);
    let units = if (to_meter - 1.0).abs() < 1e-12 {
        "+units=m".to_string()
    } else {
        format!("+to_meter={to_meter}")
    };
    let m = norm(method);
    // ESRI calls Gauss-Krüger "Gauss_Kruger"; it is transverse Mercator.
    let is_tm = (m.contains("transversemercator") || m.contains("gausskr")) && !m.contains("south");
    let body = if is_tm {
        format!("+proj=tmerc +lat_0={lat_0} +lon_0={lon_0} +k={k} +x_0={x_0} +y_0={y_0}")
    } else if m.contains("mercatorauxiliarysphere") || m.contains("pseudomercator") {
        return Crs::epsg(3857).map_err(|e| e.found);
    } else if m.contains("lambertconformalconic") {
        format!(
            "+proj=lcc +lat_1={lat_1} +lat_2={lat_2} +lat_0={lat_0} +lon_0={lon_0} +k_0={k} +x_0={x_0} +y_0={y_0}"
        )
    } else {
        return Err(format!(
            "projection {method:?}, which this program cannot read from a .prj; set crs = \"EPSG:…\" in atlas.toml"
        ));
    };
    let proj = format!("{body} {datum} {units} +no_defs");
    // Name the usual German CRSs by their code.
    let tm = is_tm && lat_0 == 0.0 && y_0 == 0.0 && to_meter == 1.0;
    let code = match (known, tm, lon_0, k, x_0) {
        (Some(KnownDatum::Etrs89), true, 9.0, 0.9996, 500000.0) => Some(25832),
        (Some(KnownDatum::Etrs89), true, 15.0, 0.9996, 500000.0) => Some(25833),
        (Some(KnownDatum::Etrs89), true, 9.0, 0.9996, 32500000.0) => Some(4647),
        (Some(KnownDatum::Wgs84), true, 9.0, 0.9996, 500000.0) => Some(32632),
        (Some(KnownDatum::Wgs84), true, 15.0, 0.9996, 500000.0) => Some(32633),
        (Some(KnownDatum::Dhdn), true, 6.0, 1.0, 2500000.0) => Some(31466),
        (Some(KnownDatum::Dhdn), true, 9.0, 1.0, 3500000.0) => Some(31467),
        (Some(KnownDatum::Dhdn), true, 12.0, 1.0, 4500000.0) => Some(31468),
        (Some(KnownDatum::Dhdn), true, 15.0, 1.0, 5500000.0) => Some(31469),
        _ => None,
    };
    if let Some(c) = code {
        return Crs::epsg(c).map_err(|e| e.found);
    }
    Proj::from_proj_string(&proj).map_err(|e| format!("{proj:?}, which proj4rs rejects: {e}"))?;
    Ok(Crs {
        label: proj.clone(),
        proj,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_forms() {
        for s in [
            "EPSG:25832",
            "epsg:25832",
            "25832",
            "urn:ogc:def:crs:EPSG::25832",
            "http://www.opengis.net/def/crs/EPSG/0/25832",
        ] {
            assert_eq!(
                resolve_crs(s).map(|c| c.label),
                Ok("EPSG:25832".to_string()),
                "{s}"
            );
        }
        assert_eq!(
            resolve_crs("urn:ogc:def:crs:OGC:1.3:CRS84").map(|c| c.label),
            Ok("EPSG:4326".into())
        );
        assert!(resolve_crs("EPSG:99999").is_err());
        assert!(resolve_crs("EPSG:1234567").is_err());
        assert!(resolve_crs("Gauss-Krüger").is_err());
    }

    #[test]
    fn utm32_round_trip() {
        let t = Transformer::new("EPSG:25832", WGS84).unwrap();
        // Flensburg town hall, roughly.
        let (lon, lat) = t.transform_point(527_500.0, 6_070_000.0).unwrap();
        assert!(
            (lon - 9.43).abs() < 0.02 && (lat - 54.78).abs() < 0.02,
            "{lon} {lat}"
        );
        let back = Transformer::new(WGS84, "EPSG:25832").unwrap();
        let (x, y) = back.transform_point(lon, lat).unwrap();
        assert!((x - 527_500.0).abs() < 1e-4 && (y - 6_070_000.0).abs() < 1e-4);
    }

    #[test]
    fn esri_prj_is_25832() {
        let prj = r#"PROJCS["ETRS_1989_UTM_Zone_32N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_from_wkt(prj).unwrap().label, "EPSG:25832");
    }

    #[test]
    fn gauss_krueger_by_parameters() {
        let prj = r#"PROJCS["DHDN_3_Degree_Gauss_Zone_2",GEOGCS["GCS_Deutsches_Hauptdreiecksnetz",DATUM["D_Deutsches_Hauptdreiecksnetz",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",2500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",6.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        // "Gauss_Kruger" is ESRI's name for transverse Mercator.
        assert_eq!(crs_from_wkt(prj).unwrap().label, "EPSG:31466");
    }

    #[test]
    fn wkt_with_authority() {
        let prj = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]"#;
        assert_eq!(crs_from_wkt(prj).unwrap().label, "EPSG:4326");
        let wkt2 = r#"PROJCRS["ETRS89 / UTM zone 33N",BASEGEOGCRS["ETRS89",DATUM["European Terrestrial Reference System 1989",ELLIPSOID["GRS 1980",6378137,298.257222101]]],CONVERSION["UTM zone 33N",METHOD["Transverse Mercator"],PARAMETER["Latitude of natural origin",0],PARAMETER["Longitude of natural origin",15],PARAMETER["Scale factor at natural origin",0.9996],PARAMETER["False easting",500000],PARAMETER["False northing",0]],CS[Cartesian,2],ID["EPSG",25833]]"#;
        assert_eq!(crs_from_wkt(wkt2).unwrap().label, "EPSG:25833");
    }
}
