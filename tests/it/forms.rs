//! Form controls over the wire: a value a browser sends is in the server tree before the
//! handlers run, a value the server sets reaches every window, another tab of the same daemon
//! view sees what the first one typed, and a submitted form delivers its fields.

use lona::prelude::*;
use lona::view::PostValue;
use lona_test::{TestClient, TestServer};

/// Every control, each with a handler that writes what the server reads into `#out`, and a
/// `#reset` button that sets every value from the server.
struct Controls {
    daemon: bool,
}

impl View for Controls {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        if self.daemon {
            cx.daemonize();
        }
        let name = TextInput::new().with_id("name").with_name("name");
        let bio = TextArea::new().with_id("bio");
        let age = NumberInput::new().with_id("age").with_min(0.0);
        let agree = Checkbox::new().with_id("agree");
        let color = RadioGroup::new()
            .with_id("color")
            .with_name("color")
            .with_radio("red", "Red")
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
        let out = tags::span().with_id("out").with_text("-");
        let report = {
            let out = out.clone();
            move |text: String| {
                out.set_text(text);
                Flow::Handled
            }
        };
        cx.on_change(&name, {
            let (name, report) = (name.clone(), report.clone());
            move |_, _| report(format!("name={}", name.value()))
        });
        cx.on_change(&bio, {
            let (bio, report) = (bio.clone(), report.clone());
            move |_, _| report(format!("bio={:?}", bio.value()))
        });
        cx.on_change(&age, {
            let (age, report) = (age.clone(), report.clone());
            move |_, _| report(format!("age={:?} valid={}", age.value(), age.is_valid()))
        });
        cx.on_change(&agree, {
            let (agree, report) = (agree.clone(), report.clone());
            move |_, _| report(format!("agree={}", agree.value()))
        });
        cx.on_change(&color, {
            let (color, report) = (color.clone(), report.clone());
            move |_, event| {
                report(format!(
                    "color={:?} event={:?}",
                    color.value(),
                    event.value()
                ))
            }
        });
        cx.on_change(&size, {
            let (size, report) = (size.clone(), report.clone());
            move |_, _| report(format!("size={:?}", size.value()))
        });
        cx.on_change(&toppings, {
            let (toppings, report) = (toppings.clone(), report.clone());
            move |_, _| report(format!("toppings={:?}", toppings.values()))
        });
        let reset = tags::button().with_id("reset").with_text("Reset");
        cx.on_click(&reset, {
            let (name, bio, age, agree, color, size, toppings, report) = (
                name.clone(),
                bio.clone(),
                age.clone(),
                agree.clone(),
                color.clone(),
                size.clone(),
                toppings.clone(),
                report,
            );
            move |_, _| {
                name.set_value("from the server");
                bio.set_value("line 1\nline 2");
                age.set_value(Some(42.0));
                agree.set_value(false);
                color.set_value(Some("red"));
                size.set_value(Some("l"));
                toppings.set_values(["ham", "leek"]);
                report("reset".to_owned())
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&name)
                .with_child(&bio)
                .with_child(&age)
                .with_child(&agree)
                .with_child(&color)
                .with_child(&size)
                .with_child(&toppings)
                .with_child(&reset)
                .with_child(&out),
        ))
    }
}

fn server(daemon: bool) -> TestServer {
    let mut app = App::new();
    app.view("/", move |_| Controls { daemon });
    TestServer::start(app)
}

/// The attribute `name` of the node matching `selector` in the client's window.
fn attr(client: &TestClient, selector: &str, name: &str) -> Option<String> {
    let node = client.query(selector)?;
    node.attributes().get(name).map(|v| v.to_string())
}

#[test]
fn every_control_sends_its_value_and_the_handler_reads_it_typed() -> Result<(), lona_test::TestError>
{
    let server = server(false);
    let mut client = server.open("/")?;
    client.change("#name", ChangeValue::Text("Ada".into()))?;
    client.wait_for_node_text("#out", "name=Ada")?;
    client.change("#bio", ChangeValue::Text("a\nb".into()))?;
    client.wait_for_node_text("#out", r#"bio="a\nb""#)?;
    client.change("#age", ChangeValue::Text("7".into()))?;
    client.wait_for_node_text("#out", "age=Some(7.0) valid=true")?;
    client.change("#age", ChangeValue::Text("-1".into()))?;
    client.wait_for_node_text("#out", "age=Some(-1.0) valid=false")?;
    client.change("#agree", ChangeValue::Checked(true))?;
    client.wait_for_node_text("#out", "agree=true")?;
    // A radio's change reaches the group's handler with the group's value.
    client.change("#color-blue", ChangeValue::Checked(true))?;
    client.wait_for_node_text("#out", r#"color=Some("blue") event=Some(Text("blue"))"#)?;
    client.change("#size", ChangeValue::Selected(vec![1]))?;
    client.wait_for_node_text("#out", r#"size=Some("m")"#)?;
    client.change("#toppings", ChangeValue::Selected(vec![0, 2]))?;
    client.wait_for_node_text("#out", r#"toppings=["ham", "leek"]"#)?;
    // Garbage a browser could send changes nothing: an option index out of range is skipped.
    client.change("#toppings", ChangeValue::Selected(vec![1, 99]))?;
    client.wait_for_node_text("#out", r#"toppings=["egg"]"#)?;
    Ok(())
}

#[test]
fn values_the_server_sets_reach_the_window() -> Result<(), lona_test::TestError> {
    let server = server(false);
    let mut client = server.open("/")?;
    client.change("#name", ChangeValue::Text("typed".into()))?;
    client.change("#agree", ChangeValue::Checked(true))?;
    client.change("#color-blue", ChangeValue::Checked(true))?;
    client.click("#reset")?;
    client.wait_for_node_text("#out", "reset")?;
    assert_eq!(
        attr(&client, "#name", "value").as_deref(),
        Some("from the server")
    );
    assert_eq!(
        attr(&client, "#bio", "value").as_deref(),
        Some("line 1\nline 2")
    );
    assert_eq!(attr(&client, "#age", "value").as_deref(), Some("42"));
    assert_eq!(attr(&client, "#agree", "checked"), None);
    assert_eq!(
        attr(&client, "#color-red", "checked").as_deref(),
        Some("true")
    );
    assert_eq!(attr(&client, "#color-blue", "checked"), None);
    let selected = |client: &TestClient, selector: &str| -> Vec<String> {
        client
            .query_all(&format!("{selector} option[selected]"))
            .iter()
            .map(|o| o.text_content())
            .collect()
    };
    assert_eq!(selected(&client, "#size"), ["L"]);
    assert_eq!(selected(&client, "#toppings"), ["Ham", "Leek"]);
    Ok(())
}

#[test]
fn another_tab_of_a_daemon_view_sees_what_the_first_one_typed() -> Result<(), lona_test::TestError>
{
    let server = server(true);
    let mut typing = server.open("/")?;
    let mut watching = typing.open_tab("/")?;
    typing.change("#name", ChangeValue::Text("Grace".into()))?;
    typing.change("#color-blue", ChangeValue::Checked(true))?;
    typing.change("#toppings", ChangeValue::Selected(vec![1]))?;
    typing.wait_for_node_text("#out", r#"toppings=["egg"]"#)?;
    watching.wait_for(|w| {
        w.query("#name")
            .and_then(|n| n.attributes().get("value"))
            .is_some_and(|v| v.to_string() == "Grace")
    })?;
    watching.wait_for_node_text("#out", r#"toppings=["egg"]"#)?;
    assert_eq!(
        attr(&watching, "#color-blue", "checked").as_deref(),
        Some("true")
    );
    assert_eq!(watching.query_all("#toppings option[selected]").len(), 1);
    // The typing tab shows its own values too, from its own input, not from an echo.
    assert_eq!(attr(&typing, "#name", "value").as_deref(), Some("Grace"));
    Ok(())
}

/// A POST form and a GET form of typed controls; the view shows the fields it got.
struct Signup;

impl View for Signup {
    fn handle_request(&self, _cx: &Context, request: &Request) -> ViewResult {
        let fields: Vec<String> = request
            .post
            .0
            .iter()
            .map(|(name, value)| match value {
                PostValue::Text(text) => format!("{name}={text}"),
                PostValue::List(list) => format!("{name}=[{}]", list.join(",")),
            })
            .chain(request.query.iter().map(|(k, v)| format!("?{k}={v}")))
            .collect();
        let form = |id: &str, method: &str| {
            tags::form()
                .with_id(id)
                .with_attr("method", method)
                .with_attr("action", "/signup")
                .with_child(
                    TextInput::new()
                        .with_id(&format!("{id}-name"))
                        .with_name("name"),
                )
                .with_child(
                    Checkbox::new()
                        .with_id(&format!("{id}-agree"))
                        .with_name("agree"),
                )
                .with_child(
                    RadioGroup::new()
                        .with_name("plan")
                        .with_radio("free", "Free")
                        .with_radio("pro", "Pro")
                        .with_value("free"),
                )
                .with_child(
                    Select::multiple()
                        .with_id(&format!("{id}-langs"))
                        .with_name("langs")
                        .with_options([("rust", "Rust"), ("py", "Python"), ("js", "JS")]),
                )
                .with_child(Submit::new("Sign up").with_id(&format!("{id}-go")))
        };
        Ok(Response::Node(
            tags::div()
                .with_child(tags::p().with_id("method").with_text(request.method()))
                .with_child(tags::p().with_id("fields").with_text(fields.join(" ")))
                .with_child(form("post", "post"))
                .with_child(form("get", "get")),
        ))
    }
}

#[test]
fn a_submitted_form_delivers_the_values_the_user_chose() -> Result<(), lona_test::TestError> {
    let mut app = App::new();
    app.view("/signup", |_| Signup);
    let server = TestServer::start(app);
    let mut client = server.open("/signup")?;
    client.wait_for_node_text("#method", "GET")?;
    client.change("#post-name", ChangeValue::Text("Ada L".into()))?;
    client.change("#post-agree", ChangeValue::Checked(true))?;
    client.change("#post-langs", ChangeValue::Selected(vec![0, 2]))?;
    client.submit("#post-go")?;
    client.wait_for_node_text("#method", "POST")?;
    assert_eq!(
        client.text("#fields").as_deref(),
        Some("agree=on langs=[rust,js] name=Ada L plan=free")
    );

    client.change("#get-name", ChangeValue::Text("Bob & co".into()))?;
    client.submit("#get")?;
    client.wait_for_node_text("#fields", "?name=Bob & co ?plan=free")?;
    assert_eq!(client.text("#method").as_deref(), Some("GET"));
    Ok(())
}

#[test]
fn the_form_example_shows_the_typed_values_of_its_controls() -> Result<(), lona_test::TestError> {
    let server = TestServer::start(examples::form::app());
    let mut client = server.open("/")?;
    client.wait_for_node_text("#color-out", "red")?;
    client.change("#name", ChangeValue::Text("Ann".into()))?;
    client.change("#subscribe", ChangeValue::Checked(true))?;
    // The browser sends the index of the chosen option; the view reads the option's value.
    client.change("#color", ChangeValue::Selected(vec![2]))?;
    client.wait_for_node_text("#name-out", "Ann")?;
    client.wait_for_node_text("#subscribe-out", "yes")?;
    client.wait_for_node_text("#color-out", "blue")?;
    client.change("#subscribe", ChangeValue::Checked(false))?;
    client.wait_for_node_text("#subscribe-out", "no")?;
    Ok(())
}
