//! Delivery of the outbox to an SMTP relay, against a small fake relay on localhost.

use std::sync::{Arc, Mutex};

use base64::Engine;
use sozialatlas_accounts::mail::list_outbox;
use sozialatlas_accounts::smtp::{SmtpConfig, deliver_pending};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A relay that accepts every mail except those to `reject@…`; records each DATA block.
async fn fake_relay() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut rcpt = String::new();
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_string();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-fake\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if cmd.starts_with("MAIL FROM:") {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    } else if let Some(to) = cmd.strip_prefix("RCPT TO:") {
                        if to.contains("reject@") {
                            w.write_all(b"550 no such user\r\n").await.unwrap();
                        } else {
                            rcpt = to.to_string();
                            w.write_all(b"250 ok\r\n").await.unwrap();
                        }
                    } else if cmd == "DATA" {
                        w.write_all(b"354 go\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            r.read_line(&mut l).await.unwrap();
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        seen.lock().unwrap().push((rcpt.clone(), data));
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if cmd == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        w.write_all(b"500 what\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn outbox_is_delivered_and_failures_are_recorded() {
    let pool = sozialatlas_test_support::test_pool().await;
    let (port, got) = fake_relay().await;
    let cfg = SmtpConfig::parse(&format!("127.0.0.1:{port}"), "atlas@stadt.example").unwrap();
    sozialatlas_accounts::queue_mail(
        &pool,
        None,
        "anna@example.org",
        "Bitte bestätigen Sie Ihre E-Mail-Adresse",
        "Hallo Anna,\n.\nein Link: https://atlas.example/confirm/abc\n",
    )
    .await
    .unwrap();
    sozialatlas_accounts::queue_mail(&pool, None, "reject@example.org", "x", "y")
        .await
        .unwrap();
    assert_eq!(deliver_pending(&pool, &cfg).await.unwrap(), 1);
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let (rcpt, data) = &mails[0];
    assert_eq!(rcpt, "<anna@example.org>");
    assert!(data.contains("From: atlas@stadt.example\r\n"));
    assert!(data.contains("To: anna@example.org\r\n"));
    assert!(
        data.contains("Subject: =?UTF-8?B?"),
        "encoded subject: {data}"
    );
    assert!(data.contains("Content-Type: text/plain; charset=utf-8\r\n"));
    let body_b64: String = data
        .split("\r\n\r\n")
        .nth(1)
        .unwrap()
        .split("\r\n")
        .collect();
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body_b64.trim())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        "Hallo Anna,\r\n.\r\nein Link: https://atlas.example/confirm/abc\r\n"
    );

    let (rows, _) = list_outbox(&pool, 10, 0).await.unwrap();
    let anna = rows.iter().find(|m| m.to == "anna@example.org").unwrap();
    assert!(anna.sent_at.is_some() && anna.last_error.is_none());
    let rej = rows.iter().find(|m| m.to == "reject@example.org").unwrap();
    assert!(rej.sent_at.is_none());
    assert_eq!(rej.attempts, 1);
    assert!(
        rej.last_error.as_deref().unwrap().contains("550"),
        "{rej:?}"
    );
    // Sent mail is not sent again; the failed one is tried again.
    assert_eq!(deliver_pending(&pool, &cfg).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 1);
    let (rows, _) = list_outbox(&pool, 10, 0).await.unwrap();
    assert_eq!(
        rows.iter()
            .find(|m| m.to == "reject@example.org")
            .unwrap()
            .attempts,
        2
    );
}

#[tokio::test]
async fn an_unreachable_relay_is_recorded_not_fatal() {
    let pool = sozialatlas_test_support::test_pool().await;
    // A port nobody listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let cfg = SmtpConfig::parse(&format!("127.0.0.1:{port}"), "atlas@stadt.example").unwrap();
    sozialatlas_accounts::queue_mail(&pool, None, "a@example.org", "s", "b")
        .await
        .unwrap();
    assert_eq!(deliver_pending(&pool, &cfg).await.unwrap(), 0);
    let (rows, _) = list_outbox(&pool, 10, 0).await.unwrap();
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("connecting to")
    );
}

#[test]
fn relay_settings_are_checked() {
    assert!(SmtpConfig::parse("mail.local:587", "a@stadt.example").is_ok());
    assert_eq!(
        SmtpConfig::parse("mail.local", "a@stadt.example")
            .unwrap()
            .port,
        25
    );
    assert!(
        SmtpConfig::parse("mail.local:x", "a@stadt.example")
            .unwrap_err()
            .contains("--smtp")
    );
    assert!(
        SmtpConfig::parse("mail.local:25", "kein")
            .unwrap_err()
            .contains("--mail-from")
    );
}
