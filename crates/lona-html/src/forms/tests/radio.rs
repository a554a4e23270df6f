//! Tests of radio buttons and groups.

use crate::forms::{ClientValue, RadioButton, RadioGroup, apply_client_value};
use crate::tags::{div, form, input};
use crate::tests::doc_with;

use super::attribute_ops;

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
