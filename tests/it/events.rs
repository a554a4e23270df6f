//! A click travels as the browser sends it: decoded, resolved to a node of the view's document,
//! accepted only if that node listens for clicks, answered with the patch it causes.

use lona::html::{Document, Event, tags::*};
use lona_protocol::client::{ClientMessage, EventKind, Frame, decode_client};
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};

/// The seed's first app: a heading, a message and a button; a click sets the message.
#[test]
fn a_click_on_a_listening_node_becomes_the_patch_it_causes() {
    let message = p().with_text("Click the button");
    let button = button().with_text("Click me");
    let root = div()
        .with_child(h1().with_text("Lona"))
        .with_child(&message)
        .with_child(&button);
    let doc = Document::new();
    doc.set_root(&root);

    let frame = format!(
        r#"lona:[1,"1",102,[1,301,{{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":12,"y":9}},["{id}","BUTTON","",""],["{id}","BUTTON","",""]]]"#,
        id = button.id()
    );
    let Ok(Frame::Lona(ClientMessage::InputEvent { event, .. })) = decode_client(&frame) else {
        panic!("a valid click must decode");
    };
    let node = doc
        .node(event.node.node_id.expect("the click names a node"))
        .expect("the node is in the view's document");
    assert_eq!(node, button);
    assert!(matches!(event.kind, EventKind::Click(_)));
    assert!(node.events().contains(&Event::Click));

    message.set_text("Button clicked");
    let patches = doc.take_patches();
    let update = ServerMessage::Data {
        window: WindowId(1),
        runtime: RuntimeId(1),
        title: "",
        html: Some(Html::Update(&patches)),
    }
    .encode();
    let text_id = message.child(0).expect("the new text").id();
    assert_eq!(
        update,
        format!(
            r#"lona:[1,"1",203,["",[503,[["{m}",605,702,[[402,"{t}","Button clicked"]]]]]]]"#,
            m = message.id(),
            t = text_id
        )
    );
}

#[test]
fn a_click_on_a_node_that_does_not_listen_or_is_elsewhere_is_refused() {
    let label = span().with_text("not clickable");
    let root = div().with_child(&label);
    let doc = Document::new();
    doc.set_root(&root);
    let elsewhere = button();

    for (id, listens) in [(label.id(), false), (elsewhere.id(), true)] {
        let frame = format!(
            r#"lona:[1,"1",102,[1,301,{{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":1,"node_height":1,"x":0,"y":0}},["{id}",null,null,null],[null,null,null,null]]]"#
        );
        let Ok(Frame::Lona(ClientMessage::InputEvent { event, .. })) = decode_client(&frame) else {
            panic!("a valid click must decode");
        };
        let accepted = event
            .node
            .node_id
            .and_then(|id| doc.node(id))
            .is_some_and(|node| node.events().contains(&Event::Click));
        assert!(
            !accepted,
            "node {id} (listens: {listens}) must not accept the click"
        );
    }
}

#[test]
fn garbage_from_a_browser_is_an_error_not_a_panic() {
    for frame in [
        "lona:",
        "lona:[",
        "lona:[1,null,101]",
        "lona:{}",
        "lona:[1,\"x\",102,[]]",
    ] {
        let error = decode_client(frame).expect_err(frame);
        let error: lona::Error = error.into();
        assert!(error.is_decode());
        assert!(!error.to_string().is_empty());
    }
}
