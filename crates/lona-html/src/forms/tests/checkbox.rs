//! Tests of checkboxes.

use crate::AttrValue;
use crate::forms::{Checkbox, ClientValue, apply_client_value};
use crate::tags::div;
use crate::tests::doc_with;

use super::attribute_ops;

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
