//! Helpers for the command-line tests: running the binary, editing and reading files; a scratch
//! copy of an example atlas folder and the real data in `../shared/data` (from
//! `sozialatlas-test-support`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub use sozialatlas_test_support::{copy_dir, repo, scratch, shared_data};

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts that the run succeeded and said `part` on standard output.
    pub fn says(&self, part: &str) {
        assert_eq!(self.code, 0, "{}", self.stderr);
        assert!(self.stdout.contains(part), "{}", self.stdout);
    }

    /// Asserts that the run was refused (exit code 2) with `part` in the error message.
    pub fn refused(&self, part: &str) {
        assert_eq!(self.code, 2, "{}", self.stderr);
        assert!(self.stderr.contains(part), "{}", self.stderr);
    }
}

/// Runs the binary.
pub fn run(args: &[&str]) -> Run {
    finish(
        Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
            .args(args)
            .output()
            .expect("run sozialatlas"),
    )
}

/// Runs the binary with `input` on its standard input.
pub fn run_with_stdin(args: &[&str], input: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
        // The store is what the test names, never one from the environment.
        .env_remove("DATABASE_URL")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    // A command refused on its arguments exits without reading its input: the pipe is then
    // closed under the writer, which is no failure of the test (its exit code says the rest).
    match child.stdin.take().unwrap().write_all(input.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.unwrap(),
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary with environment variables `env` set (and no `SOZIALATLAS_*` or
/// `DATABASE_URL` from the test's own environment).
pub fn run_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sozialatlas"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("SOZIALATLAS_") || k == "DATABASE_URL" {
            cmd.env_remove(&*k);
        }
    }
    finish(
        cmd.args(args)
            .envs(env.iter().copied())
            .output()
            .expect("run sozialatlas"),
    )
}

fn finish(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `sozialatlas build ATLAS --db DB`.
pub fn build_store(atlas: &Path, db: &Path) -> Run {
    run(&[
        "build",
        atlas.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ])
}

/// A target for a new store: a new PostgreSQL database on the tests' server
/// (`SOZIALATLAS_TEST_DATABASE_URL`), else `file`.
pub fn store_target(file: &Path) -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(sozialatlas_test_support::test_target(file))
}

/// The data pool of the store `db` as international CSV (`sozialatlas export --format csv
/// --locale en`); the export must succeed.
pub fn export_csv(db: &Path) -> String {
    let r = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        "--locale",
        "en",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

/// A scratch copy of the example atlas `example` built into the store `db` in its folder: the
/// folder (removed when dropped) and the store's path.
pub fn built(example: &str, db: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, atlas) = scratch(example);
    let db = dir.path().join(db);
    let r = build_store(&atlas, &db);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, db)
}

/// `analyse typology --k 3` of the Flensburg example's five social indicators
/// ([`sozialatlas_test_support::FLENSBURG_SOCIAL`]), stored in `db`;
/// then `more`.
pub fn flensburg_typology(db: &str, more: &[&str]) -> Run {
    let indicators = sozialatlas_test_support::FLENSBURG_SOCIAL.join(",");
    let mut args = vec![
        "analyse",
        "typology",
        "--db",
        db,
        "--k",
        "3",
        "--indicators",
        &indicators,
    ];
    args.extend_from_slice(more);
    run(&args)
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

/// `sozialatlas serve` with `args` on a free local port, answering on `/`; stopped when dropped.
/// Its error output (one log line per request among it) is read while it runs, so that a full
/// pipe never blocks it.
pub struct Server {
    child: std::process::Child,
    pub addr: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// Starts the server (without the test's `RUST_LOG`, so its log is the default) and waits
    /// (up to 120 s) until `/` answers 200; panics with its error output if it exits before.
    pub fn start(args: &[&str]) -> Self {
        use std::io::Read;
        let addr = free_addr();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
            .arg("serve")
            .args(args)
            .args(["--listen", &addr])
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start sozialatlas serve");
        let mut pipe = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut err = String::new();
            let _ = pipe.read_to_string(&mut err);
            err
        });
        let mut server = Server {
            child,
            addr,
            stderr: Some(stderr),
        };
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                let err = server.stderr_text();
                panic!("serve exited with {status} before answering:\n{err}");
            }
            if server.try_get("/").is_some_and(|r| r.0 == 200) {
                return server;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(120),
                "serve did not answer within 120 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// The whole error output (after the process ended).
    fn stderr_text(&mut self) -> String {
        self.stderr
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Sends SIGTERM (as systemd and container platforms stop a service) and waits up to 30 s
    /// for the exit: its status and the error output.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "serve did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        (status, self.stderr_text())
    }

    /// GET `path`: the status code and the body; panics when the server does not answer.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path}: no answer"))
    }

    /// GET over plain HTTP/1.1 (`Connection: close`, a chunked body joined).
    fn try_get(&self, path: &str) -> Option<(u16, String)> {
        get_at(&self.addr, path)
    }
}

/// A free local address (`127.0.0.1:port`) for a listener.
pub fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// GET `path` from `addr` over plain HTTP/1.1 (`Connection: close`, a chunked body joined);
/// `None` when nothing answers.
pub fn get_at(addr: &str, path: &str) -> Option<(u16, String)> {
    http(addr, "GET", path, "", "").map(|r| (r.status, r.body))
}

/// An HTTP response: the status, the head (status line and headers) and the body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    /// The `name=value` part of the `Set-Cookie` header for the cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (h, v) = l.split_once(':')?;
            let pair = v.trim().split(';').next()?;
            (h.eq_ignore_ascii_case("set-cookie") && pair.starts_with(&format!("{name}=")))
                .then(|| pair.to_string())
        })
    }
}

/// A form body (`application/x-www-form-urlencoded`) of `fields`.
pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first form's CSRF field (`_csrf`) in a page.
pub fn csrf_of(page: &str) -> String {
    let (_, rest) = page
        .split_once("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF field");
    rest[..rest.find('"').expect("the field's end")].to_string()
}

/// Sends `method path` to `addr` over plain HTTP/1.1 (`Connection: close`), with `cookie`
/// (`name=value`, or empty) and a form body (`application/x-www-form-urlencoded`, or empty);
/// `None` when nothing answers.
pub fn http(addr: &str, method: &str, path: &str, cookie: &str, form: &str) -> Option<Response> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept-Encoding: identity\r\n"
    );
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method != "GET" {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(form);
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.push_str(after.get(..n)?);
            rest = after.get(n + 2..)?;
        }
        out
    } else {
        body.to_string()
    };
    Some(Response {
        status,
        head: head.to_string(),
        body,
    })
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The data pool of the store `db` as English XLSX (values unrounded): the header and rows of
/// its sheet "Data".
pub fn data_pool_xlsx(db: &Path) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("pool.xlsx");
    let e = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "xlsx",
        "--locale",
        "en",
        "--out",
        x.to_str().unwrap(),
    ]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let data = wb.worksheet_range("Data").unwrap();
    let mut it = data.rows();
    let header = it.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, it.map(|r| r.to_vec()).collect())
}
