//! Threads: concurrent edits of one tree, the tree lock, and dropping deep trees.

use std::sync::Arc;

use crate::tags::{div, li, span, ul};
use crate::test_support::Dom;

use super::doc_with;

#[test]
fn two_threads_edit_one_tree_and_every_change_is_recorded_once() {
    let list = ul();
    let root = div().with_child(&list);
    let doc = doc_with(&root);
    let before = Dom::from_snapshot(&root.snapshot());
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let list = list.clone();
            std::thread::Builder::new()
                .name(format!("editor-{t}"))
                .spawn(move || {
                    for i in 0..300 {
                        let item = li().with_text(format!("{t}-{i}"));
                        list.append(&item);
                        item.class_list().add("x");
                        if i % 3 == 0 {
                            item.remove();
                        }
                    }
                })
                .expect("spawn")
        })
        .collect();
    for handle in handles {
        handle.join().expect("editor thread");
    }
    assert_eq!(list.child_count(), 2 * 200);
    let mut replayed = before;
    replayed.apply(&doc.take_patches());
    assert_eq!(
        replayed.normalized(),
        Dom::from_snapshot(&root.snapshot()).normalized()
    );
}

#[test]
fn the_tree_lock_makes_read_modify_write_atomic() {
    let counter = span().with_text("0");
    let root = div().with_child(&counter);
    let _doc = doc_with(&root);
    let counter = Arc::new(counter);
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let counter = Arc::clone(&counter);
            std::thread::Builder::new()
                .name(format!("counter-{t}"))
                .spawn(move || {
                    for _ in 0..500 {
                        let _lock = counter.lock();
                        let n: u32 = counter.text_content().parse().expect("a number");
                        counter.set_text((n + 1).to_string());
                    }
                })
                .expect("spawn")
        })
        .collect();
    for handle in handles {
        handle.join().expect("counter thread");
    }
    assert_eq!(counter.text_content(), "1000");
}

#[test]
fn deep_trees_drop_without_overflowing_the_stack() {
    let root = div();
    let mut current = root.clone();
    for _ in 0..100_000 {
        let child = div();
        current.append(&child);
        current = child;
    }
    drop(current);
    drop(root);
}
