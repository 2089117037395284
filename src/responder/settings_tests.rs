//! Tests of the responder's settings: the mode's rule and the admin body's checks.

use super::*;
use crate::bot::{Candidate, Intent, Lang};

fn body(mode: Mode, kind: Kind, url: &str) -> SettingsBody {
    SettingsBody {
        mode,
        kind,
        url: url.into(),
        key: None,
        model: "gpt-4o-mini".into(),
        timeout_ms: 8_000,
        per_conversation: 10,
        per_day: 500,
        allow_private: false,
    }
}

fn settings(mode: Mode) -> Settings {
    body(mode, Kind::Openai, "https://api.openai.com/v1")
        .validate("", false)
        .expect("valid")
}

#[test]
fn the_mode_decides_which_decisions_the_responder_takes() {
    let answer = Decision::Answer {
        faq_id: 1,
        answer: "a".into(),
        score: 0.9,
    };
    let small_talk = Decision::SmallTalk {
        intent: Intent::Greeting,
        reply: "Hi".into(),
        lang: Lang::En,
    };
    let suggest = Decision::Suggest {
        candidates: vec![Candidate {
            faq_id: 1,
            answer: "a".into(),
            question: String::new(),
            score: 0.5,
        }],
    };
    let unsure = Decision::Handoff {
        reason: HandoffReason::LowConfidence,
    };
    let person = Decision::Handoff {
        reason: HandoffReason::HumanRequested,
    };
    let annoyed = Decision::Handoff {
        reason: HandoffReason::Frustrated,
    };
    let all = [&answer, &small_talk, &suggest, &unsure, &person, &annoyed];
    let taken = |mode| all.map(|d| settings(mode).takes(d));
    assert_eq!(taken(Mode::Never), [false; 6]);
    assert_eq!(
        taken(Mode::WhenUnsure),
        [false, false, true, true, false, false]
    );
    assert_eq!(taken(Mode::Always), [true, true, true, true, false, false]);
}

#[test]
fn the_body_is_checked_and_the_key_kept_unless_given() {
    let kept = body(Mode::Always, Kind::Openai, "https://api.openai.com/v1/")
        .validate("sk-old", false)
        .expect("valid");
    assert_eq!(kept.key, "sk-old");
    assert_eq!(kept.url, "https://api.openai.com/v1", "no trailing slash");
    let cleared = SettingsBody {
        key: Some(String::new()),
        ..body(Mode::Always, Kind::Openai, "https://api.openai.com/v1")
    }
    .validate("sk-old", false)
    .expect("valid");
    assert_eq!(cleared.key, "");
    let view = SettingsView::from(&kept);
    let shown = serde_json::to_string(&view).expect("json");
    assert!(!shown.contains("sk-old"), "{shown}");
    assert!(view.key_set);
    assert!(
        !format!("{kept:?}").contains("sk-old"),
        "Debug hides the key"
    );

    let local = "http://127.0.0.1:11434/v1";
    let refused = body(Mode::WhenUnsure, Kind::Openai, local).validate("", false);
    assert!(refused.is_err_and(|e| e.starts_with("url:")));
    let allowed = SettingsBody {
        allow_private: true,
        ..body(Mode::WhenUnsure, Kind::Openai, local)
    };
    assert!(allowed.validate("", false).is_ok());
    assert!(
        body(Mode::WhenUnsure, Kind::Openai, local)
            .validate("", true)
            .is_ok()
    );

    let bad = [
        SettingsBody {
            timeout_ms: 999,
            ..body(Mode::Always, Kind::Openai, "https://a.example/v1")
        },
        SettingsBody {
            per_conversation: 0,
            ..body(Mode::Always, Kind::Openai, "https://a.example/v1")
        },
        SettingsBody {
            per_day: PER_DAY_MAX + 1,
            ..body(Mode::Always, Kind::Openai, "https://a.example/v1")
        },
        SettingsBody {
            model: " ".into(),
            ..body(Mode::Always, Kind::Openai, "https://a.example/v1")
        },
        body(Mode::Always, Kind::Openai, "ftp://a.example/"),
        body(Mode::Always, Kind::Signed, "https://a.example/ask"),
        SettingsBody {
            key: Some("whsec_!!".into()),
            ..body(Mode::Always, Kind::Signed, "https://a.example/ask")
        },
    ];
    for (i, b) in bad.into_iter().enumerate() {
        assert!(b.validate("", false).is_err(), "bad body {i}");
    }
    let signed = SettingsBody {
        key: Some("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".into()),
        ..body(Mode::Always, Kind::Signed, "https://a.example/ask")
    };
    assert!(signed.validate("", false).is_ok());
    // Off with nothing set: the defaults are valid.
    let off = SettingsBody {
        url: String::new(),
        model: String::new(),
        ..body(Mode::Never, Kind::Openai, "")
    };
    assert!(off.validate("", false).is_ok());
}

#[test]
fn settings_round_trip_through_the_stored_record() {
    let s = settings(Mode::WhenUnsure);
    let stored = ResponderV1::from(&s);
    assert_eq!(Settings::from(stored), s);
    assert_eq!(Settings::from(ResponderV1::default()).mode, Mode::Never);
}
