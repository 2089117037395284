//! deskbell-eval: measures the FAQ bot on `tests/fixtures/bot_eval.json` — top-1
//! accuracy, off-topic rejection, latency per message on one thread, model size, RSS —
//! and with `--calibrate` sweeps the thresholds on the dev split. See `docs/BOT.md`.
//!
//! `cargo run --release --bin deskbell-eval [-- --calibrate --verbose]`
//!
//! The per-shop sets of `tests/fixtures/bot_eval/` go in as pairs, `--faq F --messages
//! M` once per shop (calibrated together); a `*-holdout.json` message file is refused
//! unless `--holdout` says this run is the blind measurement.

mod calibrate;
mod goals;
mod score;
mod set;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use deskbell::bot::{BotConfig, Matcher, QuantizedEmbedding};
use deskbell::intent::{Embed, Embedder, Embedding};

use score::{Sample, Summary};
use set::EvalSet;

/// Measure the FAQ bot on the evaluation set.
#[derive(argh::FromArgs)]
struct Args {
    /// the evaluation set (default: tests/fixtures/bot_eval.json)
    #[argh(option)]
    set: Option<PathBuf>,
    /// an FAQ file of tests/fixtures/bot_eval/ (repeat, paired with --messages)
    #[argh(option)]
    faq: Vec<PathBuf>,
    /// the message file that goes with the --faq at the same position
    #[argh(option)]
    messages: Vec<PathBuf>,
    /// allow *-holdout.json message files (only for the final, blind measurement)
    #[argh(switch)]
    holdout: bool,
    /// an ONNX model file instead of the built-in model
    #[argh(option)]
    model: Option<PathBuf>,
    /// passes over the set for latency figures (default 5)
    #[argh(option, default = "5")]
    rounds: usize,
    /// answer threshold instead of the default
    #[argh(option)]
    answer_threshold: Option<f32>,
    /// suggest threshold instead of the default
    #[argh(option)]
    suggest_threshold: Option<f32>,
    /// sweep the thresholds on the dev split and print the best settings
    #[argh(switch)]
    calibrate: bool,
    /// print every message the bot gets wrong
    #[argh(switch)]
    verbose: bool,
    /// print one line per message: its number, the decision's kind and top-1 label
    /// (`scripts/eval-cross.sh` compares these across targets)
    #[argh(switch)]
    labels: bool,
    /// write every embedding and label to this JSON file (for analysis)
    #[argh(option)]
    dump: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Args = argh::from_env();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskbell-eval: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a file into a string, naming it in the error.
fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The sets named on the command line, each with a name for the output.
fn load_sets(args: &Args) -> Result<Vec<(String, EvalSet)>, String> {
    if args.faq.len() != args.messages.len() {
        return Err("give one --messages file per --faq file".into());
    }
    if args.faq.is_empty() {
        let default_set = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bot_eval.json");
        let path = args.set.clone().unwrap_or_else(|| default_set.into());
        let set = EvalSet::parse(&read(&path)?)?;
        return Ok(vec![(path.display().to_string(), set)]);
    }
    let mut sets = Vec::new();
    for (faq, messages) in args.faq.iter().zip(&args.messages) {
        let name = messages.display().to_string();
        let is_holdout = name.contains("holdout");
        if is_holdout && !args.holdout {
            return Err(format!(
                "{name} is a blind holdout set: never tune on it; pass --holdout for the final measurement"
            ));
        }
        let set = EvalSet::parse_split(&read(faq)?, &read(messages)?, is_holdout)?;
        sets.push((format!("{name} against {}", faq.display()), set));
    }
    Ok(sets)
}

fn run(args: &Args) -> Result<(), String> {
    let sets = load_sets(args)?;
    let rss_before = memory();

    let started = Instant::now();
    let embedder = match &args.model {
        Some(path) => Embedder::from_model_file(path),
        None => Embedder::builtin(),
    }
    .map_err(|e| e.to_string())?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;

    let mut config = BotConfig::default();
    if let Some(t) = args.answer_threshold {
        config.answer_threshold = t;
    }
    if let Some(t) = args.suggest_threshold {
        config.suggest_threshold = t;
    }
    let mut latencies = Vec::new();
    let mut batch_ms = Vec::new();
    let mut cases = Vec::new();
    for (name, set) in &sets {
        let started = Instant::now();
        let matcher = build_matcher(&embedder, set, config)?;
        let index_ms = started.elapsed().as_secs_f64() * 1e3;

        // One message at a time, as the bot sees them: tokenize + forward pass + decide.
        let mut samples = Vec::new();
        for round in 0..args.rounds.max(1) {
            for u in &set.utterances {
                let started = Instant::now();
                let v = embed_one(&embedder, &u.text)?;
                let decision = matcher.decide(&u.text, &v);
                latencies.push(started.elapsed().as_secs_f64() * 1e3);
                if round == 0 {
                    samples.push(Sample::new(u.clone(), v, decision));
                }
            }
        }
        batch_ms.push(batch_latency(&embedder, set)?);

        println!(
            "deskbell-eval: {name} (model {})",
            short(embedder.model().id())
        );
        println!(
            "model: {:.1} MB file, loaded in {load_ms:.0} ms; {} FAQ entries and {} intent examples indexed in {index_ms:.0} ms",
            embedder.model().file_bytes() as f64 / 1e6,
            set.faq.len(),
            Matcher::intent_examples().len()
        );
        println!("{config:?}");
        Summary::print_all(&samples);
        if !set.kinds.is_empty() {
            goals::print(&matcher, &samples, set);
        }
        if args.verbose {
            score::print_mistakes(&samples, set);
        }
        if args.labels {
            score::print_labels(&samples, set);
        }
        if let Some(path) = &args.dump {
            score::dump(path, &embedder, set, &samples)?;
        }
        cases.push((matcher, samples));
    }
    let batch_ms = batch_ms.iter().sum::<f64>() / batch_ms.len().max(1) as f64;
    score::print_latency(&mut latencies, batch_ms);
    println!(
        "load: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("memory before the model: {rss_before}");
    println!("memory with the model:   {}", memory());
    if args.calibrate {
        calibrate::calibrate(&cases);
    }
    Ok(())
}

/// Embeds the built-in intents and the FAQ (through the stored int8 form, as the
/// server does) into a matcher.
fn build_matcher(embedder: &Embedder, set: &EvalSet, config: BotConfig) -> Result<Matcher, String> {
    let examples = Matcher::intent_examples();
    let texts: Vec<&str> = examples.iter().map(|(_, t)| *t).collect();
    let vectors = embedder.embed(&texts).map_err(|e| e.to_string())?;
    let intents = examples.iter().map(|(i, _)| *i).zip(vectors).collect();
    let mut matcher = Matcher::new(config, intents);
    for entry in &set.faq {
        let vectors = embedder
            .embed(&entry.prototypes())
            .map_err(|e| e.to_string())?;
        let stored = vectors
            .iter()
            .map(|v| QuantizedEmbedding::quantize(v).to_embedding())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        matcher.upsert(entry, stored).map_err(|e| e.to_string())?;
    }
    Ok(matcher)
}

fn embed_one(embedder: &Embedder, text: &str) -> Result<Embedding, String> {
    let vectors = embedder.embed(&[text]).map_err(|e| e.to_string())?;
    vectors
        .first()
        .copied()
        .ok_or_else(|| "no embedding".to_owned())
}

/// Milliseconds per message when 16 messages share one padded forward pass (not the
/// default: see `deskbell::intent::embedder`).
fn batch_latency(embedder: &Embedder, set: &EvalSet) -> Result<f64, String> {
    let embedder = embedder.clone().with_max_batch(16);
    let texts: Vec<&str> = set.utterances.iter().map(|u| u.text.as_str()).collect();
    let started = Instant::now();
    for chunk in texts.chunks(16) {
        embedder.embed(chunk).map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3 / texts.len() as f64)
}

/// `VmRSS`, `VmHWM`, `RssAnon` and `RssFile` from /proc/self/status.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let fields = ["VmRSS", "VmHWM", "RssAnon", "RssFile"];
    let found: Vec<String> = status
        .lines()
        .filter(|l| fields.iter().any(|f| l.starts_with(f)))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    found.join(", ")
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
