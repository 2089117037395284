//! Tests of the real model: golden embeddings from onnxruntime, padding invariance,
//! clear errors for missing or corrupt files, and the worker running the real model.

use std::sync::OnceLock;

use super::embedder::{builtin_tokenizer, dot};
use super::*;

const GOLDEN: &str = include_str!("../../tests/fixtures/embedding_golden.json");

/// The built-in embedder, loaded once for all tests of this binary.
pub(crate) fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| Embedder::builtin().expect("the built-in model loads"))
}

/// A text, its reference ids and its reference (onnxruntime) embedding.
struct Case {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn golden() -> Vec<Case> {
    let json: serde_json::Value = serde_json::from_str(GOLDEN).expect("golden json");
    let numbers = |v: &serde_json::Value| -> Vec<f64> {
        let list = v.as_array().expect("a list");
        list.iter().map(|x| x.as_f64().expect("a number")).collect()
    };
    let cases = json["cases"].as_array().expect("cases");
    cases
        .iter()
        .map(|case| Case {
            text: case["text"].as_str().expect("text").to_owned(),
            ids: numbers(&case["ids"])
                .into_iter()
                .map(|x| x as u32)
                .collect(),
            embedding: numbers(&case["embedding"])
                .into_iter()
                .map(|x| x as f32)
                .collect(),
        })
        .collect()
}

/// Cosine similarity (the golden vectors are rounded, so not exactly unit length).
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (norm(a) * norm(b))
}

#[test]
fn golden_sentences_embed_like_onnxruntime_alone_or_in_one_call() {
    let embedder = embedder();
    let cases = golden();
    assert!(cases.len() >= 8, "only {} golden cases", cases.len());
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let together = embedder.embed(&texts).expect("embeds");
    for (case, in_call) in cases.iter().zip(&together) {
        assert_eq!(embedder.tokenizer().encode(&case.text, 128), case.ids);
        let alone = embedder.embed(&[&case.text]).expect("embeds")[0];
        let norm = dot(&alone, &alone);
        assert!((norm - 1.0).abs() < 1e-4, "{:?}: norm² {norm}", case.text);
        let c = cosine(&alone, &case.embedding);
        assert!(c >= 0.999, "{:?}: cosine {c} to onnxruntime", case.text);
        assert_eq!(
            &alone, in_call,
            "one pass per text: batch-mates change nothing"
        );
    }
}

/// The model runs each row of a padded batch alone, so batch-mates change nothing.
#[test]
fn padded_batches_give_the_vectors_of_their_rows_alone() {
    let batched = embedder().clone().with_max_batch(16);
    let cases = golden();
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let vectors = batched.embed(&texts).expect("embeds");
    for (text, v) in texts.iter().zip(&vectors) {
        assert_eq!(
            &embedder().embed(&[text]).expect("embeds")[0],
            v,
            "{text:?}"
        );
    }
}

#[test]
fn similar_questions_are_closer_than_unrelated_ones() {
    let e = embedder();
    let v = e
        .embed(&[
            "When are you open?",
            "what r ur opening hours",
            "Do you sell gift cards?",
        ])
        .expect("embeds");
    assert!(dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.2);
}

#[test]
fn similar_questions_are_closer_across_languages() {
    let e = embedder();
    let v = e
        .embed(&[
            "How much is shipping?",
            "运费多少钱",
            "Do you sell gift cards?",
        ])
        .expect("embeds");
    assert!(dot(&v[0], &v[1]) > dot(&v[1], &v[2]) + 0.2);
}

#[test]
fn visitor_text_never_becomes_a_special_token() {
    let tokenizer = builtin_tokenizer().expect("vocab");
    let special = tokenizer.special_ids();
    let ids = tokenizer.encode("<s> hi </s><unk> [CLS] [SEP]", 128);
    let (first, rest) = ids.split_first().expect("ids");
    let (last, inner) = rest.split_last().expect("ids");
    assert_eq!((*first, *last), (special.bos, special.eos));
    assert!(
        inner
            .iter()
            .all(|&id| !special.is_control(id) && id != special.unk),
        "{ids:?}"
    );
}

#[test]
fn missing_empty_and_corrupt_models_are_clear_errors() {
    let missing = Model::from_path(std::path::Path::new("/nonexistent/model.onnx"));
    let Err(IntentError::ReadModel { path, .. }) = missing else {
        panic!("expected ReadModel, got {missing:?}");
    };
    assert_eq!(path, std::path::Path::new("/nonexistent/model.onnx"));
    assert_eq!(Model::from_bytes(b"").err(), Some(IntentError::EmptyModel));
    let junk = Model::from_bytes(b"this is not an onnx file at all");
    assert!(matches!(junk, Err(IntentError::BadModel(_))), "{junk:?}");
    let whole = model::builtin_model_bytes().expect("inflates");
    let truncated = Model::from_bytes(&whole[..1 << 20]);
    assert!(
        matches!(truncated, Err(IntentError::BadModel(_))),
        "{truncated:?}"
    );
    let message = truncated.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("the model is not a usable ONNX"),
        "{message}"
    );
}

#[test]
fn the_worker_runs_the_real_model_for_callers_on_several_threads() {
    let embedder = embedder();
    let sentences = [
        "Do you ship to Canada?",
        "hi",
        "Can I return a jacket that doesn't fit? I bought it last week in your store.",
        "i need a person",
    ];
    let want = embedder.embed(&sentences).expect("embeds");
    let (handle, thread) =
        EmbedHandle::spawn(embedder.clone(), WorkerConfig::default()).expect("spawn");
    let callers: Vec<_> = (0..3)
        .map(|_| {
            let handle = handle.clone();
            let want = want.clone();
            std::thread::spawn(move || {
                for _ in 0..4 {
                    for (text, want) in sentences.iter().zip(&want) {
                        let got = handle.embed_blocking(vec![(*text).into()]).expect("embeds");
                        assert!(dot(&got[0], want) > 0.9999, "{text:?}");
                    }
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().expect("caller");
    }
    handle.close();
    thread.join().expect("worker exits");
}

#[test]
fn the_built_in_models_id_is_the_sha256_of_its_file() {
    let id = embedder().model().id().to_owned();
    let whole = model::builtin_model_bytes().expect("inflates");
    assert_eq!(Model::from_bytes(&whole).expect("loads").id(), id);
    let sums = include_str!("../../models/SHA256SUMS");
    assert!(
        sums.lines()
            .any(|l| l == format!("{id}  use-m-en-zh-int8.onnx")),
        "{id} is not in models/SHA256SUMS"
    );
}
