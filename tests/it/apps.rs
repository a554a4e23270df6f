//! The todo and wizard examples end to end: rows added, ticked off and deleted keep the count
//! of what is left, and a deleted row's handlers leave the view with the row; the wizard's
//! steps go back and forth and keep what was typed.

use lona::prelude::*;
use lona_test::{TestClient, TestServer};

/// The handlers the one running view holds.
fn handlers(server: &TestServer) -> usize {
    let views = server.server().views();
    assert_eq!(views.len(), 1, "one view: {views:?}");
    views[0].handlers
}

fn add(page: &mut TestClient, text: &str) {
    page.change("#title", ChangeValue::Text(text.to_owned()))
        .expect("the title is typed");
    page.click("#add").expect("the add button is clicked");
    page.wait_for_text(text).expect("the row appears");
}

#[test]
fn rows_added_ticked_and_deleted_keep_the_count_and_take_their_handlers_along() {
    let server = TestServer::start(examples::todo::app());
    let mut page = server.open("/").expect("the list opens");
    for text in ["milk", "bread", "eggs"] {
        add(&mut page, text);
    }
    page.wait_for_node_text("#left", "3").expect("three left");
    let title = page.query("#title").and_then(TextInput::from_node);
    assert_eq!(
        title.map(|t| t.value()).as_deref(),
        Some(""),
        "the input was cleared"
    );
    // The add button's handler and two per row.
    assert_eq!(handlers(&server), 7);

    page.change("#todos .done", ChangeValue::Checked(true))
        .expect("milk is ticked off");
    page.wait_for_node_text("#left", "2").expect("two left");

    page.click("#todos .delete").expect("milk is deleted");
    page.wait_for(|w| {
        w.query("#todos")
            .is_some_and(|l| !l.text_content().contains("milk"))
    })
    .expect("milk's row is gone");
    assert_eq!(
        page.text("#left").as_deref(),
        Some("2"),
        "milk was done already"
    );
    assert_eq!(
        handlers(&server),
        5,
        "milk's two handlers went with its row"
    );

    page.click("#todos .delete").expect("bread is deleted");
    page.wait_for_node_text("#left", "1").expect("one left");
    assert_eq!(handlers(&server), 3);
    assert_eq!(page.query_all("#todos li").len(), 1);
}

#[test]
fn the_wizard_goes_back_and_forth_and_keeps_what_was_typed() {
    let server = TestServer::start(examples::wizard::app());
    let mut page = server.open("/").expect("the wizard opens");
    page.wait_for_node_text("h1", "Step 1 of 3")
        .expect("step 1");
    assert!(page.query("#back").is_none(), "no way back from step 1");
    page.change("#name", ChangeValue::Text("Ada".to_owned()))
        .expect("a name is typed");
    page.click("#next").expect("next");
    page.wait_for_node_text("h1", "Step 2 of 3")
        .expect("step 2");
    page.change("#size", ChangeValue::Selected(vec![1]))
        .expect("large is chosen");
    page.click("#back").expect("back");
    page.wait_for_node_text("h1", "Step 1 of 3")
        .expect("step 1 again");
    let name = page.query("#name").and_then(TextInput::from_node);
    assert_eq!(
        name.map(|n| n.value()).as_deref(),
        Some("Ada"),
        "the name stayed"
    );
    page.click("#next").expect("next");
    page.wait_for_node_text("h1", "Step 2 of 3")
        .expect("step 2 again");
    page.click("#next").expect("next");
    page.wait_for_node_text("#summary", "Ada orders a large pizza.")
        .expect("the summary reads both steps");
    page.click("#next").expect("order");
    page.wait_for_node_text("#thanks", "Thanks, Ada!")
        .expect("ordered");
}
