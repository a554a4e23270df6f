//! Forms and widgets: what the browser changed itself is applied on the server before the
//! event is dispatched, and is not echoed to the window that changed it (Lona's issuer
//! filtering).

use lona_html::forms::{Checkbox, RadioGroup, Select, TextInput};
use lona_html::tags::{button, div, span};
use lona_html::{
    AttrValue, Event, Key, MapOp, Node, Patch, PatchOp, Value, WIDGET_DATA_EVENT, WidgetDataOp,
};
use lona_protocol::DecodedServerMessage;
use lona_protocol::client::{ChangeValue, EventKind, InputEvent as WireEvent};

use crate::{
    Connection, Context, EventOutcome, Flow, InputEvent, Request, Response, View, ViewFactory,
    ViewResult,
};

use super::support::{
    Probe, W1, browser, click_on, eventually, mentions, message, patches, session, small_runtime,
    start, until_data, wire_event,
};

fn change_on(node: &Node, event_id: u64, value: ChangeValue) -> WireEvent {
    wire_event(node, event_id, EventKind::Change(value))
}

fn widget_change(node: &Node, event_id: u64, path: Value, value: Value) -> WireEvent {
    let data = Value::map([("path", path), ("value", value)]);
    let name = WIDGET_DATA_EVENT.to_owned();
    wire_event(node, event_id, EventKind::Custom { name, data })
}

/// Whether a patch list changes `node` at all.
fn touches(patches: &[Patch], node: &Node) -> bool {
    patches.iter().any(|p| p.node_id == node.id())
}

/// Reads messages until a DATA message that mentions `marker`; returns the patches of every
/// DATA message read on the way, that one included.
fn patches_until(conn: &Connection, marker: &str) -> Vec<Patch> {
    let mut seen = Vec::new();
    loop {
        let message = message(conn);
        if !matches!(message, DecodedServerMessage::Data { .. }) {
            continue;
        }
        seen.extend_from_slice(patches(&message));
        if mentions(&message, marker) {
            return seen;
        }
    }
}

/// A patch that sets the attribute `name` of `node` to the string `value`.
fn sets_attribute(node: &Node, name: &str, value: &str) -> Patch {
    Patch::new(
        node.id(),
        PatchOp::Attributes(MapOp::Set(
            name.to_owned(),
            AttrValue::Str(value.to_owned()),
        )),
    )
}

/// The nodes of [`FormApp`], by name.
struct FormNodes {
    name: TextInput,
    shout: TextInput,
    agree: Checkbox,
    colors: RadioGroup,
    sizes: Select,
    counter: Node,
    locked: Node,
    echo: Node,
    mark: Node,
}

impl FormNodes {
    fn of(probe: &Probe) -> FormNodes {
        let node = |i: usize| probe.node(i);
        FormNodes {
            name: TextInput::from_node(node(0)).expect("a text input"),
            shout: TextInput::from_node(node(1)).expect("a text input"),
            agree: Checkbox::from_node(node(2)).expect("a checkbox"),
            colors: RadioGroup::from_node(node(3)).expect("a radio group"),
            sizes: Select::from_node(node(4)).expect("a select"),
            counter: node(5),
            locked: node(6),
            echo: node(7),
            mark: node(8),
        }
    }
}

/// A form whose handlers write what the server sees into `echo`; `mark` is clicked to fence
/// the frames of earlier events.
struct FormApp {
    probe: Probe,
    daemon: bool,
}

impl View for FormApp {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        if self.daemon {
            cx.daemonize();
        }
        let name = TextInput::new();
        let shout = TextInput::new();
        let agree = Checkbox::new();
        let colors = RadioGroup::new()
            .with_radio("red", "Red")
            .with_radio("green", "Green")
            .with_radio("blue", "Blue");
        let sizes = Select::multiple()
            .with_option("s", "S")
            .with_option("m", "M")
            .with_option("l", "L");
        let counter = div()
            .with_widget("Counter", Value::map([("count", 0)]))
            .with_widget_sync();
        let locked = div().with_widget("Counter", Value::map([("count", 0)]));
        let echo = span().with_text("-");
        let mark = button().with_text("mark");
        let say = |echo: &Node, text: String| {
            echo.set_text(text);
            Flow::Handled
        };
        cx.on_change(&name, {
            let (name, echo) = (name.clone(), echo.clone());
            move |_, _| say(&echo, format!("name={}", name.value()))
        });
        cx.on_change(&shout, {
            let shout = shout.clone();
            move |_, _| {
                shout.set_value(&shout.value().to_uppercase());
                Flow::Handled
            }
        });
        cx.on_change(&agree, {
            let (agree, echo) = (agree.clone(), echo.clone());
            move |_, _| say(&echo, format!("agree={}", agree.value()))
        });
        cx.on_change(&sizes, {
            let (sizes, echo) = (sizes.clone(), echo.clone());
            move |_, _| say(&echo, format!("sizes={}", sizes.values().join("+")))
        });
        cx.on(&counter, Event::Custom(WIDGET_DATA_EVENT.to_owned()), {
            let (counter, echo) = (counter.clone(), echo.clone());
            move |_, _| {
                let count = counter.widget_data().get();
                let count = count.get(&"count".into()).and_then(Value::as_i64);
                say(&echo, format!("count={count:?}"))
            }
        });
        cx.on_click(&mark, {
            let echo = echo.clone();
            move |_, event| say(&echo, format!("mark{}", event.event_id))
        });
        let root = div()
            .with_child(&name)
            .with_child(&shout)
            .with_child(&agree)
            .with_child(&colors)
            .with_child(&sizes)
            .with_child(&counter)
            .with_child(&locked)
            .with_child(&echo)
            .with_child(&mark);
        self.probe.nodes.lock().extend([
            name.into_node(),
            shout.into_node(),
            agree.into_node(),
            colors.clone().into_node(),
            sizes.into_node(),
            counter,
            locked,
            echo,
            mark,
        ]);
        // Changes of the radios come with the group as their node and its value as theirs.
        let describe = {
            let colors = colors.clone();
            move |how: &str, event: &InputEvent| {
                let target = event.target.as_ref().map(Node::id);
                let radios = colors.radios();
                let radio = radios.iter().find(|r| Some(r.id()) == target);
                format!(
                    "{how}: {:?} value {:?} from {:?}",
                    event.value(),
                    colors.value(),
                    radio.map(|r| r.value())
                )
            }
        };
        cx.on(&colors, Event::CHANGE, {
            let (probe, describe) = (self.probe.clone(), describe.clone());
            move |_, event| {
                probe.log(describe("handler", event));
                Flow::Continue
            }
        });
        cx.show(&root)?;
        let event = cx.await_change(&[&colors])?;
        self.probe.log(describe("await", &event));
        Ok(Response::Empty)
    }
}

fn form_app(daemon: bool) -> (ViewFactory, Probe) {
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| FormApp {
            probe: probe.clone(),
            daemon,
        })
    };
    (factory, probe)
}

#[test]
fn a_typed_value_reaches_the_server_before_the_handlers_and_is_not_echoed() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(false);
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/form");
    until_data(&conn);
    let nodes = FormNodes::of(&probe);
    let accepted = runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.name, 1, ChangeValue::Text("Ada".into())),
    );
    assert_eq!(accepted, EventOutcome::Accepted);
    let seen = patches_until(&conn, "name=Ada");
    assert_eq!(nodes.name.value(), "Ada");
    assert!(touches(&seen, &nodes.echo));
    assert!(
        !touches(&seen, &nodes.name),
        "the typing window gets no echo: {seen:?}"
    );

    // A handler that changes the value sends its own value to the typing window.
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.shout, 2, ChangeValue::Text("hey".into())),
    );
    let update = until_data(&conn);
    let sent = patches(&update);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0], sets_attribute(&nodes.shout, "value", "HEY"));
    assert_eq!(nodes.shout.value(), "HEY");

    // A checkbox and a multiple select, the same way.
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.agree, 3, ChangeValue::Checked(true)),
    );
    runtime.input_event(
        &conn,
        W1,
        id,
        change_on(&nodes.sizes, 4, ChangeValue::Selected(vec![0, 2])),
    );
    let seen = patches_until(&conn, "sizes=s+l");
    assert!(nodes.agree.value());
    assert_eq!(nodes.sizes.values(), ["s", "l"]);
    assert!(
        seen.iter().all(|p| p.node_id == nodes.echo.id()),
        "{seen:?}"
    );
    runtime.shutdown();
}

#[test]
fn another_tab_of_a_daemon_gets_the_value_the_first_one_typed() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(true);
    let me = session("me");
    let (typing, watching) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &typing, "http://localhost/form");
    until_data(&typing);
    assert_eq!(
        start(&runtime, &factory, &watching, "http://localhost/form"),
        id
    );
    until_data(&watching);
    let nodes = FormNodes::of(&probe);

    runtime.input_event(
        &typing,
        W1,
        id,
        change_on(&nodes.name, 1, ChangeValue::Text("Grace".into())),
    );
    runtime.input_event(&typing, W1, id, click_on(&nodes.mark, 2));
    let typed = patches_until(&typing, "mark2");
    let watched = patches_until(&watching, "mark2");
    assert!(!touches(&typed, &nodes.name), "{typed:?}");
    let value = watched
        .iter()
        .find(|p| p.node_id == nodes.name.id())
        .unwrap_or_else(|| panic!("the other tab gets the value: {watched:?}"));
    assert_eq!(*value, sets_attribute(&nodes.name, "value", "Grace"));

    // A radio: the other tab gets the check and the uncheck, the clicking tab neither.
    let radios = nodes.colors.radios();
    runtime.input_event(
        &watching,
        W1,
        id,
        change_on(&radios[0], 3, ChangeValue::Checked(true)),
    );
    eventually("the view saw the first group change", || {
        probe.entries().len() == 2
    });
    runtime.input_event(
        &typing,
        W1,
        id,
        change_on(&radios[2], 4, ChangeValue::Checked(true)),
    );
    runtime.input_event(&typing, W1, id, click_on(&nodes.mark, 5));
    let typed = patches_until(&typing, "mark5");
    let watched = patches_until(&watching, "mark5");
    assert!(
        touches(&typed, &radios[0]),
        "checked in the other tab: {typed:?}"
    );
    assert!(!touches(&typed, &radios[2]), "{typed:?}");
    assert!(
        touches(&watched, &radios[0]) && touches(&watched, &radios[2]),
        "{watched:?}"
    );
    assert_eq!(nodes.colors.value().as_deref(), Some("blue"));
    eventually("the handler saw the second group change", || {
        probe.entries().len() == 3
    });
    assert_eq!(
        probe.entries(),
        [
            r#"handler: Some(Text("red")) value Some("red") from Some("red")"#,
            r#"await: Some(Text("red")) value Some("red") from Some("red")"#,
            r#"handler: Some(Text("blue")) value Some("blue") from Some("blue")"#,
        ]
    );
    runtime.shutdown();
}

#[test]
fn a_widget_changes_its_data_only_where_the_server_allows_it() {
    let runtime = small_runtime();
    let (factory, probe) = form_app(true);
    let me = session("me");
    let (clicking, watching) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &clicking, "http://localhost/widgets");
    until_data(&clicking);
    assert_eq!(
        start(&runtime, &factory, &watching, "http://localhost/widgets"),
        id
    );
    until_data(&watching);
    let nodes = FormNodes::of(&probe);

    let path = || Value::list(["count"]);
    let event = widget_change(&nodes.counter, 1, path(), Value::Int(5));
    assert_eq!(
        runtime.input_event(&clicking, W1, id, event),
        EventOutcome::Accepted
    );
    let clicked = patches_until(&clicking, "count=Some(5)");
    let watched = patches_until(&watching, "count=Some(5)");
    assert!(!touches(&clicked, &nodes.counter), "{clicked:?}");
    let set = watched
        .iter()
        .find(|p| p.node_id == nodes.counter.id())
        .unwrap_or_else(|| panic!("the other tab gets the data: {watched:?}"));
    assert_eq!(
        *set,
        Patch::new(
            nodes.counter.id(),
            PatchOp::WidgetData(WidgetDataOp::Set {
                path: Vec::new(),
                key: Key::Name("count".to_owned()),
                value: Value::Int(5),
            })
        )
    );

    // A change the data has no place for is refused; the event still reaches the handler.
    let bad = widget_change(
        &nodes.counter,
        2,
        Value::list(["no", "such"]),
        Value::Int(1),
    );
    runtime.input_event(&clicking, W1, id, bad);
    runtime.input_event(&clicking, W1, id, click_on(&nodes.mark, 3));
    let clicked = patches_until(&clicking, "mark3");
    assert!(!touches(&clicked, &nodes.counter));
    assert_eq!(
        nodes.counter.widget_data().get(),
        Value::map([("count", 5)])
    );

    // A node that did not opt in does not take widget data from the browser.
    let refused = widget_change(&nodes.locked, 4, path(), Value::Int(9));
    assert_eq!(
        runtime.input_event(&clicking, W1, id, refused),
        EventOutcome::NotListening
    );
    assert_eq!(nodes.locked.widget_data().get(), Value::map([("count", 0)]));
    runtime.shutdown();
}
