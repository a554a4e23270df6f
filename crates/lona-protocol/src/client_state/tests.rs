//! Tests of the protocol core: the golden frames of the protocol reference, every patch
//! operation replayed from a real `Document` (the client's tree must equal the server's after
//! each step, ids included), the window lifecycle, errors, and the frames it builds.

use crate::client::{ChangeValue, ClickData, ClientMessage, EventKind, Frame, decode_client};
use crate::{Html, Method, RuntimeId, ServerMessage, WindowId};
use lona_html::tags::{button, div, h1, li, option, p, select, span, svg, ul};
use lona_html::{AttrValue, Document, Event, Key, Node, Value};

use super::{ClientState, EventError, Received, Window};

const W1: WindowId = WindowId(1);

/// The HTML_TREE example of the protocol reference (lona-features.md 2.3), byte for byte.
pub(super) const GOLDEN_TREE: &str = r#"lona:[1,"1",203,["My Title",[502,[401,"8","","div",[],[],{"color":"red"},{},[[401,"5","","h1",[],["title"],{},{},[[402,"6","Counter"]],"",null],[401,"1","","span",["counter"],[],{},{},[[402,"2","0"]],"",null],[401,"3","","button",[],[],{},{"data-lona-events":"301"},[[402,"4","+1"]],"",null],[401,"7","","input",[],[],{},{"type":"text","value":"x","data-lona-events":"302:300"},[],"",null]],"",null]]]]"#;

/// The HTML_UPDATE example of the protocol reference, byte for byte.
const GOLDEN_UPDATE: &str = r#"lona:[1,"1",203,["",[503,[["1",605,702,[[402,"9","1"]]],["3",602,703,"active"],["3",604,701,"disabled",""],["8",603,701,"background-color","blue"],["8",605,705,4,[401,"10","","div",[],[],{},{},[[402,"11","new"]],"",null]]]]]]"#;

pub(super) fn started() -> ClientState {
    let mut state = ClientState::new();
    state.view(W1, "http://127.0.0.1/");
    assert_eq!(
        state.receive(r#"lona:[1,"1",204,null]"#),
        Ok(Received::ViewStart {
            window: W1,
            runtime: RuntimeId(1)
        })
    );
    state
}

pub(super) fn window(state: &ClientState) -> &Window {
    state.window(W1).expect("window 1")
}

#[test]
fn the_reference_html_tree_builds_the_dom() {
    let mut state = started();
    assert_eq!(
        state.receive(GOLDEN_TREE),
        Ok(Received::Data { window: W1 })
    );
    let w = window(&state);
    assert_eq!(w.title(), "My Title");
    assert_eq!(
        w.html(),
        r#"<div style="color: red;"><h1 class="title">Counter</h1><span id="counter">0</span><button data-lona-events="301">+1</button><input type="text" value="x" data-lona-events="302:300"></div>"#
    );
    assert_eq!(w.node_count(), 8);
    let button = w.node("3").expect("the button");
    assert_eq!(button.events().to_vec(), [Event::Click]);
    assert_eq!(w.wire_id(button), Some("3"));
    let input = w.query("input").expect("the input");
    assert_eq!(input.events().to_vec(), [Event::Change { delay_ms: 300 }]);
    assert_eq!(
        input.attributes().to_vec(),
        [
            ("type".to_owned(), AttrValue::from("text")),
            ("value".to_owned(), AttrValue::from("x"))
        ],
        "attributes keep the order of the frame"
    );
    assert_eq!(w.text(), "Counter0+1");
    assert_eq!(w.query("#counter"), w.node("1").cloned());
    assert_eq!(w.query("div"), w.node("8").cloned(), "the root matches too");
}

#[test]
fn the_reference_html_update_patches_the_dom() {
    let mut state = started();
    state.receive(GOLDEN_TREE).unwrap();
    assert_eq!(
        state.receive(GOLDEN_UPDATE),
        Ok(Received::Data { window: W1 })
    );
    let w = window(&state);
    assert_eq!(
        w.html(),
        r#"<div style="color: red; background-color: blue;"><h1 class="title">Counter</h1><span id="counter">1</span><button class="active" disabled="" data-lona-events="301">+1</button><input type="text" value="x" data-lona-events="302:300"><div>new</div></div>"#
    );
    assert_eq!(w.title(), "My Title", "an empty title changes nothing");
    assert!(w.node("2").is_none(), "the replaced text node is forgotten");
    assert_eq!(w.node("9").map(Node::text_content).as_deref(), Some("1"));
    assert_eq!(w.node("11").map(Node::text_content).as_deref(), Some("new"));
    assert_eq!(w.node_count(), 10);
    assert_eq!(w.updates(), 2);
}

/// A server `Document` and the client's mirror of it, compared after every step.
struct Mirror {
    doc: Document,
    root: Node,
    state: ClientState,
}

fn data(html: Html<'_>) -> String {
    ServerMessage::Data {
        window: W1,
        runtime: RuntimeId(1),
        title: "",
        html: Some(html),
    }
    .encode()
}

impl Mirror {
    fn new(root: &Node) -> Mirror {
        let doc = Document::new();
        doc.set_root(root);
        let mut state = started();
        state
            .receive(&data(Html::Tree(root)))
            .expect("the tree applies");
        let mirror = Mirror {
            doc,
            root: root.clone(),
            state,
        };
        mirror.check();
        mirror
    }

    /// Makes an edit on the server's tree, sends its patches, and compares.
    fn step(&mut self, what: &str, edit: impl FnOnce()) {
        edit();
        self.send(what);
    }

    /// Sends the pending patches and compares.
    fn send(&mut self, what: &str) {
        let patches = self.doc.take_patches();
        assert!(!patches.is_empty(), "{what}: the edit recorded no patch");
        let frame = data(Html::Update(&patches));
        self.state
            .receive(&frame)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        self.check();
    }

    fn check(&self) {
        let w = window(&self.state);
        assert_eq!(w.html(), self.root.to_html());
        let local = w.root().expect("a root");
        assert_eq!(
            same_tree(w, &self.root, local),
            w.node_count(),
            "no stale ids"
        );
    }
}

/// Compares two trees node by node (ids, events, attributes, widget data); returns the
/// number of nodes.
fn same_tree(w: &Window, server: &Node, local: &Node) -> usize {
    let id = server.id().to_string();
    assert_eq!(w.wire_id(local), Some(id.as_str()), "{server:?}");
    assert_eq!(w.node(&id), Some(local), "{server:?}");
    assert_eq!(server.is_text(), local.is_text());
    if server.is_element() {
        let standard = |n: &Node| -> Vec<Event> {
            n.events()
                .to_vec()
                .into_iter()
                .filter(|e| !matches!(e, Event::Custom(_)))
                .collect()
        };
        assert_eq!(standard(local), standard(server), "{server:?}");
        assert_eq!(local.attributes().to_vec(), server.attributes().to_vec());
        assert_eq!(local.widget_data().get(), server.widget_data().get());
        assert_eq!(local.namespace(), server.namespace());
    }
    let (a, b) = (server.children(), local.children());
    assert_eq!(a.len(), b.len(), "children of {server:?}");
    1 + a
        .iter()
        .zip(&b)
        .map(|(s, l)| same_tree(w, s, l))
        .sum::<usize>()
}

#[test]
fn every_list_style_and_attribute_operation_replays() {
    let node = div().with_id("a").with_class("x y");
    let root = div().with_child(&node).with_child(p().with_text("text"));
    let mut m = Mirror::new(&root);
    m.step("ID_LIST ADD", || node.id_list().add("b"));
    m.step("ID_LIST REMOVE", || node.id_list().remove("a"));
    m.step("ID_LIST RESET", || node.id_list().reset(["c", "d"]));
    m.step("ID_LIST CLEAR", || node.id_list().clear());
    m.step("CLASS_LIST ADD", || node.class_list().add("z"));
    m.step("CLASS_LIST REMOVE", || node.class_list().remove("x"));
    m.step("CLASS_LIST RESET", || node.class_list().reset(["k"]));
    m.step("CLASS_LIST CLEAR", || node.class_list().clear());
    m.step("STYLE SET", || node.style().set("color", "red"));
    m.step("STYLE SET again", || node.style().set("top", "1px"));
    m.step("STYLE REMOVE", || node.style().remove("color"));
    m.step("STYLE RESET", || {
        node.style().reset([("left", "0"), ("--x", "a;b")])
    });
    m.step("STYLE CLEAR", || node.style().clear());
    m.step("ATTRIBUTES SET str", || {
        node.attributes().set("title", "a \"quote\"")
    });
    m.step("ATTRIBUTES SET bool", || {
        node.attributes().set("hidden", true)
    });
    m.step("ATTRIBUTES SET false", || {
        node.attributes().set("checked", false)
    });
    m.step("ATTRIBUTES SET int", || {
        node.attributes().set("tabindex", 3)
    });
    m.step("ATTRIBUTES SET float", || {
        node.attributes().set("data-f", 2.5)
    });
    m.step("ATTRIBUTES REMOVE", || node.attributes().remove("title"));
    m.step("events SET", || node.events().add(Event::Click));
    m.step("events SET change", || {
        node.events().add(Event::Change { delay_ms: 250 })
    });
    m.step("events focus blur", || {
        node.events().add(Event::Focus);
        node.events().add(Event::Blur);
    });
    m.step("ATTRIBUTES RESET (a clear that keeps the events)", || {
        node.attributes().clear();
    });
    m.step("events REMOVE", || node.events().clear());
    m.step("ATTRIBUTES SET again", || {
        node.attributes().set("lang", "en")
    });
    m.step("ATTRIBUTES CLEAR", || node.attributes().clear());
}

#[test]
fn every_nodes_operation_replays() {
    let list = ul().with_child(li().with_text("one"));
    let root = div().with_child(h1().with_text("List")).with_child(&list);
    let mut m = Mirror::new(&root);
    m.step("INSERT", || list.append(li().with_text("two")));
    m.step("INSERT at 0", || {
        list.insert(0, li().with_class("first").with_text("zero"))
    });
    m.step("INSERT text", || list.insert(1, "between"));
    m.step("SET", || {
        list.replace_child(1, li().with_child(span().with_text("replaced")));
    });
    m.step("REMOVE", || {
        list.remove_at(0);
    });
    let moved = list.child(0).expect("a child");
    m.step("move (REMOVE then INSERT)", || list.append(&moved));
    m.step("set_text (RESET)", || list.set_text("plain"));
    m.step("RESET", || {
        list.set_children([
            li().with_text("a"),
            li().with_text("b"),
            li().with_text("c"),
        ]);
    });
    m.step("CLEAR", || list.clear());
    m.step("deep INSERT", || {
        list.append(li().with_child(ul().with_child(li().with_child(button().with_text("deep")))));
    });
    m.step("svg", || {
        root.append(svg().with_child(Node::element("circle").with_attr("r", 4)));
    });
    let morphed = div()
        .with_child(h1().with_text("List"))
        .with_child(ul().with_child(li().with_text("after a diff")));
    assert!(m.doc.morph_root(&morphed), "a diff, not a new tree");
    m.root = morphed;
    m.send("diff");
}

#[test]
fn every_widget_data_operation_replays() {
    let widget = div().with_widget(
        "my.Widget",
        Value::map([
            ("items", Value::list([1, 2])),
            ("nested", Value::map([("a", Value::Null)])),
            ("z", Value::from("last")),
        ]),
    );
    let raw = Node::raw_html("<b>bold</b>");
    let root = div().with_child(&widget).with_child(&raw);
    let mut m = Mirror::new(&root);
    assert!(window(&m.state).html().contains("<b>bold</b>"));
    let data = widget.widget_data();
    let items = [Key::from("items")];
    m.step("SET", || data.set(&[], "x", 2));
    m.step("SET nested", || data.set(&[Key::from("nested")], "a", "b"));
    m.step("SET list item", || data.set(&items, 0, 10));
    m.step("INSERT", || {
        data.insert(&items, 1, Value::map([("k", true)]))
    });
    m.step("push", || data.push(&items, 1.5));
    m.step("REMOVE from a list", || {
        data.remove(&items, 0);
    });
    m.step("REMOVE from a map", || {
        data.remove(&[], "z");
    });
    m.step("CLEAR", || data.clear(&items));
    m.step("RESET", || data.reset(Value::map([("reset", true)])));
    m.step("raw HTML", || raw.set_raw_html("<i>italic</i>"));
    assert!(window(&m.state).html().contains("<i>italic</i>"));
}

#[test]
fn the_window_follows_the_view_lifecycle() {
    let mut state = started();
    state.receive(GOLDEN_TREE).unwrap();
    state.receive(r#"lona:[1,"1",103,1]"#).unwrap();
    state.receive(r#"lona:[1,"1",205,null]"#).unwrap();
    let w = window(&state);
    assert!(w.view_started() && w.view_stopped());
    assert_eq!(
        (w.acks(), w.is_acked(1), w.is_acked(2)),
        (&[1][..], true, false)
    );

    // REDIRECT and HTTP_REDIRECT are taken whatever their runtime.
    assert_eq!(
        state.receive(r#"lona:[1,"9",201,"/other"]"#),
        Ok(Received::Redirect {
            window: W1,
            url: "/other".to_owned()
        })
    );
    state.receive(r#"lona:[1,null,202,"/api"]"#).unwrap();
    let w = window(&state);
    assert_eq!(
        (w.redirects(), w.http_redirects()),
        (&["/other".to_owned()][..], &["/api".to_owned()][..])
    );

    // A new VIEW: the old view's frames are ignored until VIEW_START.
    let frame = state.view(W1, "http://127.0.0.1/other");
    assert_eq!(frame, r#"lona:[1,null,101,["http://127.0.0.1/other",{}]]"#);
    assert!(!window(&state).view_started());
    assert_eq!(
        state.receive(r#"lona:[1,"1",203,["Old",null]]"#),
        Ok(Received::Ignored {
            window: W1,
            method: Method::Data
        })
    );
    state.receive(r#"lona:[1,"2",204,null]"#).unwrap();
    let w = window(&state);
    assert_eq!(
        (w.runtime(), w.view_starts(), w.view_stopped()),
        (Some(RuntimeId(2)), 2, false)
    );
    assert_eq!(
        (w.html(), w.acks().len(), w.node_count()),
        (String::new(), 0, 0)
    );
    assert_eq!(w.title(), "My Title");
    assert_eq!(
        state.receive(r#"lona:[1,"1",103,7]"#),
        Ok(Received::Ignored {
            window: W1,
            method: Method::InputEventAck
        })
    );
    state
        .receive(r#"lona:[1,"2",203,["New",[501,"<p class=\"x\">raw <b>html</b></p>"]]]"#)
        .unwrap();
    let w = window(&state);
    assert_eq!(
        (w.title(), w.raw_html()),
        ("New", Some(r#"<p class="x">raw <b>html</b></p>"#))
    );
    assert_eq!(w.text(), "raw html");
    assert_eq!(
        w.query("p.x b").map(|n| n.text_content()).as_deref(),
        Some("html")
    );
    assert_eq!(w.query_all("p, b").len(), 2);

    assert_eq!(
        state.receive("lona:[null,null,206,null]"),
        Ok(Received::Pong)
    );
    assert_eq!(state.receive("hello middleware"), Ok(Received::Custom));
    assert_eq!(
        (state.pongs(), state.custom_messages()),
        (1, &["hello middleware".to_owned()][..])
    );
    assert_eq!(state.take_custom_messages().len(), 1);
}

/// Decodes a frame the client built, as the server does.
fn decoded(frame: &str) -> ClientMessage {
    match decode_client(frame) {
        Ok(Frame::Lona(message)) => message,
        other => panic!("{frame}: {other:?}"),
    }
}

#[test]
fn input_events_are_built_as_the_browser_sends_them() {
    let mut state = started();
    state.receive(GOLDEN_TREE).unwrap();
    let w = window(&state);
    let button = w.node("3").unwrap().clone();
    let label = w.node("4").unwrap().clone();
    let input = w.node("7").unwrap().clone();
    let title = w.node("5").unwrap().clone();

    let click = state.click(&button).unwrap();
    assert_eq!((click.window, click.event_id), (W1, 1));
    assert_eq!(
        click.frame,
        r#"lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":0,"node_height":0,"x":0,"y":0},["3","BUTTON","",""],["3","BUTTON","",""]]]"#
    );
    // A click on the button's text goes to the button, with the button as target: text is
    // never an event target in a browser.
    let on_text = state.click(&label).unwrap();
    assert!(
        on_text
            .frame
            .ends_with(r#"["3","BUTTON","",""],["3","BUTTON","",""]]]"#),
        "{}",
        on_text.frame
    );
    assert_eq!(on_text.event_id, 2);
    let with_keys = state
        .click_with(
            &button,
            ClickData {
                shift_key: true,
                x: 12.0,
                y: 9.5,
                node_width: 80.0,
                node_height: 24.0,
                ..ClickData::default()
            },
        )
        .unwrap();
    let ClientMessage::InputEvent { event, .. } = decoded(&with_keys.frame) else {
        panic!("an input event");
    };
    assert!(matches!(event.kind, EventKind::Click(ref c) if c.shift_key && c.y == 9.5));

    let change = state
        .change(&input, ChangeValue::Text("hello".to_owned()))
        .unwrap();
    assert_eq!(
        change.frame,
        r#"lona:[1,"1",102,[4,302,"hello",["7","INPUT","",""],["7","INPUT","",""]]]"#
    );
    for value in [
        ChangeValue::Checked(true),
        ChangeValue::Selected(vec![0, 2]),
    ] {
        let frame = state.change(&input, value.clone()).unwrap().frame;
        let ClientMessage::InputEvent { event, runtime, .. } = decoded(&frame) else {
            panic!("an input event");
        };
        assert_eq!(
            (event.kind, runtime),
            (EventKind::Change(value), RuntimeId(1))
        );
    }
    assert_eq!(
        state.click(&title),
        Err(EventError::NotListening {
            node: format!("{title:?}"),
            event: "click"
        })
    );
    assert!(matches!(
        state.focus(&input),
        Err(EventError::NotListening { event: "focus", .. })
    ));
    let custom = state
        .custom(&title, "picked", Value::map([("b", 1), ("a", 2)]))
        .unwrap();
    assert_eq!(
        custom.frame,
        r#"lona:[1,"1",102,[7,"picked",{"b":1,"a":2},["5","H1","","title"],["5","H1","","title"]]]"#
    );
    assert_eq!(state.ping(), "lona:[null,null,105,null]");
    assert_eq!(
        state.client_error(W1, "boom"),
        r#"lona:[1,"1",104,["boom"]]"#
    );

    // A node of no window, and a window without a view.
    let stranger = lona_html::tags::button().with_text("elsewhere");
    assert!(matches!(
        state.click(&stranger),
        Err(EventError::UnknownNode { .. })
    ));
    state.view(W1, "http://127.0.0.1/next");
    assert_eq!(state.click(&button), Err(EventError::NoView { window: W1 }));
    // Event ids restart at 1 with the next view.
    state.receive(r#"lona:[1,"2",204,null]"#).unwrap();
    state
        .receive(r#"lona:[1,"2",203,["",[502,[401,"20","","input",[],[],{},{"data-lona-events":"304;305"},[],"",null]]]]"#)
        .unwrap();
    let field = window(&state).node("20").unwrap().clone();
    assert_eq!(state.focus(&field).unwrap().event_id, 1);
    let blur = state.blur(&field).unwrap();
    assert_eq!(
        blur.frame,
        r#"lona:[1,"2",102,[2,305,[],["20","INPUT","",""],["20","INPUT","",""]]]"#
    );
}

#[test]
fn svg_tags_keep_their_case_and_select_options_are_found() {
    let mut state = started();
    let root = div()
        .with_child(svg().with_child(Node::element("foreignObject").with_event(Event::Click)))
        .with_child(
            select()
                .with_event(Event::CHANGE)
                .with_children([option().with_text("a"), option().with_text("b")]),
        );
    state.receive(&data(Html::Tree(&root))).unwrap();
    let w = window(&state);
    let foreign = w.query("foreignObject").expect("the SVG element");
    let frame = state.click(&foreign).unwrap().frame;
    assert!(frame.contains(r#""foreignObject","""#), "{frame}");
    assert_eq!(window(&state).query_all("select option").len(), 2);
}

#[test]
fn a_change_shows_in_the_window_at_once_as_in_a_browser() {
    use lona_html::forms::{Checkbox, RadioGroup, Select, TextInput};

    let name = TextInput::new();
    let agree = Checkbox::new();
    let colors = RadioGroup::new()
        .with_name("color")
        .with_radio("red", "Red")
        .with_radio("blue", "Blue");
    let sizes = Select::multiple()
        .with_option("s", "S")
        .with_option("l", "L");
    let counter = div()
        .with_widget("Counter", Value::map([("count", 0)]))
        .with_widget_sync();
    let root = div()
        .with_child(&name)
        .with_child(&agree)
        .with_child(&colors)
        .with_child(&sizes)
        .with_child(&counter);
    let mut state = started();
    state.receive(&data(Html::Tree(&root))).unwrap();
    let local = |state: &ClientState, node: &Node| {
        let id = node.id().to_string();
        window(state).node(&id).unwrap().clone()
    };
    let (l_name, l_agree, l_sizes, l_counter) = (
        local(&state, &name),
        local(&state, &agree),
        local(&state, &sizes),
        local(&state, &counter),
    );
    let l_radios: Vec<Node> = colors.radios().iter().map(|r| local(&state, r)).collect();

    state
        .change(&l_name, ChangeValue::Text("Ada".into()))
        .unwrap();
    state.change(&l_agree, ChangeValue::Checked(true)).unwrap();
    state
        .change(&l_radios[0], ChangeValue::Checked(true))
        .unwrap();
    state
        .change(&l_radios[1], ChangeValue::Checked(true))
        .unwrap();
    state
        .change(&l_sizes, ChangeValue::Selected(vec![1]))
        .unwrap();
    assert_eq!(
        TextInput::from_node(l_name).unwrap().value(),
        "Ada",
        "the window shows what was typed"
    );
    assert!(Checkbox::from_node(l_agree).unwrap().value());
    let radios = RadioGroup::from_node(local(&state, &colors)).unwrap();
    assert_eq!(
        radios.value().as_deref(),
        Some("blue"),
        "one radio of a name at a time"
    );
    assert_eq!(Select::from_node(l_sizes).unwrap().values(), ["l"]);

    let frame = state
        .set_widget_data(&l_counter, &[Key::from("count")], Value::Int(3))
        .unwrap();
    assert!(
        frame
            .frame
            .contains(r#""lona.widget_data",{"path":["count"],"value":3}"#),
        "{}",
        frame.frame
    );
    assert_eq!(l_counter.widget_data().get(), Value::map([("count", 3)]));
    let nowhere = state.set_widget_data(&l_counter, &[Key::from("no"), Key::Index(0)], Value::Null);
    assert!(matches!(nowhere, Err(EventError::NotListening { .. })));
    assert_eq!(l_counter.widget_data().get(), Value::map([("count", 3)]));
}

#[test]
fn a_window_tells_which_elements_patches_changed_since_a_mark() {
    let mut state = started();
    state.receive(GOLDEN_TREE).unwrap();
    let w = window(&state);
    let (span, button, input, h1) = (
        w.node("1").cloned().expect("the span"),
        w.node("3").cloned().expect("the button"),
        w.node("7").cloned().expect("the input"),
        w.node("5").cloned().expect("the heading"),
    );
    let mark = w.patch_count();
    assert!(!w.patched_since(&button, mark));
    state.receive(GOLDEN_UPDATE).unwrap();
    let w = window(&state);
    assert!(w.patch_count() > mark);
    assert!(w.patched_since(&span, mark), "its children were reset");
    assert!(
        w.patched_since(&button, mark),
        "its classes and attributes changed"
    );
    assert!(!w.patched_since(&input, mark));
    assert!(!w.patched_since(&h1, mark));
    // A node taken out of the window counts as changed; a new mark starts clean.
    let mark = w.patch_count();
    state
        .receive(r#"lona:[1,"1",203,["",[503,[["8",605,706,"7"]]]]]"#)
        .unwrap();
    let w = window(&state);
    assert!(w.patched_since(&input, mark));
    assert!(!w.patched_since(&button, mark));
}
