//! Widget data: changes in place, raw HTML nodes, and the changes a browser may send.

use expect_test::expect;

use crate::tags::div;
use crate::{Key, Node, PatchOp, Value, WIDGET_DATA_EVENT, WidgetDataOp};

use super::doc_with;

#[test]
fn widget_data_changes_in_place_and_records_patches() {
    let node = div().with_widget("Chart", Value::map([("items", Value::list([1, 2]))]));
    let doc = doc_with(&node);
    let items = [Key::from("items")];
    node.widget_data().push(&items, 3);
    node.widget_data().set(&items, 0usize, 10);
    node.widget_data().set(&[], "label", "x");
    assert!(node.widget_data().remove(&items, 1usize));
    assert!(!node.widget_data().remove(&items, 99usize));
    expect![[r#"Map([("items", List([Int(10), Int(3)])), ("label", String("x"))])"#]]
        .assert_eq(&format!("{:?}", node.widget_data().get()));
    assert_eq!(doc.take_patches().len(), 4);
}

#[test]
fn raw_html_renders_unescaped_and_updates_as_widget_data() {
    let raw = Node::raw_html("<b>bold</b>");
    assert_eq!(raw.to_html(), "<div><b>bold</b></div>");
    let doc = doc_with(&raw);
    raw.set_raw_html("<i>x</i>");
    assert_eq!(raw.to_html(), "<div><i>x</i></div>");
    assert_eq!(doc.take_patches().len(), 1);
}

#[test]
fn widget_data_takes_client_changes_at_existing_paths_only() {
    let widget = div()
        .with_widget(
            "Counter",
            Value::map([
                ("count", Value::Int(0)),
                ("items", Value::list([1, 2])),
                ("nested", Value::map([("a", Value::Null)])),
            ]),
        )
        .with_widget_sync();
    let doc = doc_with(&widget);
    assert!(widget.events().accepts(303, Some(WIDGET_DATA_EVENT)));
    let change = |path: Value, value: Value| Value::map([("path", path), ("value", value)]);

    assert!(
        widget
            .widget_data()
            .apply_client_change(&change(Value::list(["count"]), Value::Int(1)))
    );
    assert!(widget.widget_data().apply_client_change(&change(
        Value::List(vec![Value::from("items"), Value::Int(1)]),
        Value::Int(5)
    )));
    assert!(widget.widget_data().apply_client_change(&change(
        Value::list(["nested", "b"]),
        Value::from("new key")
    )));
    assert_eq!(
        widget.widget_data().get(),
        Value::map([
            ("count", Value::Int(1)),
            ("items", Value::list([1, 5])),
            (
                "nested",
                Value::map([("a", Value::Null), ("b", Value::from("new key"))])
            ),
        ])
    );
    let patches = doc.take_patches();
    assert_eq!(patches.len(), 3);
    assert_eq!(
        patches[1].op,
        PatchOp::WidgetData(WidgetDataOp::Set {
            path: vec![Key::from("items")],
            key: Key::Index(1),
            value: Value::Int(5),
        })
    );

    let bad = [
        Value::Null,
        Value::from("count"),
        Value::map([("path", Value::list(["count"]))]),
        change(Value::from("count"), Value::Int(1)),
        change(Value::list(["missing", "x"]), Value::Int(1)),
        change(
            Value::List(vec![Value::from("items"), Value::Int(2)]),
            Value::Int(1),
        ),
        change(
            Value::List(vec![Value::from("items"), Value::Int(-1)]),
            Value::Int(1),
        ),
        change(
            Value::List(vec![Value::from("count"), Value::Int(0)]),
            Value::Int(1),
        ),
        change(Value::List(vec![Value::Bool(true)]), Value::Int(1)),
        change(Value::List(vec![Value::Int(0)]), Value::Int(1)),
    ];
    for change in &bad {
        assert!(
            !widget.widget_data().apply_client_change(change),
            "{change:?}"
        );
    }
    assert!(!doc.has_patches(), "refused changes change nothing");

    assert!(widget.widget_data().apply_client_change(&change(
        Value::list(Vec::<Value>::new()),
        Value::map([("count", Value::Int(9))])
    )));
    assert_eq!(
        widget.widget_data().get(),
        Value::map([("count", Value::Int(9))])
    );
    assert!(
        !div().widget_data().replace(&[], Value::Int(1)),
        "no widget, no data"
    );
    assert!(
        widget
            .widget_data()
            .replace(&[Key::from("count")], Value::Int(9))
    );
    assert_eq!(
        doc.take_patches().len(),
        1,
        "an equal value records nothing"
    );
}
