//! Table-driven errors of frames and of the VIEW, PING and CLIENT_ERROR messages: what was
//! expected where, and what was found.

use expect_test::expect;

use crate::client::expected::{CLICK_BOOL, WINDOW_ID};

use super::*;

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
            r#"lona:[1,"1",108,1]"#,
            r#"lona:[1,"1",207,{"seq":1},1]"#,
            r#"lona:[1,"1",201,"/foo"]"#,
            r#"lona:[1,"1",203,["",null]]"#,
            "lona:[null,null,206,null]",
            "lona:[null,null,18446744073709551616,null]",
        ],
        expect![[r#"
            lona:[1,null,"101",["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the string "101"
            lona:[1,null,101.0,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the number 101.0
            lona:[1,null,-101,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the number -101
            lona:[1,null,100,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the number 100
            lona:[1,null,null,["/",{}]]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found null
            lona:[1,"1",103,1]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 to 107), not one the server sends, found the number 103
            lona:[1,"1",108,1]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the number 108
            lona:[1,"1",207,{"seq":1},1]
                invalid lona message at frame: expected a 4-item array [window_id, runtime_id, method, payload], found an array of 5 items
            lona:[1,"1",201,"/foo"]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 to 107), not one the server sends, found the number 201
            lona:[1,"1",203,["",null]]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 to 107), not one the server sends, found the number 203
            lona:[null,null,206,null]
                invalid lona message at frame[2]: expected a client method (101, 102, 104 to 107), not one the server sends, found the number 206
            lona:[null,null,18446744073709551616,null]
                invalid lona message at frame[2]: expected method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME), found the number 1.8446744073709552e+19
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
            r#"lona:[1,null,101,["/",{},[]]]"#,
            r#"lona:[1,null,101,["/",{},{},{}]]"#,
            r#"lona:[1,null,101,[1,{}]]"#,
            r#"lona:[1,null,101,["/",[]]]"#,
            r#"lona:[1,null,101,["/",{"a":1}]]"#,
            r#"lona:[1,null,101,["/",{"a":null}]]"#,
            r#"lona:[1,null,101,["/",{"tags":["x",1]}]]"#,
            r#"lona:[1,null,101,["/",{"a b":{}}]]"#,
        ],
        expect![[r#"
            lona:[1,null,101,"/"]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data] or [url, post_data, {options}], found the string "/"
            lona:[1,null,101,["/"]]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data] or [url, post_data, {options}], found an array of 1 item
            lona:[1,null,101,["/",{},1]]
                invalid lona message at frame[3][2]: expected VIEW options (an object, such as {"ack":1}), found the number 1
            lona:[1,null,101,["/",{},[]]]
                invalid lona message at frame[3][2]: expected VIEW options (an object, such as {"ack":1}), found an array of 0 items
            lona:[1,null,101,["/",{},{},{}]]
                invalid lona message at frame[3]: expected VIEW payload [url, post_data] or [url, post_data, {options}], found an array of 4 items
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
fn ack_and_resume_of_the_wrong_shape_are_errors() {
    check(
        &[
            r#"lona:[1,null,106,3]"#,
            r#"lona:[1,"1",106,-1]"#,
            r#"lona:[1,"1",106,1.5]"#,
            r#"lona:[1,"1",106,[3]]"#,
            r#"lona:[1,"1",107,["/",3]]"#,
            r#"lona:[1,"1",107,[1,3,"abcdefghijklmnopqrs-_0"]]"#,
            r#"lona:[1,"1",107,["/","3","abcdefghijklmnopqrs-_0"]]"#,
            r#"lona:[1,"1",107,["/",3,"short"]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_01"]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs+/0"]]"#,
            r#"lona:[1,"1",107,["/",3,null]]"#,
            r#"lona:[1,null,107,["/",3,"abcdefghijklmnopqrs-_0"]]"#,
            // The id of the last event sent: a non-negative integer within u64, nothing else.
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0","4"]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",-1]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",4.5]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",null]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",{"id":4}]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",18446744073709551616]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",1e300]]"#,
            r#"lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",4,5]]"#,
        ],
        expect![[r#"
            lona:[1,null,106,3]
                invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found null
            lona:[1,"1",106,-1]
                invalid lona message at frame[3]: expected a sequence number (a non-negative integer), found the number -1
            lona:[1,"1",106,1.5]
                invalid lona message at frame[3]: expected a sequence number (a non-negative integer), found the number 1.5
            lona:[1,"1",106,[3]]
                invalid lona message at frame[3]: expected a sequence number (a non-negative integer), found an array of 1 item
            lona:[1,"1",107,["/",3]]
                invalid lona message at frame[3]: expected RESUME payload [url, seq, token, last_event_id], found an array of 2 items
            lona:[1,"1",107,[1,3,"abcdefghijklmnopqrs-_0"]]
                invalid lona message at frame[3][0]: expected url (a string), found the number 1
            lona:[1,"1",107,["/","3","abcdefghijklmnopqrs-_0"]]
                invalid lona message at frame[3][1]: expected a sequence number (a non-negative integer), found the string "3"
            lona:[1,"1",107,["/",3,"short"]]
                invalid lona message at frame[3][2]: expected a resume token (22 base64url characters), found the string "short"
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_01"]]
                invalid lona message at frame[3][2]: expected a resume token (22 base64url characters), found the string "abcdefghijklmnopqrs-_01"
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs+/0"]]
                invalid lona message at frame[3][2]: expected a resume token (22 base64url characters), found the string "abcdefghijklmnopqrs+/0"
            lona:[1,"1",107,["/",3,null]]
                invalid lona message at frame[3][2]: expected a resume token (22 base64url characters), found null
            lona:[1,null,107,["/",3,"abcdefghijklmnopqrs-_0"]]
                invalid lona message at frame[1]: expected runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1), found null
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0","4"]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found the string "4"
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",-1]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found the number -1
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",4.5]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found the number 4.5
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",null]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found null
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",{"id":4}]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found an object
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",18446744073709551616]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found the number 1.8446744073709552e+19
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",1e300]]
                invalid lona message at frame[3][3]: expected event id (a non-negative integer), found the number 1e+300
            lona:[1,"1",107,["/",3,"abcdefghijklmnopqrs-_0",4,5]]
                invalid lona message at frame[3]: expected RESUME payload [url, seq, token, last_event_id], found an array of 5 items
        "#]],
    );
}
