//! Tests of client message decoding and encoding: the golden frames of lona-features.md 2.2,
//! frames the real client sends beyond them, and table-driven errors.

use expect_test::{Expect, expect};
use lona_html::{NodeId, Value};

use super::expected::{CLICK_BOOL, WINDOW_ID};
use super::*;

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
    ]
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
                View { window: WindowId(1), url: "/count/", post_data: PostData([]) }
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
                View { window: WindowId(1), url: "/f/", post_data: PostData([("a", Text("2"))]) }
        "#]],
    );
}

#[test]
fn text_after_the_prefix_that_is_not_json_is_an_error() {
    check(
        &[
            "lona:",
            "lona:garbage",
            "lona:[1,null,101,",
            r#"lona:[1,null,101,["/",{}]] x"#,
            r#"lona:{"a":1"#,
            "lona:[1,null,101,[\"/\u{1}\",{}]]",
            "lona:[1e400,null,105,null]",
            "lona:[NaN,null,105,null]",
            "lona:[01,null,105,null]",
        ],
        expect![[r#"
            lona:
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (EOF while parsing a value at line 1 column 0)
            lona:garbage
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (expected value at line 1 column 1)
            lona:[1,null,101,
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (EOF while parsing a value at line 1 column 12)
            lona:[1,null,101,["/",{}]] x
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (trailing characters at line 1 column 23)
            lona:{"a":1
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (EOF while parsing an object at line 1 column 6)
            lona:[1,null,101,["/\u{1}",{}]]
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (control character (\u0000-\u001F) found while parsing a string at line 1 column 16)
            lona:[1e400,null,105,null]
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (number out of range at line 1 column 6)
            lona:[NaN,null,105,null]
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (expected value at line 1 column 2)
            lona:[01,null,105,null]
                invalid lona message at frame: expected JSON after the `lona:` prefix, found invalid JSON (invalid number at line 1 column 3)
        "#]],
    );
}

#[test]
fn frames_of_the_wrong_shape_are_errors() {
    check(
        &[
            "lona:[]",
            "lona:{}",
            "lona:null",
            r#"lona:"[null,null,105,null]""#,
            "lona:[null,null,105]",
            "lona:[null,null,105,null,null]",
            "lona:[[null,null,105,null]]",
        ],
        expect![[r#"
            lona:[]
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an array of 0 items
            lona:{}
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an object
            lona:null
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found null
            lona:"[null,null,105,null]"
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found the string "[null,null,105,null]"
            lona:[null,null,105]
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an array of 3 items
            lona:[null,null,105,null,null]
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an array of 5 items
            lona:[[null,null,105,null]]
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an array of 1 item
        "#]],
    );
}

#[test]
fn unknown_and_server_only_methods_are_errors() {
    check(
        &[
            r#"lona:[1,null,"101",["/",{}]]"#,
            r#"lona:[1,null,101.0,["/",{}]]"#,
            r#"lona:[1,null,-101,["/",{}]]"#,
            r#"lona:[1,null,100,["/",{}]]"#,
            r#"lona:[1,null,null,["/",{}]]"#,
            r#"lona:[1,"1",103,1]"#,
            r#"lona:[1,"1",201,"/foo"]"#,
            r#"lona:[1,"1",203,["",null]]"#,
            "lona:[null,null,206,null]",
            "lona:[null,null,18446744073709551616,null]",
        ],
        expect![[r#"
            lona:[1,null,"101",["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found the string "101"
            lona:[1,null,101.0,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found the number 101.0
            lona:[1,null,-101,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found the number -101
            lona:[1,null,100,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found the number 100
            lona:[1,null,null,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found null
            lona:[1,"1",103,1]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 or 105), not one the server sends, found the number 103
            lona:[1,"1",201,"/foo"]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 or 105), not one the server sends, found the number 201
            lona:[1,"1",203,["",null]]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 or 105), not one the server sends, found the number 203
            lona:[null,null,206,null]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 or 105), not one the server sends, found the number 206
            lona:[null,null,18446744073709551616,null]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR or 105 PING), found the number 1.8446744073709552e+19
        "#]],
    );
}

#[test]
fn window_ids_that_are_not_small_non_negative_integers_are_errors() {
    check(
        &[
            r#"lona:["1",null,101,["/",{}]]"#,
            r#"lona:[-1,null,101,["/",{}]]"#,
            r#"lona:[1.0,null,101,["/",{}]]"#,
            r#"lona:[4294967296,null,101,["/",{}]]"#,
            r#"lona:[18446744073709551616,null,101,["/",{}]]"#,
            r#"lona:[null,null,101,["/",{}]]"#,
            r#"lona:[true,"1",104,["x"]]"#,
        ],
        expect![[r#"
            lona:["1",null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found the string "1"
            lona:[-1,null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found the number -1
            lona:[1.0,null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found the number 1.0
            lona:[4294967296,null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found the number 4294967296
            lona:[18446744073709551616,null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found the number 1.8446744073709552e+19
            lona:[null,null,101,["/",{}]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found null
            lona:[true,"1",104,["x"]]
                invalid lona message at frame[0]: expected window id (a non-negative integer up to 4294967295), found true
        "#]],
    );
}

#[test]
fn runtime_ids_that_are_not_canonical_decimal_strings_are_errors() {
    let input = |runtime: &str| {
        format!(r#"lona:[1,{runtime},102,[1,304,[],[null,null,null,null],[null,null,null,null]]]"#)
    };
    let frames: Vec<String> = [
        "null",
        "1",
        r#""01""#,
        r#""-1""#,
        r#""+1""#,
        r#""""#,
        r#"" 1""#,
        r#""1.0""#,
        r#""18446744073709551616""#,
    ]
    .into_iter()
    .map(input)
    .chain([
        r#"lona:[1,"1",101,["/",{}]]"#.to_owned(),
        r#"lona:[1,"01",104,["x"]]"#.to_owned(),
    ])
    .collect();
    check(
        &frames,
        expect![[r#"
        lona:[1,null,102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found null
        lona:[1,1,102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the number 1
        lona:[1,"01",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "01"
        lona:[1,"-1",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "-1"
        lona:[1,"+1",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "+1"
        lona:[1,"",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string ""
        lona:[1," 1",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string " 1"
        lona:[1,"1.0",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "1.0"
        lona:[1,"18446744073709551616",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "18446744073709551616"
        lona:[1,"1",101,["/",{}]]
            invalid lona message at frame[1]: expected null (VIEW is sent before the view has a runtime id), found the string "1"
        lona:[1,"01",104,["x"]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros) or null, found the string "01"
    "#]],
    );
}

#[test]
fn ping_with_anything_but_nulls_is_an_error() {
    check(
        &[
            "lona:[1,null,105,null]",
            r#"lona:[null,"1",105,null]"#,
            "lona:[null,null,105,[]]",
            "lona:[null,null,105,0]",
        ],
        expect![[r#"
            lona:[1,null,105,null]
                invalid lona message at frame[0]: expected null (PING is exactly [null,null,105,null]), found the number 1
            lona:[null,"1",105,null]
                invalid lona message at frame[1]: expected null (PING is exactly [null,null,105,null]), found the string "1"
            lona:[null,null,105,[]]
                invalid lona message at frame[3]: expected null (PING is exactly [null,null,105,null]), found an array of 0 items
            lona:[null,null,105,0]
                invalid lona message at frame[3]: expected null (PING is exactly [null,null,105,null]), found the number 0
        "#]],
    );
}

#[test]
fn view_payloads_of_the_wrong_shape_are_errors() {
    check(
        &[
            r#"lona:[1,null,101,"/"]"#,
            r#"lona:[1,null,101,["/"]]"#,
            r#"lona:[1,null,101,["/",{},1]]"#,
            r#"lona:[1,null,101,[1,{}]]"#,
            r#"lona:[1,null,101,["/",[]]]"#,
            r#"lona:[1,null,101,["/",{"a":1}]]"#,
            r#"lona:[1,null,101,["/",{"a":null}]]"#,
            r#"lona:[1,null,101,["/",{"tags":["x",1]}]]"#,
            r#"lona:[1,null,101,["/",{"a b":{}}]]"#,
        ],
        expect![[r#"
            lona:[1,null,101,"/"]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data], found the string "/"
            lona:[1,null,101,["/"]]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data], found an array of 1 item
            lona:[1,null,101,["/",{},1]]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data], found an array of 3 items
            lona:[1,null,101,[1,{}]]
                invalid lona message at frame[3][0]: expected url (a string), found the number 1
            lona:[1,null,101,["/",[]]]
                invalid lona message at frame[3][1]: expected post data (an object, or null for none), found an array of 0 items
            lona:[1,null,101,["/",{"a":1}]]
                invalid lona message at frame[3][1].a: expected form value (a string, or an array of strings), found the number 1
            lona:[1,null,101,["/",{"a":null}]]
                invalid lona message at frame[3][1].a: expected form value (a string, or an array of strings), found null
            lona:[1,null,101,["/",{"tags":["x",1]}]]
                invalid lona message at frame[3][1].tags[1]: expected form value (a string), found the number 1
            lona:[1,null,101,["/",{"a b":{}}]]
                invalid lona message at frame[3][1]["a b"]: expected form value (a string, or an array of strings), found an object
        "#]],
    );
}

#[test]
fn input_event_payloads_of_the_wrong_shape_are_errors() {
    let nodes = r#"["3","BUTTON","",""],["3","BUTTON","",""]"#;
    let click = |data: &str| format!(r#"lona:[1,"1",102,[1,301,{data},{nodes}]]"#);
    let full = r#""alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1"#;
    let frames = [
        r#"lona:[1,"1",102,[1,301,{},["3","BUTTON","",""]]]"#.to_owned(),
        r#"lona:[1,"1",102,{}]"#.to_owned(),
        format!(r#"lona:[1,"1",102,[-1,304,[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,["1",304,[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1.5,304,[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,303,{{}},{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,300,[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,"",[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,null,[],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,301.0,[],{nodes}]]"#),
        click("[]"),
        click(&format!("{{{full},\"x\":1}}")),
        click(&format!("{{{full},\"x\":1,\"y\":\"2\"}}")),
        click(&format!("{{{full},\"x\":1,\"y\":null}}")),
        click(
            r#"{"alt_key":0,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":1,"y":1}"#,
        ),
        format!(r#"lona:[1,"1",102,[1,302,5,{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,302,null,{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,302,[1,-1],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,302,[4294967296],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,302,["0"],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,304,[0],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,305,null,{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[1,304,{{}},{nodes}]]"#),
    ];
    check(
        &frames,
        expect![[r#"
        lona:[1,"1",102,[1,301,{},["3","BUTTON","",""]]]
            invalid lona message at frame[3]: expected INPUT_EVENT payload [event_id, event_type, data, node_info, target_node_info], found an array of 4 items
        lona:[1,"1",102,{}]
            invalid lona message at frame[3]: expected INPUT_EVENT payload [event_id, event_type, data, node_info, target_node_info], found an object
        lona:[1,"1",102,[-1,304,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][0]: expected event id (a non-negative integer), found the number -1
        lona:[1,"1",102,["1",304,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][0]: expected event id (a non-negative integer), found the string "1"
        lona:[1,"1",102,[1.5,304,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][0]: expected event id (a non-negative integer), found the number 1.5
        lona:[1,"1",102,[1,303,{},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][1]: expected event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, or the name of a custom event as a non-empty string), found the number 303
        lona:[1,"1",102,[1,300,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][1]: expected event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, or the name of a custom event as a non-empty string), found the number 300
        lona:[1,"1",102,[1,"",[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][1]: expected event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, or the name of a custom event as a non-empty string), found the string ""
        lona:[1,"1",102,[1,null,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][1]: expected event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, or the name of a custom event as a non-empty string), found null
        lona:[1,"1",102,[1,301.0,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][1]: expected event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, or the name of a custom event as a non-empty string), found the number 301.0
        lona:[1,"1",102,[1,301,[],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected click data (an object), found an array of 0 items
        lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":1},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2].y: expected a number (click geometry), found nothing (the key is missing)
        lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":1,"y":"2"},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2].y: expected a number (click geometry), found the string "2"
        lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":1,"y":null},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2].y: expected a number (click geometry), found null
        lona:[1,"1",102,[1,301,{"alt_key":0,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":1,"y":1},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2].alt_key: expected a bool (click modifier key), found the number 0
        lona:[1,"1",102,[1,302,5,["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected change value (a string, a bool, or an array of option indexes), found the number 5
        lona:[1,"1",102,[1,302,null,["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected change value (a string, a bool, or an array of option indexes), found null
        lona:[1,"1",102,[1,302,[1,-1],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2][1]: expected option index (a non-negative integer up to 4294967295), found the number -1
        lona:[1,"1",102,[1,302,[4294967296],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2][0]: expected option index (a non-negative integer up to 4294967295), found the number 4294967296
        lona:[1,"1",102,[1,302,["0"],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2][0]: expected option index (a non-negative integer up to 4294967295), found the string "0"
        lona:[1,"1",102,[1,304,[0],["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected an empty array (focus and blur carry no data), found an array of 1 item
        lona:[1,"1",102,[1,305,null,["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected an empty array (focus and blur carry no data), found null
        lona:[1,"1",102,[1,304,{},["3","BUTTON","",""],["3","BUTTON","",""]]]
            invalid lona message at frame[3][2]: expected an empty array (focus and blur carry no data), found an object
    "#]],
    );
}

#[test]
fn node_infos_of_the_wrong_shape_are_errors() {
    let focus =
        |node: &str, target: &str| format!(r#"lona:[1,"1",102,[1,304,[],{node},{target}]]"#);
    let ok = "[null,null,null,null]";
    let frames = [
        focus(r#"["3","DIV",""]"#, ok),
        focus(r#"{"node_id":"3"}"#, ok),
        focus(r#"["03",null,null,null]"#, ok),
        focus(r#"["",null,null,null]"#, ok),
        focus(r#"["-3",null,null,null]"#, ok),
        focus(r#"[3,null,null,null]"#, ok),
        focus(r#"["18446744073709551616",null,null,null]"#, ok),
        focus(r#"[null,1,null,null]"#, ok),
        focus(r#"[null,null,false,null]"#, ok),
        focus(ok, r#"[null,null,null,["a"]]"#),
    ];
    check(
        &frames,
        expect![[r#"
        lona:[1,"1",102,[1,304,[],["3","DIV",""],[null,null,null,null]]]
            invalid lona message at frame[3][3]: expected node info [node_id, tag_name, id, class], found an array of 3 items
        lona:[1,"1",102,[1,304,[],{"node_id":"3"},[null,null,null,null]]]
            invalid lona message at frame[3][3]: expected node info [node_id, tag_name, id, class], found an object
        lona:[1,"1",102,[1,304,[],["03",null,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][0]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the string "03"
        lona:[1,"1",102,[1,304,[],["",null,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][0]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the string ""
        lona:[1,"1",102,[1,304,[],["-3",null,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][0]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the string "-3"
        lona:[1,"1",102,[1,304,[],[3,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][0]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the number 3
        lona:[1,"1",102,[1,304,[],["18446744073709551616",null,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][0]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the string "18446744073709551616"
        lona:[1,"1",102,[1,304,[],[null,1,null,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][1]: expected a string or null, found the number 1
        lona:[1,"1",102,[1,304,[],[null,null,false,null],[null,null,null,null]]]
            invalid lona message at frame[3][3][2]: expected a string or null, found false
        lona:[1,"1",102,[1,304,[],[null,null,null,null],[null,null,null,["a"]]]]
            invalid lona message at frame[3][4][3]: expected a string or null, found an array of 1 item
    "#]],
    );
}

#[test]
fn client_error_payloads_other_than_one_string_are_errors() {
    check(
        &[
            r#"lona:[1,"1",104,"TypeError"]"#,
            r#"lona:[1,"1",104,[]]"#,
            r#"lona:[1,"1",104,[1]]"#,
            r#"lona:[1,"1",104,["a","b"]]"#,
            r#"lona:[1,"1",104,null]"#,
        ],
        expect![[r#"
            lona:[1,"1",104,"TypeError"]
                invalid lona message at frame[3]: expected CLIENT_ERROR payload [message], found the string "TypeError"
            lona:[1,"1",104,[]]
                invalid lona message at frame[3]: expected CLIENT_ERROR payload [message], found an array of 0 items
            lona:[1,"1",104,[1]]
                invalid lona message at frame[3][0]: expected error message (a string), found the number 1
            lona:[1,"1",104,["a","b"]]
                invalid lona message at frame[3]: expected CLIENT_ERROR payload [message], found an array of 2 items
            lona:[1,"1",104,null]
                invalid lona message at frame[3]: expected CLIENT_ERROR payload [message], found null
        "#]],
    );
}

#[test]
fn long_strings_and_odd_keys_are_cut_short_in_errors() {
    let long = "x".repeat(100);
    let frames = [
        format!(r#"lona:[1,"{long}",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]"#),
        format!(r#"lona:[1,null,101,["/",{{"{long}":1}}]]"#),
        r#"lona:[1,null,101,["/",{"\n\u001b[31m":1}]]"#.to_owned(),
    ];
    check(
        &frames,
        expect![[r#"
        lona:[1,"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",102,[1,304,[],[null,null,null,null],[null,null,null,null]]]
            invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found the string "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
        lona:[1,null,101,["/",{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx":1}]]
            invalid lona message at frame[3][1]["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"]: expected form value (a string, or an array of strings), found the number 1
        lona:[1,null,101,["/",{"\n\u001b[31m":1}]]
            invalid lona message at frame[3][1]["\n\u001b[31m"]: expected form value (a string, or an array of strings), found the number 1
    "#]],
    );
}

#[test]
fn errors_name_the_path_what_was_expected_and_what_was_found() {
    let error = decode_client(
        r#"lona:[1,"1",102,[1,301,{"x":1},[null,null,null,null],[null,null,null,null]]]"#,
    )
    .err();
    assert_eq!(
        error,
        Some(DecodeError {
            path: "frame[3][2].alt_key".to_owned(),
            expected: CLICK_BOOL,
            found: Found::Missing,
        })
    );
    let error = decode_client(r#"lona:["1",null,101,["/",{}]]"#).err();
    assert_eq!(
        error
            .as_ref()
            .map(|e| (e.path.as_str(), e.expected, &e.found)),
        Some(("frame[0]", WINDOW_ID, &Found::String("1".to_owned())))
    );
    assert!(error.is_some_and(|e| !e.is_too_large() && !e.is_too_deep() && !e.is_not_json()));
}

#[test]
fn text_that_is_not_json_is_reported_as_such() {
    let error = decode_client("lona:[1,").err();
    assert!(
        error.as_ref().is_some_and(DecodeError::is_not_json),
        "{error:?}"
    );
    assert_eq!(error.map(|e| e.path), Some("frame".to_owned()));
}

#[test]
fn frames_over_the_size_limit_are_rejected_before_anything_else() {
    let limits = DecodeLimits {
        max_frame_bytes: 10,
        ..DecodeLimits::default()
    };
    let frame = "lona:[null,null,105,null]";
    let error = decode_client_with(frame, &limits).err();
    assert!(error.as_ref().is_some_and(DecodeError::is_too_large));
    assert_eq!(
        error.map(|e| e.to_string()),
        Some(
            "invalid lona message at frame: expected a frame within the size limit, \
             found 25 bytes (the limit is 10)"
                .to_owned()
        )
    );
    // Custom frames count too: the limit protects the socket, whatever the frame is for.
    assert!(decode_client_with("x".repeat(11).as_str(), &limits).is_err_and(|e| e.is_too_large()));
    assert_eq!(
        decode_client_with("x".repeat(10).as_str(), &limits).map(|_| ()),
        Ok(())
    );
}

#[test]
fn the_default_limits_allow_a_mebibyte() {
    let big = format!(r#"lona:[1,"1",104,["{}"]]"#, "x".repeat(1024 * 1024 - 100));
    assert!(matches!(decode_client(&big), Ok(Frame::Lona(_))));
    let too_big = format!(r#"lona:[1,"1",104,["{}"]]"#, "x".repeat(1024 * 1024));
    assert!(decode_client(&too_big).is_err_and(|e| e.is_too_large()));
}

#[test]
fn deep_nesting_is_rejected_before_parsing() {
    for open in ["[", "{\"a\":"] {
        let frame = format!("lona:{}", open.repeat(10_000));
        let error = decode_client(&frame).err();
        assert!(
            error.as_ref().is_some_and(DecodeError::is_too_deep),
            "{error:?}"
        );
        assert_eq!(
            error.map(|e| e.to_string()),
            Some(
                "invalid lona message at frame: expected JSON nested within the depth limit, \
                 found nesting deeper than 32 levels"
                    .to_owned()
            )
        );
    }
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    // The frame is level 1, the payload 2, the custom data 3: 30 more levels fit in 32.
    let custom = |levels: usize| {
        format!(
            r#"lona:[1,"1",102,[1,"deep",{}{},[null,null,null,null],[null,null,null,null]]]"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    assert!(matches!(decode_client(&custom(30)), Ok(Frame::Lona(_))));
    assert!(decode_client(&custom(31)).is_err_and(|e| e.is_too_deep()));
    // The node infos sit at level 3 too, so they do not change the count.
    let limits = DecodeLimits {
        max_depth: 3,
        ..DecodeLimits::default()
    };
    assert!(decode_client_with(&custom(1), &limits).is_ok());
    assert!(decode_client_with(&custom(2), &limits).is_err_and(|e| e.is_too_deep()));
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let url = format!("/{}\\\"{}", "[".repeat(100), "{".repeat(100));
    let frame = format!(r#"lona:[1,null,101,["{url}",{{}}]]"#);
    assert!(
        matches!(
            decode_client(&frame),
            Ok(Frame::Lona(ClientMessage::View { .. }))
        ),
        "{frame}"
    );
}

#[test]
fn whole_click_numbers_encode_without_a_fraction_and_others_with_one() {
    let click = |x: f64| {
        let message = event(
            1,
            EventKind::Click(ClickData {
                x,
                ..ClickData::default()
            }),
            NodeInfo::default(),
            NodeInfo::default(),
        );
        let encoded = message.encode();
        let written = encoded
            .split("\"x\":")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_default()
            .to_owned();
        let same = lona(&encoded) == Some(message);
        format!(
            "{x:?} -> {written} {}\n",
            if same { "same" } else { "changed" }
        )
    };
    let xs = [
        0.0,
        -0.0,
        12.0,
        -3.0,
        0.5,
        -1.25,
        9.2e18,
        -9_223_372_036_854_775_808.0,
        9_223_495_494_014_146_175.0,
        18_446_744_073_709_551_615.0,
        1e21,
        f64::NAN,
        f64::INFINITY,
    ];
    let shown: String = xs.into_iter().map(click).collect();
    expect![[r#"
        0.0 -> 0 same
        -0.0 -> -0.0 same
        12.0 -> 12 same
        -3.0 -> -3 same
        0.5 -> 0.5 same
        -1.25 -> -1.25 same
        9.2e18 -> 9200000000000000000 same
        -9.223372036854776e18 -> -9223372036854775808 same
        9.223495494014147e18 -> 9223495494014146560 same
        1.8446744073709552e19 -> 1.8446744073709552e19 same
        1e21 -> 1e21 same
        NaN -> null changed
        inf -> null changed
    "#]]
    .assert_eq(&shown);
}

#[test]
fn floats_decode_exactly_and_re_encode_stably() {
    // serde_json's `float_roundtrip` makes parsing exact: without it about 1 in 500 thirds,
    // such as 90.33333333333333, decode one ulp off.
    let click = r#"lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":90.33333333333333,"y":0},[null,null,null,null],[null,null,null,null]]]"#;
    let x = match lona(click) {
        Some(ClientMessage::InputEvent { event, .. }) => match event.kind {
            EventKind::Click(click) => Some(click.x),
            _ => None,
        },
        _ => None,
    };
    assert_eq!(x, Some(90.333_333_333_333_33));

    // A custom event's integer above i64::MAX becomes a float, and so does a tiny number; both
    // survive re-encoding.
    for data in ["9223495494014146175", "3.9252506537613346e-227"] {
        let custom = format!(
            r#"lona:[1,"1",102,[1,"f",{data},[null,null,null,null],[null,null,null,null]]]"#
        );
        let once = lona(&custom);
        let twice = once
            .as_ref()
            .map(ClientMessage::encode)
            .and_then(|f| lona(&f));
        assert!(once.is_some());
        assert_eq!(once, twice, "{data}");
    }
}

#[test]
fn a_click_on_svg_without_a_size_decodes_with_size_zero() {
    // Lona's client reads offsetWidth/offsetHeight, which SVG elements do not have.
    let click = r#"lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"x":3,"y":4},["5","circle","",""],["5","circle","",""]]]"#;
    let Some(ClientMessage::InputEvent { event, .. }) = lona(click) else {
        panic!("a click on SVG must decode");
    };
    let EventKind::Click(data) = event.kind else {
        panic!("a click");
    };
    assert_eq!((data.node_width, data.node_height, data.x), (0.0, 0.0, 3.0));
    let wrong = click.replace(r#""x":3"#, r#""node_width":"wide","x":3"#);
    assert!(decode_client(&wrong).is_err());
}

#[test]
fn submit_events_decode_their_fields() {
    let nodes = r#"["7","FORM","",""],["9","BUTTON","",""]"#;
    let frames = [
        format!(
            r#"lona:[1,"1",102,[4,306,[["name","8","Ada"],["agree","10",true],["size","11",[0,2]],["go",null,"ok"]],{nodes}]]"#
        ),
        format!(r#"lona:[1,"1",102,[4,306,[],{nodes}]]"#),
    ];
    check(
        &frames,
        expect![[r#"
            lona:[1,"1",102,[4,306,[["name","8","Ada"],["agree","10",true],["size","11",[0,2]],["go",null,"ok"]],["7","FORM","",""],["9","BUTTON","",""]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(1), event: InputEvent { event_id: 4, kind: Submit([SubmitField { name: "name", node_id: Some(NodeId(8)), value: Text("Ada") }, SubmitField { name: "agree", node_id: Some(NodeId(10)), value: Checked(true) }, SubmitField { name: "size", node_id: Some(NodeId(11)), value: Selected([0, 2]) }, SubmitField { name: "go", node_id: None, value: Text("ok") }]), node: NodeInfo { node_id: Some(NodeId(7)), tag_name: Some("FORM"), id: Some(""), class: Some("") }, target: NodeInfo { node_id: Some(NodeId(9)), tag_name: Some("BUTTON"), id: Some(""), class: Some("") } } }
            lona:[1,"1",102,[4,306,[],["7","FORM","",""],["9","BUTTON","",""]]]
                InputEvent { window: WindowId(1), runtime: RuntimeId(1), event: InputEvent { event_id: 4, kind: Submit([]), node: NodeInfo { node_id: Some(NodeId(7)), tag_name: Some("FORM"), id: Some(""), class: Some("") }, target: NodeInfo { node_id: Some(NodeId(9)), tag_name: Some("BUTTON"), id: Some(""), class: Some("") } } }
        "#]],
    );
}

#[test]
fn submit_garbage_is_refused_with_where_and_what() {
    let nodes = r#"["7","FORM","",""],["7","FORM","",""]"#;
    let frames = [
        format!(r#"lona:[1,"1",102,[4,306,{{}},{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,null,{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","1"]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","1","x",4]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[[1,"1","x"]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a",1,"x"]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","01","x"]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","1",{{}}]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","1",[-1]]],{nodes}]]"#),
        format!(r#"lona:[1,"1",102,[4,306,[["a","1","x"],"b"],{nodes}]]"#),
    ];
    check(
        &frames,
        expect![[r#"
            lona:[1,"1",102,[4,306,{},["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2]: expected submit data (an array of fields [name, node_id, value]), found an object
            lona:[1,"1",102,[4,306,null,["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2]: expected submit data (an array of fields [name, node_id, value]), found null
            lona:[1,"1",102,[4,306,[["a","1"]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0]: expected submit field [name, node_id, value], found an array of 2 items
            lona:[1,"1",102,[4,306,[["a","1","x",4]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0]: expected submit field [name, node_id, value], found an array of 4 items
            lona:[1,"1",102,[4,306,[[1,"1","x"]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0][0]: expected field name (a string), found the number 1
            lona:[1,"1",102,[4,306,[["a",1,"x"]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0][1]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the number 1
            lona:[1,"1",102,[4,306,[["a","01","x"]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0][1]: expected node id (a string of a decimal number without sign or leading zeros) or null, found the string "01"
            lona:[1,"1",102,[4,306,[["a","1",{}]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0][2]: expected change value (a string, a bool, or an array of option indexes), found an object
            lona:[1,"1",102,[4,306,[["a","1",[-1]]],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][0][2][0]: expected option index (a non-negative integer up to 4294967295), found the number -1
            lona:[1,"1",102,[4,306,[["a","1","x"],"b"],["7","FORM","",""],["7","FORM","",""]]]
                invalid lona message at frame[3][2][1]: expected submit field [name, node_id, value], found the string "b"
        "#]],
    );
}
