//! Forms submitted in the view over the wire (`lona-test`'s `TestClient::submit`): the
//! handler gets every field typed, the tree agrees, the window stays on its view, and a form
//! without a handler still navigates.

use lona::html::forms::Submitted;
use lona::prelude::*;
use lona_test::TestServer;

/// One form submitted in the view (`#in-view`, with `on_submit`) and one that navigates
/// (`#plain`, a POST to `/`).
struct Order {
    awaiting: bool,
}

fn describe(submitted: &Submitted, name: &TextInput, agree: &Checkbox, size: &Select) -> String {
    format!(
        "name={:?} agree={} size={:?} go={:?} | typed {:?} {:?} {:?} | tree {:?} {} {:?}",
        submitted.text("name"),
        submitted.checked("agree"),
        submitted.selected("size"),
        submitted.text("go"),
        submitted.get(name),
        submitted.get(agree),
        submitted.get(size),
        name.value(),
        agree.value(),
        size.values(),
    )
}

impl View for Order {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_name("name");
        let agree = Checkbox::new().with_id("agree").with_name("agree");
        let size = Select::new()
            .with_id("size")
            .with_name("size")
            .with_options([("s", "S"), ("m", "M"), ("l", "L")]);
        let in_view = tags::form()
            .with_id("in-view")
            .with_child(&name)
            .with_child(&agree)
            .with_child(&size)
            .with_child(Submit::new("Order").with_id("go").with_name("go"));
        let plain = tags::form()
            .with_id("plain")
            .with_attr("method", "post")
            .with_child(TextInput::new().with_id("note").with_name("note"))
            .with_child(Submit::new("Send").with_id("send"));
        let out =
            tags::p()
                .with_id("out")
                .with_text(format!("{} {:?}", request.method(), request.post));
        let root = tags::div()
            .with_child(&in_view)
            .with_child(&plain)
            .with_child(&out);
        if !self.awaiting {
            cx.on_submit(&in_view, move |_, submitted| {
                out.set_text(describe(submitted, &name, &agree, &size));
                Flow::Handled
            });
            return Ok(Response::Node(root));
        }
        cx.show(&root)?;
        loop {
            let submitted = cx.await_submit(&in_view)?;
            out.set_text(format!(
                "awaited {}",
                describe(&submitted, &name, &agree, &size)
            ));
            cx.show(&root)?;
        }
    }
}

fn server() -> TestServer {
    let mut app = App::new();
    app.view("/", |_| Order { awaiting: false });
    app.view("/await", |_| Order { awaiting: true });
    TestServer::start(app)
}

const TYPED: &str = r#"name=Some("Ada") agree=true size=["l"] go=Some("Order") | typed Some("Ada") Some(true) Some(["l"]) | tree "Ada" true ["l"]"#;

#[test]
fn on_submit_gets_the_typed_fields_and_the_window_stays() -> Result<(), lona_test::TestError> {
    let server = server();
    let mut client = server.open("/")?;
    client.wait_for_node_text("#out", "GET PostData([])")?;
    let starts = client.window().view_starts();
    client.change("#name", ChangeValue::Text("Ada".into()))?;
    client.change("#agree", ChangeValue::Checked(true))?;
    client.change("#size", ChangeValue::Selected(vec![2]))?;
    client.submit("#go")?;
    client.wait_for_node_text("#out", TYPED)?;
    assert_eq!(client.window().view_starts(), starts, "no new view");
    Ok(())
}

#[test]
fn await_submit_gets_the_typed_fields() -> Result<(), lona_test::TestError> {
    let server = server();
    let mut client = server.open("/await")?;
    // `await_submit` marks the form when it starts waiting.
    client.wait_for(|w| {
        w.html()
            .contains(r#"<form id="in-view" data-lona-events="306">"#)
    })?;
    client.change("#name", ChangeValue::Text("Ada".into()))?;
    client.change("#agree", ChangeValue::Checked(true))?;
    client.change("#size", ChangeValue::Selected(vec![2]))?;
    client.submit("#go")?;
    client.wait_for_node_text("#out", &format!("awaited {TYPED}"))?;
    // Submitted from the form itself (Enter in a field): no submitter.
    client.change("#name", ChangeValue::Text("Bo".into()))?;
    client.submit("#in-view")?;
    client.wait_for_node_text(
        "#out",
        r#"awaited name=Some("Bo") agree=true size=["l"] go=None | typed Some("Bo") Some(true) Some(["l"]) | tree "Bo" true ["l"]"#,
    )?;
    Ok(())
}

#[test]
fn a_form_without_a_submit_handler_still_navigates_and_its_submits_are_refused()
-> Result<(), lona_test::TestError> {
    let server = server();
    let mut client = server.open("/")?;
    client.wait_for_node_text("#out", "GET PostData([])")?;
    let starts = client.window().view_starts();
    client.change("#note", ChangeValue::Text("hi".into()))?;
    client.submit("#send")?;
    client.wait_for_node_text("#out", r#"POST PostData([("note", Text("hi"))])"#)?;
    assert_eq!(client.window().view_starts(), starts + 1, "a new view");
    // A SUBMIT "from" the plain form, which does not listen: acknowledged, refused, and it
    // changes nothing.
    let window = client.window();
    let runtime = window.runtime().expect("a running view");
    let plain = client.query("#plain").expect("the plain form");
    let note = client.query("#note").expect("the note");
    let (plain, note) = (
        window.wire_id(&plain).expect("an id").to_owned(),
        window.wire_id(&note).expect("an id").to_owned(),
    );
    let rejected = server.metrics().events_rejected;
    let info = format!(r#"["{plain}","FORM","plain",""]"#);
    client.send_raw(&format!(
        r#"lona:[1,"{}",102,[900,306,[["note","{note}","sneaky"]],{info},{info}]]"#,
        runtime.0
    ))?;
    client.wait_for(|w| w.is_acked(900))?;
    assert_eq!(server.metrics().events_rejected, rejected + 1);
    client.ping()?;
    assert!(!client.html().contains("sneaky"), "{}", client.html());
    Ok(())
}
