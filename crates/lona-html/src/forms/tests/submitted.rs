//! Tests of a submitted form: values applied and typed.

use crate::forms::{Checkbox, ClientValue, RadioGroup, Select, TextInput};
use crate::tags::{div, form};
use crate::tests::doc_with;

#[test]
fn a_submit_applies_the_values_and_types_them() {
    use crate::forms::{FieldValue, Submitted};
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
