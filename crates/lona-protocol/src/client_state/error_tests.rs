//! Tests of bad server frames: each error says where in the frame and what was expected, and
//! the patches before a bad one stay applied.

use lona_html::Value;

use super::ClientState;
use super::tests::{GOLDEN_TREE, started, window};

/// Expects `frame` to fail at `at` with `expected` in the message.
#[track_caller]
fn fails(state: &mut ClientState, frame: &str, at: &str, expected: &str) {
    let error = state.receive(frame).expect_err(frame);
    assert_eq!(error.at, at, "{error}");
    assert!(error.expected.contains(expected), "{error}");
    assert!(
        error.to_string().starts_with("bad server frame lona:"),
        "{error}"
    );
}

#[test]
fn bad_frames_are_errors_that_say_where_and_what() {
    let mut state = started();
    state.receive(GOLDEN_TREE).unwrap();
    fails(
        &mut state,
        "lona:[1,",
        "frame",
        "JSON after the `lona:` prefix",
    );
    fails(&mut state, "lona:{}", "frame", "a 4-item array");
    fails(
        &mut state,
        r#"lona:[-1,"1",204,null]"#,
        "frame[0]",
        "a window id",
    );
    fails(
        &mut state,
        r#"lona:[1,"01",204,null]"#,
        "frame[1]",
        "a runtime id",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",101,null]"#,
        "frame[2]",
        "a server method",
    );
    fails(
        &mut state,
        "lona:[1,null,206,null]",
        "frame",
        "exactly [null,null,206,null]",
    );
    fails(&mut state, r#"lona:[1,"1",204,1]"#, "frame[3]", "null");
    fails(
        &mut state,
        r#"lona:[1,"1",103,"1"]"#,
        "frame[3]",
        "an event id",
    );
    fails(&mut state, r#"lona:[1,"1",201,3]"#, "frame[3]", "the URL");
    fails(
        &mut state,
        r#"lona:[1,"1",203,["t"]]"#,
        "frame[3]",
        "[title, html]",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,[1,null]]"#,
        "frame[3][0]",
        "the title",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[504,1]]]"#,
        "frame[3][1][0]",
        "a DATA_TYPE",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["99",602,703,"a"]]]]]"#,
        "frame[3][1][1][0][0]",
        "a node the window shows",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["4",602,703,"a"]]]]]"#,
        "frame[3][1][1][0][0]",
        "not of a text node",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",602,701,"a"]]]]]"#,
        "frame[3][1][1][0][2]",
        "ADD, REMOVE, CLEAR or RESET",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",609,701,"a"]]]]]"#,
        "frame[3][1][1][0][1]",
        "a PATCH_TYPE",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",602,703]]]]]"#,
        "frame[3][1][1][0]",
        "ADD value",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",604,701,"a b",1]]]]]"#,
        "frame[3][1][1][0][3]",
        "an attribute name",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",604,701,"data-lona-node-id","1"]]]]]"#,
        "frame[3][1][1][0][3]",
        "not data-lona-node-id",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",604,701,"data-lona-events","309"]]]]]"#,
        "frame[3][1][1][0][4]",
        "event codes",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",604,701,"x",[1]]]]]]"#,
        "frame[3][1][1][0][4]",
        "a string, a bool, a number or null",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",603,701,"color",1]]]]]"#,
        "frame[3][1][1][0][4]",
        "a property value",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["3",606,701,[],"k",1]]]]]"#,
        "frame[3][1][1][0][0]",
        "a node with a widget",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["8",605,705,0,[403,"12","W",[],null]]]]]]"#,
        "frame[3][1][1][0][4]",
        "403 is a legacy widget",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["8",605,705,0,[401,"12","","a b",[],[],{},{},[],"",null]]]]]]"#,
        "frame[3][1][1][0][4][3]",
        "a tag name",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[503,[["8",605,706,"99"]]]]]"#,
        "frame[3][1][1][0][3]",
        "a node the window shows",
    );
    fails(
        &mut state,
        r#"lona:[1,"1",203,["",[502,[402,"x","t"]]]]"#,
        "frame[3][1][1][1]",
        "a node id",
    );

    let mut widgets = started();
    widgets
        .receive(r#"lona:[1,"1",203,["",[502,[401,"1","","div",[],[],{},{},[],"w",{"list":[1],"map":{}}]]]]"#)
        .unwrap();
    fails(
        &mut widgets,
        r#"lona:[1,"1",203,["",[503,[["1",606,701,["nope"],"k",1]]]]]"#,
        "frame[3][1][1][0][3]",
        "a key path that exists",
    );
    fails(
        &mut widgets,
        r#"lona:[1,"1",203,["",[503,[["1",606,701,["list"],5,1]]]]]"#,
        "frame[3][1][1][0][4]",
        "an index of a list item",
    );
    fails(
        &mut widgets,
        r#"lona:[1,"1",203,["",[503,[["1",606,705,["map"],0,1]]]]]"#,
        "frame[3][1][1][0][3]",
        "the key path of a list",
    );
    fails(
        &mut widgets,
        r#"lona:[1,"1",203,["",[503,[["1",606,703,[],1]]]]]"#,
        "frame[3][1][1][0][2]",
        "WIDGET_DATA",
    );
    // The good patch before a bad one stays applied, as in the browser.
    widgets
        .receive(r#"lona:[1,"1",203,["",[503,[["1",606,701,["map"],"k",1],["1",606,704,[]]]]]]"#)
        .unwrap();
    assert_eq!(
        window(&widgets).node("1").unwrap().widget_data().get(),
        Value::Map(Vec::new())
    );
}
