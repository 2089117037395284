//! The rewritten products give what the integer ones give: on one random layer exactly,
//! on the built-in model to within `f32` rounding.

use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{
    GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TypeProto, ValueInfoProto,
    type_proto,
};
use tract_onnx::prelude::*;

use super::rewrite;
use crate::intent::embedder::builtin_tokenizer;
use crate::intent::{Embed, Embedder, Model};

/// Rows of activations.
const ROWS: usize = 7;
/// The products' depth: that of the model's deepest layer.
const DEPTH: usize = 1280;
/// Columns of weights.
const COLS: usize = 48;

/// One `MatMulInteger` of `a` (`u8`, an input) with its zero point (an input, as
/// `DynamicQuantizeLinear` gives it) by constant `i8` weights with one zero point per
/// column, as the built-in model's layers have them.
fn one_layer(rng: &mut fastrand::Rng) -> ModelProto {
    let weights: Vec<u8> = (0..DEPTH * COLS).map(|_| rng.i8(..) as u8).collect();
    let zero_points: Vec<i32> = (0..COLS).map(|_| i32::from(rng.i8(-4..=4))).collect();
    let value = |name: &str, elem: DataType| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: elem as i32,
                shape: None,
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    };
    ModelProto {
        ir_version: 8,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 17,
        }],
        graph: Some(GraphProto {
            name: "one layer".into(),
            node: vec![NodeProto {
                op_type: "MatMulInteger".into(),
                name: "layer".into(),
                input: vec!["a".into(), "w".into(), "a_zp".into(), "w_zp".into()],
                output: vec!["y".into()],
                ..NodeProto::default()
            }],
            initializer: vec![
                TensorProto {
                    name: "w".into(),
                    dims: vec![DEPTH as i64, COLS as i64],
                    data_type: DataType::Int8 as i32,
                    raw_data: weights,
                    ..TensorProto::default()
                },
                TensorProto {
                    name: "w_zp".into(),
                    dims: vec![COLS as i64],
                    data_type: DataType::Int8 as i32,
                    int32_data: zero_points,
                    ..TensorProto::default()
                },
            ],
            input: vec![value("a", DataType::Uint8), value("a_zp", DataType::Uint8)],
            output: vec![value("y", DataType::Int32)],
            ..GraphProto::default()
        }),
        ..ModelProto::default()
    }
}

/// Runs a one-layer model on `a` with zero point `a_zp`.
fn run(model: &ModelProto, a: &[u8], a_zp: u8) -> Vec<i32> {
    let mut graph = tract_onnx::onnx()
        .model_for_proto_model(model)
        .expect("the layer parses");
    graph
        .set_input_fact(0, u8::fact([ROWS, DEPTH]).into())
        .expect("a's fact");
    graph
        .set_input_fact(1, u8::fact([0usize; 0]).into())
        .expect("a_zp's fact");
    let plan = graph
        .into_optimized()
        .and_then(|m| m.into_runnable())
        .expect("the layer optimises");
    let inputs = tvec![
        Tensor::from_shape(&[ROWS, DEPTH], a)
            .expect("a")
            .into_tvalue(),
        tensor0(a_zp).into_tvalue(),
    ];
    let outputs = plan.run(inputs).expect("the layer runs");
    let view = outputs[0].to_plain_array_view::<i32>().expect("i32 output");
    view.iter().copied().collect()
}

#[test]
fn a_rewritten_layer_gives_the_integers_of_the_original() {
    let mut rng = fastrand::Rng::with_seed(16);
    let original = one_layer(&mut rng);
    let mut rewritten = original.clone();
    assert_eq!(rewrite(&mut rewritten).expect("rewrites"), 1);
    let graph = rewritten.graph.as_ref().expect("graph");
    assert!(graph.node.iter().all(|n| n.op_type != "MatMulInteger"));
    assert!(
        graph.initializer.iter().all(|t| t.name != "w"),
        "the i8 weights are dropped once replaced"
    );
    for round in 0..4 {
        let a: Vec<u8> = (0..ROWS * DEPTH).map(|_| rng.u8(..)).collect();
        let a_zp = rng.u8(..);
        let expected = run(&original, &a, a_zp);
        assert_eq!(run(&rewritten, &a, a_zp), expected, "round {round}");
        assert!(expected.iter().any(|v| v.abs() > 100_000), "large sums too");
    }
}

#[test]
fn a_graph_without_integer_products_is_left_alone() {
    let mut rng = fastrand::Rng::with_seed(3);
    let mut model = one_layer(&mut rng);
    let graph = model.graph.as_mut().expect("graph");
    graph.node[0].op_type = "MatMul".into();
    let before = model.clone();
    assert_eq!(rewrite(&mut model).expect("rewrites"), 0);
    assert_eq!(model, before);
}

#[test]
fn the_built_in_model_embeds_as_with_integer_products() {
    let rewritten = crate::intent::tests::embedder();
    let as_is = Embedder::new(
        Model::builtin_as_is().expect("loads as is"),
        builtin_tokenizer().expect("tokenizer"),
    );
    let texts = [
        "hi",
        "Do you deliver to the next town on Sundays, and how much does it cost?",
        "我的订单什么时候发货？",
        &"a long pasted message that goes on and on about bread ".repeat(12),
    ];
    let ours = rewritten.embed(&texts).expect("embeds");
    let theirs = as_is.embed(&texts).expect("embeds as is");
    for ((text, a), b) in texts.iter().zip(&ours).zip(&theirs) {
        let largest = a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(largest <= 1e-6, "{text:?}: differs by {largest}");
    }
}

#[test]
fn a_constant_listed_as_a_graph_input_keeps_its_value() {
    let mut rng = fastrand::Rng::with_seed(5);
    let mut model = one_layer(&mut rng);
    let graph = model.graph.as_mut().expect("graph");
    let listed = ValueInfoProto {
        name: "w".into(),
        ..graph.input[0].clone()
    };
    graph.input.push(listed);
    assert_eq!(rewrite(&mut model).expect("rewrites"), 1);
    let graph = model.graph.as_ref().expect("graph");
    assert!(graph.initializer.iter().any(|t| t.name == "w"));
    assert!(graph.initializer.iter().all(|t| t.name != "w_zp"));
}

#[test]
fn products_sharing_weights_with_other_zero_points_each_get_their_own() {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut model = one_layer(&mut rng);
    let graph = model.graph.as_mut().expect("graph");
    let mut second = graph.node[0].clone();
    second.name = "second".into();
    second.input[3] = "w_zp2".into();
    second.output = vec!["y2".into()];
    graph.node.push(second);
    graph.initializer.push(TensorProto {
        name: "w_zp2".into(),
        int32_data: vec![1; COLS],
        ..graph.initializer[1].clone()
    });
    assert_eq!(rewrite(&mut model).expect("rewrites"), 2);
    let graph = model.graph.as_ref().expect("graph");
    let copies = graph
        .initializer
        .iter()
        .filter(|t| t.data_type == DataType::Float as i32)
        .count();
    assert_eq!(copies, 2, "one f32 copy per zero point");
}
