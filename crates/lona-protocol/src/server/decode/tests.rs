//! Round trips of every server message, every patch type and operation and every node kind
//! through the encoder and [`decode_server`], the map-order rule, and errors that say where.

use lona_html::tags::{button, div, input, li, span, svg, ul};
use lona_html::{Document, Event, Key, MapOp, NodeId, Patch, PatchOp, Value, WidgetDataOp};
use proptest::prelude::*;

use super::strategies::{any_id, any_patch_op, any_snapshot};

use super::{DecodedHtml, DecodedServerMessage, ServerFrame, decode_server};
use crate::{Html, ResumeFailure, RuntimeId, ServerMessage, WindowId};

mod seq;

const W1: WindowId = WindowId(1);
const TOKEN: &str = "abcdefghijklmnopqrs-_0";
const R1: RuntimeId = RuntimeId(1);

/// Encodes `message`, decodes it, and checks that the decoded message encodes to the same frame.
#[track_caller]
fn round_trip(message: ServerMessage<'_>) -> DecodedServerMessage {
    let frame = message.encode();
    let decoded = match decode_server(&frame) {
        Ok(ServerFrame::Lona(decoded)) => decoded,
        other => panic!("{frame}: {other:?}"),
    };
    assert_eq!(decoded.as_message().encode(), frame);
    decoded
}

fn data(html: Html<'_>) -> ServerMessage<'_> {
    ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "T",
        html: Some(html),
    }
}

#[test]
fn control_messages_round_trip() {
    let cases = [
        (
            ServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: None,
            },
            DecodedServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: None,
            },
        ),
        (
            ServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: Some(TOKEN),
            },
            DecodedServerMessage::ViewStart {
                window: W1,
                runtime: R1,
                resume: Some(TOKEN.to_owned()),
            },
        ),
        (
            ServerMessage::Resumed {
                window: W1,
                runtime: R1,
                seq: 9,
                event: 0,
            },
            DecodedServerMessage::Resumed {
                window: W1,
                runtime: R1,
                seq: 9,
                event: 0,
            },
        ),
        (
            ServerMessage::ResumeFailed {
                window: W1,
                reason: ResumeFailure::Expired,
            },
            DecodedServerMessage::ResumeFailed {
                window: W1,
                reason: ResumeFailure::Expired,
            },
        ),
        (
            ServerMessage::ResumeFailed {
                window: W1,
                reason: ResumeFailure::Refused,
            },
            DecodedServerMessage::ResumeFailed {
                window: W1,
                reason: ResumeFailure::Refused,
            },
        ),
        (
            ServerMessage::ViewStop {
                window: W1,
                runtime: RuntimeId(u64::MAX),
            },
            DecodedServerMessage::ViewStop {
                window: W1,
                runtime: RuntimeId(u64::MAX),
            },
        ),
        (
            ServerMessage::InputEventAck {
                window: WindowId(u32::MAX),
                runtime: R1,
                event_id: 7,
            },
            DecodedServerMessage::InputEventAck {
                window: WindowId(u32::MAX),
                runtime: R1,
                event_id: 7,
            },
        ),
        (
            ServerMessage::Redirect {
                window: W1,
                runtime: None,
                url: "/a?b=\"c\"",
            },
            DecodedServerMessage::Redirect {
                window: W1,
                runtime: None,
                url: "/a?b=\"c\"".to_owned(),
            },
        ),
        (
            ServerMessage::HttpRedirect {
                window: W1,
                runtime: Some(R1),
                url: "https://example.com/",
            },
            DecodedServerMessage::HttpRedirect {
                window: W1,
                runtime: Some(R1),
                url: "https://example.com/".to_owned(),
            },
        ),
        (ServerMessage::Pong, DecodedServerMessage::Pong),
        (
            ServerMessage::Data {
                window: W1,
                runtime: R1,
                title: "",
                html: None,
            },
            DecodedServerMessage::Data {
                window: W1,
                runtime: R1,
                title: String::new(),
                html: None,
            },
        ),
        (
            data(Html::String("<b>x</b>")),
            DecodedServerMessage::Data {
                window: W1,
                runtime: R1,
                title: "T".to_owned(),
                html: Some(DecodedHtml::String("<b>x</b>".to_owned())),
            },
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(round_trip(message), expected);
    }
    assert_eq!(decode_server("hello"), Ok(ServerFrame::Custom("hello")));
}

#[test]
fn live_trees_and_recorded_patches_round_trip() {
    let field = input().with_attr("type", "text").with_attr("value", "x");
    field.events().add(Event::Change { delay_ms: 300 });
    let list = ul().with_child(li().with_text("a"));
    let root = div()
        .with_child(button().with_id("go").with_class("big").with_text("Go"))
        .with_child(&field)
        .with_child(&list)
        .with_child(svg().with_child(span()))
        .with_child(span().with_widget("w", Value::map([("b", 1), ("a", 2)])));
    root.style().set("color", "red");
    let tree = round_trip(data(Html::Tree(&root)));
    assert_eq!(
        tree,
        DecodedServerMessage::Data {
            window: W1,
            runtime: R1,
            title: "T".to_owned(),
            html: Some(DecodedHtml::Tree(root.snapshot())),
        }
    );

    let doc = Document::new();
    doc.set_root(&root);
    let _ = doc.take_patches();
    root.id_list().add("main");
    root.class_list().reset(["a", "b"]);
    root.style().remove("color");
    field.attributes().set("disabled", true);
    field.attributes().set("size", 3);
    field.attributes().set("step", 0.5);
    field.attributes().remove("value");
    field.events().clear();
    list.append(li().with_child(span().with_text("deep")));
    list.insert(0, li());
    let first = list.children()[0].clone();
    first.remove();
    list.set_children(vec![li().with_text("new")]);
    list.clear();
    let widget = root.children()[4].clone();
    let data_handle = widget.widget_data();
    data_handle.set(&[], Key::from("c"), Value::list([1, 2]));
    data_handle.insert(&[Key::from("c")], 1, Value::Float(2.5));
    data_handle.remove(&[Key::from("c")], Key::Index(0));
    data_handle.clear(&[Key::from("c")]);
    data_handle.reset(Value::Null);
    let patches = doc.take_patches();
    assert!(patches.len() >= 15, "{patches:?}");
    let decoded = round_trip(data(Html::Update(&patches)));
    let DecodedServerMessage::Data {
        html: Some(DecodedHtml::Update(decoded)),
        ..
    } = decoded
    else {
        panic!("an update: {decoded:?}");
    };
    assert_eq!(decoded, patches);
}

#[test]
fn objects_keep_the_order_they_came_in() {
    let frame = r#"lona:[1,"1",203,["",[502,[401,"1","","p",[],[],{"z-index":"1","color":"red"},{"title":"t","alt":"a","data-lona-events":"301"},[],"w",{"b":1,"a":{"y":2,"x":3}}]]]]"#;
    let Ok(ServerFrame::Lona(DecodedServerMessage::Data {
        html: Some(DecodedHtml::Tree(tree)),
        ..
    })) = decode_server(frame)
    else {
        panic!("a tree");
    };
    let lona_html::Content::Element(element) = tree.content() else {
        panic!("an element");
    };
    let style: Vec<&str> = element.style().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(style, ["z-index", "color"]);
    let attributes: Vec<&str> = element
        .attributes()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(attributes, ["title", "alt"]);
    assert_eq!(element.events(), [Event::Click]);
    let data = element.widget().map(|w| w.data().clone());
    assert_eq!(
        data,
        Some(Value::map([
            ("b", Value::Int(1)),
            ("a", Value::map([("y", 2), ("x", 3)]))
        ]))
    );
}

#[test]
fn what_a_patch_cannot_say_decodes_to_what_it_means() {
    let decoded = |frame: &str| match decode_server(frame) {
        Ok(ServerFrame::Lona(DecodedServerMessage::Data {
            html: Some(DecodedHtml::Update(patches)),
            ..
        })) => patches,
        other => panic!("{frame}: {other:?}"),
    };
    assert_eq!(
        decoded(
            r#"lona:[1,"1",203,["",[503,[["3",604,701,"title",null],["3",606,702,["a",0],5]]]]]"#
        ),
        [
            Patch::new(
                NodeId::from_raw(3),
                PatchOp::Attributes(MapOp::Remove("title".to_owned()))
            ),
            Patch::new(
                NodeId::from_raw(3),
                PatchOp::WidgetData(WidgetDataOp::Set {
                    path: vec![Key::from("a")],
                    key: Key::Index(0),
                    value: Value::Int(5),
                })
            ),
        ]
    );
}

#[test]
fn errors_say_where_and_what() {
    let cases = [
        ("lona:[1,", "frame", "JSON after the `lona:` prefix"),
        ("lona:{}", "frame", "a 4-item array"),
        (r#"lona:[-1,"1",204,null]"#, "frame[0]", "a window id"),
        (r#"lona:[1,"01",204,null]"#, "frame[1]", "a runtime id"),
        (r#"lona:[1,null,204,null]"#, "frame[1]", "a runtime id"),
        (r#"lona:[1,"1",101,null]"#, "frame[2]", "a server method"),
        (
            "lona:[1,null,206,null]",
            "frame",
            "exactly [null,null,206,null]",
        ),
        (
            r#"lona:[1,"1",203,["",[504,1]]]"#,
            "frame[3][1][0]",
            "a DATA_TYPE",
        ),
        (
            r#"lona:[1,"1",203,["",[503,[["3",602,701,"a"]]]]]"#,
            "frame[3][1][1][0][2]",
            "ADD, REMOVE, CLEAR or RESET",
        ),
        (
            r#"lona:[1,"1",203,["",[503,[["3",605,705,0,[401,"4","","a b",[],[],{},{},[],"",null]]]]]]"#,
            "frame[3][1][1][0][4][3]",
            "a tag name",
        ),
        (
            r#"lona:[1,"1",203,["",[503,[["3",604,701,"data-lona-events","309"]]]]]"#,
            "frame[3][1][1][0][4]",
            "event codes",
        ),
    ];
    for (frame, path, expected) in cases {
        let error = decode_server(frame).expect_err(frame);
        assert_eq!(error.path, path, "{error}");
        assert!(error.expected.contains(expected), "{error}");
    }
    let deep = format!("lona:{}{}", "[".repeat(2000), "]".repeat(2000));
    assert!(decode_server(&deep).expect_err("too deep").is_too_deep());
}

/// Decoding recurses once per level, as encoding does; a debug build needs more than a test
/// thread's 2 MiB for the deepest tree, so this runs on a thread of its own.
#[test]
fn the_deepest_tree_the_parser_builds_decodes() {
    let deepest = || {
        let mut node = span().with_text("leaf");
        for _ in 0..lona_html::MAX_PARSE_DEPTH {
            node = div().with_child(node);
        }
        let decoded = round_trip(data(Html::Tree(&node)));
        assert!(matches!(
            decoded,
            DecodedServerMessage::Data {
                html: Some(DecodedHtml::Tree(_)),
                ..
            }
        ));
    };
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(deepest)
        .expect("a thread")
        .join()
        .expect("the deepest tree decodes");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_tree_round_trips(snapshot in any_snapshot()) {
        let decoded = round_trip(data(Html::Snapshot(&snapshot)));
        let DecodedServerMessage::Data { html: Some(DecodedHtml::Tree(tree)), .. } = decoded else {
            panic!("a tree");
        };
        prop_assert_eq!(tree, snapshot);
    }

    #[test]
    fn any_patch_list_round_trips(
        ops in prop::collection::vec((any_id(), any_patch_op()), 0..6),
    ) {
        let patches: Vec<Patch> = ops.into_iter().map(|(id, op)| Patch::new(id, op)).collect();
        let decoded = round_trip(data(Html::Update(&patches)));
        let DecodedServerMessage::Data { html: Some(DecodedHtml::Update(decoded)), .. } = decoded
        else {
            panic!("an update");
        };
        prop_assert_eq!(decoded, patches);
    }

    #[test]
    fn decoding_never_panics(frame in "lona:\\[[0-9a-z\\[\\]{}\",:.-]{0,60}\\]") {
        let _ = decode_server(&frame);
    }
}
