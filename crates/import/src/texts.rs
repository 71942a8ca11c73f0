//! The editors' texts (Redaktionstexte) of the report: optional Markdown files in the atlas
//! folder, found by name.
//!
//! | file | where the report prints it |
//! |---|---|
//! | `texts/introduction.md` | the introduction, before the first chapter |
//! | `texts/<dimension-id>.md` | the chapter of that dimension of the catalogue, before its indicators |
//! | `texts/typology.md` | the typology chapter, before the cluster analysis |
//!
//! `<name>.md` is German (the atlas's default language), `<name>.en.md` English. A Markdown
//! file in `texts/` whose name is none of these is reported as a warning (a typo in a
//! dimension id would otherwise drop a chapter's text without a word).

use sozialatlas_core::{Catalogue, Locale};

use crate::Reader;
use crate::error::ImportError;

/// The folder of the texts, relative to the atlas folder.
pub const TEXTS_DIR: &str = "texts";
/// The name of the introduction's text.
pub const INTRODUCTION: &str = "introduction";
/// The name of the typology chapter's text.
pub const TYPOLOGY: &str = "typology";

pub use sozialatlas_model::EditorText;

/// The file of a text: `texts/<name>.md` (German) or `texts/<name>.en.md`.
pub fn text_path(name: &str, locale: Locale) -> String {
    match locale {
        Locale::De => format!("{TEXTS_DIR}/{name}.md"),
        Locale::En => format!("{TEXTS_DIR}/{name}.en.md"),
    }
}

/// Reads every text the catalogue's dimensions and the fixed names allow; warns about other
/// Markdown files in `texts/`.
pub(crate) fn read_texts(
    r: &mut Reader<'_>,
    catalogue: &Catalogue,
    warnings: &mut Vec<String>,
) -> Result<Vec<EditorText>, ImportError> {
    let mut names: Vec<&str> = vec![INTRODUCTION];
    names.extend(catalogue.dimensions.iter().map(|d| d.id.as_str()));
    names.push(TYPOLOGY);
    let mut out = Vec::new();
    for name in &names {
        for locale in [Locale::De, Locale::En] {
            let path = text_path(name, locale);
            let Some(bytes) = r.read_optional(&path, "an editors' text")? else {
                continue;
            };
            let markdown = String::from_utf8(bytes).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                ImportError::file(&path, "UTF-8 text (Markdown)", "bytes that are not UTF-8")
                    .at_line(line)
            })?;
            out.push(EditorText {
                name: name.to_string(),
                locale,
                path,
                markdown: markdown.trim_start_matches('\u{feff}').to_string(),
            });
        }
    }
    if let Some(files) = r.src.list(TEXTS_DIR) {
        for f in files.iter().filter(|f| f.ends_with(".md")) {
            let stem = f.trim_end_matches(".md").trim_end_matches(".en");
            if !names.contains(&stem) {
                warnings.push(format!(
                    "{TEXTS_DIR}/{f}: not used — expected `<name>.md` or `<name>.en.md` with a name among {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;
    use std::borrow::Cow;

    fn source(files: &[(&str, &[u8])]) -> MemorySource {
        MemorySource {
            name: "test".into(),
            files: files
                .iter()
                .map(|(p, b)| (p.to_string(), Cow::Owned(b.to_vec())))
                .collect(),
        }
    }

    fn catalogue() -> Catalogue {
        toml::from_str(
            r#"version = "1"
[[dimension]]
id = "wohnen"
name = { de = "Wohnen", en = "Housing" }
"#,
        )
        .unwrap()
    }

    #[test]
    fn found_by_name_with_checksums_and_warnings() {
        let src = source(&[
            ("texts/introduction.md", "# Einleitung\n".as_bytes()),
            ("texts/wohnen.md", "\u{feff}Text *Wohnen*".as_bytes()),
            ("texts/wohnen.en.md", b"Housing text"),
            ("texts/wohen.md", b"typo"),
            ("texts/notes.txt", b"not markdown"),
        ]);
        let mut r = Reader {
            config_text: String::new(),
            src: &src,
            inputs: Vec::new(),
        };
        let mut warnings = Vec::new();
        let t = read_texts(&mut r, &catalogue(), &mut warnings).unwrap();
        let got: Vec<(&str, Locale)> = t.iter().map(|t| (t.name.as_str(), t.locale)).collect();
        assert_eq!(
            got,
            [
                ("introduction", Locale::De),
                ("wohnen", Locale::De),
                ("wohnen", Locale::En)
            ]
        );
        assert_eq!(t[1].markdown, "Text *Wohnen*", "BOM dropped");
        assert_eq!(r.inputs.len(), 3, "every text is an input with a checksum");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("texts/wohen.md: not used"));
        assert!(warnings[0].contains("`wohnen`"));
    }

    #[test]
    fn not_utf8_names_file_and_line() {
        let src = source(&[("texts/typology.md", b"ok\nbad \xff here")]);
        let mut r = Reader {
            config_text: String::new(),
            src: &src,
            inputs: Vec::new(),
        };
        let e = read_texts(&mut r, &catalogue(), &mut Vec::new()).unwrap_err();
        assert_eq!(e.file, "texts/typology.md");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("expected UTF-8 text"));
    }
}
