//! `docs/ATLAS-FOLDER.md`, the reference of every key of `atlas.toml` and the catalogue, checked
//! against the parser: the keys a table accepts are read from the parser itself (the error it
//! gives for an unknown key lists every key it expects), so the reference cannot drift.

#[cfg(test)]
mod tests {
    use crate::config::AtlasConfig;
    use sozialatlas_core::Catalogue;
    use std::collections::BTreeSet;

    const REFERENCE: &str = include_str!("../../../docs/ATLAS-FOLDER.md");
    const UNKNOWN: &str = "zz_not_a_key";

    /// The keys in the first column of the table after `<!-- keys: {table} -->`.
    fn documented(table: &str) -> BTreeSet<String> {
        let marker = format!("<!-- keys: {table} -->");
        let start = REFERENCE
            .find(&marker)
            .unwrap_or_else(|| panic!("docs/ATLAS-FOLDER.md has no `{marker}`"));
        REFERENCE[start + marker.len()..]
            .lines()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                let cell = l.split('|').nth(1).unwrap_or("").trim();
                cell.trim_matches('`').to_string()
            })
            .collect()
    }

    /// The keys the parser accepts where `doc` has the unknown key, from its error message
    /// (serde: "unknown field `x`, expected one of `a`, `b`" or "expected `a`").
    fn accepted<T: serde::de::DeserializeOwned + std::fmt::Debug>(doc: &str) -> BTreeSet<String> {
        let err = toml::from_str::<T>(doc).expect_err("a document with an unknown key is refused");
        let msg = err.message().to_string();
        let (_, expected) = msg
            .split_once(&format!("unknown field `{UNKNOWN}`, expected "))
            .unwrap_or_else(|| panic!("not an unknown-field error: {msg}"));
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn atlas(extra_atlas: &str, rest: &str) -> String {
        format!(
            "[atlas]\nname = {{ de = \"A\" }}\ncity = \"C\"\nstand = \"2024\"\n{extra_atlas}\n\
             [[level]]\nid = \"stadt\"\nname = {{ de = \"Stadt\" }}\nareas = [{{ key = \"0\", name = \"C\" }}]\n{rest}"
        )
    }

    fn catalogue(rest: &str) -> String {
        format!("version = \"1\"\n{rest}")
    }

    fn check(table: &str, accepted: BTreeSet<String>) {
        let documented = documented(table);
        let undocumented: Vec<_> = accepted.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&accepted).collect();
        assert!(
            undocumented.is_empty() && unknown.is_empty(),
            "docs/ATLAS-FOLDER.md, table `{table}`: keys the parser accepts but the reference does \
             not list: {undocumented:?}; keys the reference lists but the parser refuses: {unknown:?}"
        );
    }

    #[test]
    fn every_key_of_atlas_toml_is_in_the_reference_and_no_other() {
        let u = format!("{UNKNOWN} = 1");
        check(
            "atlas_toml",
            accepted::<AtlasConfig>(&format!("{u}\n{}", atlas("", ""))),
        );
        check("atlas", accepted::<AtlasConfig>(&atlas(&u, "")));
        check(
            "settings",
            accepted::<AtlasConfig>(&atlas("", &format!("[settings]\n{u}"))),
        );
        let level = accepted::<AtlasConfig>(&atlas("", &format!("[[level]]\nid = \"x\"\n{u}")));
        check("level", level.clone());
        // An overlay takes the keys of a level (the reference says so instead of a second table).
        let overlay = accepted::<AtlasConfig>(&atlas(
            "",
            &format!("[[overlay]]\nid = \"o\"\nname = {{ de = \"O\" }}\n{u}"),
        ));
        assert_eq!(
            overlay, level,
            "[[overlay]] and [[level]] take the same keys"
        );
        check(
            "membership",
            accepted::<AtlasConfig>(&atlas(
                "",
                &format!(
                    "[[overlay]]\nid = \"o\"\nname = {{ de = \"O\" }}\n[overlay.membership]\n{u}"
                ),
            )),
        );
        let vintage = |extra: &str| {
            atlas(
                "",
                &format!(
                    "[[level]]\nid = \"x\"\nname = {{ de = \"X\" }}\n\
                     [[level.vintage]]\nid = \"v\"\nboundaries = \"v.geojson\"\n{extra}"
                ),
            )
        };
        check("vintage", accepted::<AtlasConfig>(&vintage(&u)));
        check(
            "crosswalk",
            accepted::<AtlasConfig>(&vintage(&format!("[level.vintage.crosswalk]\n{u}"))),
        );
        check(
            "inline_area",
            accepted::<AtlasConfig>(&format!(
                "[atlas]\nname = {{ de = \"A\" }}\ncity = \"C\"\nstand = \"2024\"\n\
                 [[level]]\nid = \"stadt\"\nname = {{ de = \"Stadt\" }}\n\
                 areas = [{{ key = \"0\", name = \"C\", {u} }}]"
            )),
        );
        check(
            "data",
            accepted::<AtlasConfig>(&atlas(
                "",
                &format!("[[data]]\nfile = \"d.csv\"\nlevel = \"stadt\"\n{u}"),
            )),
        );
        check(
            "addresses",
            accepted::<AtlasConfig>(&atlas("", &format!("[addresses]\n{u}"))),
        );
        check(
            "text",
            accepted::<AtlasConfig>(&format!(
                "[atlas]\nname = {{ de = \"A\", {u} }}\ncity = \"C\"\nstand = \"2024\""
            )),
        );
    }

    #[test]
    fn every_key_of_the_catalogue_is_in_the_reference_and_no_other() {
        let u = format!("{UNKNOWN} = 1");
        check("catalogue", accepted::<Catalogue>(&catalogue(&u)));
        check(
            "dimension",
            accepted::<Catalogue>(&catalogue(&format!(
                "[[dimension]]\nid = \"d\"\nname = {{ de = \"D\" }}\n{u}"
            ))),
        );
        check(
            "variable",
            accepted::<Catalogue>(&catalogue(&format!(
                "[[variable]]\nid = \"v\"\nname = {{ de = \"V\" }}\n{u}"
            ))),
        );
        check(
            "indicator",
            accepted::<Catalogue>(&catalogue(&format!(
                "[[indicator]]\nid = \"i\"\nname = {{ de = \"I\" }}\ndimension = \"d\"\n\
                 unit = \"%\"\nformula = \"count\"\nvariable = \"v\"\n{u}"
            ))),
        );
    }

    #[test]
    fn the_reference_lists_each_key_once_per_table() {
        for table in [
            "atlas_toml",
            "atlas",
            "settings",
            "level",
            "vintage",
            "crosswalk",
            "inline_area",
            "data",
            "addresses",
            "catalogue",
            "dimension",
            "variable",
            "indicator",
            "text",
        ] {
            let marker = format!("<!-- keys: {table} -->");
            assert_eq!(REFERENCE.matches(&marker).count(), 1, "{marker} once");
            let start = REFERENCE.find(&marker).unwrap() + marker.len();
            let rows = REFERENCE[start..]
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| l.starts_with('|'))
                .count();
            assert_eq!(
                rows - 2,
                documented(table).len(),
                "table `{table}` lists a key twice"
            );
        }
    }
}
