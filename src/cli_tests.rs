//! Tests of the command-line flags: defaults, conversions into `Config`, refusals.

use super::*;
use crate::config::Config;
use crate::error::Error;

fn serve(flags: &[&str]) -> Result<Config, Error> {
    let mut args = vec!["serve", "--data", "/nonexistent", "--no-bot"];
    args.extend_from_slice(flags);
    let cli = Cli::from_args(&["deskbell"], &args).map_err(|e| Error::Usage(e.output))?;
    match cli.command {
        Command::Serve(serve) => serve.into_config(),
        _ => Err(Error::Usage("not serve".into())),
    }
}

#[test]
fn network_flags_are_checked_at_start() {
    let config = serve(&[
        "--public-url",
        "https://Chat.Shop.Example/",
        "--trusted-proxy",
        "127.0.0.1",
        "--trusted-proxy",
        "fd00::/8",
        "--metrics-allow",
        "10.0.0.0/24",
    ])
    .expect("valid flags");
    let url = config.public_url.as_ref().expect("public url");
    assert_eq!(url.to_string(), "https://chat.shop.example");
    assert!(config.secure_cookies());
    assert_eq!(config.trusted_proxies.len(), 2);
    assert_eq!(config.max_connections_per_address, 128);
    for bad in [
        &["--public-url", "chat.shop.example"][..],
        &["--public-url", "https://chat.shop.example/chat"],
        &["--trusted-proxy", "10.0.0.0/33"],
        &["--metrics-allow", "everyone"],
        &["--max-connections-per-address", "0"],
        &["--metrics-token-file", "/nonexistent/token"],
    ] {
        assert!(serve(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn smtp_flags_make_the_email_settings() {
    let config = serve(&[
        "--smtp-url",
        "smtp://u@mail.example?tls=starttls",
        "--smtp-from",
        "Shop <chat@shop.example>",
        "--email-batch-minutes",
        "5",
    ])
    .expect("valid flags");
    let email = config.email.expect("email on");
    assert_eq!(email.server.port, 587);
    assert_eq!(email.batch, std::time::Duration::from_secs(300));
    assert_eq!(
        email.reply_delay,
        crate::email_settings::DEFAULT_REPLY_DELAY
    );
    assert!(serve(&[]).expect("no email").email.is_none());
    for bad in [
        &["--smtp-from", "a@b.example"][..],
        &["--smtp-url", "smtp://mail.example"],
        &[
            "--smtp-url",
            "ftp://mail.example",
            "--smtp-from",
            "a@b.example",
        ],
    ] {
        assert!(serve(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_commit_window_is_off_by_default_and_bounded() {
    let default = serve(&[]).expect("valid flags");
    assert!(default.commit_window.is_zero());
    let config = serve(&["--commit-window-ms", "5"]).expect("valid flags");
    assert_eq!(config.commit_window, std::time::Duration::from_millis(5));
    assert!(serve(&["--commit-window-ms", "101"]).is_err());
    assert!(serve(&["--commit-window-ms", "-1"]).is_err());
}
