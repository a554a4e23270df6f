//! Benchmarks of the wire protocol: encoding a 10,000-node tree as HTML_TREE, one text change
//! on a 10,000-node tree end to end (record, take, encode), and decoding 1,000 click events.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lona_html::tags::{div, li};
use lona_html::{Document, Node};
use lona_protocol::client::decode_client;
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};

fn tree_10000() -> (Node, Node) {
    let target = li().with_class("item").with_text("target");
    let root = div()
        .with_children((0..4999).map(|i| {
            li().with_class("item")
                .with_attr("data-index", i)
                .with_text(format!("item {i}"))
        }))
        .with_child(&target);
    (root, target)
}

fn encode_tree(c: &mut Criterion) {
    let (root, _) = tree_10000();
    let mut out = String::new();
    c.bench_function("protocol/encode_tree/10000", |b| {
        b.iter(|| {
            out.clear();
            ServerMessage::Data {
                window: WindowId(1),
                runtime: RuntimeId(1),
                title: "Bench",
                html: Some(Html::Tree(&root)),
            }
            .encode_into(&mut out);
            out.len()
        })
    });
}

fn text_change(c: &mut Criterion) {
    let (root, target) = tree_10000();
    let doc = Document::new();
    doc.set_root(&root);
    let mut out = String::new();
    let mut n = 0u64;
    c.bench_function("protocol/text_change/10000", |b| {
        b.iter(|| {
            n += 1;
            target.set_text(n.to_string());
            let patches = doc.take_patches();
            out.clear();
            ServerMessage::Data {
                window: WindowId(1),
                runtime: RuntimeId(1),
                title: "",
                html: Some(Html::Update(&patches)),
            }
            .encode_into(&mut out);
            out.len()
        })
    });
}

fn decode_clicks(c: &mut Criterion) {
    let frames: Vec<String> = (1..=1000)
        .map(|i| {
            format!(
                r#"lona:[1,"1",102,[{i},301,{{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":12,"y":9}},["{i}","BUTTON","",""],["{i}","BUTTON","",""]]]"#
            )
        })
        .collect();
    let mut group = c.benchmark_group("protocol");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("decode_click/1000", |b| {
        b.iter(|| frames.iter().filter(|f| decode_client(f).is_ok()).count())
    });
    group.finish();
}

criterion_group!(benches, encode_tree, text_change, decode_clicks);
criterion_main!(benches);
