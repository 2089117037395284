//! [`load_into`]: at start, every stored entry goes into the bot; entries whose
//! embeddings are missing (saved while the bot was off) or were made by another model
//! (`--model` changed, or a release with a new model) are embedded again and stored
//! first. This runs before the server listens (the bot must not answer from a half-built
//! index), so after a model upgrade start-up takes longer: the log says why and how far
//! it is, and systemd gets the same as the unit's status, with the start timeout
//! extended while progress is made.

use std::time::{Duration, Instant};

use super::{FaqError, Progress};
use crate::bot::Bot;
use crate::store::{Outcome, Store, StoreError, WriteOp, WriterHandle};

/// Least time between two progress lines.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// How far each progress notice pushes systemd's start timeout.
const EXTEND_START_USEC: u64 = 60_000_000;

/// Gives the bot every stored entry, recomputing (and storing) embeddings that are
/// missing or were made by another model. Blocking; returns how many were recomputed.
pub fn load_into(bot: &Bot, store: &Store, writer: &WriterHandle) -> Result<usize, FaqError> {
    let entries = store.faq_entries()?;
    let stale: Vec<_> = entries
        .iter()
        .filter(|(saved, stored)| {
            !stored
                .as_ref()
                .is_some_and(|e| bot.is_current(&saved.entry, e))
        })
        .collect();
    let model = bot.model_id().get(..12).unwrap_or_default();
    let mut progress = None;
    if !stale.is_empty() {
        let questions: usize = stale.iter().map(|(s, _)| s.entry.questions.len()).sum();
        let made_by = stale
            .iter()
            .find_map(|(_, stored)| stored.as_ref())
            .map(|e| e.model_id.get(..12).unwrap_or_default().to_string());
        tracing::info!(
            entries = stale.len(),
            questions,
            previous_model = made_by.as_deref().unwrap_or("none"),
            "re-embedding {} FAQ entries ({questions} questions) for model {model} before serving; \
             the server listens when this is done",
            stale.len()
        );
        let what = format!("re-embedding FAQ entries for model {model}");
        systemd_status(&format!("{what}: 0/{}", stale.len()));
        progress = Some(Progress::new(
            what,
            stale.len(),
            Instant::now(),
            PROGRESS_EVERY,
        ));
    }
    let mut recomputed = 0;
    for (mut saved, stored) in entries {
        let embeddings = match stored {
            Some(e) if bot.is_current(&saved.entry, &e) => e,
            _ => {
                let fresh = smol::block_on(bot.embed_entry(&saved.entry))?;
                let record = crate::stored::faq_record(&saved, Some(fresh.clone()));
                let put = WriteOp::PutFaq {
                    id: Some(saved.entry.id),
                    record,
                };
                saved.revision = match writer.call_blocking(put)? {
                    Outcome::FaqSaved { revision, .. } => revision,
                    _ => return Err(StoreError::Corrupt("unexpected outcome".into()).into()),
                };
                recomputed += 1;
                if let Some(line) = progress.as_mut().and_then(|p| p.step(Instant::now())) {
                    tracing::info!("{line}");
                    systemd_status(&line);
                }
                fresh
            }
        };
        bot.upsert_faq(&saved, &embeddings)?;
    }
    if let Some(progress) = progress {
        let line = progress.finish(Instant::now());
        tracing::info!("{line}");
        systemd_status(&line);
    }
    Ok(recomputed)
}

/// Shows `line` as the unit's status in `systemctl status` and extends the start timeout.
fn systemd_status(line: &str) {
    crate::notify::notify(&format!(
        "STATUS={line}\nEXTEND_TIMEOUT_USEC={EXTEND_START_USEC}"
    ));
}
