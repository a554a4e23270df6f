//! Input events: payloads and node infos of the wrong shape, click numbers, floats, clicks on
//! SVG, and submit events.

use expect_test::expect;

use super::*;

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
