//! The ONNX sentence-embedding model, run by tract: token ids in, one 512-d vector per
//! sequence out.
//!
//! The model file is `models/use-m-en-zh-int8.onnx`: Google's Universal Sentence Encoder
//! multilingual v3 (a CNN over 2-, 3- and 5-grams of piece embeddings, averaged, then a
//! small residual network; L2 normalisation inside the graph), its vocabulary pruned to
//! English + Chinese (`scripts/model-use/`). It is built into the binary deflated
//! ([`builtin_model_bytes`]); `--model PATH` loads another file with the same inputs,
//! output and vocabulary. Loading on x86-64 runs the file's integer matrix products as
//! `f32` products with the same result (`super::float_products`: tract's integer kernels
//! were 16-30× slower there), then parses, optimises and smoke-tests the graph, so a
//! truncated or foreign file fails at start with an [`IntentError`], never later in a
//! conversation.
//!
//! The graph embeds one unpadded sequence per pass: its n-gram windows would read
//! padding as text. [`Model::run`] therefore runs each row of a [`Batch`] on its own,
//! cut to its attention mask, so a padded batch gives exactly the vectors of its rows
//! run alone.
//!
//! Loading holds at most two copies of the weights at once: the file's bytes are decoded
//! into a protobuf message and freed, then the message becomes tract's graph and is
//! freed, then the graph is optimised. (tract's own `model_for_read` copies the file
//! into a second buffer and keeps it with the message: four copies, ~90 MB, which
//! jemalloc kept for its 10 s decay while the first visitors arrived; docs/BENCHMARKS.md,
//! "Issue #9 item 8".)

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use prost::Message as _;
use sha2::{Digest, Sha256};
use tract_onnx::pb::ModelProto;
use tract_onnx::prelude::*;

use super::{IntentError, embedded, float_products};

/// Dimensions of an embedding.
pub const DIM: usize = 512;

/// One sentence embedding, L2-normalised (so a dot product is the cosine similarity).
pub type Embedding = [f32; DIM];

/// The model built into the binary (int8 USE multilingual v3, English + Chinese,
/// Apache-2.0, see `models/NOTICE.md`).
///
/// Deflated by `build.rs` (16 MB smaller); [`builtin_model_bytes`] inflates it.
static BUILTIN_MODEL_DEFLATED: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/model.onnx.deflate"));

/// The built-in model file's size, inflated.
const BUILTIN_MODEL_LEN: usize = include!(concat!(env!("OUT_DIR"), "/model.onnx.len"));

/// The built-in model file, inflated (about 60 ms; the buffer is freed once the model is
/// loaded). The deflated bytes are streamed from the executable file, so their 17.9 MB
/// of pages do not stay in the process's memory ([`embedded`]).
pub fn builtin_model_bytes() -> Result<Vec<u8>, IntentError> {
    let (deflated, source) = embedded::open_static(BUILTIN_MODEL_DEFLATED);
    tracing::debug!(?source, "reading the built-in model");
    embedded::inflate_exact(deflated, BUILTIN_MODEL_LEN)
        .map_err(|e| IntentError::BadModel(format!("the built-in model does not inflate: {e}")))
}

/// The built-in model's id: the SHA-256 of the file, computed by `build.rs`.
static BUILTIN_MODEL_ID: &str = include_str!(concat!(env!("OUT_DIR"), "/model.onnx.sha256"));

/// The vocabulary that goes with the built-in model: `piece<TAB>score` per line.
/// Parsed once at start, through [`builtin_vocab_text`].
pub static BUILTIN_VOCAB: &str = include_str!("../../models/use-m-en-zh-vocab.tsv");

/// A copy of [`BUILTIN_VOCAB`] read from the executable file, like the model: parsing
/// it through the mapping would keep its 1.5 MB of pages resident for as long as the
/// process runs ([`embedded`]); this copy is freed once the tokenizer is built.
pub fn builtin_vocab_text() -> String {
    let (mut reader, _) = embedded::open_static(BUILTIN_VOCAB.as_bytes());
    let mut text = String::with_capacity(BUILTIN_VOCAB.len());
    match reader.read_to_string(&mut text) {
        Ok(n) if n == BUILTIN_VOCAB.len() => text,
        _ => BUILTIN_VOCAB.to_owned(),
    }
}

/// The model's SentencePiece normalisation map (`nmt_nfkc`, precompiled).
pub static BUILTIN_CHARSMAP: &[u8] = include_bytes!("../../models/use-m-charsmap.bin");

/// Token ids prepared for one forward pass: `rows` sequences padded to `cols` ids.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Token ids, row-major, `rows × cols`, padding included.
    pub ids: Vec<i64>,
    /// 1 for a real token, 0 for padding (same shape as `ids`).
    pub mask: Vec<i64>,
    /// Number of sequences.
    pub rows: usize,
    /// Length of every (padded) sequence.
    pub cols: usize,
}

impl Batch {
    /// Pads `seqs` (each non-empty) with `pad` to the longest one.
    pub fn pad(seqs: &[&[u32]], pad: u32) -> Batch {
        let cols = seqs.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut batch = Batch {
            ids: Vec::with_capacity(seqs.len() * cols),
            mask: Vec::with_capacity(seqs.len() * cols),
            rows: seqs.len(),
            cols,
        };
        for seq in seqs {
            batch.ids.extend(seq.iter().map(|&id| i64::from(id)));
            batch.mask.extend(std::iter::repeat_n(1, seq.len()));
            let missing = cols - seq.len();
            batch
                .ids
                .extend(std::iter::repeat_n(i64::from(pad), missing));
            batch.mask.extend(std::iter::repeat_n(0, missing));
        }
        batch
    }
}

/// A loaded, optimised model ready to run (cheap to share between threads).
#[derive(Clone)]
pub struct Model {
    /// The optimised tract plan.
    plan: Arc<TypedRunnableModel>,
    /// Hex sha256 of the model file: stored next to saved embeddings so they can be
    /// recomputed when the model changes.
    id: Arc<str>,
    /// Size of the model file in bytes.
    file_bytes: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.id)
            .field("file_bytes", &self.file_bytes)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// The model built into the binary.
    pub fn builtin() -> Result<Model, IntentError> {
        let (proto, file_bytes) = {
            let bytes = builtin_model_bytes()?;
            (decode(&bytes)?, bytes.len())
        };
        Model::load(proto, BUILTIN_MODEL_ID.into(), file_bytes)
    }

    /// The built-in model with its integer products run as integers, as the file has
    /// them (the tests compare it with [`Model::builtin`]).
    #[cfg(test)]
    pub(crate) fn builtin_as_is() -> Result<Model, IntentError> {
        let bytes = builtin_model_bytes()?;
        Model::load_as_is(decode(&bytes)?, BUILTIN_MODEL_ID.into(), bytes.len())
    }

    /// Reads and loads a model file (the `--model PATH` override).
    pub fn from_path(path: &Path) -> Result<Model, IntentError> {
        let (proto, id, file_bytes) = {
            let bytes = std::fs::read(path).map_err(|e| IntentError::ReadModel {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            (decode(&bytes)?, hex(&Sha256::digest(&bytes)), bytes.len())
        };
        Model::load(proto, id.into(), file_bytes)
    }

    /// Parses, optimises and smoke-tests an ONNX model held in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, IntentError> {
        let id = hex(&Sha256::digest(bytes)).into();
        Model::load(decode(bytes)?, id, bytes.len())
    }

    /// Builds, optimises and smoke-tests the model decoded from a file of `file_bytes`
    /// bytes whose SHA-256 is `id`. Takes the message by value: it is freed as soon as
    /// tract's graph holds the weights.
    fn load(mut proto: ModelProto, id: Arc<str>, file_bytes: usize) -> Result<Model, IntentError> {
        // Measured on x86-64 (docs/BENCHMARKS.md); on ARM tract's integer kernels are
        // its own targets' and the `i8` weights take a quarter of the memory: kept as is.
        if cfg!(target_arch = "x86_64") {
            float_products::rewrite(&mut proto)?;
        }
        Model::load_as_is(proto, id, file_bytes)
    }

    /// [`Model::load`] without [`float_products::rewrite`]: the integer products run as
    /// the file has them (the tests compare the two).
    fn load_as_is(
        proto: ModelProto,
        id: Arc<str>,
        file_bytes: usize,
    ) -> Result<Model, IntentError> {
        let bad = |e: TractError| IntentError::BadModel(format!("{e:#}"));
        let mut model = tract_onnx::onnx()
            .with_ignore_value_info(true)
            .with_ignore_output_shapes(true)
            .model_for_proto_model(&proto)
            .map_err(bad)?;
        drop(proto);
        if model.inputs.len() != 3 || model.outputs.len() != 1 {
            return Err(IntentError::BadModel(format!(
                "expected 3 inputs and 1 output, found {} and {}",
                model.inputs.len(),
                model.outputs.len()
            )));
        }
        // Symbol names must match the ones in the file, or tract cannot unify them.
        let batch = model.symbols.sym("batch");
        let seq = model.symbols.sym("seq");
        let fact: InferenceFact = i64::fact([batch.to_dim(), seq.to_dim()]).into();
        for input in 0..3 {
            model.set_input_fact(input, fact.clone()).map_err(bad)?;
        }
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(bad)?;
        let model = Model {
            plan,
            id,
            file_bytes,
        };
        model.smoke_test()?;
        Ok(model)
    }

    /// Runs `<s> </s>` once: the output must be one finite vector of [`DIM`] values.
    fn smoke_test(&self) -> Result<(), IntentError> {
        let batch = Batch::pad(&[&[1, 2]], 0);
        match self.run(&batch) {
            Ok(out) if out.len() == 1 && out[0].iter().all(|v| v.is_finite()) => Ok(()),
            Ok(_) => Err(IntentError::BadModel("non-finite output".into())),
            Err(IntentError::Inference(e)) => Err(IntentError::BadModel(e)),
            Err(e) => Err(e),
        }
    }

    /// Hex sha256 of the model file.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Size of the model file in bytes.
    pub fn file_bytes(&self) -> usize {
        self.file_bytes
    }

    /// An embedding per row of `batch`, in order, as the model outputs them (the
    /// built-in model normalises them; [`super::Embedder`] normalises again). Each row
    /// is one forward pass over its unpadded ids (see the module header).
    pub fn run(&self, batch: &Batch) -> Result<Vec<Embedding>, IntentError> {
        let cols = batch.cols;
        let rows = batch
            .ids
            .chunks(cols.max(1))
            .zip(batch.mask.chunks(cols.max(1)));
        rows.take(batch.rows)
            .map(|(ids, mask)| {
                let len = mask.iter().take_while(|&&m| m != 0).count();
                self.run_one(&ids[..len])
            })
            .collect()
    }

    /// One forward pass over one sequence of ids.
    fn run_one(&self, ids: &[i64]) -> Result<Embedding, IntentError> {
        let fail = |e: TractError| IntentError::Inference(format!("{e:#}"));
        let shape = [1, ids.len()];
        let ones = vec![1i64; ids.len()];
        let zeros = vec![0i64; ids.len()];
        let inputs = tvec![
            Tensor::from_shape(&shape, ids).map_err(fail)?.into_tvalue(),
            Tensor::from_shape(&shape, &ones)
                .map_err(fail)?
                .into_tvalue(),
            Tensor::from_shape(&shape, &zeros)
                .map_err(fail)?
                .into_tvalue(),
        ];
        let outputs = self.plan.run(inputs).map_err(fail)?;
        let output = outputs
            .first()
            .ok_or_else(|| IntentError::Inference("no output".into()))?;
        let view = output.to_plain_array_view::<f32>().map_err(fail)?;
        if view.shape() != [1, DIM] {
            return Err(IntentError::Inference(format!(
                "output shape {:?}, expected [1, {DIM}]",
                view.shape()
            )));
        }
        let mut out = [0.0; DIM];
        for (slot, value) in out.iter_mut().zip(view.iter()) {
            *slot = *value;
        }
        Ok(out)
    }
}

/// Decodes an ONNX file's protobuf message (the weights are copied out of `bytes`, which
/// the caller can free next).
fn decode(bytes: &[u8]) -> Result<ModelProto, IntentError> {
    if bytes.is_empty() {
        return Err(IntentError::EmptyModel);
    }
    ModelProto::decode(bytes)
        .map_err(|e| IntentError::BadModel(format!("Reading proto model: {e}")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
