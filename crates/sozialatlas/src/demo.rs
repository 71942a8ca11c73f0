//! The embedded demo: Flensburg's real Sozialatlas (`examples/flensburg/`), compiled into the
//! binary so that every command works on a fresh machine with no files.

use include_dir::{Dir, include_dir};
use sozialatlas_import::MemorySource;
use std::borrow::Cow;

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../examples/flensburg");

/// The demo atlas folder as an in-memory file source.
pub fn source() -> MemorySource {
    let mut src = MemorySource {
        name: "embedded demo (examples/flensburg)".into(),
        ..Default::default()
    };
    fn walk(d: &'static Dir<'static>, src: &mut MemorySource) {
        for f in d.files() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            src.files.insert(path, Cow::Borrowed(f.contents()));
        }
        for sub in d.dirs() {
            walk(sub, src);
        }
    }
    walk(&DEMO, &mut src);
    src
}
