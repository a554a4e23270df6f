//! Property tests of client decoding: garbage never panics, every message survives encoding and
//! decoding, and whatever decodes re-encodes to the same message.

use std::collections::BTreeMap;

use lona_html::{NodeId, Value};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::*;
use crate::PREFIX;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        // Failures are shown with their shrunk input; a regressions file would land outside
        // this module.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Short strings of any characters, control characters and quotes included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        vec(any::<char>(), 0..8).prop_map(String::from_iter),
        vec(
            select(vec![
                '"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '\u{2028}', 'a'
            ]),
            0..4
        )
        .prop_map(String::from_iter),
        "[a-z0-9/?=&.:-]{0,16}",
    ]
}

/// Numbers as browsers report them: mostly small, but any finite double must survive.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-5000i32..5000).prop_map(f64::from),
        4 => any::<f64>().prop_filter("JSON numbers are finite", |x| x.is_finite()),
        1 => select(vec![
            0.0,
            -0.0,
            1e300,
            -1e300,
            9.2e18,
            18_446_744_073_709_551_615.0
        ]),
    ]
}

fn post_data() -> impl Strategy<Value = PostData> {
    let value = prop_oneof![
        text().prop_map(PostValue::Text),
        vec(text(), 0..3).prop_map(PostValue::List),
    ];
    // Decoded post data has sorted unique keys, so only such post data can survive.
    btree_map(text(), value, 0..4).prop_map(|fields| PostData(fields.into_iter().collect()))
}

fn node_info() -> impl Strategy<Value = NodeInfo> {
    (
        option::of(any::<u64>().prop_map(NodeId::from_raw)),
        option::of(text()),
        option::of(text()),
        option::of(text()),
    )
        .prop_map(|(node_id, tag_name, id, class)| NodeInfo {
            node_id,
            tag_name,
            id,
            class,
        })
}

/// Custom event data. Maps have sorted unique keys, as decoded maps do.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(Value::Int),
        select(vec![i64::MIN, i64::MAX, 0]).prop_map(Value::Int),
        number().prop_map(Value::Float),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::List),
            btree_map(text(), inner, 0..5).prop_map(|m| Value::Map(m.into_iter().collect())),
        ]
    })
}

fn event_kind() -> impl Strategy<Value = EventKind> {
    let click = (any::<[bool; 4]>(), [number(), number(), number(), number()]).prop_map(
        |([alt_key, shift_key, meta_key, ctrl_key], [node_width, node_height, x, y])| {
            EventKind::Click(ClickData {
                alt_key,
                shift_key,
                meta_key,
                ctrl_key,
                node_width,
                node_height,
                x,
                y,
            })
        },
    );
    let change = prop_oneof![
        text().prop_map(ChangeValue::Text),
        any::<bool>().prop_map(ChangeValue::Checked),
        vec(any::<u32>(), 0..4).prop_map(ChangeValue::Selected),
    ];
    let field =
        (text(), option::of(any::<u64>()), change.clone()).prop_map(|(name, node_id, value)| {
            SubmitField {
                name,
                node_id: node_id.map(NodeId::from_raw),
                value,
            }
        });
    let name = prop_oneof![
        text().prop_filter("custom events have a name", |s| !s.is_empty()),
        select(vec!["click", "303", "custom-event"]).prop_map(str::to_owned),
    ];
    prop_oneof![
        click,
        change.prop_map(EventKind::Change),
        Just(EventKind::Focus),
        Just(EventKind::Blur),
        vec(field, 0..4).prop_map(EventKind::Submit),
        (name, value()).prop_map(|(name, data)| EventKind::Custom { name, data }),
    ]
}

fn message() -> impl Strategy<Value = ClientMessage> {
    let window = any::<u32>().prop_map(WindowId);
    let runtime = any::<u64>().prop_map(RuntimeId);
    let event = (any::<u64>(), event_kind(), node_info(), node_info()).prop_map(
        |(event_id, kind, node, target)| InputEvent {
            event_id,
            kind,
            node,
            target,
        },
    );
    prop_oneof![
        (window.clone(), text(), post_data(), any::<bool>()).prop_map(
            |(window, url, post_data, ack)| ClientMessage::View {
                window,
                url,
                post_data,
                ack,
                adopt: None,
            }
        ),
        (window.clone(), text(), any::<bool>(), "[A-Za-z0-9_-]{22}").prop_map(
            |(window, url, ack, token)| ClientMessage::View {
                window,
                url,
                post_data: PostData::default(),
                ack,
                adopt: Some(token),
            }
        ),
        (window.clone(), runtime.clone(), any::<u64>()).prop_map(|(window, runtime, seq)| {
            ClientMessage::Ack {
                window,
                runtime,
                seq,
            }
        }),
        (
            window.clone(),
            runtime.clone(),
            text(),
            any::<u64>(),
            "[A-Za-z0-9_-]{22}",
            option::of(any::<u64>()),
        )
            .prop_map(|(window, runtime, url, seq, token, last_event)| {
                ClientMessage::Resume {
                    window,
                    runtime,
                    url,
                    seq,
                    token,
                    last_event,
                }
            }),
        (window.clone(), runtime.clone(), event).prop_map(|(window, runtime, event)| {
            ClientMessage::InputEvent {
                window,
                runtime,
                event,
            }
        }),
        (window, option::of(runtime), text()).prop_map(|(window, runtime, message)| {
            ClientMessage::ClientError {
                window,
                runtime,
                message,
            }
        }),
        Just(ClientMessage::Ping),
    ]
}

/// Tokens that are valid somewhere in a frame, or nearly so.
const TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-1",
    "1.5",
    "1e2",
    "1e400",
    "-1e400",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "101",
    "102",
    "103",
    "104",
    "105",
    "206",
    "301",
    "303",
    "305",
    "\"\"",
    "\"1\"",
    "\"01\"",
    "\"-1\"",
    "\"x\"",
    "[]",
    "[[]]",
    "{}",
    "{\"x\":1}",
    "[null,null,null,null]",
];

/// A small edit of a frame's text.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Insert(Index, char),
    Replace(Index, char),
    /// Replaces one token (a number, string or word) with one of [`TOKENS`].
    Token(Index, &'static str),
    /// Wraps the JSON in one more array.
    Wrap,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let char = prop_oneof![
        select(vec![
            '[', ']', '{', '}', '"', ',', ':', '0', '1', '9', '-', '.', 'e', '\\', 'u', ' ',
        ]),
        any::<char>(),
    ];
    prop_oneof![
        // Token swaps keep the text JSON more often than character edits do, so they reach
        // the checks behind the parser; they get the most weight.
        1 => any::<Index>().prop_map(Mutation::Delete),
        1 => (any::<Index>(), char.clone()).prop_map(|(at, c)| Mutation::Insert(at, c)),
        1 => (any::<Index>(), char).prop_map(|(at, c)| Mutation::Replace(at, c)),
        4 => (any::<Index>(), select(TOKENS)).prop_map(|(at, t)| Mutation::Token(at, t)),
        1 => Just(Mutation::Wrap),
    ]
}

/// The byte ranges of the tokens of a JSON text: strings, and runs of number or word characters.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '"' {
            let mut escaped = false;
            let mut end = text.len();
            for (i, c) in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    end = i + 1;
                    break;
                }
            }
            spans.push((start, end));
        } else if c.is_ascii_alphanumeric() || c == '-' {
            let mut end = start + c.len_utf8();
            while let Some(&(i, c)) = chars.peek() {
                if !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            spans.push((start, end));
        }
    }
    spans
}

fn apply(frame: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = frame.chars().collect();
    match mutation {
        Mutation::Delete(at) if !chars.is_empty() => {
            chars.remove(at.index(chars.len()));
        }
        Mutation::Insert(at, c) => chars.insert(at.index(chars.len() + 1), *c),
        Mutation::Replace(at, c) if !chars.is_empty() => {
            let i = at.index(chars.len());
            if let Some(slot) = chars.get_mut(i) {
                *slot = *c;
            }
        }
        Mutation::Token(at, token) => {
            let spans = tokens(frame);
            if spans.is_empty() {
                return frame.to_owned();
            }
            let (start, end) = spans
                .get(at.index(spans.len()))
                .copied()
                .unwrap_or_default();
            return [frame.get(..start), Some(*token), frame.get(end..)]
                .into_iter()
                .flatten()
                .collect();
        }
        Mutation::Wrap => {
            return match frame.strip_prefix(PREFIX) {
                Some(json) => format!("{PREFIX}[{json}]"),
                None => format!("[{frame}]"),
            };
        }
        _ => {}
    }
    chars.into_iter().collect()
}

/// Random JSON, with numbers and strings the decoder looks for mixed in.
fn json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        text(),
        select(vec![
            "alt_key",
            "shift_key",
            "meta_key",
            "ctrl_key",
            "node_width",
            "node_height",
            "x",
            "y",
        ])
        .prop_map(str::to_owned),
    ];
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        select(vec![
            0u64,
            1,
            101,
            102,
            103,
            104,
            105,
            206,
            301,
            302,
            303,
            304,
            305,
            4_294_967_295,
            4_294_967_296,
        ])
        .prop_map(Json::from),
        number().prop_map(Json::from),
        text().prop_map(Json::String),
        select(vec!["1", "01", "-1", "", "3", "BUTTON", "click"]).prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 24, 5, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Json::Array),
            btree_map(key.clone(), inner, 0..5)
                .prop_map(|m: BTreeMap<String, Json>| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn count_nodes(tree: &Json) -> usize {
    1 + match tree {
        Json::Array(items) => items.iter().map(count_nodes).sum(),
        Json::Object(entries) => entries.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Replaces the `n`th node of `tree` in pre-order; true once it has.
fn replace_nth(tree: &mut Json, n: &mut usize, with: &Json) -> bool {
    if *n == 0 {
        *tree = with.clone();
        return true;
    }
    *n -= 1;
    match tree {
        Json::Array(items) => items.iter_mut().any(|item| replace_nth(item, n, with)),
        Json::Object(entries) => entries.values_mut().any(|item| replace_nth(item, n, with)),
        _ => false,
    }
}

/// A valid message's frame with one node replaced by random JSON, or a 4-item array whose items
/// are each plausible or random.
fn frame_with_random_json() -> impl Strategy<Value = String> {
    let replaced = (message(), json(), any::<Index>()).prop_map(|(m, with, at)| {
        let encoded = m.encode();
        let mut tree = encoded
            .strip_prefix(PREFIX)
            .and_then(|json| serde_json::from_str::<Json>(json).ok())
            .unwrap_or_default();
        let mut n = at.index(count_nodes(&tree));
        replace_nth(&mut tree, &mut n, &with);
        format!("{PREFIX}{tree}")
    });
    let window = prop_oneof![Just(Json::from(1)), Just(Json::Null), json()];
    let runtime = prop_oneof![Just(Json::from("1")), Just(Json::Null), json()];
    let method = prop_oneof![
        select(vec![101, 102, 104, 105]).prop_map(Json::from),
        json()
    ];
    let items = (window, runtime, method, json())
        .prop_map(|(w, r, m, p)| format!("{PREFIX}{}", Json::Array(vec![w, r, m, p])));
    prop_oneof![3 => replaced, 1 => items]
}

/// The properties every frame must have: decoding does not panic (proptest fails the case if
/// it does), an error has a message, a custom frame is the frame itself, and a decoded message
/// re-encodes to a frame that decodes to the same message.
fn check_frame(frame: &str) -> Result<(), TestCaseError> {
    match decode_client(frame) {
        Ok(Frame::Lona(message)) => {
            let encoded = message.encode();
            prop_assert_eq!(
                decode_client(&encoded),
                Ok(Frame::Lona(message)),
                "from {:?}",
                frame
            );
        }
        Ok(Frame::Custom(text)) => {
            prop_assert_eq!(text, frame);
            prop_assert!(!frame.starts_with(PREFIX));
        }
        Err(error) => prop_assert!(!error.to_string().is_empty()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn messages_decode_to_themselves_after_encoding(message in message()) {
        let encoded = message.encode();
        prop_assert_eq!(decode_client(&encoded), Ok(Frame::Lona(message)));
    }

    #[test]
    fn arbitrary_text_decodes_without_panicking(frame in prop_oneof![
        any::<String>(),
        "[\\[\\]{}\",:0-9a-z.+ \\\\-]{0,40}",
    ]) {
        check_frame(&frame)?;
    }

    #[test]
    fn arbitrary_text_after_the_prefix_decodes_without_panicking(text in prop_oneof![
        any::<String>(),
        "[\\[\\]{}\",:0-9a-z.+ \\\\-]{0,40}",
        "\\[(null|[0-9]{1,3}|\"[0-9]{0,3}\"),(null|\"[0-9]{1,2}\"),10[1-5],[\\[\\]{}\",:0-9a-z]{0,30}\\]",
    ]) {
        check_frame(&format!("{PREFIX}{text}"))?;
    }

    #[test]
    fn mutated_messages_decode_without_panicking_and_re_encode_stably(
        message in message(),
        mutations in vec(mutation(), 1..4),
    ) {
        let frame = mutations.iter().fold(message.encode(), |frame, m| apply(&frame, m));
        check_frame(&frame)?;
    }

    #[test]
    fn random_json_in_a_frame_decodes_without_panicking_and_re_encodes_stably(
        frame in frame_with_random_json(),
    ) {
        check_frame(&frame)?;
    }
}
