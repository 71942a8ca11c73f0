//! Delivery of the outbox over SMTP to a relay: plain SMTP (RFC 5321) without authentication or
//! TLS, as a relay on the host or in the local network expects (Postfix, Exim, a provider's
//! smarthost through such a relay); the relay does TLS and authentication to the outside.
//!
//! Messages are UTF-8 plain text, base64-encoded (no 8BITMIME needed), with an RFC 2047 subject.
//! Each outbox row is tried up to [`MAX_ATTEMPTS`] times; the result is recorded in the row.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::mail::{OutboxMail, mark_attempt, pending_mail};
use crate::{AccountError, Pool};

/// Delivery attempts per mail before it is left alone (shown as failed in the outbox).
pub const MAX_ATTEMPTS: i64 = 5;

/// Where and as whom to send.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// Relay host.
    pub host: String,
    /// Relay port (25 or 587 for a local relay).
    pub port: u16,
    /// The sender address (`From:` and envelope).
    pub from: String,
    /// The name this host gives in `EHLO`.
    pub helo: String,
}

impl SmtpConfig {
    /// Parses `host:port` (port 25 if omitted) with a sender address.
    pub fn parse(relay: &str, from: &str) -> Result<SmtpConfig, String> {
        let (host, port) = match relay.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("--smtp: expected host:port, found `{relay}`"))?,
            ),
            None => (relay.to_string(), 25),
        };
        if host.is_empty() {
            return Err(format!("--smtp: expected host:port, found `{relay}`"));
        }
        crate::check_email(from).map_err(|_| {
            format!("--mail-from: expected an e-mail address such as atlas@stadt.example, found `{from}`")
        })?;
        let helo = from
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
            .to_string();
        Ok(SmtpConfig {
            host,
            port,
            from: from.to_string(),
            helo,
        })
    }
}

const STEP: Duration = Duration::from_secs(30);

struct Conn {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    /// Reads a (multi-line) reply; errors unless its code is one of `ok`.
    async fn expect(&mut self, ok: &[u16], what: &str) -> Result<(), String> {
        let last = loop {
            let mut line = String::new();
            let n = timeout(STEP, self.r.read_line(&mut line))
                .await
                .map_err(|_| format!("{what}: no answer within 30 s"))?
                .map_err(|e| format!("{what}: {e}"))?;
            if n == 0 {
                return Err(format!("{what}: the relay closed the connection"));
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                break line.trim_end().to_string();
            }
        };
        let code: u16 = last.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        if ok.contains(&code) {
            Ok(())
        } else {
            Err(format!("{what}: {last}"))
        }
    }

    async fn send(&mut self, line: &str) -> Result<(), String> {
        timeout(STEP, self.w.write_all(line.as_bytes()))
            .await
            .map_err(|_| "write timed out".to_string())?
            .map_err(|e| e.to_string())
    }
}

fn clean(s: &str) -> Result<&str, String> {
    if s.contains(['\r', '\n']) {
        Err("line break in an address or header".into())
    } else {
        Ok(s)
    }
}

/// The message (headers and base64 body), with CRLF line ends, dot-stuffed.
pub fn message(cfg: &SmtpConfig, mail: &OutboxMail, date: &str) -> Result<String, String> {
    let to = clean(&mail.to)?;
    let subject = if mail.subject.is_ascii() {
        clean(&mail.subject)?.to_string()
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(mail.subject.as_bytes()))
    };
    let body = STANDARD.encode(mail.body.replace("\r\n", "\n").replace('\n', "\r\n"));
    let mut m = format!(
        "From: {}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <outbox-{}-{}@{}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        cfg.from,
        mail.id,
        mail.created_at.replace([':', '-'], ""),
        cfg.helo
    );
    for chunk in body.as_bytes().chunks(76) {
        m.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        m.push_str("\r\n");
    }
    // Dot-stuffing (base64 lines never start with a dot, headers could not either; kept for
    // safety).
    Ok(m.split("\r\n")
        .map(|l| {
            if l.starts_with('.') {
                format!(".{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n"))
}

/// Sends one mail through the relay.
pub async fn send(cfg: &SmtpConfig, mail: &OutboxMail) -> Result<(), String> {
    let stream = timeout(STEP, TcpStream::connect((cfg.host.as_str(), cfg.port)))
        .await
        .map_err(|_| format!("connecting to {}:{}: timed out", cfg.host, cfg.port))?
        .map_err(|e| format!("connecting to {}:{}: {e}", cfg.host, cfg.port))?;
    let (r, w) = stream.into_split();
    let mut c = Conn {
        r: BufReader::new(r),
        w,
    };
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let msg = message(cfg, mail, &date)?;
    c.expect(&[220], "greeting").await?;
    c.send(&format!("EHLO {}\r\n", cfg.helo)).await?;
    c.expect(&[250], "EHLO").await?;
    c.send(&format!("MAIL FROM:<{}>\r\n", clean(&cfg.from)?))
        .await?;
    c.expect(&[250], "MAIL FROM").await?;
    c.send(&format!("RCPT TO:<{}>\r\n", clean(&mail.to)?))
        .await?;
    c.expect(&[250, 251], "RCPT TO").await?;
    c.send("DATA\r\n").await?;
    c.expect(&[354], "DATA").await?;
    c.send(&msg).await?;
    c.send(".\r\n").await?;
    c.expect(&[250], "end of data").await?;
    c.send("QUIT\r\n").await?;
    let _ = c.expect(&[221], "QUIT").await;
    Ok(())
}

/// Sends the pending outbox mail (oldest first, up to 100); returns how many were sent. Each
/// attempt is recorded in its row (sent time, or the error).
pub async fn deliver_pending(pool: &Pool, cfg: &SmtpConfig) -> Result<usize, AccountError> {
    let mut sent = 0;
    for m in pending_mail(pool, 100, MAX_ATTEMPTS).await? {
        match send(cfg, &m).await {
            Ok(()) => {
                mark_attempt(pool, m.id, None).await?;
                tracing::info!(outbox_id = m.id, "mail sent");
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(outbox_id = m.id, "mail not sent: {e}");
                mark_attempt(pool, m.id, Some(&e)).await?;
            }
        }
    }
    Ok(sent)
}
