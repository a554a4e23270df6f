//! Tests of a window's DOM with hand-written frames: the client's semantics where the server's
//! own API never sends a case (CLEAR of an element with events, REMOVE of `id`, `null`
//! values), and id takeover.

use crate::WindowId;
use lona_html::Value;

use crate::ClientState;

const TREE: &str = r#"lona:[1,"1",203,["",[502,[401,"1","","div",["a"],["b"],{"color":"red"},{"title":"t","data-lona-events":"301"},[[401,"2","","p",[],[],{},{},[[402,"3","x"]],"",null]],"w",{"k":[1,2]}]]]]"#;

fn state() -> ClientState {
    let mut state = ClientState::new();
    state.receive(r#"lona:[1,"1",204,null]"#).unwrap();
    state.receive(TREE).unwrap();
    state
}

fn update(state: &mut ClientState, patches: &str) -> String {
    let frame = format!(r#"lona:[1,"1",203,["",[503,{patches}]]]"#);
    state.receive(&frame).unwrap_or_else(|e| panic!("{e}"));
    state.window(WindowId(1)).unwrap().html()
}

#[test]
fn attribute_clear_drops_the_events_and_keeps_id_class_and_style() {
    let mut state = state();
    assert_eq!(
        update(&mut state, r#"[["1",604,704]]"#),
        r#"<div id="a" class="b" style="color: red;"><p>x</p></div>"#
    );
    let root = state
        .window(WindowId(1))
        .unwrap()
        .node("1")
        .unwrap()
        .clone();
    assert!(root.events().to_vec().is_empty());
}

#[test]
fn attribute_remove_and_null_work_on_every_part() {
    let mut state = state();
    assert_eq!(
        update(
            &mut state,
            r#"[["1",604,706,"id"],["1",604,706,"class"],["1",604,701,"style",null],["1",604,701,"title",null],["1",604,706,"data-lona-events"]]"#
        ),
        "<div><p>x</p></div>"
    );
    assert_eq!(
        update(
            &mut state,
            r#"[["1",604,702,{"data-lona-events":"302:5;304","n":1.5,"on":true,"off":false}]]"#
        ),
        r#"<div n="1.5" on data-lona-events="302:5;304"><p>x</p></div>"#
    );
}

#[test]
fn nodes_past_the_end_append_and_removing_the_root_empties_the_window() {
    let mut state = state();
    assert_eq!(
        update(
            &mut state,
            r#"[["1",605,705,9,[402,"4","i"]],["1",605,701,7,[402,"5","s"]]]"#
        ),
        r#"<div id="a" class="b" style="color: red;" title="t" data-lona-events="301"><p>x</p>is</div>"#
    );
    assert_eq!(update(&mut state, r#"[["1",605,706,"1"]]"#), "");
    let window = state.window(WindowId(1)).unwrap();
    assert!(window.root().is_none());
    assert_eq!(window.node_count(), 0);
}

#[test]
fn a_new_node_takes_over_an_id_and_the_old_one_loses_it() {
    let mut state = state();
    let old = state
        .window(WindowId(1))
        .unwrap()
        .node("2")
        .unwrap()
        .clone();
    update(
        &mut state,
        r#"[["1",605,705,0,[401,"2","","span",[],[],{},{},[],"",null]]]"#,
    );
    let window = state.window(WindowId(1)).unwrap();
    let new = window.node("2").unwrap();
    assert_eq!(new.tag().as_deref(), Some("span"));
    assert_eq!(window.wire_id(&old), None);
    // Removing the old node (now without an id) does not take the new one's id away.
    old.remove();
    assert_eq!(window.wire_id(new), Some("2"));
}

#[test]
fn widget_data_reset_with_a_path_sets_that_key() {
    let mut state = state();
    update(&mut state, r#"[["1",606,702,["k"],{"x":null}]]"#);
    let root = state
        .window(WindowId(1))
        .unwrap()
        .node("1")
        .unwrap()
        .clone();
    assert_eq!(
        root.widget_data().get(),
        Value::map([("k", Value::map([("x", Value::Null)]))])
    );
}
