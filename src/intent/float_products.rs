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

use std::collections::HashSet;

use tract_onnx::data_resolver::FopenDataResolver;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto};
use tract_onnx::prelude::tract_ndarray::ArrayD;
use tract_onnx::tensor::load_tensor;

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

/// The name of the `f32` copy of `node`'s weights less their zero point, made once per
/// pair of weights and zero point and added to the graph's initializers; None when
/// `node` is not a rewritable product.
fn float_weights(graph: &mut GraphProto, node: &NodeProto) -> Result<Option<String>, IntentError> {
    if node.op_type != "MatMulInteger" || !node.domain.is_empty() || node.input.len() < 2 {
        return Ok(None);
    }
    let weights_name = &node.input[1];
    let is_i8 = |t: &&TensorProto| t.data_type == DataType::Int8 as i32;
    let Some(weights) = initializer(graph, weights_name).filter(|t| is_i8(t) && t.dims.len() == 2)
    else {
        return Ok(None);
    };
    let zero_point_name = node.input.get(3).filter(|name| !name.is_empty());
    let zero_point = match zero_point_name {
        None => None,
        Some(name) => match initializer(graph, name).filter(is_i8) {
            Some(zp) => Some(zp),
            None => return Ok(None),
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
    let mut values = as_f32(weights)?;
    if let Some(zero_point) = zero_point {
        let zero_point = as_f32(zero_point)?;
        let per_column = zero_point.broadcast(values.dim()).ok_or_else(|| {
            bad(&format!(
                "{weights_name}: zero point of shape {:?} for weights of shape {:?}",
                zero_point.shape(),
                values.shape()
            ))
        })?;
        values -= &per_column;
    }
    let dims = weights.dims.clone();
    graph.initializer.push(TensorProto {
        name: float_name.clone(),
        dims,
        data_type: DataType::Float as i32,
        raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..TensorProto::default()
    });
    Ok(Some(float_name))
}

/// An `i8` constant's values as `f32`, read by tract's own loader.
fn as_f32(tensor: &TensorProto) -> Result<ArrayD<f32>, IntentError> {
    load_tensor(&FopenDataResolver, tensor, None)
        .and_then(|t| t.cast_to::<f32>()?.into_owned().into_plain_array::<f32>())
        .map_err(|e| bad(&format!("{}: {e:#}", tensor.name)))
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

/// Removes the constants no node reads any more (the `i8` weights just replaced), so
/// the loaded model does not keep both copies. A constant also listed as a graph input
/// (files of IR version 3 and older list them all) stays, or that input would be left
/// without its value.
fn drop_unused_initializers(graph: &mut GraphProto) {
    let read: HashSet<&str> = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter())
        .chain(graph.output.iter().map(|o| &o.name))
        .chain(graph.input.iter().map(|i| &i.name))
        .map(String::as_str)
        .collect();
    graph.initializer.retain(|t| read.contains(t.name.as_str()));
}

fn bad(message: &str) -> IntentError {
    IntentError::BadModel(format!("integer products: {message}"))
}

#[cfg(test)]
#[path = "float_products_tests.rs"]
mod tests;
