//! Tests of URL resolution for navigation and of the fields a submitted form sends.

use lona_html::forms::{Checkbox, RadioGroup, Select, Submit, TextArea, TextInput};
use lona_html::tags::{div, form, input};
use lona_protocol::client::PostValue;

use super::navigation::{form_encode, form_fields, resolve};

#[test]
fn urls_resolve_against_the_window_url() {
    let base = "http://127.0.0.1:9/a/b?x=1";
    assert_eq!(resolve(base, "http://h/z"), "http://h/z");
    assert_eq!(resolve(base, "/other"), "http://127.0.0.1:9/other");
    assert_eq!(resolve(base, "c"), "http://127.0.0.1:9/a/c");
    assert_eq!(resolve(base, "?y=2"), "http://127.0.0.1:9/a/b?y=2");
    assert_eq!(resolve("http://127.0.0.1:9", "c"), "http://127.0.0.1:9/c");
}

#[test]
fn a_form_sends_its_named_enabled_checked_and_selected_fields_in_order() {
    let text = |s: &str| PostValue::Text(s.to_owned());
    let list = |items: &[&str]| PostValue::List(items.iter().map(|s| (*s).to_owned()).collect());
    let many =
        Select::multiple()
            .with_name("many")
            .with_options([("x", "X"), ("y", "Y"), ("z", "Z")]);
    many.set_values(["x", "z"]);
    let fields = form()
        .with_child(TextInput::new().with_name("name").with_value("Ada"))
        .with_child(TextArea::new().with_name("bio").with_value("two\nlines"))
        .with_child(Checkbox::new().with_name("off"))
        .with_child(Checkbox::new().with_name("agree").with_value(true))
        .with_child(
            RadioGroup::new()
                .with_name("color")
                .with_radio("red", "Red")
                .with_radio("blue", "Blue")
                .with_value("blue"),
        )
        .with_child(
            Select::new()
                .with_name("one")
                .with_option("a", "A")
                .with_option("b", "B"),
        )
        .with_child(Select::multiple().with_name("none").with_option("x", "X"))
        .with_child(&many)
        .with_child(div().with_child(input().with_attr("name", "tag").with_attr("value", "t1")))
        .with_child(input().with_attr("name", "tag").with_attr("value", "t2"))
        .with_child(TextInput::new().with_name("gone").with_disabled(true))
        .with_child(
            input()
                .with_attr("type", "file")
                .with_attr("name", "upload"),
        )
        .with_child(Submit::new("Send").with_name("send"));
    assert_eq!(
        form_fields(&fields),
        [
            ("name".to_owned(), text("Ada")),
            ("bio".to_owned(), text("two\nlines")),
            ("agree".to_owned(), text("on")),
            ("color".to_owned(), text("blue")),
            ("one".to_owned(), text("a")),
            ("many".to_owned(), list(&["x", "z"])),
            ("tag".to_owned(), list(&["t1", "t2"])),
        ]
    );
    assert_eq!(form_encode("a b&c=ü"), "a+b%26c%3D%C3%BC");
}
