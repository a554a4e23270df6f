//! Tests of the form controls: values both ways, radio groups, selects, issued patches, and the
//! widget data changes a browser may send.

use super::{
    Checkbox, ClientValue, NumberInput, RadioButton, RadioGroup, Select, Submit, TextArea,
    TextInput, apply_client_value,
};
use crate::tags::{div, form, input, option, select, span};
use crate::test_support::Dom;
use crate::{
    AttrValue, Document, Event, Issuer, Key, MapOp, Node, Patch, PatchOp, Value, WIDGET_DATA_EVENT,
    WidgetDataOp,
};

fn doc_with(root: impl Into<Node>) -> Document {
    let doc = Document::new();
    doc.set_root(&root.into());
    doc
}

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
fn text_values_round_trip_and_only_changes_record_patches() {
    let name = TextInput::new().with_name("name").with_placeholder("Name");
    let notes = TextArea::new().with_value("line 1\nline 2");
    let doc = doc_with(div().with_child(&name).with_child(&notes));
    assert_eq!(name.value(), "");
    assert_eq!(name.name().as_deref(), Some("name"));
    assert_eq!(notes.value(), "line 1\nline 2");

    name.set_value("");
    assert!(
        !doc.has_patches(),
        "an empty value on an empty input is no change"
    );
    name.set_value("Ada");
    name.set_value("Ada");
    assert_eq!(doc.take_patches().len(), 1);
    assert_eq!(name.value(), "Ada");

    assert!(apply_client_value(&notes, ClientValue::Text("typed")));
    assert_eq!(notes.value(), "typed");
    assert!(!apply_client_value(&notes, ClientValue::Checked(true)));
    assert_eq!(
        notes.value(),
        "typed",
        "a value of the wrong kind changes nothing"
    );
    name.set_value("");
    assert_eq!(name.value(), "");
}

#[test]
fn number_inputs_read_numbers_and_check_min_max_and_step() {
    let n = NumberInput::new()
        .with_min(1.0)
        .with_max(10.0)
        .with_step(0.5);
    assert_eq!(n.value(), None);
    assert!(n.is_valid(), "empty is valid unless required");
    n.set_value(Some(2.5));
    assert_eq!(n.raw_value(), "2.5");
    assert_eq!(n.value(), Some(2.5));
    assert!(n.is_valid());
    n.set_value(Some(2.25));
    assert!(!n.is_valid(), "not a whole number of steps from min");
    n.set_value(Some(0.5));
    assert!(!n.is_valid(), "below min");
    n.set_value(Some(10.5));
    assert!(!n.is_valid(), "above max");
    n.set_value(Some(4.0));
    assert_eq!(n.raw_value(), "4");
    assert!(apply_client_value(&n, ClientValue::Text("abc")));
    assert_eq!(n.value(), None);
    assert!(!n.is_valid());
    n.set_value(Some(f64::NAN));
    assert_eq!(n.raw_value(), "");
    let required = NumberInput::new().with_attr("required", true);
    assert!(!required.is_valid());
    let any = NumberInput::new().with_attr("step", "any").with_value(0.1);
    assert_eq!(any.step(), None);
    assert!(any.is_valid());
    let fine = NumberInput::new().with_step(0.1).with_value(0.3);
    assert!(
        fine.is_valid(),
        "0.3 is 3 steps of 0.1 despite floating point"
    );
    assert_eq!(
        (n.min(), n.max(), n.step()),
        (Some(1.0), Some(10.0), Some(0.5))
    );
}

#[test]
fn checkboxes_keep_a_bool_in_checked() {
    let agree = Checkbox::new();
    let doc = doc_with(div().with_child(&agree));
    assert!(!agree.value());
    agree.set_value(false);
    assert!(!doc.has_patches());
    assert!(apply_client_value(&agree, ClientValue::Checked(true)));
    assert!(agree.value());
    assert_eq!(
        agree.attributes().get("checked"),
        Some(AttrValue::Bool(true))
    );
    agree.set_value(false);
    assert!(!agree.value());
    let ops = attribute_ops(&doc, &doc.take_patches());
    assert_eq!(
        ops,
        [
            ("checkbox".into(), "checked".into(), Some("true".into())),
            ("checkbox".into(), "checked".into(), None),
        ]
    );
    assert!(!apply_client_value(&agree, ClientValue::Text("on")));
}

#[test]
fn checking_a_radio_unchecks_the_others_of_its_group_only() {
    let colors = RadioGroup::new()
        .with_name("color")
        .with_radio("red", "Red")
        .with_radio("green", "Green")
        .with_radio("blue", "Blue");
    let sizes = RadioGroup::new().with_radio("s", "S").with_radio("l", "L");
    let doc = doc_with(div().with_child(&colors).with_child(&sizes));
    assert_eq!(colors.value(), None);
    assert!(sizes.name().starts_with("lona-radio-"));
    assert!(sizes.set_value(Some("l")));

    let radios = colors.radios();
    assert_eq!(radios.len(), 3);
    assert!(radios.iter().all(|r| r.name().as_deref() == Some("color")));
    assert!(colors.set_value(Some("red")));
    assert_eq!(colors.value().as_deref(), Some("red"));
    doc.take_patches();

    // The browser checks green: red is unchecked on the server, sizes are left alone.
    assert!(apply_client_value(&radios[1], ClientValue::Checked(true)));
    assert_eq!(colors.value().as_deref(), Some("green"));
    assert!(!radios[0].is_checked());
    assert_eq!(sizes.value().as_deref(), Some("l"));
    let ops = attribute_ops(&doc, &doc.take_patches());
    assert_eq!(
        ops,
        [
            ("red".into(), "checked".into(), None),
            ("green".into(), "checked".into(), Some("true".into())),
        ]
    );

    assert!(!colors.set_value(Some("purple")));
    assert_eq!(colors.value().as_deref(), Some("green"));
    assert!(colors.set_value(None));
    assert_eq!(colors.value(), None);
    assert_eq!(colors.checked_radio(), None);
    assert_eq!(RadioGroup::of(&radios[2]), Some(colors.clone()));
    assert_eq!(RadioGroup::of(&div()), None);

    colors.set_name("hue");
    assert!(
        colors
            .radios()
            .iter()
            .all(|r| r.name().as_deref() == Some("hue"))
    );
}

#[test]
fn plain_radios_group_by_name_within_their_form() {
    let radio =
        |name: &str, value: &str| RadioButton::new(value).with_name(name).with_checked(false);
    let (a1, a2) = (radio("a", "1"), radio("a", "2"));
    let other_form = radio("a", "3");
    let unnamed = RadioButton::new("x").with_checked(true);
    let root = div()
        .with_child(form().with_child(&a1).with_child(&a2).with_child(&unnamed))
        .with_child(form().with_child(&other_form));
    let _doc = doc_with(root);
    other_form.set_checked(true);
    a1.set_checked(true);
    assert!(a1.is_checked() && other_form.is_checked() && unnamed.is_checked());
    a2.set_checked(true);
    assert!(!a1.is_checked() && a2.is_checked());
    assert!(other_form.is_checked(), "another form is another group");
    assert!(
        unnamed.is_checked(),
        "a radio without a name is a group of its own"
    );
    assert_eq!(RadioButton::new("v").value(), "v");
    assert_eq!(
        RadioButton::from_node(input().with_attr("type", "radio")).map(|r| r.value()),
        Some("on".to_owned())
    );
}

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

#[test]
fn ignored_nodes_carry_data_lona_ignore() {
    let node = div().with_ignore();
    assert!(node.is_ignored());
    assert_eq!(node.to_html(), "<div data-lona-ignore></div>");
    node.unignore();
    assert!(!node.is_ignored());
    node.ignore();
    assert!(node.is_ignored());
}

#[test]
fn a_submit_applies_the_values_and_types_them() {
    use super::{FieldValue, Submitted};
    let name = TextInput::new().with_name("name");
    let agree = Checkbox::new().with_name("agree");
    let color = RadioGroup::new()
        .with_name("color")
        .with_radio("red", "Red")
        .with_radio("blue", "Blue");
    let sizes = Select::multiple()
        .with_name("sizes")
        .with_option("s", "Small")
        .with_option("m", "Medium")
        .with_option("l", "Large");
    let off = TextInput::new().with_name("off").with_disabled(true);
    let outside = TextInput::new().with_name("outside");
    let the_form = form()
        .with_child(&name)
        .with_child(&agree)
        .with_child(&color)
        .with_child(&sizes)
        .with_child(&off);
    let _doc = doc_with(div().with_child(&the_form).with_child(&outside));
    let radios = color.radios();
    let fields = [
        (
            "name".to_owned(),
            Some(name.node().clone()),
            ClientValue::Text("Ada"),
        ),
        (
            "agree".to_owned(),
            Some(agree.node().clone()),
            ClientValue::Checked(true),
        ),
        (
            "color".to_owned(),
            Some(radios[0].node().clone()),
            ClientValue::Checked(false),
        ),
        (
            "color".to_owned(),
            Some(radios[1].node().clone()),
            ClientValue::Checked(true),
        ),
        (
            "sizes".to_owned(),
            Some(sizes.node().clone()),
            ClientValue::Selected(&[0, 2]),
        ),
        (
            "off".to_owned(),
            Some(off.node().clone()),
            ClientValue::Text("no"),
        ),
        (
            "outside".to_owned(),
            Some(outside.node().clone()),
            ClientValue::Text("no"),
        ),
        ("go".to_owned(), None, ClientValue::Text("Send")),
    ];
    let submitted = Submitted::apply(&the_form, &fields);

    // The tree agrees with what was submitted; what a browser would not submit is left alone.
    assert_eq!(name.value(), "Ada");
    assert!(agree.value());
    assert_eq!(color.value().as_deref(), Some("blue"));
    assert_eq!(sizes.values(), ["s", "l"]);
    assert_eq!(off.value(), "");
    assert_eq!(outside.value(), "");

    assert_eq!(submitted.text("name"), Some("Ada"));
    assert!(submitted.checked("agree"));
    assert_eq!(submitted.text("agree"), Some("on"));
    assert_eq!(submitted.text("color"), Some("blue"));
    assert_eq!(submitted.selected("sizes"), ["s", "l"]);
    assert_eq!(submitted.values("sizes"), ["s", "l"]);
    assert_eq!(submitted.text("go"), Some("Send"));
    assert_eq!(submitted.text("off"), None);
    assert_eq!(submitted.text("outside"), None);
    assert_eq!(submitted.get(&name), Some("Ada".to_owned()));
    assert_eq!(submitted.get(&agree), Some(true));
    assert_eq!(submitted.get(&color), Some(Some("blue".to_owned())));
    assert_eq!(
        submitted.get(&sizes),
        Some(vec!["s".to_owned(), "l".to_owned()])
    );
    assert_eq!(submitted.get(&off), None);
    assert_eq!(submitted.fields().len(), 6);
    assert_eq!(
        submitted.fields()[1].value,
        FieldValue::Checked {
            checked: true,
            value: "on".to_owned()
        }
    );
}
