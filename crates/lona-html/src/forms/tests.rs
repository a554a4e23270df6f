//! Tests of the form controls: what every control shares (elements, default events, browser
//! values, handles, issued patches); one file per family of controls.

use super::{
    Checkbox, ClientValue, NumberInput, RadioButton, Select, Submit, TextArea, TextInput,
    apply_client_value,
};
use crate::tags::{div, input, span};
use crate::test_support::Dom;
use crate::tests::doc_with;
use crate::{Document, Event, Issuer, MapOp, Node, Patch, PatchOp};

mod checkbox;
mod radio;
mod select;
mod submitted;
mod text;

fn attribute_ops(doc: &Document, patches: &[Patch]) -> Vec<(String, String, Option<String>)> {
    patches
        .iter()
        .filter_map(|patch| {
            let node = doc.node(patch.node_id).expect("a node of the document");
            let label = node
                .attributes()
                .get("value")
                .or_else(|| node.attributes().get("type"))
                .map_or_else(
                    || node.tag().unwrap_or_default().into_owned(),
                    |v| v.to_string(),
                );
            match &patch.op {
                PatchOp::Attributes(MapOp::Set(name, value)) => {
                    Some((label, name.clone(), Some(value.to_string())))
                }
                PatchOp::Attributes(MapOp::Remove(name)) => Some((label, name.clone(), None)),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn controls_have_lonas_elements_and_default_events() {
    assert_eq!(
        TextInput::new().to_html(),
        r#"<input type="text" data-lona-events="302:300">"#
    );
    assert_eq!(
        TextArea::new().to_html(),
        r#"<textarea data-lona-events="302:300"></textarea>"#
    );
    assert_eq!(
        NumberInput::new().to_html(),
        r#"<input type="number" data-lona-events="302:300">"#
    );
    assert_eq!(
        Checkbox::new().to_html(),
        r#"<input type="checkbox" data-lona-events="302">"#
    );
    assert_eq!(
        RadioButton::new("a").to_html(),
        r#"<input type="radio" value="a" data-lona-events="302">"#
    );
    assert_eq!(
        Select::new().with_option("a", "A").to_html(),
        r#"<select data-lona-events="302"><option value="a">A</option></select>"#
    );
    assert_eq!(
        Select::multiple().to_html(),
        r#"<select multiple data-lona-events="302"></select>"#
    );
    assert_eq!(
        Submit::new("Send").to_html(),
        r#"<input type="submit" value="Send">"#
    );
    assert!(TextInput::new().with_delay(0).events().to_vec() == [Event::CHANGE]);
}

#[test]
fn any_input_textarea_or_select_takes_browser_values_buttons_and_files_do_not() {
    let email = input().with_attr("type", "email");
    let untyped = input();
    let textarea = crate::tags::textarea();
    let file = input().with_attr("type", "file");
    let submit = input().with_attr("type", "submit").with_attr("value", "Go");
    let not_a_control = span();
    let svg_input = Node::element("input");
    let _svg = crate::tags::svg().with_child(&svg_input);
    assert!(apply_client_value(&email, ClientValue::Text("a@b.c")));
    assert!(apply_client_value(&untyped, ClientValue::Text("x")));
    assert!(apply_client_value(&textarea, ClientValue::Text("y")));
    assert!(!apply_client_value(
        &file,
        ClientValue::Text("C:\\fakepath\\x")
    ));
    assert!(!apply_client_value(&submit, ClientValue::Text("Hacked")));
    assert!(!apply_client_value(&not_a_control, ClientValue::Text("z")));
    assert!(!apply_client_value(&svg_input, ClientValue::Text("z")));
    assert!(!apply_client_value(
        &Node::text("t"),
        ClientValue::Text("z")
    ));
    assert_eq!(
        TextInput::from_node(email).map(|t| t.value()),
        Some("a@b.c".into())
    );
    assert_eq!(submit.attributes().get("value"), Some("Go".into()));
    assert!(TextInput::from_node(file).is_none());
    assert!(Checkbox::from_node(untyped).is_none());
}

#[test]
fn handles_build_trees_and_deref_to_their_node() {
    let name = TextInput::new()
        .with_id("name")
        .with_class("wide")
        .with_style("width", "10em")
        .with_key("k")
        .with_disabled(true)
        .with_readonly(true);
    assert!(name.is_disabled() && name.is_readonly());
    name.set_disabled(false);
    assert!(!name.is_disabled());
    let root = div().with_child(&name);
    assert_eq!(root.child(0).as_ref(), Some(name.node()));
    let node: Node = name.clone().into();
    assert_eq!(node, *name);
    assert_eq!(format!("{name:?}"), format!("TextInput({node:?})"));
    assert!(name.has_id("name"));
}

#[test]
fn patches_made_inside_with_issuer_carry_the_issuer_and_others_do_not() {
    let name = TextInput::new();
    let label = span();
    let other_doc_node = span();
    let doc = doc_with(div().with_child(&name).with_child(&label));
    let other = doc_with(div().with_child(&other_doc_node));
    let issuer = Issuer::from_raw(7);
    let inner = Issuer::from_raw(8);
    let result = doc.with_issuer(issuer, || {
        apply_client_value(&name, ClientValue::Text("typed"));
        other_doc_node.set_text("elsewhere");
        doc.with_issuer(inner, || label.set_text("inner"));
        label.attributes().set("title", "after the inner scope");
        42
    });
    assert_eq!(result, 42);
    label.class_list().add("outside");
    let issuers: Vec<Option<u64>> = doc
        .take_patches()
        .iter()
        .map(|p| p.issuer.map(Issuer::get))
        .collect();
    assert_eq!(issuers, [Some(7), Some(8), Some(7), None]);
    assert!(other.take_patches().iter().all(|p| p.issuer.is_none()));

    // A panic inside the scope does not leave the issuer behind.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        doc.with_issuer(issuer, || panic!("boom"))
    }));
    assert!(caught.is_err());
    label.set_text("after the panic");
    assert!(doc.take_patches().iter().all(|p| p.issuer.is_none()));
    let patch = Patch::new(label.id(), PatchOp::Nodes(crate::NodesOp::Clear));
    assert_eq!(patch.issuer, None);
    assert_eq!(patch.with_issuer(Some(issuer)).issuer, Some(issuer));
}

#[test]
fn replaying_issued_patches_gives_the_tree() {
    let name = TextInput::new();
    let root = div().with_child(&name);
    let doc = doc_with(&root);
    let mut everyone = Dom::from_snapshot(&root.snapshot());
    doc.with_issuer(Issuer::from_raw(1), || {
        apply_client_value(&name, ClientValue::Text("abc"));
    });
    let patches = doc.take_patches();
    everyone.apply(&patches);
    assert_eq!(
        everyone.normalized(),
        Dom::from_snapshot(&root.snapshot()).normalized()
    );
}
