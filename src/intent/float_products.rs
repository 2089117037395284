//! Runs the model's integer matrix products as `f32` products with the same result.
//!
//! The built-in model is quantized: each of its 14 dense layers is a `MatMulInteger` of
//! the activations (`u8`, quantized per message by `DynamicQuantizeLinear`) by `i8`
//! weights, then scaled back to `f32`. tract 0.23 runs those products through its `i32`
//! kernels, which on this project's x86-64 machine (AVX2, no AVX-512) took 12 ms for one
//! 12 × 512 by 512 × 768 product, against 0.15 ms for the same product in `f32`: a
//! visitor message cost 51-188 ms of one core, now 1.7-12 ms (docs/BENCHMARKS.md,
//! "Issue #16 → Seventh sitting").
//!
//! [`rewrite`] turns each `MatMulInteger` whose weights are a constant of the file into
//!
//! ```text
//! Round(MatMul(Cast<f32>(a) - Cast<f32>(a_zero_point), weights_f32)) → Cast<i32>
//! ```
//!
//! where `weights_f32` holds `weight - weight_zero_point` (per column, or one for all),
//! computed once here. Every factor is an integer of at most 255 in size, so each
//! product is exact in `f32`, and so is every sum below 2²⁴: the layer's output is the
//! integer `MatMulInteger` gives (checked on a random layer by the tests below). Only a
//! sum past 2²⁴, which needs most of up to 1,280 products near their largest, can be
//! off by a few units in tens of millions; on the built-in model the embeddings agree
//! to within 10⁻⁶ (also tested). The rest of the graph
//! (the quantization, the scales) is untouched. The weights take four bytes each
//! instead of one: 13.6 MB instead of 3.4 for the built-in model, which is why only
//! x86-64 builds rewrite ([`super::model`]); ARM keeps tract's integer kernels.

use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto};

use super::IntentError;

/// Rewrites every `MatMulInteger` of `model` with constant `i8` weights (see the
/// module header); returns how many. A product it cannot rewrite (weights computed by
/// the graph, another element type) is left as it is.
pub fn rewrite(model: &mut ModelProto) -> Result<usize, IntentError> {
    let Some(graph) = model.graph.as_mut() else {
        return Ok(0);
    };
    let nodes = std::mem::take(&mut graph.node);
    let mut rewritten = 0;
    for node in nodes {
        match float_weights(graph, &node)? {
            Some(weights) => {
                rewritten += 1;
                let replacement = float_product(&node, &weights);
                graph.node.extend(replacement);
            }
            None => graph.node.push(node),
        }
    }
    drop_unused_initializers(graph);
    Ok(rewritten)
}

/// The name of the `f32` copy of `node`'s weights, made (once per weight tensor) and
/// added to the graph's initializers; None when `node` is not a rewritable product.
fn float_weights(graph: &mut GraphProto, node: &NodeProto) -> Result<Option<String>, IntentError> {
    if node.op_type != "MatMulInteger" || !node.domain.is_empty() || node.input.len() < 2 {
        return Ok(None);
    }
    let weights_name = &node.input[1];
    let Some(weights) = initializer(graph, weights_name) else {
        return Ok(None);
    };
    let (rows, cols) = match weights.dims[..] {
        [rows, cols] if weights.data_type == DataType::Int8 as i32 => (rows, cols),
        _ => return Ok(None),
    };
    let zero_point_name = node.input.get(3).filter(|name| !name.is_empty());
    let zero_points = match zero_point_name {
        None => vec![0],
        Some(name) => match initializer(graph, name) {
            Some(zp) if zp.data_type == DataType::Int8 as i32 => integers(zp)?,
            _ => return Ok(None),
        },
    };
    // One copy per pair of weights and zero point: two products may share weights with
    // different zero points.
    let float_name = match zero_point_name {
        Some(zero_point) => format!("{weights_name}.{zero_point}.deskbell_f32"),
        None => format!("{weights_name}.deskbell_f32"),
    };
    if initializer(graph, &float_name).is_some() {
        return Ok(Some(float_name));
    }
    let values = integers(weights)?;
    let cols = usize::try_from(cols).map_err(|_| bad("negative weight columns"))?;
    let expected = usize::try_from(rows).map_err(|_| bad("negative weight rows"))? * cols;
    if values.len() != expected || !(zero_points.len() == 1 || zero_points.len() == cols) {
        return Err(bad(&format!(
            "{weights_name}: {} weights and {} zero points for {rows} × {cols}",
            values.len(),
            zero_points.len()
        )));
    }
    let mut raw = Vec::with_capacity(values.len() * 4);
    for (i, w) in values.iter().enumerate() {
        let zp = zero_points[if zero_points.len() == 1 { 0 } else { i % cols }];
        raw.extend_from_slice(&((w - zp) as f32).to_le_bytes());
    }
    graph.initializer.push(TensorProto {
        name: float_name.clone(),
        dims: vec![rows, cols as i64],
        data_type: DataType::Float as i32,
        raw_data: raw,
        ..TensorProto::default()
    });
    Ok(Some(float_name))
}

/// The nodes that replace `product` (see the module header), writing its output.
fn float_product(product: &NodeProto, weights: &str) -> Vec<NodeProto> {
    let stem = format!(
        "{}.deskbell_f32",
        if product.name.is_empty() {
            &product.output[0]
        } else {
            &product.name
        }
    );
    let name = |part: &str| format!("{stem}.{part}");
    let mut nodes = vec![cast(&product.input[0], &name("a"), DataType::Float)];
    let mut activations = name("a");
    if let Some(zero_point) = product.input.get(2).filter(|name| !name.is_empty()) {
        nodes.push(cast(zero_point, &name("a_zero_point"), DataType::Float));
        nodes.push(op(
            "Sub",
            &[&activations, &name("a_zero_point")],
            &name("centred"),
        ));
        activations = name("centred");
    }
    nodes.push(op("MatMul", &[&activations, weights], &name("product")));
    nodes.push(op("Round", &[&name("product")], &name("rounded")));
    nodes.push(cast(&name("rounded"), &product.output[0], DataType::Int32));
    nodes
}

/// A node without attributes.
fn op(op_type: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        op_type: op_type.into(),
        name: output.into(),
        input: inputs.iter().map(|s| (*s).to_owned()).collect(),
        output: vec![output.into()],
        ..NodeProto::default()
    }
}

/// `Cast(input) → output` to `to`.
fn cast(input: &str, output: &str, to: DataType) -> NodeProto {
    NodeProto {
        attribute: vec![AttributeProto {
            name: "to".into(),
            r#type: AttributeType::Int as i32,
            i: to as i64,
            ..AttributeProto::default()
        }],
        ..op("Cast", &[input], output)
    }
}

/// The graph's constant named `name`.
fn initializer<'a>(graph: &'a GraphProto, name: &str) -> Option<&'a TensorProto> {
    graph.initializer.iter().find(|t| t.name == name)
}

/// The values of an `i8` tensor, stored as raw bytes or as `int32_data`.
fn integers(tensor: &TensorProto) -> Result<Vec<i32>, IntentError> {
    if !tensor.raw_data.is_empty() {
        return Ok(tensor
            .raw_data
            .iter()
            .map(|&b| i32::from(b as i8))
            .collect());
    }
    if tensor.int32_data.iter().all(|v| i8::try_from(*v).is_ok()) {
        return Ok(tensor.int32_data.clone());
    }
    Err(bad(&format!("{}: an int8 value out of range", tensor.name)))
}

/// Removes the constants no node reads any more (the `i8` weights just replaced), so
/// the loaded model does not keep both copies. A constant also listed as a graph input
/// (files of IR version 3 and older list them all) stays, or that input would be left
/// without its value.
fn drop_unused_initializers(graph: &mut GraphProto) {
    let read: std::collections::HashSet<&str> = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter().map(String::as_str))
        .chain(graph.output.iter().map(|o| o.name.as_str()))
        .chain(graph.input.iter().map(|i| i.name.as_str()))
        .collect();
    let keep: Vec<bool> = graph
        .initializer
        .iter()
        .map(|t| read.contains(t.name.as_str()))
        .collect();
    let mut keep = keep.into_iter();
    graph.initializer.retain(|_| keep.next().unwrap_or(true));
}

fn bad(message: &str) -> IntentError {
    IntentError::BadModel(format!("integer products: {message}"))
}

#[cfg(test)]
#[path = "float_products_tests.rs"]
mod tests;
