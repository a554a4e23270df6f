//! Form controls in a real browser: what the user types, ticks and picks reaches the server
//! as a typed value, what the server sets shows in the browser, and a submitted form
//! delivers its fields to the next view.

use lona::prelude::*;
use serde_json::json;

use super::support::{Page, Result, app, run};

/// A text input and a textarea; `#out` shows what the server read, `#shout` makes the server
/// set the input's value.
struct Typing;

impl View for Typing {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name");
        let notes = TextArea::new().with_id("notes");
        let out = tags::span().with_id("out").with_text("-");
        let shout = tags::button().with_id("shout").with_text("Shout");
        cx.on_change(&name, {
            let (name, out) = (name.clone(), out.clone());
            move |_, _| {
                out.set_text(format!("name={}", name.value()));
                Flow::Handled
            }
        });
        cx.on_change(&notes, {
            let (notes, out) = (notes.clone(), out.clone());
            move |_, _| {
                out.set_text(format!("notes={}", notes.value()));
                Flow::Handled
            }
        });
        cx.on_click(&shout, {
            let (name, notes) = (name.clone(), notes.clone());
            move |_, _| {
                name.set_value(&name.value().to_uppercase());
                notes.set_value("set by the server");
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&name)
                .with_child(&notes)
                .with_child(&shout)
                .with_child(&out),
        ))
    }
}

/// Waits until the DOM property `property` of the element matching `css` is `expected`.
async fn wait_property(
    page: &Page<'_>,
    css: &str,
    property: &str,
    expected: serde_json::Value,
) -> Result {
    page.wait_until(
        &format!("`{css}`.{property} to be {expected}"),
        "const e = document.querySelector(arguments[0]); \
         return e !== null && JSON.stringify(e[arguments[1]]) === JSON.stringify(arguments[2]);",
        vec![json!(css), json!(property), expected],
    )
    .await
}

#[test]
fn typing_reaches_the_server_and_the_servers_value_shows_in_the_input() {
    let mut app = app();
    app.view("/", |_| Typing);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#out", "-").await?;
        page.type_into("#name", "hello").await?;
        page.wait_text("#out", "name=hello").await?;
        page.click("#shout").await?;
        wait_property(page, "#name", "value", json!("HELLO")).await?;
        wait_property(page, "#notes", "value", json!("set by the server")).await?;
        // The user goes on typing after the server's value; the server reads on from it.
        page.type_into("#name", " lona").await?;
        page.wait_text("#out", "name=HELLO lona").await?;
        page.find("#notes").await?.clear().await?;
        page.type_into("#notes", "two words").await?;
        page.wait_text("#out", "notes=two words").await?;
        Ok(())
    });
}

/// A checkbox, a radio group, a single and a multiple select; `#out` shows what the server
/// read, `#server` makes the server set every value.
struct Choosing;

impl View for Choosing {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let agree = Checkbox::new().with_id("agree");
        let color = RadioGroup::new()
            .with_id("color")
            .with_radio("red", "Red")
            .with_radio("green", "Green")
            .with_radio("blue", "Blue");
        for radio in color.radios() {
            radio.id_list().add(&format!("color-{}", radio.value()));
        }
        let size = Select::new()
            .with_id("size")
            .with_options([("s", "S"), ("m", "M"), ("l", "L")]);
        let toppings = Select::multiple().with_id("toppings").with_options([
            ("ham", "Ham"),
            ("egg", "Egg"),
            ("leek", "Leek"),
        ]);
        for select in [&size, &toppings] {
            for option in select.options() {
                let value = option.attributes().get("value").map(|v| v.to_string());
                option
                    .id_list()
                    .add(&format!("option-{}", value.unwrap_or_default()));
            }
        }
        let out = tags::span().with_id("out").with_text("-");
        let report = {
            let out = out.clone();
            move |text: String| {
                out.set_text(text);
                Flow::Handled
            }
        };
        cx.on_change(&agree, {
            let (agree, report) = (agree.clone(), report.clone());
            move |_, _| report(format!("agree={}", agree.value()))
        });
        cx.on_change(&color, {
            let (color, report) = (color.clone(), report.clone());
            move |_, _| report(format!("color={}", color.value().unwrap_or_default()))
        });
        cx.on_change(&size, {
            let (size, report) = (size.clone(), report.clone());
            move |_, _| report(format!("size={}", size.value().unwrap_or_default()))
        });
        cx.on_change(&toppings, {
            let (toppings, report) = (toppings.clone(), report.clone());
            move |_, _| report(format!("toppings={}", toppings.values().join("+")))
        });
        let server = tags::button().with_id("server").with_text("Server");
        cx.on_click(&server, {
            let (agree, color, size, toppings, report) = (
                agree.clone(),
                color.clone(),
                size.clone(),
                toppings.clone(),
                report,
            );
            move |_, _| {
                agree.set_value(!agree.value());
                color.set_value(Some("green"));
                size.set_value(Some("s"));
                toppings.set_values(["egg"]);
                report("set".to_owned())
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(tags::label().with_child(&agree).with_child(" Agree"))
                .with_child(&color)
                .with_child(&size)
                .with_child(&toppings)
                .with_child(&server)
                .with_child(&out),
        ))
    }
}

/// The checked state of the three radios, as the browser shows them.
async fn radios(page: &Page<'_>) -> Result<serde_json::Value> {
    page.eval(
        "return ['red', 'green', 'blue'].map(c => document.querySelector('#color-' + c).checked);",
        Vec::new(),
    )
    .await
}

#[test]
fn checkbox_radios_and_selects_round_trip() {
    let mut app = app();
    app.view("/", |_| Choosing);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#out", "-").await?;
        page.click("#agree").await?;
        page.wait_text("#out", "agree=true").await?;
        page.click("#color-blue").await?;
        page.wait_text("#out", "color=blue").await?;
        page.click("#option-l").await?;
        page.wait_text("#out", "size=l").await?;
        page.click("#option-ham").await?;
        page.wait_text("#out", "toppings=ham").await?;
        page.click("#option-leek").await?;
        page.wait_text("#out", "toppings=ham+leek").await?;

        // The server sets every value; the browser shows them.
        page.click("#server").await?;
        page.wait_text("#out", "set").await?;
        wait_property(page, "#agree", "checked", json!(false)).await?;
        wait_property(page, "#color-green", "checked", json!(true)).await?;
        assert_eq!(radios(page).await?, json!([false, true, false]));
        wait_property(page, "#size", "value", json!("s")).await?;
        let toppings = page
            .eval(
                "return Array.from(document.querySelector('#toppings').selectedOptions, o => o.value);",
                Vec::new(),
            )
            .await?;
        assert_eq!(toppings, json!(["egg"]));

        // And the user changes them again from there.
        page.click("#color-red").await?;
        page.wait_text("#out", "color=red").await?;
        assert_eq!(radios(page).await?, json!([true, false, false]));
        page.click("#option-leek").await?;
        page.wait_text("#out", "toppings=egg+leek").await?;
        Ok(())
    });
}

/// A POST form of typed controls; after a submit, `#fields` lists the fields the view got.
struct Signup;

impl View for Signup {
    fn handle_request(&self, _cx: &Context, request: &Request) -> ViewResult {
        use lona::view::PostValue;

        let fields: Vec<String> = request
            .post
            .0
            .iter()
            .map(|(name, value)| match value {
                PostValue::Text(text) => format!("{name}={text}"),
                PostValue::List(list) => format!("{name}=[{}]", list.join(",")),
            })
            .collect();
        let langs = Select::multiple()
            .with_name("langs")
            .with_options([("rust", "Rust"), ("js", "JS")]);
        for (option, id) in langs.options().iter().zip(["rust", "js"]) {
            option.id_list().add(id);
        }
        let form = tags::form()
            .with_id("signup")
            .with_attr("method", "post")
            .with_child(TextInput::new().with_id("name").with_name("name"))
            .with_child(Checkbox::new().with_id("agree").with_name("agree"))
            .with_child(
                RadioGroup::new()
                    .with_name("plan")
                    .with_radio("free", "Free")
                    .with_radio("pro", "Pro")
                    .with_value("free"),
            )
            .with_child(&langs)
            .with_child(Submit::new("Sign up").with_id("go"));
        Ok(Response::Node(
            tags::div()
                .with_child(tags::p().with_id("method").with_text(request.method()))
                .with_child(tags::p().with_id("fields").with_text(fields.join(" ")))
                .with_child(form),
        ))
    }
}

#[test]
fn a_submitted_form_delivers_its_fields() {
    let mut app = app();
    app.view("/", |_| Signup);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#method", "GET").await?;
        page.type_into("#name", "Ada").await?;
        page.click("#agree").await?;
        page.click("[value=pro]").await?;
        page.click("#rust").await?;
        page.click("#js").await?;
        page.click("#go").await?;
        page.wait_text("#method", "POST").await?;
        page.wait_text("#fields", "agree=on langs=[rust,js] name=Ada plan=pro")
            .await?;
        Ok(())
    });
}
