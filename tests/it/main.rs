//! All integration tests in one binary: each module drives a real server on
//! 127.0.0.1:0 with a temporary data directory through its public interfaces.

mod harness;

mod abuse_conn;
mod abuse_http;
mod abuse_login;
mod abuse_ws;
mod api;
mod attachments;
mod backup;
mod bad_http;
mod bad_input;
mod bot;
mod bot_choices;
mod business_hours;
mod crash;
mod delivery;
mod disk;
mod email;
mod email_visitors;
mod faq;
mod frame_rules;
mod hub_commits;
mod i18n;
mod identity;
mod identity_examples;
mod install;
mod keys;
mod notes;
mod old_data;
mod ops;
mod outbox;
mod outbox_crash;
mod previews;
mod profile;
mod push;
mod responder;
mod routing;
mod search;
mod threads;
mod timers;
mod tls;
mod versioned;
mod visitor_cards;
mod webhooks;
