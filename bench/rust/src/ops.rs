//! The operations benchmark's load generator (issue 16; `bench/run.sh --only ops`).
//!
//! ```text
//! sbench ops-writers HOSTS N SECONDS PASSWORD ACKS.tsv
//!     N writers, writer i signs in as writer<i>@bench.example (GET /login, the form's _csrf,
//!     POST /login; cookies kept per writer), reads the account page's _csrf, then POSTs
//!     /account/name with display_name "Writer <i> <k>", k = 1, 2, … for SECONDS. HOSTS is
//!     host:port[,host:port…]: writer i signs in on HOSTS[i % len] and sends its k-th write to
//!     HOSTS[(i + k) % len]. Acknowledged = 303 to the account page. ACKS.tsv: per writer
//!     i, email, acknowledged writes, last acknowledged k, last sent k.
//! sbench ops-check ACKS.tsv USER-LIST.txt
//!     after a kill: the stored name's k (from `sozialatlas user list`) >= the last acknowledged k
//!     for every writer.
//! sbench ops-storm HOST CLIENTS SECONDS
//!     CLIENTS clients, each GETs /login once and then POSTs wrong passwords for addresses that
//!     have no account (storm-<c>-<j>@bench.example), each request with its own
//!     X-Forwarded-For address (10.<c>.<j / 256>.<j % 256>), for SECONDS.
//! sbench ops-probe HOST PATH SECONDS
//!     one client, sequential GETs of PATH for SECONDS.
//! ```
//!
//! Each prints one line `RESULT requests=… rate=… p50_ms=… p99_ms=… max_ms=… errors=…
//! codes=303:…,503:…`: every status code counted, transport errors (refused, reset, no answer
//! within 30 s) separately. The first body of a 5xx answer is printed to standard error.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper::header;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The writers' accounts: `writer<i>@bench.example` (created by bench/run.sh).
pub fn writer_email(i: usize) -> String {
    format!("writer{i}@bench.example")
}

/// No answer within this long is a transport error.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One browser: a cookie jar (shared by every host, as a browser shares cookies across ports
/// of one host) and one keep-alive connection per host.
#[derive(Default)]
struct Client {
    jar: BTreeMap<String, String>,
    conns: HashMap<String, SendRequest<Full<Bytes>>>,
}

struct Reply {
    status: u16,
    location: String,
    body: Bytes,
}

async fn connect(host: &str) -> Res<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

impl Client {
    async fn request(
        &mut self,
        host: &str,
        method: &str,
        path: &str,
        form: Option<String>,
        forwarded_for: Option<&str>,
    ) -> Res<Reply> {
        match tokio::time::timeout(
            TIMEOUT,
            self.exchange(host, method, path, form, forwarded_for),
        )
        .await
        {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => {
                self.conns.remove(host);
                Err(e)
            }
            Err(_) => {
                self.conns.remove(host);
                Err(format!("no answer within {TIMEOUT:?}").into())
            }
        }
    }

    async fn exchange(
        &mut self,
        host: &str,
        method: &str,
        path: &str,
        form: Option<String>,
        forwarded_for: Option<&str>,
    ) -> Res<Reply> {
        let reuse = match self.conns.get_mut(host) {
            Some(s) if !s.is_closed() => s.ready().await.is_ok(),
            _ => false,
        };
        if !reuse {
            let s = connect(host).await?;
            self.conns.insert(host.to_string(), s);
        }
        let sender = self.conns.get_mut(host).expect("inserted above");
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, host);
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        if form.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        if let Some(x) = forwarded_for {
            b = b.header("x-forwarded-for", x);
        }
        let req = b.body(Full::new(Bytes::from(form.unwrap_or_default())))?;
        let res = sender.send_request(req).await?;
        let status = res.status().as_u16();
        for v in res.headers().get_all(header::SET_COOKIE) {
            self.set_cookie(v.to_str()?);
        }
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = res.into_body().collect().await?.to_bytes();
        Ok(Reply {
            status,
            location,
            body,
        })
    }

    fn set_cookie(&mut self, line: &str) {
        let mut parts = line.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.trim().split_once('=')) else {
            return;
        };
        let expired = parts.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        if expired || value.is_empty() {
            self.jar.remove(name);
        } else {
            self.jar.insert(name.to_string(), value.to_string());
        }
    }
}

/// The value of the hidden `_csrf` input of a page.
fn csrf_of(html: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(html).ok()?;
    let at = s.find("name=\"_csrf\"")?;
    let start = s[..at].rfind('<')?;
    let end = at + s[at..].find('>')?;
    let tag = &s[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let rest = &tag[v..];
    Some(rest[..rest.find('"')?].to_string())
}

/// `application/x-www-form-urlencoded`.
fn form(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        for (j, s) in [k, v].into_iter().enumerate() {
            if j == 1 {
                out.push('=');
            }
            for b in s.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        out.push(b as char)
                    }
                    b' ' => out.push('+'),
                    _ => {
                        let _ = write!(out, "%{b:02X}");
                    }
                }
            }
        }
    }
    out
}

/// Status codes, transport errors and latencies of a set of requests.
#[derive(Default)]
struct Stats {
    codes: BTreeMap<u16, u64>,
    /// 303 answers to a write that did not go to the account page (e.g. to the sign-in page).
    other_redirects: u64,
    errors: u64,
    first_error: Option<String>,
    latency_us: Vec<u64>,
}

impl Stats {
    fn answer(&mut self, r: &Reply, took: Duration, what: &str) {
        *self.codes.entry(r.status).or_default() += 1;
        self.latency_us.push(took.as_micros() as u64);
        if r.status >= 500 {
            let body = String::from_utf8_lossy(&r.body);
            eprintln!(
                "{what}: HTTP {} ({} so far); body: {}",
                r.status,
                self.codes[&r.status],
                body.chars().take(2000).collect::<String>()
            );
        }
    }

    fn error(&mut self, e: &dyn std::fmt::Display) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e.to_string());
        }
    }

    fn merge(&mut self, o: Stats) {
        for (c, n) in o.codes {
            *self.codes.entry(c).or_default() += n;
        }
        self.other_redirects += o.other_redirects;
        self.errors += o.errors;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
        self.latency_us.extend(o.latency_us);
    }

    fn result_line(&mut self, seconds: f64) -> String {
        self.latency_us.sort_unstable();
        let n = self.latency_us.len();
        let pct = |p: f64| -> f64 {
            if n == 0 {
                return f64::NAN;
            }
            let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            self.latency_us[i] as f64 / 1000.0
        };
        let codes: Vec<String> = self.codes.iter().map(|(c, k)| format!("{c}:{k}")).collect();
        let fivexx: u64 = self
            .codes
            .iter()
            .filter(|(c, _)| **c >= 500)
            .map(|(_, k)| k)
            .sum();
        format!(
            "RESULT requests={} rate={:.1} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} errors={} status_5xx={} other_redirects={} codes={}",
            n as u64 + self.errors,
            n as f64 / seconds,
            pct(0.50),
            pct(0.99),
            pct(1.0),
            self.errors,
            fivexx,
            self.other_redirects,
            if codes.is_empty() {
                "-".to_string()
            } else {
                codes.join(",")
            }
        )
    }
}

fn runtime() -> Res<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Signs in and returns the CSRF token of the signed-in session's forms.
async fn sign_in(c: &mut Client, host: &str, email: &str, password: &str) -> Res<String> {
    let r = c.request(host, "GET", "/login", None, None).await?;
    let csrf =
        csrf_of(&r.body).ok_or_else(|| format!("GET /login: HTTP {}, no _csrf input", r.status))?;
    let body = form(&[("_csrf", &csrf), ("email", email), ("password", password)]);
    let r = c.request(host, "POST", "/login", Some(body), None).await?;
    if r.status != 303 {
        return Err(format!(
            "sign-in of {email} on {host}: HTTP {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
                .chars()
                .take(500)
                .collect::<String>()
        )
        .into());
    }
    let r = c.request(host, "GET", "/account", None, None).await?;
    if r.status != 200 {
        return Err(format!("GET /account as {email} on {host}: HTTP {}", r.status).into());
    }
    csrf_of(&r.body).ok_or_else(|| "no _csrf input on /account".into())
}

struct Writer {
    index: usize,
    acked: u64,
    last_acked: u64,
    last_sent: u64,
    stats: Stats,
}

pub fn writers(hosts: &str, n: usize, seconds: f64, password: &str, acks: &str) -> Res<()> {
    let hosts: Vec<String> = hosts.split(',').map(str::to_string).collect();
    let password = password.to_string();
    let rt = runtime()?;
    let (ws, elapsed) = rt.block_on(async move {
        // Every writer signs in first; the clock starts when all have.
        let mut signing = tokio::task::JoinSet::new();
        for i in 0..n {
            let host = hosts[i % hosts.len()].clone();
            let password = password.clone();
            signing.spawn(async move {
                let mut c = Client::default();
                let csrf = sign_in(&mut c, &host, &writer_email(i), &password).await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>((i, c, csrf))
            });
        }
        let mut clients = Vec::new();
        while let Some(r) = signing.join_next().await {
            clients.push(r??);
        }
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        let mut running = tokio::task::JoinSet::new();
        for (i, mut c, csrf) in clients {
            let hosts = hosts.clone();
            running.spawn(async move {
                let mut w = Writer {
                    index: i,
                    acked: 0,
                    last_acked: 0,
                    last_sent: 0,
                    stats: Stats::default(),
                };
                let mut k = 0u64;
                while Instant::now() < deadline {
                    k += 1;
                    let host = &hosts[(i + k as usize) % hosts.len()];
                    let name = format!("Writer {i} {k}");
                    let body = form(&[("_csrf", &csrf), ("display_name", &name)]);
                    w.last_sent = k;
                    let t = Instant::now();
                    match c
                        .request(host, "POST", "/account/name", Some(body), None)
                        .await
                    {
                        Ok(r) => {
                            w.stats
                                .answer(&r, t.elapsed(), &format!("writer {i} on {host}"));
                            if r.status == 303 {
                                if r.location.contains("notice=name") {
                                    w.acked += 1;
                                    w.last_acked = k;
                                } else {
                                    w.stats.other_redirects += 1;
                                }
                            }
                        }
                        Err(e) => {
                            w.stats.error(&e);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                w
            });
        }
        let mut ws = Vec::new();
        while let Some(r) = running.join_next().await {
            ws.push(r?);
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((ws, start.elapsed()))
    })?;
    let mut ws = ws;
    ws.sort_by_key(|w| w.index);
    let mut out = String::from("writer\temail\tacknowledged\tlast_acknowledged_k\tlast_sent_k\n");
    let mut all = Stats::default();
    let mut acked = 0;
    for w in ws {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            w.index,
            writer_email(w.index),
            w.acked,
            w.last_acked,
            w.last_sent
        );
        acked += w.acked;
        all.merge(w.stats);
    }
    std::fs::write(acks, out)?;
    if let Some(e) = &all.first_error {
        eprintln!("first transport error: {e}");
    }
    println!(
        "{} acknowledged={acked} seconds={:.1}",
        all.result_line(elapsed.as_secs_f64()),
        elapsed.as_secs_f64()
    );
    Ok(())
}

/// After the kill: every writer's stored k against its last acknowledged k.
pub fn check(acks: &str, user_list: &str) -> Res<()> {
    let list = std::fs::read_to_string(user_list)?;
    let (mut writers, mut checked, mut lost, mut acked, mut beyond) = (0, 0, 0, 0u64, 0);
    for line in std::fs::read_to_string(acks)?.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [i, email, n_acked, last_acked, _last_sent] = f[..] else {
            return Err(format!("bad line in {acks}: {line}").into());
        };
        writers += 1;
        acked += n_acked.parse::<u64>()?;
        let last_acked: u64 = last_acked.parse()?;
        // `user list`: id, status, roles, e-mail, name (the rest of the line).
        let stored = list
            .lines()
            .find_map(|l| {
                let (_, name) = l.split_once(&format!(" {email} "))?;
                name.trim()
                    .strip_prefix(&format!("Writer {i} "))?
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(0);
        if last_acked == 0 {
            continue;
        }
        checked += 1;
        if stored < last_acked {
            lost += 1;
            eprintln!(
                "LOST: writer {i} ({email}): last acknowledged k = {last_acked}, stored k = {stored}"
            );
        } else if stored > last_acked {
            beyond += 1;
        }
    }
    println!(
        "RESULT writers={writers} acknowledged={acked} checked={checked} lost={lost} stored_beyond_last_ack={beyond}"
    );
    Ok(())
}

pub fn storm(host: &str, clients: usize, seconds: f64) -> Res<()> {
    let host = host.to_string();
    let rt = runtime()?;
    let (mut all, elapsed) = rt.block_on(async move {
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        let mut set = tokio::task::JoinSet::new();
        for ci in 0..clients {
            let host = host.clone();
            set.spawn(async move {
                let mut s = Stats::default();
                let mut c = Client::default();
                let mut csrf = None;
                let mut j = 0u64;
                while Instant::now() < deadline {
                    let token = match &csrf {
                        Some(t) => String::clone(t),
                        None => match c.request(&host, "GET", "/login", None, None).await {
                            Ok(r) => match csrf_of(&r.body) {
                                Some(t) => {
                                    csrf = Some(t.clone());
                                    t
                                }
                                None => {
                                    s.error(&format!("GET /login: HTTP {}, no _csrf", r.status));
                                    tokio::time::sleep(Duration::from_millis(50)).await;
                                    continue;
                                }
                            },
                            Err(e) => {
                                s.error(&e);
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                continue;
                            }
                        },
                    };
                    j += 1;
                    let email = format!("storm-{ci}-{j}@bench.example");
                    let xff = format!("10.{}.{}.{}", ci % 256, (j / 256) % 256, j % 256);
                    let body = form(&[
                        ("_csrf", &token),
                        ("email", &email),
                        ("password", "not-the-password-1"),
                    ]);
                    let t = Instant::now();
                    match c
                        .request(&host, "POST", "/login", Some(body), Some(&xff))
                        .await
                    {
                        Ok(r) => s.answer(&r, t.elapsed(), &format!("storm client {ci}")),
                        Err(e) => {
                            s.error(&e);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                s
            });
        }
        let mut all = Stats::default();
        while let Some(r) = set.join_next().await {
            all.merge(r?);
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((all, start.elapsed()))
    })?;
    if let Some(e) = &all.first_error {
        eprintln!("first transport error: {e}");
    }
    println!("{}", all.result_line(elapsed.as_secs_f64()));
    Ok(())
}

pub fn probe(host: &str, path: &str, seconds: f64) -> Res<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut s, elapsed) = rt.block_on(async {
        let mut s = Stats::default();
        let mut c = Client::default();
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        while Instant::now() < deadline {
            let t = Instant::now();
            match c.request(host, "GET", path, None, None).await {
                Ok(r) => s.answer(&r, t.elapsed(), "probe"),
                Err(e) => {
                    s.error(&e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        (s, start.elapsed())
    });
    if let Some(e) = &s.first_error {
        eprintln!("first transport error: {e}");
    }
    println!("{}", s.result_line(elapsed.as_secs_f64()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_csrf() {
        assert_eq!(
            form(&[
                ("_csrf", "ab12"),
                ("display_name", "Writer 3 17"),
                ("email", "a@b.c")
            ]),
            "_csrf=ab12&display_name=Writer+3+17&email=a%40b.c"
        );
        let html =
            br#"<form><input type="hidden" name="_csrf" value="d9ab"><input name="x"></form>"#;
        assert_eq!(csrf_of(html).as_deref(), Some("d9ab"));
        assert_eq!(csrf_of(b"<p>none</p>"), None);
    }
}
