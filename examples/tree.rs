//! Builds the seed's first page (a heading, a message and a button), then shows what lona sends
//! the browser: the page as HTML, the tree as the first DATA frame, and the one patch a click
//! causes. Run it with `cargo run -p examples --example tree`.
//!
//! An app never sees frames: this example looks under the facade, at the inner crates that
//! build the tree (`lona-html`) and encode it (`lona-protocol`).
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use lona_html::{Document, tags::*};
use lona_protocol::{Html, RuntimeId, ServerMessage, WindowId};

fn main() {
    let message = p().with("Click the button");
    let button = button().with("Click me");
    let root = div().with((h1().with("Lona <in Rust>"), &message, &button));
    let doc = Document::new();
    doc.set_root(&root);
    let (window, runtime) = (WindowId(1), RuntimeId(1));

    println!(
        "The page as HTML (text is always escaped):\n{}\n",
        root.to_html()
    );
    let first = ServerMessage::Data {
        window,
        runtime,
        title: "Lona",
        html: Some(Html::Tree(&root)),
    };
    println!("The first DATA frame (HTML_TREE):\n{}\n", first.encode());

    message.set_text("Button clicked");
    let patches = doc.take_patches();
    let update = ServerMessage::Data {
        window,
        runtime,
        title: "Lona",
        html: Some(Html::Update(&patches)),
    };
    println!(
        "After a click on node {}, one patch (HTML_UPDATE):\n{}",
        button.id(),
        update.encode()
    );
}
