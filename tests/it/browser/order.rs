//! Events reach the view in the order the user caused them, a click never lands on content
//! that replaced what the user pressed, and the DOM reads as the server renders it.

use std::sync::Arc;
use std::time::Duration;

use fantoccini::actions::{
    Actions, InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use lona::prelude::*;
use parking_lot::Mutex;
use serde_json::{Value as Json, json};

use super::support::{Page, Result, app, fail, run};

/// Typing into `#item` (the default 300 ms delay) and clicking `#add` appends the value the
/// server read at the click to `#log` and clears the input.
struct Adder;

impl View for Adder {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let item = TextInput::new().with_id("item");
        let add = tags::button().with_id("add").with_text("Add");
        let log = tags::ol().with_id("log");
        cx.on_click(&add, {
            let (item, log) = (item.clone(), log.clone());
            move |_, _| {
                log.append(tags::li().with_text(format!("[{}]", item.value())));
                item.set_value("");
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&item)
                .with_child(&add)
                .with_child(&log),
        ))
    }
}

const ROUNDS: usize = 100;

#[test]
fn a_value_typed_just_before_a_click_reaches_the_view_before_the_click() {
    let mut app = app();
    app.view("/", |_| Adder);
    run(app, async |page| {
        page.open("/").await?;
        let item = page.find("#item").await?;
        let add = page.find("#add").await?;
        for round in 0..ROUNDS {
            let text = format!("v{round}");
            // Click into the input, type, and click "Add" 50 ms after the last key: one user.
            let mut keys = KeyActions::new("keyboard".to_owned());
            for _ in 0..3 {
                keys = keys.pause(Duration::ZERO);
            }
            let mut mouse = click_on(MouseActions::new("mouse".to_owned()), item.clone());
            for key in text.chars() {
                keys = keys
                    .then(KeyAction::Down { value: key })
                    .then(KeyAction::Up { value: key });
                mouse = mouse.pause(Duration::ZERO).pause(Duration::ZERO);
            }
            let mouse = click_on(mouse.pause(Duration::from_millis(50)), add.clone());
            page.client()
                .perform_actions(Actions::from(keys).and(mouse))
                .await?;
            let count = round + 1;
            page.wait_until(
                &format!("{count} items in the log and an empty input"),
                "return document.querySelectorAll('#log li').length === arguments[0] \
                 && document.querySelector('#item').value === '';",
                vec![json!(count)],
            )
            .await?;
            let last = page
                .eval(
                    "const items = document.querySelectorAll('#log li'); \
                     return items[items.length - 1].textContent;",
                    Vec::new(),
                )
                .await?;
            if last != json!(format!("[{text}]")) {
                return Err(fail(format!(
                    "round {round}: the view read {last} at the click, not [{text}]"
                )));
            }
        }
        page.client().release_actions().await?;
        Ok(())
    });
}

/// Lays out the wizard so that step 2's first choice sits exactly where "Next" was.
const WIZARD_CSS: &str = "h2, input, button { display: block; box-sizing: border-box; \
    margin: 0; width: 240px; height: 40px; font: 16px sans-serif; }";

/// Lona's wizard pattern: step 1 goes on at a click on "Next" or at the name's change (the
/// browser sends it on blur, which a press on "Next" causes); step 2 offers two choices and
/// records the first click on one of them in `#chosen`. The diff turns "Next" into "Red".
struct Wizard;

impl View for Wizard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_delay(0);
        let next = tags::button().with_id("next").with_text("Next");
        cx.show(
            &tags::div()
                .with_child(tags::style().with_child(WIZARD_CSS))
                .with_child(tags::h2().with_text("Step 1"))
                .with_child(&name)
                .with_child(&next),
        )?;
        cx.await_input_event(&[&next, &name])?;
        let red = tags::button().with_id("red").with_text("Red");
        let blue = tags::button().with_id("blue").with_text("Blue");
        let chosen = tags::p().with_id("chosen").with_text("-");
        let step2 = tags::div()
            .with_child(tags::style().with_child(WIZARD_CSS))
            .with_child(tags::h2().with_text("Step 2"))
            .with_child(
                TextInput::new()
                    .with_id("shown-name")
                    .with_attr("value", name.value())
                    .with_attr("disabled", true),
            )
            .with_child(&red)
            .with_child(&blue)
            .with_child(&chosen);
        cx.show(&step2)?;
        let event = cx.await_click(&[&red, &blue])?;
        chosen.set_text(if event.is_from(&red) { "Red" } else { "Blue" });
        Ok(Response::Node(step2))
    }
}

#[test]
fn a_click_on_a_button_that_replaced_the_pressed_one_is_not_sent() {
    let mut app = app();
    app.view("/", |_| Wizard);
    run(app, async |page| {
        page.open("/").await?;
        page.type_into("#name", "Ann").await?;
        let next = page.find("#next").await?;
        let pressed = page
            .eval(
                "const e = document.querySelector('#next'); const r = e.getBoundingClientRect(); \
                 return [e.getAttribute('data-lona-node-id'), r.x, r.y];",
                Vec::new(),
            )
            .await?;
        let down = press_on(MouseActions::new("mouse".to_owned()), next);
        page.client().perform_actions(down).await?;
        // The press blurred the name: the view went on to step 2 while the button is down.
        page.wait_text("h2", "Step 2").await?;
        // The trap: "Red" is the pressed element, in the same place, under the pointer.
        let red = page
            .eval(
                "const e = document.querySelector('#red'); const r = e.getBoundingClientRect(); \
                 return [e.getAttribute('data-lona-node-id'), r.x, r.y];",
                Vec::new(),
            )
            .await?;
        if red != pressed {
            return Err(fail(format!(
                "#red {red} is not the pressed #next {pressed}: the scenario needs the reuse"
            )));
        }
        let up = MouseActions::new("mouse".to_owned()).then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        page.client().perform_actions(up).await?;
        page.client().release_actions().await?;
        // The user's real choice is the first click the view sees.
        page.click("#blue").await?;
        page.wait_text("#chosen", "Blue").await?;
        Ok(())
    });
}

/// A form whose controls the server changes at each click on `#step`; the test reads the
/// view's root to compare it with the browser's DOM.
struct Controls {
    root: Arc<Mutex<Option<Node>>>,
}

impl View for Controls {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let color = Select::new().with_id("color").with_options([
            ("red", "red"),
            ("green", "Green"),
            ("blue", "Blue"),
        ]);
        let sizes =
            Select::multiple()
                .with_id("sizes")
                .with_options([("s", "S"), ("m", "M"), ("l", "L")]);
        let text = TextInput::new().with_id("text").with_attr("value", "first");
        let agree = Checkbox::new().with_id("agree");
        let step = tags::button().with_id("step").with_text("0");
        cx.on_click(&step, {
            let (color, sizes, text, agree, step) = (
                color.clone(),
                sizes.clone(),
                text.clone(),
                agree.clone(),
                step.clone(),
            );
            move |_, _| {
                let n: u32 = step.text_content().parse().unwrap_or(0) + 1;
                match n {
                    1 => {
                        color.set_value(Some("blue"));
                        sizes.set_values(["s", "l"]);
                        text.set_value("second");
                        agree.set_value(true);
                    }
                    2 => {
                        color.add_option("navy", "navy");
                        color.set_value(Some("navy"));
                        sizes.remove_option("s");
                        text.set_value("");
                        agree.set_value(false);
                    }
                    _ => {
                        color.remove_option("red");
                        sizes.set_values(["m"]);
                        text.set_value("third \"quoted\"");
                    }
                }
                step.set_text(n.to_string());
                Flow::Handled
            }
        });
        let root = tags::div()
            .with_child(&color)
            .with_child(&sizes)
            .with_child(&text)
            .with_child(&agree)
            .with_child(&step);
        *self.root.lock() = Some(root.clone());
        Ok(Response::Node(root))
    }
}

/// The window's root and the server's `to_html` (parsed by the browser), each as a canonical
/// string: attributes sorted, the client's `data-lona-node-id` left out.
const NORMALISED: &str = "
    const norm = node => {
        if (node.nodeType === 3) { return JSON.stringify(node.data); }
        if (node.nodeType !== 1) { return ''; }
        const attrs = [...node.attributes].filter(a => a.name !== 'data-lona-node-id')
            .map(a => a.name + '=' + JSON.stringify(a.value)).sort();
        return '<' + node.localName + ' ' + attrs.join(' ') + '>'
            + [...node.childNodes].map(norm).join('') + '</' + node.localName + '>';
    };
    const template = document.createElement('template');
    template.innerHTML = arguments[0];
    return [norm(document.querySelector('#lona').firstElementChild),
            norm(template.content.firstElementChild)];";

async fn assert_dom_is_server_html(page: &Page<'_>, root: &Node, when: &str) -> Result {
    let compared = page.eval(NORMALISED, vec![json!(root.to_html())]).await?;
    match compared.as_array().map(Vec::as_slice) {
        Some([client, server]) if client == server => Ok(()),
        Some([client, server]) => Err(fail(format!(
            "{when}: the DOM differs from the server's rendering\n  client: {client}\n  server: {server}"
        ))),
        _ => Err(fail(format!(
            "{when}: unexpected comparison result {compared}"
        ))),
    }
}

async fn option_values(page: &Page<'_>) -> Result<Json> {
    page.eval(
        "return [...document.querySelectorAll('#color option')].map(o => o.getAttribute('value'));",
        Vec::new(),
    )
    .await
}

#[test]
fn the_dom_of_selects_inputs_and_checkboxes_equals_the_server_html_after_every_step() {
    let root = Arc::new(Mutex::new(None));
    let mut app = app();
    app.view("/", {
        let root = Arc::clone(&root);
        move |_| Controls {
            root: Arc::clone(&root),
        }
    });
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#step", "0").await?;
        let view_root = root
            .lock()
            .clone()
            .ok_or_else(|| fail("the view kept no root"))?;
        let values = option_values(page).await?;
        if values != json!(["red", "green", "blue"]) {
            return Err(fail(format!("option values after render: {values}")));
        }
        page.find("option[value=red]").await?;
        assert_dom_is_server_html(page, &view_root, "after render").await?;
        for step in 1..=3 {
            page.click("#step").await?;
            page.wait_text("#step", &step.to_string()).await?;
            assert_dom_is_server_html(page, &view_root, &format!("after step {step}")).await?;
        }
        let values = option_values(page).await?;
        if values != json!(["green", "blue", "navy"]) {
            return Err(fail(format!("option values after the patches: {values}")));
        }
        let live = page
            .eval(
                "return [document.querySelector('#color').value, \
                 document.querySelector('#text').value];",
                Vec::new(),
            )
            .await?;
        if live != json!(["navy", "third \"quoted\""]) {
            return Err(fail(format!("live values after the patches: {live}")));
        }
        Ok(())
    });
}

/// The pointer moves onto `element` and presses the left button: two ticks of an action chain.
fn press_on(mouse: MouseActions, element: fantoccini::elements::Element) -> MouseActions {
    mouse
        .then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
}

/// The pointer moves onto `element`, presses and releases the left button: three ticks of an
/// action chain.
fn click_on(mouse: MouseActions, element: fantoccini::elements::Element) -> MouseActions {
    press_on(mouse, element).then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    })
}
