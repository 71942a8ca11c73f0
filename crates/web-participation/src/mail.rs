//! Notifications by e-mail: an author is told when their idea is published, answered or changes
//! state (the inbox messages whose kind is
//! [`MessageKind::mailed`](sozialatlas_participation::inbox::MessageKind::mailed)), in their language, with a
//! link to the idea and to the account page where mail can be turned off. The mails go into the
//! outbox (`/admin/outbox`; sent on with `serve --smtp`); [`mail_notifications`] runs every few
//! seconds beside the server (`sozialatlas_web::serve`).

use sozialatlas_core::Locale;
use sozialatlas_participation::inbox::{self, MailNotice};
use sozialatlas_web_kit::AppState;
use sozialatlas_web_kit::auth::{mail_link, site_name};

use crate::text::message_text;

/// Messages mailed per run (the rest wait for the next).
const BATCH: i64 = 200;

/// Puts the mail of every message waiting for it into the outbox; returns how many.
pub async fn mail_notifications(
    state: &AppState,
) -> Result<usize, sozialatlas_participation::Error> {
    inbox::mail_pending(state.pool(), BATCH, |n| compose(state, n)).await
}

/// The subject and body of a notification.
fn compose(state: &AppState, n: &MailNotice) -> (String, String) {
    let locale = if n.locale == "en" {
        Locale::En
    } else {
        Locale::De
    };
    let site = site_name(state, locale);
    let what = message_text(n.kind, &n.detail, locale);
    let account = mail_link(state, locale, "/account#notify-title");
    let idea = n.idea.as_ref().map(|(id, reference, title)| {
        (
            format!("{reference} „{title}“"),
            mail_link(state, locale, &format!("/participation/ideas/{id}")),
        )
    });
    let subject = match &idea {
        Some((name, _)) => format!("{site}: {what} – {name}"),
        None => format!("{site}: {what}"),
    };
    let about = match (&idea, locale) {
        (Some((name, link)), Locale::De) => format!("Ihre Idee {name}:\n{link}\n\n"),
        (Some((name, link)), Locale::En) => format!("Your idea {name}:\n{link}\n\n"),
        (None, _) => String::new(),
    };
    let body = match locale {
        Locale::De => format!(
            "Hallo,\n\n{what}.\n\n{about}Diese Nachricht steht auch in Ihren Benachrichtigungen bei {site}.\n\nSie bekommen diese E-Mail, weil Sie dort eine Idee eingebracht haben. Sie können die E-Mails in Ihrem Konto abbestellen:\n{account}\n"
        ),
        Locale::En => format!(
            "Hello,\n\n{what}.\n\n{about}This message is also in your notifications at {site}.\n\nYou get this e-mail because you brought in an idea there. You can turn these e-mails off in your account:\n{account}\n"
        ),
    };
    (subject, body)
}
