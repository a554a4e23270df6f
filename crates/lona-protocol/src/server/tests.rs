//! Golden tests of what the server sends: the examples of the protocol reference, byte for byte,
//! built from real trees and real recorded patches.

use expect_test::expect;
use lona_html::tags::{button, div, h1, input, span};
use lona_html::{Document, Event, Key, Node, NodeId, Value};
use proptest::prelude::*;

use crate::{Html, RuntimeId, ServerMessage, WindowId};

const W1: WindowId = WindowId(1);
const R1: RuntimeId = RuntimeId(1);

#[test]
fn control_messages_match_the_reference() {
    let cases = [
        (
            ServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: None,
            },
            r#"lona:[1,"1",204,null]"#,
        ),
        (
            ServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: Some("abcdefghijklmnopqrs-_0"),
            },
            r#"lona:[1,"1",204,{"resume":"abcdefghijklmnopqrs-_0"}]"#,
        ),
        (
            ServerMessage::Resumed {
                window: W1,
                runtime: R1,
                seq: 12,
                event: 5,
            },
            r#"lona:[1,"1",207,{"seq":12,"event":5},12]"#,
        ),
        (
            ServerMessage::ResumeFailed {
                window: W1,
                reason: crate::ResumeFailure::Expired,
            },
            r#"lona:[1,null,208,"expired"]"#,
        ),
        (
            ServerMessage::ResumeFailed {
                window: W1,
                reason: crate::ResumeFailure::Refused,
            },
            r#"lona:[1,null,208,"refused"]"#,
        ),
        (
            ServerMessage::ViewStop {
                window: W1,
                runtime: R1,
            },
            r#"lona:[1,"1",205,null]"#,
        ),
        (
            ServerMessage::InputEventAck {
                window: W1,
                runtime: R1,
                event_id: 5,
            },
            r#"lona:[1,"1",103,5]"#,
        ),
        (
            ServerMessage::Redirect {
                window: W1,
                runtime: Some(R1),
                url: "/foo",
            },
            r#"lona:[1,"1",201,"/foo"]"#,
        ),
        (
            ServerMessage::HttpRedirect {
                window: W1,
                runtime: Some(R1),
                url: "/foo",
            },
            r#"lona:[1,"1",202,"/foo"]"#,
        ),
        (
            ServerMessage::HttpRedirect {
                window: W1,
                runtime: None,
                url: "/foo",
            },
            r#"lona:[1,null,202,"/foo"]"#,
        ),
        (ServerMessage::Pong, r#"lona:[null,null,206,null]"#),
        (
            ServerMessage::Data {
                window: W1,
                runtime: R1,
                title: "Title",
                html: Some(Html::String("<h1>raw html string</h1>")),
            },
            r#"lona:[1,"1",203,["Title",[501,"<h1>raw html string</h1>"]]]"#,
        ),
        (
            ServerMessage::Data {
                window: W1,
                runtime: R1,
                title: "Title",
                html: None,
            },
            r#"lona:[1,"1",203,["Title",null]]"#,
        ),
    ];
    for (message, wire) in cases {
        assert_eq!(message.encode(), wire, "{message:?}");
    }
}

/// The counter page of the reference's HTML_TREE example, with handles to its parts.
struct Counter {
    root: Node,
    h1: Node,
    span: Node,
    button: Node,
    input: Node,
}

fn counter() -> Counter {
    let h1 = h1().with_class("title").with_text("Counter");
    let span = span().with_id("counter").with_text("0");
    let button = button().with_text("+1");
    let input = input()
        .with_attr("type", "text")
        .with_attr("value", "x")
        .with_event(Event::Change { delay_ms: 300 });
    let root = div()
        .with_style("color", "red")
        .with_children([&h1, &span, &button, &input]);
    Counter {
        root,
        h1,
        span,
        button,
        input,
    }
}

fn text_id(node: &Node, index: usize) -> NodeId {
    node.child(index).expect("child exists").id()
}

#[test]
fn html_tree_matches_the_reference_example() {
    let c = counter();
    let message = ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "My Title",
        html: Some(Html::Tree(&c.root)),
    };
    let expected = format!(
        r#"lona:[1,"1",203,["My Title",[502,[401,"{div}","","div",[],[],{{"color":"red"}},{{}},[[401,"{h1}","","h1",[],["title"],{{}},{{}},[[402,"{h1t}","Counter"]],"",null],[401,"{span}","","span",["counter"],[],{{}},{{}},[[402,"{spant}","0"]],"",null],[401,"{button}","","button",[],[],{{}},{{"data-lona-events":"301"}},[[402,"{buttont}","+1"]],"",null],[401,"{input}","","input",[],[],{{}},{{"type":"text","value":"x","data-lona-events":"302:300"}},[],"",null]],"",null]]]]"#,
        div = c.root.id(),
        h1 = c.h1.id(),
        h1t = text_id(&c.h1, 0),
        span = c.span.id(),
        spant = text_id(&c.span, 0),
        button = c.button.id(),
        buttont = text_id(&c.button, 0),
        input = c.input.id(),
    );
    assert_eq!(message.encode(), expected);

    // A snapshot of the same tree encodes identically.
    let snapshot = c.root.snapshot();
    let from_snapshot = ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "My Title",
        html: Some(Html::Snapshot(&snapshot)),
    };
    assert_eq!(from_snapshot.encode(), expected);
}

#[test]
fn html_update_matches_the_reference_example() {
    let c = counter();
    let doc = Document::new();
    doc.set_root(&c.root);

    c.span.set_text("1");
    c.button.class_list().add("active");
    c.button.attributes().set("disabled", "");
    c.root.style().set("background-color", "blue");
    let new = div().with_text("new");
    c.root.insert(4, &new);

    let patches = doc.take_patches();
    let message = ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "",
        html: Some(Html::Update(&patches)),
    };
    let expected = format!(
        r#"lona:[1,"1",203,["",[503,[["{span}",605,702,[[402,"{spant}","1"]]],["{button}",602,703,"active"],["{button}",604,701,"disabled",""],["{div}",603,701,"background-color","blue"],["{div}",605,705,4,[401,"{new}","","div",[],[],{{}},{{}},[[402,"{newt}","new"]],"",null]]]]]]"#,
        span = c.span.id(),
        spant = text_id(&c.span, 0),
        button = c.button.id(),
        div = c.root.id(),
        new = new.id(),
        newt = text_id(&new, 0),
    );
    assert_eq!(message.encode(), expected);
}

/// Encodes the patches recorded while `change` runs on a node in a document, with the node's
/// id written as `N` and its child's as `C`, so expectations read like the reference.
fn patches_of(node: &Node, change: impl FnOnce()) -> String {
    let doc = Document::new();
    doc.set_root(node);
    let _ = doc.take_patches();
    let mut ids: Vec<(String, &str)> = vec![(format!("\"{}\"", node.id()), "\"N\"")];
    if let Some(child) = node.child(0) {
        ids.push((format!("\"{}\"", child.id()), "\"C\""));
    }
    change();
    let mut out = String::new();
    crate::encode_patches(&mut out, &doc.take_patches());
    for (id, name) in ids {
        out = out.replace(&id, name);
    }
    out
}

#[test]
fn single_patches_match_the_reference() {
    let node = div().with_id("foo bar").with_class("a b");
    expect![[r#"[["N",601,706,"foo"]]"#]].assert_eq(&patches_of(&node, || {
        node.id_list().remove("foo");
    }));
    expect![[r#"[["N",602,704]]"#]].assert_eq(&patches_of(&node, || node.class_list().clear()));
    expect![[r#"[["N",603,702,{"top":"1px"}]]"#]]
        .assert_eq(&patches_of(&node, || node.style().reset([("top", "1px")])));

    let parent = div().with_child(span()).with_child(span());
    let second = parent.child(1).expect("second child");
    let removed = patches_of(&parent, || {
        parent.remove_child(&second);
    })
    .replace(&format!("\"{}\"", second.id()), "\"S\"");
    expect![[r#"[["N",605,706,"S"]]"#]].assert_eq(&removed);

    let parent = div().with_child(span());
    let replacement = span();
    let set = patches_of(&parent, || {
        parent.replace_child(0, &replacement);
    })
    .replace(&format!("\"{}\"", replacement.id()), "\"R\"");
    expect![[r#"[["N",605,701,0,[401,"R","","span",[],[],{},{},[],"",null]]]"#]].assert_eq(&set);
}

#[test]
fn widget_data_patches_match_the_reference() {
    let chart = || div().with_widget("Chart", Value::map([("items", Value::list([1, 2]))]));
    let node = chart();
    expect![[r#"[["N",606,705,["items"],2,3]]"#]].assert_eq(&patches_of(&node, || {
        node.widget_data().push(&[Key::from("items")], 3);
    }));
    expect![[r#"[["N",606,701,[],"x",2]]"#]].assert_eq(&patches_of(&node, || {
        node.widget_data().set(&[], "x", 2);
    }));
    expect![[r#"[["N",606,702,[],{"reset":true}]]"#]].assert_eq(&patches_of(&node, || {
        node.widget_data().reset(Value::map([("reset", true)]));
    }));
    let node = chart();
    expect![[r#"[["N",606,706,["items"],0]]"#]].assert_eq(&patches_of(&node, || {
        node.widget_data().remove(&[Key::from("items")], 0usize);
    }));
    let node = chart();
    expect![[r#"[["N",606,704,["items"]]]"#]].assert_eq(&patches_of(&node, || {
        node.widget_data().clear(&[Key::from("items")]);
    }));
}

#[test]
fn svg_children_carry_the_inherited_namespace() {
    let circle = Node::element("circle").with_attr("r", 5);
    let svg = lona_html::tags::svg().with_child(&circle);
    let mut out = String::new();
    crate::encode_node(&mut out, &svg, &lona_html::Namespace::HTML);
    let expected = format!(
        r#"[401,"{svg}","http://www.w3.org/2000/svg","svg",[],[],{{}},{{}},[[401,"{circle}","http://www.w3.org/2000/svg","circle",[],[],{{}},{{"r":5}},[],"",null]],"",null]"#,
        svg = svg.id(),
        circle = circle.id(),
    );
    assert_eq!(out, expected);
}

#[test]
fn raw_html_is_lonas_raw_html_widget() {
    let raw = Node::raw_html("<b>bold</b>");
    let mut out = String::new();
    crate::encode_node(&mut out, &raw, &lona_html::Namespace::HTML);
    let expected = format!(
        r#"[401,"{id}","","div",[],[],{{}},{{}},[],"lona.RawHtmlWidget",{{"inner_html":"<b>bold</b>"}}]"#,
        id = raw.id()
    );
    assert_eq!(out, expected);
}

#[test]
fn codes_json_lists_every_code_and_agrees_with_the_html_crate() {
    let json: serde_json::Value =
        serde_json::from_str(&crate::codes_json()).expect("codes_json is JSON");
    assert_eq!(json["METHOD"]["VIEW"], 101);
    assert_eq!(json["METHOD"]["PONG"], 206);
    assert_eq!(json["METHOD"]["ACK"], 106);
    assert_eq!(json["METHOD"]["RESUME"], 107);
    assert_eq!(json["METHOD"]["RESUMED"], 207);
    assert_eq!(json["METHOD"]["RESUME_FAILED"], 208);
    assert_eq!(json["INPUT_EVENT_TYPE"]["CLICK"], Event::CLICK_CODE);
    assert_eq!(json["INPUT_EVENT_TYPE"]["CHANGE"], Event::CHANGE_CODE);
    assert_eq!(json["INPUT_EVENT_TYPE"]["CUSTOM"], Event::CUSTOM_CODE);
    assert_eq!(json["INPUT_EVENT_TYPE"]["FOCUS"], Event::FOCUS_CODE);
    assert_eq!(json["INPUT_EVENT_TYPE"]["BLUR"], Event::BLUR_CODE);
    assert_eq!(json["INPUT_EVENT_TYPE"]["SUBMIT"], Event::SUBMIT_CODE);
    assert_eq!(json["NODE_TYPE"]["TEXT_NODE"], 402);
    assert_eq!(json["DATA_TYPE"]["HTML_UPDATE"], 503);
    assert_eq!(json["PATCH_TYPE"]["WIDGET_DATA"], 606);
    assert_eq!(json["OPERATION"]["REMOVE"], 706);
    let total: usize = json
        .as_object()
        .expect("an object")
        .values()
        .map(|group| group.as_object().expect("groups are objects").len())
        .sum();
    assert_eq!(total, 15 + 6 + 3 + 3 + 6 + 6);
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,8}",
        any::<String>(),
        Just("\"\\\u{0}\u{1f}\u{7f}\u{2028}</script>".to_owned()),
    ]
}

proptest! {
    /// Whatever text and attribute values hold, the encoded tree is JSON that decodes back to
    /// exactly those strings.
    #[test]
    fn encoded_trees_are_json_with_the_same_strings(
        text in any_text(),
        value in any_text(),
        style in any_text(),
    ) {
        let node = div()
            .with_attr("title", value.as_str())
            .with_style("--x", &style)
            .with_child(text.as_str());
        let mut out = String::new();
        crate::encode_node(&mut out, &node, &lona_html::Namespace::HTML);
        let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        prop_assert_eq!(json[7]["title"].as_str(), Some(value.as_str()));
        prop_assert_eq!(json[6]["--x"].as_str(), Some(style.as_str()));
        prop_assert_eq!(json[8][0][2].as_str(), Some(text.as_str()));
    }
}

#[test]
fn an_encoded_part_is_spliced_unchanged() {
    let c = counter();
    let direct = ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "T",
        html: Some(Html::Tree(&c.root)),
    }
    .encode();
    let part = Html::Tree(&c.root).encode_part();
    let spliced = ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "T",
        html: Some(Html::Encoded(&part)),
    }
    .encode();
    assert_eq!(direct, spliced);
}
