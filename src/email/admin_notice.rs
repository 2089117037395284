//! The email that tells an admin a webhook endpoint was disabled (it failed for three
//! days, or its receiver answered `410 Gone`): the endpoint's address, why, and where
//! to turn it back on. Planned by the webhook sink when it disables an endpoint
//! ([`jobs`]), sent by the email sink ([`deliver`]).

use super::Mailer;
use super::attempts::{retry, send, skipped};
use super::render::{Language, Rendered, build, escape, link};
use super::target::EmailTarget;
use crate::outbox::{Attempt, Planned};
use crate::store::Store;
use crate::store::records::AgentRole;

/// One email job per enabled admin with an address, for endpoint `endpoint`.
pub fn jobs(store: &Store, endpoint: u64) -> Vec<Planned> {
    let admins = store.agents().unwrap_or_default();
    admins
        .into_iter()
        .filter(|(_, a)| a.role == AgentRole::Admin && !a.disabled && a.email.is_some())
        .map(|(admin, _)| Planned {
            target: EmailTarget::WebhookDisabled { endpoint, admin }.encode(),
            not_before_ms: 0,
            log_key: None,
        })
        .collect()
}

/// Sends the notice about `endpoint` to `admin` (skipped when it was enabled again
/// meanwhile, or the admin has no address any more).
pub fn deliver(
    store: &Store,
    mailer: &Mailer,
    public_url: Option<&str>,
    endpoint: u64,
    admin: u64,
) -> Attempt {
    let hook = match store.webhook(endpoint) {
        Ok(Some(w)) if w.disabled => w,
        Ok(_) => return skipped("the endpoint is enabled again or gone"),
        Err(e) => return retry(format!("reading the endpoint: {e}")),
    };
    let account = match store.agent(admin) {
        Ok(Some(a)) => a,
        Ok(None) => return skipped("the admin is gone"),
        Err(e) => return retry(format!("reading the admin: {e}")),
    };
    let Some(to) = account.email.clone().filter(|_| !account.disabled) else {
        return skipped("the admin has no address");
    };
    let language = Language::of_agent(&account);
    let reason = hook.disabled_reason.clone().unwrap_or_default();
    let page = public_url.map(|u| format!("{}/console/#/admin/webhooks", u.trim_end_matches('/')));
    let rendered = render(language, &hook.url, &reason, page.as_deref());
    match build(mailer, &to, language, rendered) {
        Ok(message) => send(mailer, &message),
        Err(error) => Attempt::Failed {
            error,
            status: None,
        },
    }
}

/// The notice in `language`.
fn render(language: Language, url: &str, reason: &str, page: Option<&str>) -> Rendered {
    let (subject, said, turn_on) = match language {
        Language::Zh => (
            "deskbell：一个 Webhook 地址已停用",
            "这个 Webhook 地址已停用，不再收到事件：",
            "修好接收端后，请在控制台的 Webhooks 页面重新启用它。",
        ),
        Language::En => (
            "deskbell: a webhook endpoint was disabled",
            "This webhook endpoint was disabled and receives no more events:",
            "Once the receiver works again, turn it back on under Admin → Webhooks.",
        ),
    };
    let mut text = format!("{said}\n\n{url}\n{reason}\n\n{turn_on}\n");
    let mut html = format!(
        "<p>{}</p><p><code>{}</code><br>{}</p><p>{}</p>",
        escape(said),
        escape(url),
        escape(reason),
        escape(turn_on)
    );
    if let Some(page) = page {
        text.push_str(page);
        text.push('\n');
        html.push_str(&format!("<p>{}</p>", link(page, page)));
    }
    Rendered {
        subject: subject.to_string(),
        text,
        html,
        unsubscribe: None,
        one_click: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_endpoint_and_escapes_it() {
        let r = render(
            Language::En,
            "https://crm.example/<x>",
            "410 Gone",
            Some("https://chat.example/console/#/admin/webhooks"),
        );
        assert!(r.text.contains("https://crm.example/<x>") && r.text.contains("410 Gone"));
        assert!(r.html.contains("&lt;x&gt;") && !r.html.contains("<x>"));
        assert!(
            r.html
                .contains("href=\"https://chat.example/console/#/admin/webhooks\"")
        );
        assert!(
            render(Language::Zh, "u", "r", None)
                .subject
                .contains("Webhook")
        );
    }
}
