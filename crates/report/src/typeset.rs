//! A typst `World` made of virtual files only: the template, the data as JSON, the maps and
//! charts as SVG, and the fonts compiled in. Nothing is read from disk, no system font is used.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The fonts of the report: Noto Sans regular and bold (the figures' fonts, compiled into
/// `sozialatlas-render`), italic and bold italic (OFL, `assets/fonts`), and the DejaVu Sans subset
/// with the signs Noto Sans lacks (− ≤ ≥ → …), which typst falls back to.
static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    let files: [&'static [u8]; 6] = [
        sozialatlas_render::NOTO_SANS_REGULAR,
        sozialatlas_render::NOTO_SANS_BOLD,
        include_bytes!("../../../assets/fonts/NotoSans-Italic.ttf"),
        include_bytes!("../../../assets/fonts/NotoSans-BoldItalic.ttf"),
        sozialatlas_render::DEJAVU_SANS_SYMBOLS,
        sozialatlas_render::DEJAVU_SANS_BOLD_SYMBOLS,
    ];
    files
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect()
});

static BOOK: LazyLock<LazyHash<FontBook>> =
    LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// An error of the typesetter, with its messages and the place in the template.
#[derive(Debug, thiserror::Error)]
#[error("typesetting failed: {0}")]
pub struct TypesetError(pub String);

/// A document to typeset: the main template and virtual files by path (`data.json`, `maps/x.svg`).
pub struct Job {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("virtual paths of the report are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl Job {
    /// `template` is the typst source of `main.typ`; `today` the date of the "Stand".
    pub fn new(template: &str, today: (i32, u8, u8)) -> Self {
        Job {
            main: Source::new(file_id("main.typ"), template.to_owned()),
            files: HashMap::new(),
            today: Datetime::from_ymd(today.0, today.1, today.2)
                .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("valid date")),
        }
    }

    /// Adds a virtual file at `path` (relative to the template, e.g. `maps/a.svg`).
    pub fn add_file(&mut self, path: &str, data: Vec<u8>) {
        self.files.insert(file_id(path), Bytes::new(data));
    }

    /// Adds another typst source file at `path` (for `#import`).
    pub fn add_source(&mut self, path: &str, text: &str) {
        self.files
            .insert(file_id(path), Bytes::from_string(text.to_owned()));
    }

    /// Typesets the document and writes a tagged PDF.
    pub fn pdf(&self) -> Result<Vec<u8>, TypesetError> {
        let warned = typst::compile::<PagedDocument>(self);
        let document = warned.output.map_err(|errors| self.describe(&errors))?;
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|errors| self.describe(&errors))
    }

    /// Typesets the document and returns its pages (for tests and page counts).
    pub fn document(&self) -> Result<PagedDocument, TypesetError> {
        typst::compile::<PagedDocument>(self)
            .output
            .map_err(|errors| self.describe(&errors))
    }

    fn describe(&self, errors: &[SourceDiagnostic]) -> TypesetError {
        let text: Vec<String> = errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let place = d
                    .span
                    .id()
                    .map(|id| {
                        let path = id.vpath().get_with_slash().to_owned();
                        match (self.source(id), typst::WorldExt::range(self, d.span)) {
                            (Ok(src), Some(range)) => {
                                let line = src.lines().byte_to_line(range.start).unwrap_or(0) + 1;
                                format!("{path}:{line}: ")
                            }
                            _ => format!("{path}: "),
                        }
                    })
                    .unwrap_or_default();
                let hints: String = d
                    .hints
                    .iter()
                    .map(|h| format!(" (hint: {})", h.v))
                    .collect();
                format!("{place}{}{hints}", d.message)
            })
            .collect();
        TypesetError(text.join("; "))
    }
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_owned()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_document_with_json_and_svg_compiles_to_pdf() {
        let mut job = Job::new(
            r#"#set text(font: "Noto Sans", lang: "de", hyphenate: true)
#let data = json("data.json")
= #data.title
Wert: *#data.value*
#image("maps/x.svg", width: 4cm, alt: "Karte")"#,
            (2026, 12, 4),
        );
        job.add_file(
            "data.json",
            br#"{"title": "Bericht", "value": "1.234,5"}"#.to_vec(),
        );
        job.add_file(
            "maps/x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>"#.to_vec(),
        );
        let pdf = job.pdf().expect("the tiny document compiles");
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        // Tagged PDF: a structure tree root is written.
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("StructTreeRoot"), "the PDF is not tagged");
    }

    #[test]
    fn emphasis_is_set_in_the_italic_fonts() {
        use typst::layout::{Frame, FrameItem};
        use typst::text::{FontStyle, FontWeight};
        fn styles(frame: &Frame, out: &mut Vec<(FontStyle, FontWeight, String)>) {
            for (_, item) in frame.items() {
                match item {
                    FrameItem::Group(g) => styles(&g.frame, out),
                    FrameItem::Text(t) => {
                        let v = t.font.font().info().variant;
                        out.push((v.style, v.weight, t.text.to_string()));
                    }
                    _ => {}
                }
            }
        }
        let job = Job::new(
            "#set text(font: \"Noto Sans\")\nnormal _kursiv_ *fett* *_beides_*",
            (2026, 12, 4),
        );
        let doc = job.document().expect("compiles");
        let mut found = Vec::new();
        for page in doc.pages() {
            styles(&page.frame, &mut found);
        }
        let style_of = |word: &str| {
            found
                .iter()
                .find(|(_, _, t)| t.contains(word))
                .map(|(s, w, _)| (*s, *w))
                .unwrap_or_else(|| panic!("{word} not set: {found:?}"))
        };
        assert_eq!(style_of("normal"), (FontStyle::Normal, FontWeight::REGULAR));
        assert_eq!(style_of("kursiv"), (FontStyle::Italic, FontWeight::REGULAR));
        assert_eq!(style_of("fett"), (FontStyle::Normal, FontWeight::BOLD));
        assert_eq!(style_of("beides"), (FontStyle::Italic, FontWeight::BOLD));
    }

    /// Every character the report can print: those in the report's sources and templates, the
    /// locale formatting, the words of the statistics (legends, cluster descriptions, index
    /// classes) and the example atlases' catalogues and texts.
    fn printable() -> std::collections::BTreeSet<char> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut walk = vec![
            root.join("crates/report/src"),
            root.join("crates/report/templates"),
            root.join("crates/classify/src"),
            root.join("crates/render/src"),
            root.join("crates/runs/src"),
        ];
        files.extend(
            [
                "crates/core/src/locale.rs",
                "crates/core/src/labels.rs",
                "crates/analysis/src/typology.rs",
                "crates/analysis/src/mss.rs",
            ]
            .map(|f| root.join(f)),
        );
        for entry in std::fs::read_dir(root.join("examples")).expect("examples") {
            let dir = entry.expect("entry").path();
            files.push(dir.join("catalogue.toml"));
            files.push(dir.join("atlas.toml"));
            walk.push(dir.join("texts"));
        }
        while let Some(dir) = walk.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    walk.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        let mut chars = std::collections::BTreeSet::new();
        for f in files {
            if let Ok(text) = std::fs::read_to_string(&f) {
                chars.extend(text.chars().filter(|c| !c.is_control()));
            }
        }
        chars
    }

    /// The report sets every character it can print in one of its fonts: typeset, every glyph
    /// is a real one (a missing glyph would be glyph 0, an empty box in the PDF).
    #[test]
    fn every_character_the_report_can_print_has_a_glyph() {
        use typst::layout::{Frame, FrameItem};
        fn glyphs(frame: &Frame, out: &mut Vec<(String, u16)>) {
            for (_, item) in frame.items() {
                match item {
                    FrameItem::Group(g) => glyphs(&g.frame, out),
                    FrameItem::Text(t) => {
                        for g in &t.glyphs {
                            out.push((t.text[g.range()].to_string(), g.id));
                        }
                    }
                    _ => {}
                }
            }
        }
        let chars = printable();
        for c in ['−', '≤', '≥', '→', '„', '“', '‰', '²', '€', '…', '–'] {
            assert!(chars.contains(&c), "{c} is among the printable characters");
        }
        let text: String = chars
            .iter()
            .filter(|c| !c.is_whitespace())
            .map(|c| format!("#\"\\u{{{:x}}}\" ", u32::from(*c)))
            .collect();
        for style in ["", "*", "_"] {
            let job = Job::new(
                &format!("#set text(font: \"Noto Sans\")\n{style}{text}{style}"),
                (2026, 12, 4),
            );
            let doc = job.document().expect("compiles");
            let mut found = Vec::new();
            for page in doc.pages() {
                glyphs(&page.frame, &mut found);
            }
            let missing: Vec<&String> = found
                .iter()
                .filter(|(t, id)| *id == 0 && !t.trim().is_empty())
                .map(|(t, _)| t)
                .collect();
            assert!(
                missing.is_empty(),
                "no glyph in the report's fonts ({style:?}): {missing:?}"
            );
            assert!(found.len() >= chars.len() / 2, "the characters were set");
        }
    }

    #[test]
    fn an_error_in_the_template_names_the_line() {
        let job = Job::new("= Titel\n#let x = json(\"missing.json\")", (2026, 12, 4));
        let err = job.pdf().unwrap_err().0;
        assert!(err.contains("main.typ:2"), "{err}");
        assert!(err.contains("missing.json"), "{err}");
    }
}
