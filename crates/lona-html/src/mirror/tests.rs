//! Tests of the applier on what the server's own API never sends (the property tests of
//! `tests.rs`, `diff/tests.rs` and `forms/tests.rs` replay what it does send), and of the
//! events attribute it parses.

use super::{Mirror, PatchPart};
use crate::tags::{div, p};
use crate::{
    AttrValue, Event, ListOp, MapOp, NodeId, NodesOp, Patch, PatchOp, parse_events_attribute,
};

fn patch(id: u64, op: PatchOp) -> Patch {
    Patch::new(NodeId::from_raw(id), op)
}

#[test]
fn ids_are_the_servers_and_a_snapshot_gives_them_back() {
    let root = div().with_child(p().with_text("x"));
    let snapshot = root.snapshot();
    let mut mirror = Mirror::from_snapshot(&snapshot).unwrap();
    assert_eq!(mirror.snapshot().as_ref(), Some(&snapshot));
    let local = mirror.node(root.id()).unwrap().clone();
    assert_eq!(mirror.wire_id(&local), Some(root.id().to_string().as_str()));
    assert_eq!(mirror.len(), 3);

    let before = mirror.patch_count();
    mirror
        .apply(&patch(
            root.id().get(),
            PatchOp::ClassList(ListOp::Add("a".to_owned())),
        ))
        .unwrap();
    assert_eq!(
        mirror.last_patched(&local),
        None,
        "classes do not make a click stale"
    );
    mirror
        .apply(&patch(
            root.id().get(),
            PatchOp::Attributes(MapOp::Set(
                "data-lona-events".to_owned(),
                AttrValue::Str("301".to_owned()),
            )),
        ))
        .unwrap();
    assert_eq!(local.events().to_vec(), [Event::Click]);
    assert_eq!(mirror.last_patched(&local), Some(before + 2));
}

#[test]
fn patches_the_window_cannot_take_are_errors_not_panics() {
    let root = div().with_child(p().with_text("x"));
    let mut mirror = Mirror::from_snapshot(&root.snapshot()).unwrap();
    let text = root.children()[0].children()[0].id().get();
    let cases = [
        (patch(99, PatchOp::Nodes(NodesOp::Clear)), PatchPart::Node),
        (patch(text, PatchOp::Nodes(NodesOp::Clear)), PatchPart::Node),
        (
            patch(
                root.id().get(),
                PatchOp::Nodes(NodesOp::Remove(NodeId::from_raw(99))),
            ),
            PatchPart::Arg(0),
        ),
        (
            patch(
                root.id().get(),
                PatchOp::Attributes(MapOp::Set("a b".to_owned(), AttrValue::Bool(true))),
            ),
            PatchPart::Arg(0),
        ),
        (
            patch(
                root.id().get(),
                PatchOp::WidgetData(crate::WidgetDataOp::Clear { path: Vec::new() }),
            ),
            PatchPart::Node,
        ),
    ];
    for (patch, part) in cases {
        let error = mirror.apply(&patch).expect_err("an error");
        assert_eq!(error.part, part, "{error}");
    }
    assert_eq!(mirror.snapshot(), Some(root.snapshot()));
}

#[test]
fn the_events_attribute_parses_like_the_client() {
    assert_eq!(
        parse_events_attribute("301; 302:300;;304;305"),
        Some(vec![
            Event::Click,
            Event::Change { delay_ms: 300 },
            Event::Focus,
            Event::Blur
        ])
    );
    assert_eq!(parse_events_attribute(""), Some(Vec::new()));
    assert_eq!(parse_events_attribute("302"), Some(vec![Event::CHANGE]));
    for bad in ["303", "301:5", "302:x", "abc", "-1"] {
        assert_eq!(parse_events_attribute(bad), None, "{bad}");
    }
}
