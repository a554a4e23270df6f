//! Templates: minijinja with autoescape, folders searched in order before the built-ins,
//! templates given by name on top, extra globals and filters, `reverse` and `static_url`,
//! the error and frontend pages overridable, and the same templates in views.

use lona::prelude::*;
use lona::server::ServerError;
use lona_test::TestServer;
use minijinja::context;

use test_support::TempDir;

fn render(name: &'static str) -> impl Fn(&HttpRequest) -> HttpResponse {
    move |request| match request
        .templates()
        .render(name, context! { name => "<b>Ada</b>" })
    {
        Ok(html) => HttpResponse::html(html),
        Err(error) => HttpResponse::text(error.to_string()).status(500),
    }
}

#[test]
fn folders_are_searched_in_order_and_named_templates_win() {
    let first = TempDir::new("templates-first");
    let second = TempDir::new("templates-second");
    first.write("page.html", "first {{ name }}");
    second.write("page.html", "second {{ name }}");
    second.write("pages/only.html", "only second");
    second.write("named.html", "from the folder");
    let mut app = App::new();
    app.template_dir(first.path());
    app.template_dir(second.path());
    app.template("named.html", "given by name");
    app.http("/page", render("page.html"));
    app.http("/only", render("pages/only.html"));
    app.http("/named", render("named.html"));
    app.http("/escape", render("../templates-first/page.html"));
    let server = TestServer::start(app);

    assert_eq!(
        server.get("/page").expect("GET /page").body,
        "first &lt;b&gt;Ada&lt;&#x2f;b&gt;",
        "the first folder wins, and text is escaped"
    );
    assert_eq!(server.get("/only").expect("GET /only").body, "only second");
    assert_eq!(
        server.get("/named").expect("GET /named").body,
        "given by name"
    );
    let escape = server.get("/escape").expect("GET /escape");
    assert_eq!(
        escape.status, 500,
        "a name that leaves the folder is not found"
    );
    assert!(escape.body.contains("not found"), "{}", escape.body);
}

#[test]
fn globals_filters_reverse_and_settings_reach_every_template() {
    let mut app = App::new();
    app.settings.title = "My site".to_owned();
    app.template_global("owner", "Ada");
    app.template_global("limits", serde_json::json!({"files": 3}));
    app.template_filter("shout", |text: String| text.to_uppercase());
    app.template(
        "all.html",
        "{{ owner|shout }} {{ limits.files }} {{ reverse('user', name='grace') }} <a href=\"{{ reverse('user', name='a \"b\"') }}\"> {{ settings.title }}",
    );
    app.template("bad-reverse.html", "{{ reverse('user') }}");
    app.view("/user/<name>", |_| Shows("user")).name("user");
    app.http("/all", render("all.html"));
    app.http("/bad-reverse", render("bad-reverse.html"));
    let server = TestServer::start(app);

    assert_eq!(
        server.get("/all").expect("GET /all").body,
        "ADA 3 /user/grace <a href=\"/user/a%20%22b%22\"> My site"
    );
    let bad = server.get("/bad-reverse").expect("GET /bad-reverse");
    assert_eq!(bad.status, 500);
    assert!(
        bad.body.contains("name"),
        "the missing argument is named: {}",
        bad.body
    );
}

#[test]
fn a_folder_overrides_the_error_and_frontend_pages() {
    let dir = TempDir::new("templates-builtin");
    dir.write(
        "lona/error.html",
        "<h1 class=custom>Oops: {{ status }} {{ reason }}</h1>",
    );
    let mut app = App::new();
    app.template_dir(dir.path());
    app.template(
        "lona/frontend.html",
        "<!DOCTYPE html><title>{{ title }}</title><p id=custom-frontend></p>",
    );
    app.view("/", |_| Shows("home"));
    let server = TestServer::start(app);

    let missing = server.get("/nowhere").expect("GET /nowhere");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, "<h1 class=custom>Oops: 404 Not Found</h1>");

    let home = server.get("/").expect("GET /");
    assert!(home.body.contains("custom-frontend"), "{}", home.body);
}

#[test]
fn a_broken_template_stops_the_app_at_start() {
    let mut app = App::new();
    app.template("lona/error.html", "{% if %}");
    app.view("/", |_| Shows("home"));
    let error = TestServer::try_start(app).expect_err("the app must not start");
    assert!(matches!(error, ServerError::Template(_)), "{error}");
}

/// Renders the template `<name>.html` into its window.
struct Shows(&'static str);

impl View for Shows {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let templates = cx.state::<Templates>().ok_or(ViewError::NotFound)?;
        let html = templates.render(
            &format!("{}.html", self.0),
            context! { path => request.path.clone() },
        )?;
        Ok(Response::RawHtml(html))
    }
}

#[test]
fn views_render_templates_into_their_window() {
    let mut app = App::new();
    app.template("greeting.html", "<p id=greeting>Hello from {{ path }}</p>");
    app.view("/greeting", |_| Shows("greeting"));
    let server = TestServer::start(app);
    let mut client = server.open("/greeting").expect("opens /greeting");
    client
        .wait_for_node_text("#greeting", "Hello from /greeting")
        .expect("the template is shown");
}

#[test]
fn the_error_view_template_shapes_window_errors_and_http_error_pages() {
    struct Refuses(ViewError);
    impl View for Refuses {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            Err(match self.0 {
                ViewError::Forbidden => ViewError::Forbidden,
                _ => ViewError::NotFound,
            })
        }
    }
    let mut app = App::new();
    app.template(
        "lona/error-view.html",
        "<section id=oops>Sorry: {{ status }} {{ reason }}</section>",
    );
    app.view("/secret", |_| Refuses(ViewError::Forbidden));
    app.view("/gone", |_| Refuses(ViewError::NotFound));
    let server = TestServer::start(app);

    let mut secret = server.open("/secret").expect("opens /secret");
    secret
        .wait_for_node_text("#oops", "Sorry: 403 Forbidden")
        .expect("the window shows the overridden 403 page");
    let mut gone = server.open("/gone").expect("opens /gone");
    gone.wait_for_node_text("#oops", "Sorry: 404 Not Found")
        .expect("the window shows the overridden 404 page");

    let missing = server.get("/nowhere").expect("GET /nowhere");
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .body
            .contains("<section id=oops>Sorry: 404 Not Found</section>"),
        "the HTTP error page includes it too: {}",
        missing.body
    );
}

#[test]
fn frontend_pieces_per_route_frontends_and_reverse_in_code() {
    let dir = TempDir::new("templates-frontend");
    dir.write(
        "lona/header.html",
        "<header id=site>{{ request.path }}</header>",
    );
    dir.write("lona/footer.html", "<footer>made with lona</footer>");
    dir.write(
        "lona/frontend.js",
        "context.add_message_handler((c, m) => m); // hook",
    );
    dir.write(
        "special.html",
        "{% extends \"lona/frontend.html\" %}<!-- never shown: the base has no blocks -->",
    );
    dir.write(
        "bare.html",
        "<p id=bare>{{ request.path }}?{{ request.query }}</p>",
    );
    let mut app = App::new();
    app.template_dir(dir.path());
    app.add_static_file("app.css", "body { color: green }");
    app.view("/", |_| Shows("home")).name("home");
    app.view("/special", |_| Shows("home"))
        .frontend("special.html");
    app.view("/bare", |_| Shows("home")).frontend("bare.html");
    app.view("/user/<name>", |_| Shows("home")).name("user");
    app.http("/links", |request| {
        let templates = request.templates();
        HttpResponse::text(format!(
            "{} {}",
            templates
                .reverse("user", &[("name", "a b")])
                .unwrap_or_default(),
            templates.reverse("nowhere", &[]).is_err()
        ))
    });
    app.http("/css-url", |request| {
        HttpResponse::text(
            request
                .templates()
                .render_str("{{ static_url('app.css') }}", minijinja::context! {})
                .unwrap_or_default(),
        )
    });
    let server = TestServer::start(app);

    let home = server.get("/").expect("GET /").body;
    assert!(home.contains("<header id=site>&#x2f;</header>"), "{home}");
    assert!(home.contains("<footer>made with lona</footer>"), "{home}");
    assert!(home.contains("context.add_message_handler"), "{home}");
    let special = server.get("/special").expect("GET /special").body;
    assert!(
        special.contains("<header id=site>&#x2f;special</header>"),
        "an extending frontend keeps the pieces: {special}"
    );
    let bare = server.get("/bare?x=1").expect("GET /bare").body;
    // minijinja escapes `/` too; browsers read `&#x2f;` as `/`.
    assert_eq!(bare, "<p id=bare>&#x2f;bare?x=1</p>");

    assert_eq!(
        server.get("/links").expect("GET /links").body,
        "/user/a%20b true"
    );
    let css_url = server.get("/css-url").expect("GET /css-url").body;
    assert!(css_url.starts_with("/static/app."), "{css_url}");
    let css = server.get(&css_url).expect("GET the hashed css");
    assert_eq!(css.body, "body { color: green }");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        server.get("/static/app.css").expect("GET css").body,
        "body { color: green }"
    );
}

/// The custom 404 page of docs/routes-responses-templates.md ("A custom 404 page"), as written
/// there.
const NOT_FOUND_PAGE: &str = r#"{% if status == 404 %}<div id="not-found"><h1>Nothing here</h1><a href="/">Home</a></div>
{%- else %}<div class="lona-error"><h1>{{ status }} {{ reason }}</h1></div>{% endif %}"#;

#[test]
fn the_manuals_custom_404_page_answers_unknown_urls_and_views_not_found() {
    struct Answers(u16);
    impl View for Answers {
        fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
            Err(if self.0 == 403 {
                ViewError::Forbidden
            } else {
                ViewError::NotFound
            })
        }
    }
    let mut app = App::new();
    app.template("lona/error-view.html", NOT_FOUND_PAGE);
    app.view("/gone", |_| Answers(404));
    app.view("/secret", |_| Answers(403));
    let server = TestServer::start(app);

    let missing = server.get("/nowhere").expect("GET /nowhere");
    assert_eq!(missing.status, 404, "the custom page keeps the real status");
    assert!(
        missing.body.contains("<h1>Nothing here</h1>"),
        "{}",
        missing.body
    );
    let mut gone = server.open("/gone").expect("opens /gone");
    gone.wait_for_node_text("#not-found h1", "Nothing here")
        .expect("a view's NotFound shows the custom page in its window");
    let mut secret = server.open("/secret").expect("opens /secret");
    secret
        .wait_for_node_text(".lona-error", "403 Forbidden")
        .expect("other statuses keep the plain page");
}
