//! The README's main command: `sozialatlas serve` with no files starts the embedded demo (atlas,
//! demo accounts, participation example, example office) and answers on its pages. Catches a
//! demo that fails to start, which no in-process test would.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET over plain HTTP/1.1; the status code and the body.
fn get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept-Encoding: identity\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, text))
}

#[test]
fn serve_without_files_starts_the_demo() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
            .args(["serve", "--listen", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sozialatlas serve"),
    );
    let start = Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            let mut err = String::new();
            server
                .0
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("serve exited with {status} before answering:\n{err}");
        }
        if let Ok((200, _)) = get(&addr, "/") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "serve did not answer within 120 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for (path, needle) in [
        ("/", "Sozialatlas"),
        ("/participation", "Beispiel"),
        ("/offices", "Aktionsbüro"),
        ("/analysis/typology", "Cluster"),
        ("/en/login", "admin@example.org"),
    ] {
        let (status, body) = get(&addr, path).unwrap();
        assert_eq!(status, 200, "GET {path}");
        assert!(body.contains(needle), "GET {path}: no {needle:?}");
    }
    // The example office serves Neustadt's action area in the offices' set and in the
    // participation example's (current) set; both area pages name the office.
    let (_, office) = get(&addr, "/offices/beispiel").unwrap();
    let mut areas: Vec<&str> = office
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/participation/areas/"))
        .collect();
    areas.sort();
    areas.dedup();
    assert!(areas.len() >= 2, "office page links {areas:?}");
    for a in areas {
        let (status, body) = get(&addr, a).unwrap();
        assert_eq!(status, 200, "GET {a}");
        assert!(
            body.contains("href=\"/offices/beispiel\""),
            "GET {a}: the office is not named"
        );
    }
}
