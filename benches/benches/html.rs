//! Benchmarks of the node tree: rendering a 10,000-node tree to HTML and the keyed diff of
//! 1,000 children with 10 moves. Ids are `area/operation/size`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lona_html::tags::{div, li, ul};
use lona_html::{Node, diff};

/// A list of 5,000 items, each an `<li>` with a class and a text: 10,001 nodes.
fn tree_10000() -> Node {
    div().with_children((0..5000).map(|i| {
        li().with_class("item")
            .with_attr("data-index", i)
            .with_text(format!("item {i}"))
    }))
}

fn keyed(order: &[usize]) -> Node {
    ul().with_children(
        order
            .iter()
            .map(|&i| li().with_key(i.to_string()).with_text(i.to_string())),
    )
}

fn render(c: &mut Criterion) {
    let tree = tree_10000();
    let mut out = String::new();
    c.bench_function("html/render/10000", |b| {
        b.iter(|| {
            out.clear();
            out.push_str(&tree.to_html());
            out.len()
        })
    });
}

fn diff_keyed(c: &mut Criterion) {
    let old_order: Vec<usize> = (0..1000).collect();
    // Ten items move from the front to spread-out places further down.
    let mut new_order = old_order.clone();
    for k in 0..10 {
        let item = new_order.remove(k);
        new_order.insert(100 * k + 50, item);
    }
    c.bench_function("html/diff_keyed/1000_10moves", |b| {
        // By reference, so that dropping the trees is not measured with the diff.
        b.iter_batched_ref(
            || (keyed(&old_order), keyed(&new_order)),
            |(old, new)| diff(old, new).map(|patches| patches.len()),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, render, diff_keyed);
criterion_main!(benches);
