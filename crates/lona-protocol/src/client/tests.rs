//! Tests of client message decoding and encoding: the golden frames of lona-features.md 2.2,
//! frames the real client sends beyond them, and table-driven errors (one file per area).

use expect_test::{Expect, expect};
use lona_html::{NodeId, Value};

use super::*;

mod errors;
mod input_events;
mod limits;

fn node(id: u64, tag: &str) -> NodeInfo {
    NodeInfo {
        node_id: Some(NodeId::from_raw(id)),
        tag_name: Some(tag.to_owned()),
        id: Some(String::new()),
        class: Some(String::new()),
    }
}

fn event(event_id: u64, kind: EventKind, node: NodeInfo, target: NodeInfo) -> ClientMessage {
    ClientMessage::InputEvent {
        window: WindowId(1),
        runtime: RuntimeId(1),
        event: InputEvent {
            event_id,
            kind,
            node,
            target,
        },
    }
}

/// The protocol message in a frame, if it decodes to one.
fn lona(frame: &str) -> Option<ClientMessage> {
    match decode_client(frame) {
        Ok(Frame::Lona(message)) => Some(message),
        _ => None,
    }
}

/// Every client example of lona-features.md 2.2, with what it means.
fn golden() -> Vec<(&'static str, ClientMessage)> {
    vec![
        (
            r#"lona:[1,null,101,["http://localhost:8080/count/?x=1",{}]]"#,
            ClientMessage::View {
                window: WindowId(1),
                url: "http://localhost:8080/count/?x=1".to_owned(),
                post_data: PostData::default(),
                ack: false,
                adopt: None,
            },
        ),
        (
            r#"lona:[1,null,101,["http://localhost:8080/form/",{"name":"foo","tags":["a","b"]}]]"#,
            ClientMessage::View {
                window: WindowId(1),
                url: "http://localhost:8080/form/".to_owned(),
                post_data: PostData(vec![
                    ("name".to_owned(), PostValue::Text("foo".to_owned())),
                    (
                        "tags".to_owned(),
                        PostValue::List(vec!["a".to_owned(), "b".to_owned()]),
                    ),
                ]),
                ack: false,
                adopt: None,
            },
        ),
        (
            r#"lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":12,"y":9},["3","BUTTON","",""],["3","BUTTON","",""]]]"#,
            event(
                1,
                EventKind::Click(ClickData {
                    node_width: 80.0,
                    node_height: 24.0,
                    x: 12.0,
                    y: 9.0,
                    ..ClickData::default()
                }),
                node(3, "BUTTON"),
                node(3, "BUTTON"),
            ),
        ),
        (
            r#"lona:[1,"1",102,[2,302,"hello",["7","INPUT","",""],["7","INPUT","",""]]]"#,
            event(
                2,
                EventKind::Change(ChangeValue::Text("hello".to_owned())),
                node(7, "INPUT"),
                node(7, "INPUT"),
            ),
        ),
        (
            r#"lona:[1,"1",102,[3,302,[0,2],["12","SELECT","",""],["12","SELECT","",""]]]"#,
            event(
                3,
                EventKind::Change(ChangeValue::Selected(vec![0, 2])),
                node(12, "SELECT"),
                node(12, "SELECT"),
            ),
        ),
        (
            r#"lona:[1,"1",102,[4,304,[],["7","INPUT","",""],["7","INPUT","",""]]]"#,
            event(4, EventKind::Focus, node(7, "INPUT"), node(7, "INPUT")),
        ),
        (
            r#"lona:[1,"1",102,[5,"custom-event",{"foo":"bar"},["15",null,null,null],[null,null,null,null]]]"#,
            event(
                5,
                EventKind::Custom {
                    name: "custom-event".to_owned(),
                    data: Value::map([("foo", "bar")]),
                },
                NodeInfo {
                    node_id: Some(NodeId::from_raw(15)),
                    ..NodeInfo::default()
                },
                NodeInfo::default(),
            ),
        ),
        (
            r#"lona:[1,"1",104,["TypeError: ...\n    at ..."]]"#,
            ClientMessage::ClientError {
                window: WindowId(1),
                runtime: Some(RuntimeId(1)),
                message: "TypeError: ...\n    at ...".to_owned(),
            },
        ),
        ("lona:[null,null,105,null]", ClientMessage::Ping),
        // The acknowledged stream (docs/protocol.md): VIEW asking for it, ACK and RESUME.
        (
            r#"lona:[1,null,101,["/count/",{},{"ack":1}]]"#,
            ClientMessage::View {
                window: WindowId(1),
                url: "/count/".to_owned(),
                post_data: PostData::default(),
                ack: true,
                adopt: None,
            },
        ),
        // First paint (docs/protocol.md): VIEW adopting the view the server painted.
        (
            r#"lona:[1,null,101,["/count/",{},{"ack":1,"adopt":"abcdefghijklmnopqrs-_0"}]]"#,
            ClientMessage::View {
                window: WindowId(1),
                url: "/count/".to_owned(),
                post_data: PostData::default(),
                ack: true,
                adopt: Some("abcdefghijklmnopqrs-_0".to_owned()),
            },
        ),
        (
            r#"lona:[2,"5",106,17]"#,
            ClientMessage::Ack {
                window: WindowId(2),
                runtime: RuntimeId(5),
                seq: 17,
            },
        ),
        (
            r#"lona:[2,"5",107,["/count/",17,"abcdefghijklmnopqrs-_0",4]]"#,
            ClientMessage::Resume {
                window: WindowId(2),
                runtime: RuntimeId(5),
                url: "/count/".to_owned(),
                seq: 17,
                token: "abcdefghijklmnopqrs-_0".to_owned(),
                last_event: Some(4),
            },
        ),
        // The shape of a page loaded before PROTOCOL_VERSION 4: it resends nothing.
        (
            r#"lona:[2,"5",107,["/count/",17,"abcdefghijklmnopqrs-_0"]]"#,
            ClientMessage::Resume {
                window: WindowId(2),
                runtime: RuntimeId(5),
                url: "/count/".to_owned(),
                seq: 17,
                token: "abcdefghijklmnopqrs-_0".to_owned(),
                last_event: None,
            },
        ),
    ]
}

#[test]
fn resume_takes_the_largest_event_id() {
    assert!(matches!(
        lona(r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",18446744073709551615]]"#),
        Some(ClientMessage::Resume {
            last_event: Some(u64::MAX),
            ..
        })
    ));
}

#[test]
fn view_options_other_than_ack_1_leave_the_plain_protocol() {
    for frame in [
        r#"lona:[1,null,101,["/",{},{}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":0}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":"1"}]]"#,
        r#"lona:[1,null,101,["/",null,{"later":true}]]"#,
    ] {
        assert!(
            matches!(lona(frame), Some(ClientMessage::View { ack: false, .. })),
            "{frame}"
        );
    }
    assert!(matches!(
        lona(r#"lona:[1,null,101,["/",{},{"ack":1,"later":[1]}]]"#),
        Some(ClientMessage::View { ack: true, .. })
    ));
}

#[test]
fn an_adopt_token_of_another_shape_is_ignored() {
    for frame in [
        r#"lona:[1,null,101,["/",{},{"ack":1,"adopt":"short"}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":1,"adopt":"abcdefghijklmnopqrs-_0x"}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":1,"adopt":"abcdefghijklmnopqrs+/0"}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":1,"adopt":7}]]"#,
        r#"lona:[1,null,101,["/",{},{"ack":1,"adopt":null}]]"#,
    ] {
        assert!(
            matches!(
                lona(frame),
                Some(ClientMessage::View {
                    ack: true,
                    adopt: None,
                    ..
                })
            ),
            "{frame}"
        );
    }
    // Without `ack`: the plain protocol, adopting (the test kit's plain windows).
    let plain = r#"lona:[1,null,101,["/",{},{"adopt":"abcdefghijklmnopqrs-_0"}]]"#;
    let Some(message) = lona(plain) else {
        panic!("{plain} decodes")
    };
    assert!(matches!(
        &message,
        ClientMessage::View {
            ack: false,
            adopt: Some(token),
            ..
        } if token == "abcdefghijklmnopqrs-_0"
    ));
    assert_eq!(message.encode(), plain);
}

#[test]
fn golden_frames_decode_to_their_meaning() {
    for (frame, message) in golden() {
        assert_eq!(decode_client(frame), Ok(Frame::Lona(message)), "{frame}");
    }
}

#[test]
fn golden_messages_encode_byte_for_byte() {
    for (frame, message) in golden() {
        assert_eq!(message.encode(), frame);
    }
}

#[test]
fn encode_into_appends_to_what_is_there() {
    let mut out = "x".to_owned();
    ClientMessage::Ping.encode_into(&mut out);
    assert_eq!(out, "xlona:[null,null,105,null]");
}

#[test]
fn frames_without_the_prefix_are_custom_messages_passed_through() {
    for frame in [
        "",
        "lona",
        "lona;[null,null,105,null]",
        "LONA:[null,null,105,null]",
        " lona:[null,null,105,null]",
        "{\"my\":\"middleware\"}",
        "lona\u{0}:",
    ] {
        assert_eq!(decode_client(frame), Ok(Frame::Custom(frame)));
    }
}

#[test]
fn event_kinds_have_their_code_and_name() {
    let kinds = [
        (EventKind::Click(ClickData::default()), 301, "click"),
        (EventKind::Change(ChangeValue::Checked(true)), 302, "change"),
        (
            EventKind::Custom {
                name: "drop".to_owned(),
                data: Value::Null,
            },
            303,
            "drop",
        ),
        (EventKind::Focus, 304, "focus"),
        (EventKind::Blur, 305, "blur"),
        (EventKind::Submit(Vec::new()), 306, "submit"),
    ];
    for (kind, code, name) in kinds {
        assert_eq!((kind.code(), kind.name()), (code, name));
    }
}

/// Decodes each frame and shows the message, or the error, one line per frame.
fn check(frames: &[impl AsRef<str>], expect: Expect) {
    let mut out = String::new();
    for frame in frames {
        let frame = frame.as_ref();
        let shown = match decode_client(frame) {
            Ok(Frame::Lona(message)) => format!("{message:?}"),
            Ok(Frame::Custom(text)) => format!("custom {text:?}"),
            Err(error) => error.to_string(),
        };
        // Control characters are escaped, so that the expectation has none.
        for c in frame.chars() {
            if c.is_control() {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out.push_str("\n    ");
        out.push_str(&shown);
        out.push('\n');
    }
    expect.assert_eq(&out);
}

#[test]
fn frames_the_real_client_sends_beyond_the_examples_decode() {
    check(
        &[
            // Links, GET forms and the first view send an undefined post_data, which
            // JSON.stringify writes as null.
            r#"lona:[1,null,101,["/count/",null]]"#,
            // A crash before the first VIEW_START has no runtime id.
            r#"lona:[2,null,104,["boom"]]"#,
            r#"lona:[1,"7",102,[6,305,[],["7","INPUT","a","b c"],["7","INPUT","a","b c"]]]"#,
            r#"lona:[1,"7",102,[7,302,true,["8","INPUT","",""],["8","INPUT","",""]]]"#,
            // A select with nothing selected, and a node without a value.
            r#"lona:[1,"7",102,[8,302,[],["9","SELECT","",""],[null,"OPTION","",""]]]"#,
            // Browsers report fractional offsets; extra keys are ignored.
            r#"lona:[1,"7",102,[9,301,{"alt_key":true,"shift_key":false,"meta_key":false,"ctrl_key":true,"node_width":80.5,"node_height":24,"x":-1.25,"y":0,"button":0},["3","BUTTON","",""],["4","SPAN","","icon"]]]"#,
            r#"lona:[1,"7",102,[10,"drop",{"z":[1,2.5,null,true,"s",{}],"a":18446744073709551615,"m":-9223372036854775808},["3",null,null,null],[null,null,null,null]]]"#,
            // The largest ids, whitespace around tokens, and a duplicate key (the last wins).
            "lona: [4294967295 , \"18446744073709551615\",102,[18446744073709551615,302,\"x\",[null,null,null,null],[null,null,null,null]]]",
            r#"lona:[1,null,101,["/f/",{"a":"1","a":"2"}]]"#,
        ],
        expect![[r#"
            lona:[1,null,101,["/count/",null]]
                View { window: WindowId(1), url: "/count/", post_data: PostData([]), ack: false, adopt: None }
            lona:[2,null,104,["boom"]]
                ClientError { window: WindowId(2), runtime: None, message: "boom" }
            lona:[1,"7",102,[6,305,[],["7","INPUT","a","b c"],["7","INPUT","a","b c"]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(7), event: InputEvent { event_id: 6, kind: Blur, node: NodeInfo { node_id: Some(NodeId(7)), tag_name: Some("INPUT"), id: Some("a"), class: Some("b c") }, target: NodeInfo { node_id: Some(NodeId(7)), tag_name: Some("INPUT"), id: Some("a"), class: Some("b c") } } }
            lona:[1,"7",102,[7,302,true,["8","INPUT","",""],["8","INPUT","",""]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(7), event: InputEvent { event_id: 7, kind: Change(Checked(true)), node: NodeInfo { node_id: Some(NodeId(8)), tag_name: Some("INPUT"), id: Some(""), class: Some("") }, target: NodeInfo { node_id: Some(NodeId(8)), tag_name: Some("INPUT"), id: Some(""), class: Some("") } } }
            lona:[1,"7",102,[8,302,[],["9","SELECT","",""],[null,"OPTION","",""]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(7), event: InputEvent { event_id: 8, kind: Change(Selected([])), node: NodeInfo { node_id: Some(NodeId(9)), tag_name: Some("SELECT"), id: Some(""), class: Some("") }, target: NodeInfo { node_id: None, tag_name: Some("OPTION"), id: Some(""), class: Some("") } } }
            lona:[1,"7",102,[9,301,{"alt_key":true,"shift_key":false,"meta_key":false,"ctrl_key":true,"node_width":80.5,"node_height":24,"x":-1.25,"y":0,"button":0},["3","BUTTON","",""],["4","SPAN","","icon"]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(7), event: InputEvent { event_id: 9, kind: Click(ClickData { alt_key: true, shift_key: false, meta_key: false, ctrl_key: true, node_width: 80.5, node_height: 24.0, x: -1.25, y: 0.0 }), node: NodeInfo { node_id: Some(NodeId(3)), tag_name: Some("BUTTON"), id: Some(""), class: Some("") }, target: NodeInfo { node_id: Some(NodeId(4)), tag_name: Some("SPAN"), id: Some(""), class: Some("icon") } } }
            lona:[1,"7",102,[10,"drop",{"z":[1,2.5,null,true,"s",{}],"a":18446744073709551615,"m":-9223372036854775808},["3",null,null,null],[null,null,null,null]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(7), event: InputEvent { event_id: 10, kind: Custom { name: "drop", data: Map([("a", Float(1.8446744073709552e19)), ("m", Int(-9223372036854775808)), ("z", List([Int(1), Float(2.5), Null, Bool(true), String("s"), Map([])]))]) }, node: NodeInfo { node_id: Some(NodeId(3)), tag_name: None, id: None, class: None }, target: NodeInfo { node_id: None, tag_name: None, id: None, class: None } } }
            lona: [4294967295 , "18446744073709551615",102,[18446744073709551615,302,"x",[null,null,null,null],[null,null,null,null]]]
                InputEvent { window: WindowId(4294967295), runtime: RuntimeId(18446744073709551615), event: InputEvent { event_id: 18446744073709551615, kind: Change(Text("x")), node: NodeInfo { node_id: None, tag_name: None, id: None, class: None }, target: NodeInfo { node_id: None, tag_name: None, id: None, class: None } } }
            lona:[1,null,101,["/f/",{"a":"1","a":"2"}]]
                View { window: WindowId(1), url: "/f/", post_data: PostData([("a", Text("2"))]), ack: false, adopt: None }
        "#]],
    );
}

#[test]
fn a_page_hands_over_its_adopt_token_only_when_it_has_a_tokens_shape() {
    let page = r#"<script>settings = {"ping":60,"adopt":"AbC-_0123456789abcdefg"};</script>"#;
    assert_eq!(adopt_token_in_page(page), Some("AbC-_0123456789abcdefg"));
    for hostile in [
        r#"{"adopt":"short"}"#,
        r#"{"adopt":"<script>alert(1)</script>xx"}"#,
        r#"{"adopt":"AbC-_0123456789abcdef"#,
        r#"{"adopt":"ÄbC-_0123456789abcdefgh"}"#,
        "no token at all",
    ] {
        assert_eq!(adopt_token_in_page(hostile), None, "{hostile}");
    }
}
