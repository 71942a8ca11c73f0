//! Helpers for the command-line tests: running the binary, editing and reading files; a scratch
//! copy of an example atlas folder and the real data in `../shared/data` (from
//! `sozialatlas-test-support`).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

pub use sozialatlas_test_support::{repo, scratch, shared_data};

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary.
pub fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
        .args(args)
        .output()
        .expect("run sozialatlas");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces text in a file (panics when the text is not there, so a test cannot silently
/// test nothing).
pub fn edit(path: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(path).expect("read");
    assert!(
        s.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, s.replacen(from, to, 1)).expect("write");
}

/// Parses a CSV export (German: `;`, BOM) into header and rows.
pub fn parse_csv(text: &str, delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|x| x.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}
