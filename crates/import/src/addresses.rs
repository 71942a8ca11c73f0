//! `[addresses]`: the address register — one row per address with the area it lies in, by key
//! or by coordinates located in the level's polygons (the point-in-polygon index of the
//! aggregate crate, as for points files) — read into the model's [`AddressRegister`].

use std::collections::HashMap;
use std::io::Read;

use sozialatlas_aggregate::PolygonIndex;
use sozialatlas_core::AreaTree;
use sozialatlas_model::{AddressRegister, HouseNumber, StreetAddresses};

use crate::config::{AddressConfig, LevelConfig};
use crate::error::{ImportError, ImportErrors, MAX_ERRORS};
use crate::table::{Lines, decode, detect_delimiter, normalize_name, parse_delimiter};
use crate::{Reader, pad, padding_hint};

/// Addresses left out (unknown key, outside every area) listed in the warning.
const SAMPLE: usize = 5;
/// The largest house number taken (a larger one is a typing error).
const MAX_NUMBER: u32 = 999_999;

/// Where an address's area comes from.
enum Locate {
    /// The key in this column.
    Key(usize),
    /// The point in these columns (x, y), located in the level's polygons: the index and the
    /// tree area of each of its areas.
    Point(usize, usize, Box<PolygonIndex>, Vec<usize>),
}

/// Splits a house number as written into number and suffix: `12` → 12, `12a` → 12 `a`,
/// `12 1/2` → 12 `1/2`; empty → none.
fn house_number(text: &str) -> Result<HouseNumber, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(HouseNumber::default());
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number: u32 = text[..digits].parse().map_err(|_| ())?;
    if number > MAX_NUMBER {
        return Err(());
    }
    Ok(HouseNumber {
        number: Some(number),
        suffix: text[digits..].trim().to_string(),
    })
}

/// Reads the register of `ac`; addresses left out go into `warnings`.
pub(crate) fn read_addresses(
    r: &mut Reader<'_>,
    ac: &AddressConfig,
    levels: &[LevelConfig],
    tree: &AreaTree,
    warnings: &mut Vec<String>,
) -> Result<AddressRegister, ImportErrors> {
    let file = ac.file.as_str();
    let setting = |field: &str, expected: String, found: String| {
        ImportError::file("atlas.toml", expected, found).in_column(format!("addresses: {field}"))
    };
    let level = tree
        .level_index(&ac.level)
        .filter(|&l| !tree.levels[l].overlay)
        .ok_or_else(|| {
            let ids: Vec<String> = levels.iter().map(|l| format!("`{}`", l.id)).collect();
            setting(
                "level",
                format!("the id of a level (one of {})", ids.join(", ")),
                format!("`{}`", ac.level),
            )
        })?;
    let lower = file.to_ascii_lowercase();
    if !(lower.ends_with(".csv") || lower.ends_with(".csv.gz")) {
        return Err(setting(
            "file",
            "a CSV file (`.csv`, or compressed with gzip: `.csv.gz`)".into(),
            format!("`{file}`"),
        )
        .into());
    }
    let given: Vec<&str> = [
        ("area", ac.area.is_some()),
        ("x", ac.x.is_some()),
        ("y", ac.y.is_some()),
        ("crs", ac.crs.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect();
    if given != ["area"] && given != ["x", "y", "crs"] {
        return Err(setting(
            "area",
            "either `area` (the column with the area key) or `x`, `y` and `crs` (coordinates)"
                .into(),
            if given.is_empty() {
                "none of them".into()
            } else {
                given
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        )
        .into());
    }
    if ac.area.is_none() && ac.key_width.is_some() {
        return Err(setting(
            "key_width",
            "no key_width with coordinates (it pads the keys of `area`)".into(),
            "`key_width`".into(),
        )
        .into());
    }
    let delim = parse_delimiter(&ac.delimiter, file)
        .map_err(|e| setting("delimiter", e.expected, e.found))?;

    let raw = r.read(file, "the address register")?;
    let bytes = if lower.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| {
                ImportError::file(file, "a CSV file compressed with gzip", e.to_string())
            })?;
        out
    } else {
        raw
    };
    let text = decode(&bytes, &ac.encoding, file)?;
    drop(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim.unwrap_or_else(|| detect_delimiter(&text)))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut next = |record: &mut csv::StringRecord, lines: &mut Lines| {
        rdr.read_record(record).map_err(|e| {
            let line = e.position().map_or(0, |p| lines.at(p.byte()));
            ImportError::file(file, "a well-formed CSV record", e.to_string()).at_line(line)
        })
    };
    if !next(&mut record, &mut lines)? {
        return Err(ImportError::file(file, "a header line", "an empty file")
            .at_line(1)
            .into());
    }
    let header: Vec<String> = record.iter().map(normalize_name).collect();
    let column = |name: &str| -> Result<usize, ImportError> {
        let wanted = normalize_name(name);
        header.iter().position(|h| *h == wanted).ok_or_else(|| {
            ImportError::file(
                file,
                format!("a column `{name}` (named in atlas.toml)"),
                format!(
                    "the columns {}",
                    header
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at_line(1)
        })
    };
    let optional = |name: &Option<String>| name.as_deref().map(column).transpose();
    let cols = (
        column(&ac.street)?,
        optional(&ac.number)?,
        optional(&ac.suffix)?,
        optional(&ac.postcode)?,
        optional(&ac.locality)?,
    );
    let keys: HashMap<&str, usize> = tree
        .areas_of_level(level)
        .into_iter()
        .map(|a| (tree.areas[a].key.as_str(), a))
        .collect();
    let locate = match (&ac.area, &ac.x, &ac.y, &ac.crs) {
        (Some(area), ..) => Locate::Key(column(area)?),
        (None, Some(x), Some(y), Some(crs)) => {
            sozialatlas_geo::resolve_crs(crs).map_err(|e| setting("crs", e.expected, e.found))?;
            let (xc, yc) = (column(x)?, column(y)?);
            let lc = levels
                .iter()
                .find(|l| l.id == tree.levels[level].id)
                .expect("every level of the tree comes from atlas.toml");
            let boundaries = lc.boundaries.as_deref().ok_or_else(|| {
                setting(
                    "level",
                    "a level with a boundary file (addresses are located in its polygons)".into(),
                    format!("level `{}` with inline areas and no geometry", ac.level),
                )
            })?;
            let (index, tree_area) =
                crate::points::level_index(r, lc, boundaries, crs, tree, level)?;
            Locate::Point(xc, yc, Box::new(index), tree_area)
        }
        _ => unreachable!("checked above: a key column or coordinates"),
    };
    // A decimal comma only where the comma does not separate fields.
    let comma_decimal = delim.unwrap_or_else(|| detect_delimiter(&text)) != b',';

    let (street_col, number_col, suffix_col, postcode_col, locality_col) = cols;
    let mut errors: Vec<ImportError> = Vec::new();
    let mut streets: HashMap<(String, String, String), usize> = HashMap::new();
    let mut register: Vec<StreetAddresses> = Vec::new();
    // Per street: (house number, area, line), to name both lines of an address given twice.
    let mut lines_of: Vec<Vec<u64>> = Vec::new();
    let (mut records, mut unknown, mut outside) = (0u64, 0u64, 0u64);
    let mut sample: Vec<String> = Vec::new();
    while next(&mut record, &mut lines)? {
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        records += 1;
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let mut fail = |column: &Option<String>, expected: &str, found: String| {
            errors.push(
                ImportError::file(file, expected, found)
                    .at_line(line)
                    .in_column(column.clone().unwrap_or_default()),
            );
        };
        let street = cell(street_col);
        if street.is_empty() {
            fail(
                &Some(ac.street.clone()),
                "a street name",
                "an empty cell".into(),
            );
        }
        let mut house = match number_col.map(cell) {
            None => HouseNumber::default(),
            Some(text) => match house_number(text) {
                Ok(h) => h,
                Err(()) => {
                    fail(
                        &ac.number,
                        &format!(
                            "a house number: digits up to {MAX_NUMBER}, optionally followed by a \
                             suffix (12, 12a), or empty"
                        ),
                        format!("`{text}`"),
                    );
                    HouseNumber::default()
                }
            },
        };
        if let Some(c) = suffix_col {
            let suffix = cell(c);
            if !suffix.is_empty() && house.number.is_none() {
                fail(
                    &ac.suffix,
                    "a suffix only with a house number",
                    format!("`{suffix}` without a number"),
                );
            }
            house.suffix.push_str(suffix);
        }
        let area = match &locate {
            Locate::Key(c) => {
                let key = pad(cell(*c).to_string(), ac.key_width);
                match keys.get(key.as_str()) {
                    Some(&a) => Some(a),
                    None => {
                        unknown += 1;
                        if sample.len() < SAMPLE {
                            sample.push(format!(
                                "line {line}: `{key}`{}",
                                padding_hint(&key, &keys, &ac.level)
                            ));
                        }
                        None
                    }
                }
            }
            Locate::Point(xc, yc, index, tree_area) => {
                let coordinate = |c: usize, name: &Option<String>| {
                    let text = cell(c);
                    let parsed = if comma_decimal {
                        text.replace(',', ".").parse::<f64>()
                    } else {
                        text.parse::<f64>()
                    };
                    parsed.ok().filter(|v| v.is_finite()).ok_or_else(|| {
                        (
                            name.clone(),
                            if comma_decimal {
                                "a number (decimal point or comma)"
                            } else {
                                "a number (decimal point)"
                            },
                            format!("`{text}`"),
                        )
                    })
                };
                match (coordinate(*xc, &ac.x), coordinate(*yc, &ac.y)) {
                    (Ok(x), Ok(y)) => match index.locate(x, y) {
                        Some(i) => Some(tree_area[i]),
                        None => {
                            outside += 1;
                            if sample.len() < SAMPLE {
                                sample.push(format!("line {line}: {x}, {y}"));
                            }
                            None
                        }
                    },
                    (Err((col, expected, found)), _) | (_, Err((col, expected, found))) => {
                        fail(&col, expected, found);
                        None
                    }
                }
            }
        };
        if errors.len() >= MAX_ERRORS {
            return Err(ImportErrors(errors));
        }
        let Some(area) = area else { continue };
        if !errors.is_empty() {
            continue;
        }
        let key = (
            street.to_string(),
            postcode_col.map(cell).unwrap_or("").to_string(),
            locality_col.map(cell).unwrap_or("").to_string(),
        );
        let s = match streets.get(&key) {
            Some(&s) => s,
            None => {
                let (name, postcode, locality) = key.clone();
                register.push(StreetAddresses {
                    name,
                    postcode,
                    locality,
                    numbers: Vec::new(),
                });
                lines_of.push(Vec::new());
                streets.insert(key, register.len() - 1);
                register.len() - 1
            }
        };
        register[s].numbers.push((house, area));
        lines_of[s].push(line);
    }
    if !errors.is_empty() {
        return Err(ImportErrors(errors));
    }
    // One area per address: an address given twice with two areas names both lines.
    for (s, lines) in register.iter().zip(&lines_of) {
        let mut order: Vec<usize> = (0..s.numbers.len()).collect();
        order.sort_by(|&a, &b| s.numbers[a].0.cmp(&s.numbers[b].0));
        for w in order.windows(2) {
            let ((h1, a1), (h2, a2)) = (&s.numbers[w[0]], &s.numbers[w[1]]);
            if h1 == h2 && a1 != a2 {
                errors.push(
                    ImportError::file(
                        file,
                        "one area per address",
                        format!(
                            "{} {h1}{} in area `{}` (line {}) and in area `{}`",
                            s.name,
                            [&s.postcode, &s.locality]
                                .iter()
                                .filter(|t| !t.is_empty())
                                .map(|t| format!(", {t}"))
                                .collect::<String>(),
                            tree.areas[*a1].key,
                            lines[w[0]],
                            tree.areas[*a2].key
                        ),
                    )
                    .at_line(lines[w[1]]),
                );
                if errors.len() >= MAX_ERRORS {
                    return Err(ImportErrors(errors));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportErrors(errors));
    }
    let left_out = unknown + outside;
    let assigned = records - left_out;
    let why = if unknown > 0 {
        format!(
            "have a key that is no area of level `{}` and are left out",
            ac.level
        )
    } else {
        format!(
            "lie outside every area of level `{}` and are left out",
            ac.level
        )
    };
    if assigned == 0 {
        let mut e = ImportError::file(
            file,
            format!("addresses in areas of level `{}`", ac.level),
            if records == 0 {
                "a header and no addresses".to_string()
            } else {
                format!(
                    "{records} addresses that all {why} (e.g. {})",
                    sample.join("; ")
                )
            },
        );
        if records > 0 {
            e = e.in_column(match (&ac.area, &ac.x) {
                (Some(a), _) => a.clone(),
                (None, Some(x)) => x.clone(),
                _ => String::new(),
            });
        }
        return Err(e.into());
    }
    if left_out > 0 {
        warnings.push(format!(
            "{file}: {left_out} of {records} addresses {why} (e.g. {}{})",
            sample.join("; "),
            if left_out as usize > sample.len() {
                "; …"
            } else {
                ""
            }
        ));
    }
    Ok(AddressRegister::new(level, register))
}

#[cfg(test)]
mod tests {
    use crate::vintage::tests::CATALOGUE;
    use crate::{Atlas, ImportErrors, MemorySource, load_atlas};
    use sozialatlas_model::HouseNumber;
    use std::borrow::Cow;
    use std::io::Write;

    /// A city with two districts given inline (keys 01, 02) and two squares (keys 1, 2) of
    /// 0.01° side by side from (9, 54).
    const ATLAS: &str = r#"
[atlas]
name = { de = "Test" }
city = "Test"
stand = "2024"
catalogue = "c.toml"

[[level]]
id = "stadt"
name = { de = "Stadt" }
areas = [{ key = "0", name = "Test" }]

[[level]]
id = "bezirk"
name = { de = "Bezirk" }
parent = "stadt"
areas = [{ key = "01", name = "Nord" }, { key = "02", name = "Süd" }]

[[level]]
id = "block"
name = { de = "Block" }
parent = "stadt"
boundaries = "blocks.geojson"
key = "id"
name_property = "id"
"#;

    const BLOCKS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"1"},"geometry":{"type":"Polygon","coordinates":[[[9,54],[9.01,54],[9.01,54.01],[9,54.01],[9,54]]]}},
{"type":"Feature","properties":{"id":"2"},"geometry":{"type":"Polygon","coordinates":[[[9.01,54],[9.02,54],[9.02,54.01],[9.01,54.01],[9.01,54]]]}}]}"#;

    const BY_KEY: &str = "[addresses]\nfile = \"adressen.csv\"\nlevel = \"bezirk\"\narea = \"bez\"\nkey_width = 2\nstreet = \"strasse\"\nnumber = \"hnr\"\nsuffix = \"zusatz\"\npostcode = \"plz\"\nlocality = \"ort\"\n";

    const REGISTER: &str = "strasse;hnr;zusatz;plz;ort;bez\n\
        Ackerstraße;1;;10115;Mitte;1\n\
        Ackerstraße;1;A;10115;Mitte;01\n\
        Ackerstraße;1;B;10115;Mitte;02\n\
        Ackerstraße;2;;10115;Mitte;02\n\
        Ackerstraße;3;;10115;Mitte;02\n\
        Pappelplatz;;;10115;Mitte;01\n";

    fn folder(atlas_extra: &str, files: &[(&str, Vec<u8>)]) -> MemorySource {
        let mut src = MemorySource {
            name: "test".into(),
            ..Default::default()
        };
        src.files.insert(
            "atlas.toml".into(),
            Cow::Owned(format!("{ATLAS}{atlas_extra}").into_bytes()),
        );
        src.files
            .insert("c.toml".into(), Cow::Owned(CATALOGUE.as_bytes().to_vec()));
        src.files.insert(
            "blocks.geojson".into(),
            Cow::Owned(BLOCKS.as_bytes().to_vec()),
        );
        for (name, bytes) in files {
            src.files
                .insert(name.to_string(), Cow::Owned(bytes.clone()));
        }
        src
    }

    fn load(extra: &str, files: &[(&str, Vec<u8>)]) -> Result<Atlas, ImportErrors> {
        load_atlas(&folder(extra, files), &|_, _, _| {})
    }

    fn area(atlas: &Atlas, level: &str, key: &str) -> usize {
        let l = atlas.tree.level_index(level).unwrap();
        atlas
            .tree
            .areas_of_level(l)
            .into_iter()
            .find(|&a| atlas.tree.areas[a].key == key)
            .unwrap()
    }

    /// The area of `street number suffix` in the register.
    fn lookup(atlas: &Atlas, street: &str, number: u32, suffix: &str) -> Option<usize> {
        let r = atlas.addresses.as_ref().unwrap();
        let s = r.streets().iter().position(|s| s.name == street)?;
        r.find(s, number, suffix).map(|(_, a)| a)
    }

    #[test]
    fn addresses_by_key_plain_and_gzipped() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(REGISTER.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let plain = load(BY_KEY, &[("adressen.csv", REGISTER.as_bytes().to_vec())]).unwrap();
        let zipped = load(
            &BY_KEY.replace("adressen.csv", "adressen.csv.gz"),
            &[("adressen.csv.gz", gz)],
        )
        .unwrap();
        for atlas in [&plain, &zipped] {
            let (nord, sued) = (area(atlas, "bezirk", "01"), area(atlas, "bezirk", "02"));
            let r = atlas.addresses.as_ref().unwrap();
            assert_eq!(r.len(), 6);
            assert_eq!(r.level(), atlas.tree.level_index("bezirk").unwrap());
            // `1` is padded to `01` (key_width).
            assert_eq!(lookup(atlas, "Ackerstraße", 1, ""), Some(nord));
            assert_eq!(lookup(atlas, "Ackerstraße", 1, "a"), Some(nord));
            assert_eq!(lookup(atlas, "Ackerstraße", 1, "B"), Some(sued));
            assert_eq!(lookup(atlas, "Ackerstraße", 4, ""), None);
            let platz = r.streets().iter().position(|s| s.name == "Pappelplatz");
            assert_eq!(
                r.numbers(platz.unwrap()).collect::<Vec<_>>(),
                vec![(HouseNumber::default(), nord)]
            );
            assert_eq!(r.postcode("10115"), Some(&[(nord, 3), (sued, 3)][..]));
            assert!(atlas.warnings.is_empty(), "{:?}", atlas.warnings);
        }
        // The register is an input of the load, with the checksum of the file as it is.
        assert!(zipped.inputs.iter().any(|i| i.path == "adressen.csv.gz"));
    }

    #[test]
    fn addresses_by_coordinates_are_located_in_the_polygons() {
        let extra = "[addresses]\nfile = \"a.csv\"\nlevel = \"block\"\nx = \"lon\"\ny = \"lat\"\ncrs = \"EPSG:4326\"\nstreet = \"strasse\"\nnumber = \"nr\"\n";
        let csv = "strasse;nr;lon;lat\nWeg;1;9,005;54,005\nWeg;2a;9.015;54.005\nWeg;3;8.5;54.005\nWeg;4;8.6;54.005\n";
        let atlas = load(extra, &[("a.csv", csv.as_bytes().to_vec())]).unwrap();
        assert_eq!(
            lookup(&atlas, "Weg", 1, ""),
            Some(area(&atlas, "block", "1"))
        );
        assert_eq!(
            lookup(&atlas, "Weg", 2, "A"),
            Some(area(&atlas, "block", "2"))
        );
        assert_eq!(lookup(&atlas, "Weg", 3, ""), None);
        assert_eq!(atlas.addresses.as_ref().unwrap().len(), 2);
        assert_eq!(
            atlas.warnings,
            vec![
                "a.csv: 2 of 4 addresses lie outside every area of level `block` and are left out \
                 (e.g. line 4: 8.5, 54.005; line 5: 8.6, 54.005)"
            ]
        );
        // A coordinate that is no number names line and column.
        let bad = csv.replace("9.015", "9.x15");
        let e = load(extra, &[("a.csv", bad.into_bytes())]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv, line 3, column `lon`: expected a number (decimal point or comma), found `9.x15`"
        );
    }

    #[test]
    fn bad_registers_are_named_by_file_line_and_column() {
        let with = |csv: &str| {
            load(BY_KEY, &[("adressen.csv", csv.as_bytes().to_vec())])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            with(&REGISTER.replace("Ackerstraße;2;", "Ackerstraße;zwei;")),
            "adressen.csv, line 5, column `hnr`: expected a house number: digits up to 999999, \
             optionally followed by a suffix (12, 12a), or empty, found `zwei`"
        );
        assert_eq!(
            with(&REGISTER.replace("Ackerstraße;3;", ";3;")),
            "adressen.csv, line 6, column `strasse`: expected a street name, found an empty cell"
        );
        assert_eq!(
            with(&REGISTER.replace("strasse;", "str;")),
            "adressen.csv, line 1: expected a column `strasse` (named in atlas.toml), found the \
             columns `str`, `hnr`, `zusatz`, `plz`, `ort`, `bez`"
        );
        assert_eq!(
            with(&format!("{REGISTER}Ackerstraße;1;B;10115;Mitte;01\n")),
            "adressen.csv, line 8: expected one area per address, found Ackerstraße 1B, 10115, \
             Mitte in area `02` (line 4) and in area `01`"
        );
        assert_eq!(
            with("strasse;hnr;zusatz;plz;ort;bez\nWeg;1;;1;M;7\nWeg;2;;1;M;8\n"),
            "adressen.csv, column `bez`: expected addresses in areas of level `bezirk`, found 2 \
             addresses that all have a key that is no area of level `bezirk` and are left out \
             (e.g. line 2: `07`; line 3: `08`)"
        );
        assert_eq!(
            with(&REGISTER.replace("Pappelplatz;;;", "Pappelplatz;;X;")),
            "adressen.csv, line 7, column `zusatz`: expected a suffix only with a house number, \
             found `X` without a number"
        );
        let e = load(
            &BY_KEY.replace("adressen.csv", "adressen.csv.gz"),
            &[("adressen.csv.gz", REGISTER.as_bytes().to_vec())],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("adressen.csv.gz: expected a CSV file compressed with gzip, found "),
            "{e}"
        );
        // Keys that are no area are left out with a warning.
        let atlas = load(
            BY_KEY,
            &[(
                "adressen.csv",
                format!("{REGISTER}Weg;1;;1;M;9\n").into_bytes(),
            )],
        )
        .unwrap();
        assert_eq!(
            atlas.warnings,
            vec![
                "adressen.csv: 1 of 7 addresses have a key that is no area of level `bezirk` and \
                 are left out (e.g. line 8: `09`)"
            ]
        );
        // Settings.
        let setting = |extra: &str| {
            load(extra, &[("adressen.csv", REGISTER.as_bytes().to_vec())])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            setting(&BY_KEY.replace("area = \"bez\"", "x = \"x\"")),
            "atlas.toml, column `addresses: area`: expected either `area` (the column with the \
             area key) or `x`, `y` and `crs` (coordinates), found `x`"
        );
        assert_eq!(
            setting(&BY_KEY.replace("level = \"bezirk\"", "level = \"ortsteil\"")),
            "atlas.toml, column `addresses: level`: expected the id of a level (one of `stadt`, \
             `bezirk`, `block`), found `ortsteil`"
        );
        assert_eq!(
            setting(&BY_KEY.replace("adressen.csv", "adressen.xlsx")),
            "atlas.toml, column `addresses: file`: expected a CSV file (`.csv`, or compressed \
             with gzip: `.csv.gz`), found `adressen.xlsx`"
        );
        assert!(
            setting(&BY_KEY.replace("street =", "strasse =")).contains("unknown field `strasse`")
        );
    }
}
