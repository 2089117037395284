//! The logged-in agent's own profile (`PATCH /api/me`: name, password with the current
//! one (throttled like a login), email address, email language, notification choices,
//! the console's language and the avatar) and the admins' "send
//! a test email" (`POST /api/email/test`), which sends on a thread of its own and answers
//! with the SMTP server's error, if any.

use std::net::IpAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use super::agent_write::{self, email_field, valid_name};
use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error, too_many};
use super::session::{authenticate, require_admin};
use crate::app::App;
use crate::auth::session::bearer_or_cookie;
use crate::auth::{Source, check_new_password, hash_password, token_digest, verify_password};
use crate::protocol::ErrorCode;

/// What `PATCH /api/me` may change; absent fields stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfilePatch {
    /// New login and display name.
    name: Option<String>,
    /// New password; needs `current_password`.
    password: Option<String>,
    /// The password in use now.
    current_password: Option<String>,
    /// Email address; `null` or "" removes it.
    #[serde(default, deserialize_with = "agent_write::present")]
    email: Option<Option<String>>,
    /// Language of the emails: "en" or "zh".
    language: Option<String>,
    /// Whether to get "a visitor is waiting" emails.
    notify_waiting_email: Option<bool>,
    /// Language of the console: "en" or "zh-CN"; `null` follows the browser.
    #[serde(default, deserialize_with = "agent_write::present")]
    console_language: Option<Option<String>>,
    /// The avatar: initials and a colour from the palette; `null`: the default.
    #[serde(default, deserialize_with = "agent_write::present")]
    avatar: Option<Option<AvatarPatch>>,
}

/// An avatar as `PATCH /api/me` takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvatarPatch {
    /// One or two letters or digits.
    initials: String,
    /// `#rrggbb`, one of `crate::avatar::PALETTE`.
    colour: String,
}

/// The console's languages (`web/console/i18n.js` has a dictionary for each).
pub const CONSOLE_LANGUAGES: [&str; 2] = ["en", "zh-CN"];

/// `PATCH /api/me`: the agent's own name, password (with the current password), email
/// address, email language, notification choices, console language and avatar. A new
/// password ends the agent's other sessions (this one stays signed in). Wrong current
/// passwords count in the login throttle under the agent's name and the caller's
/// address, so a stolen session guesses no faster than the login form allows.
pub async fn patch_me(app: &Arc<App>, peer: IpAddr, req: Request<Incoming>) -> Response<Body> {
    let (id, mut agent) = match authenticate(app, &req).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    let current = bearer_or_cookie(req.headers()).map(|t| token_digest(&t));
    let patch: ProfilePatch = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let stored_name = agent.name.clone();
    if let Some(name) = patch.name {
        if !valid_name(&name) {
            return error_response(
                ErrorCode::InvalidField,
                "name must be 1-64 printable characters",
            );
        }
        agent.name = name.trim().to_string();
    }
    if let Some(email) = patch.email {
        agent.email = match email_field(email.as_deref()) {
            Ok(email) => email,
            Err(why) => return error_response(ErrorCode::InvalidField, why),
        };
    }
    if let Some(language) = patch.language {
        match crate::email::Language::from_code(&language) {
            Some(l) => agent.language = Some(l.code().to_string()),
            None => return error_response(ErrorCode::InvalidField, "language must be en or zh"),
        }
    }
    if let Some(on) = patch.notify_waiting_email {
        agent.notify_waiting_email = on;
    }
    if let Some(language) = patch.console_language {
        match language {
            Some(l) if !CONSOLE_LANGUAGES.contains(&l.as_str()) => {
                return error_response(
                    ErrorCode::InvalidField,
                    "console_language must be en, zh-CN or null",
                );
            }
            language => agent.console_language = language,
        }
    }
    if let Some(avatar) = patch.avatar {
        agent.avatar = match avatar {
            None => None,
            Some(a) => match crate::avatar::checked_avatar(&a.initials, &a.colour) {
                Ok(avatar) => Some(avatar),
                Err(why) => return error_response(ErrorCode::InvalidField, &why),
            },
        };
    }
    let end_sessions = patch.password.is_some().then_some(current);
    if let Some(password) = patch.password {
        let Some(old) = patch.current_password else {
            return error_response(
                ErrorCode::InvalidField,
                "current_password is needed to set a new password",
            );
        };
        if let Err(e) = check_new_password(&password) {
            return error_response(ErrorCode::InvalidField, &e.to_string());
        }
        // The name the throttle counts under is the one stored, not a new one in the patch.
        let (source, now) = (Source::addr(peer), app.config.now_ms());
        if let Ok(mut throttle) = app.throttle.lock()
            && let Err(wait) = throttle.check(&source, &stored_name, now)
        {
            return too_many(wait, "too many wrong current passwords");
        }
        let phc = agent.password_hash.clone();
        let result = App::hash(app, move || {
            if verify_password(&old, &phc) {
                hash_password(&password).map(Some)
            } else {
                Ok(None)
            }
        })
        .await;
        match result {
            Ok(Some(hash)) => {
                if let Ok(mut throttle) = app.throttle.lock() {
                    throttle.record_success(&source, &stored_name, now);
                }
                agent.password_hash = hash;
            }
            Ok(None) => {
                if let Ok(mut throttle) = app.throttle.lock() {
                    throttle.record_failure(&source, &stored_name, now);
                }
                return error_response(ErrorCode::Forbidden, "the current password is wrong");
            }
            Err(e) => return error_response(ErrorCode::Internal, &e.to_string()),
        }
    }
    agent_write::save(app, id, agent, end_sessions, None).await
}

/// What `POST /api/email/test` may say.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TestRequest {
    /// Where to send it; default: the admin's own address.
    to: Option<String>,
}

/// `POST /api/email/test` (admins): sends a short email now, through the configured
/// SMTP server, on a blocking thread; answers `{"sent": true, "to": …}` or 503 with the
/// server's error, so a bad setup is seen in the console at once.
pub async fn test_email(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let me = match require_admin(app, &req).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    let Some(me) = me.agent() else {
        return error_response(
            ErrorCode::Forbidden,
            "sending a test email needs an admin's session",
        );
    };
    let request: TestRequest = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(mailer) = app.mailer.clone() else {
        let why = if app.config.email.is_some() {
            "email is off: the SMTP settings are unusable (see the server log)"
        } else {
            "email is not set up: start deskbell with --smtp-url and --smtp-from"
        };
        return error_response(ErrorCode::Unavailable, why);
    };
    let store = app.store.clone();
    let agent = match App::read(app, move || store.agent(me)).await {
        Ok(Some(agent)) => agent,
        Ok(None) => return error_response(ErrorCode::NotFound, "no such agent"),
        Err(e) => return store_error(e),
    };
    let to = match request.to.as_deref().or(agent.email.as_deref()) {
        Some(text) => match crate::email::check_address(text) {
            Ok(address) => address,
            Err(why) => return error_response(ErrorCode::InvalidField, why),
        },
        None => {
            return error_response(
                ErrorCode::InvalidField,
                "no address: set your email on your profile, or give \"to\"",
            );
        }
    };
    let language = crate::email::Language::of_agent(&agent);
    let message = match crate::email::render::test_email(&mailer, &to, language) {
        Ok(m) => m,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let started = std::time::Instant::now();
    // Its own short-lived thread: an admin's click is rare, and the shared blocking pool
    // would keep idle threads around afterwards.
    let (reply, answer) = async_channel::bounded(1);
    let spawned = std::thread::Builder::new()
        .name("deskbell-email-test".into())
        .spawn(move || {
            let _ = reply.send_blocking(mailer.send(&message));
        });
    if let Err(e) = spawned {
        return error_response(ErrorCode::Internal, &format!("starting a thread: {e}"));
    }
    let sent = answer.recv().await.unwrap_or_else(|_| {
        Err(crate::email::SendError::Transient(
            "the send stopped".into(),
        ))
    });
    match sent {
        Ok(()) => {
            tracing::info!(
                agent = me,
                ms = started.elapsed().as_millis() as u64,
                "test email sent"
            );
            json(StatusCode::OK, &serde_json::json!({"sent": true, "to": to}))
        }
        Err(e) => {
            tracing::warn!(agent = me, error = %e, "test email failed");
            error_response(
                ErrorCode::Unavailable,
                &format!("the test email failed: {e}"),
            )
        }
    }
}
