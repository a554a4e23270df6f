//! Tests of the text controls: text values both ways, number inputs.

use crate::forms::{ClientValue, NumberInput, TextArea, TextInput, apply_client_value};
use crate::tags::div;
use crate::tests::doc_with;

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
