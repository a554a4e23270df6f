//! Tests of selects, single and multiple, with option groups.

use crate::Node;
use crate::forms::{ClientValue, Select, apply_client_value};
use crate::tags::{div, option, select};
use crate::tests::doc_with;

use super::attribute_ops;

#[test]
fn single_selects_hold_one_value_and_show_their_first_option_by_default() {
    let color = Select::new().with_name("color").with_options([
        ("r", "Red"),
        ("g", "Green"),
        ("b", "Blue"),
    ]);
    let doc = doc_with(div().with_child(&color));
    assert_eq!(
        color.value().as_deref(),
        Some("r"),
        "what the browser shows"
    );
    assert!(color.set_value(Some("b")));
    assert_eq!(color.value().as_deref(), Some("b"));
    assert_eq!(color.values(), ["b"]);
    assert!(!color.set_value(Some("x")));
    assert_eq!(color.value().as_deref(), Some("b"));
    doc.take_patches();

    assert!(apply_client_value(&color, ClientValue::Selected(&[1, 2])));
    assert_eq!(
        color.value().as_deref(),
        Some("g"),
        "a single select takes one index"
    );
    assert_eq!(color.selected_indexes(), [1]);
    assert!(apply_client_value(&color, ClientValue::Selected(&[7])));
    assert_eq!(
        color.value().as_deref(),
        Some("r"),
        "an index out of range selects nothing"
    );
    color.set_values(["g", "b"]);
    assert_eq!(color.values(), ["g"]);
    color.select_all();
    assert_eq!(color.values(), ["r"]);
    assert!(color.remove_option("r"));
    assert!(!color.remove_option("r"));
    assert_eq!(color.option_values(), ["g", "b"]);
    color.clear_options();
    assert_eq!(color.value(), None);
    assert!(!apply_client_value(&color, ClientValue::Text("r")));
}

#[test]
fn multiple_selects_hold_any_number_of_values() {
    let sizes = Select::multiple()
        .with_option("s", "Small")
        .with_option("m", "Medium")
        .with_option("l", "Large");
    let doc = doc_with(div().with_child(&sizes));
    assert!(sizes.is_multiple());
    assert_eq!(sizes.value(), None);
    assert!(sizes.values().is_empty());
    assert!(apply_client_value(&sizes, ClientValue::Selected(&[0, 2])));
    assert_eq!(sizes.values(), ["s", "l"]);
    assert_eq!(sizes.value().as_deref(), Some("s"));
    let ops = attribute_ops(&doc, &doc.take_patches());
    assert_eq!(
        ops,
        [
            ("s".into(), "selected".into(), Some("true".into())),
            ("l".into(), "selected".into(), Some("true".into())),
        ]
    );
    sizes.set_values(["m"]);
    assert_eq!(sizes.values(), ["m"]);
    sizes.select_all();
    assert_eq!(sizes.values(), ["s", "m", "l"]);
    sizes.select_none();
    assert!(sizes.values().is_empty());
}

#[test]
fn options_inside_optgroups_count_and_an_option_without_value_uses_its_text() {
    let plain = select()
        .with_child(
            Node::element("optgroup")
                .with_child(option().with_text(" One "))
                .with_child(option().with_attr("value", "2").with_text("Two")),
        )
        .with_child(option().with_attr("value", "3").with_text("Three"));
    let _doc = doc_with(div().with_child(&plain));
    let select = Select::from_node(plain.clone()).expect("a select");
    assert_eq!(select.option_values(), ["One", "2", "3"]);
    assert!(apply_client_value(&plain, ClientValue::Selected(&[2])));
    assert_eq!(select.value().as_deref(), Some("3"));
    assert!(Select::from_node(div()).is_none());
}
