//! The todo example in Chromium: a title typed and added at once (the click must not lose
//! what was typed), rows ticked off and deleted, and the count of what is left.

use examples::todo::Todos;

use super::support::{app, run};

#[test]
fn typed_rows_are_added_ticked_off_and_deleted() {
    let mut app = app();
    app.view("/", |_| Todos);
    run(app, async |page| {
        page.open("/").await?;
        for text in ["milk", "bread"] {
            // Typed and clicked without a pause: the debounced change goes first.
            page.type_into("#title", text).await?;
            page.click("#add").await?;
        }
        page.wait_text("#left", "2").await?;
        page.wait_text("#todos li:first-child", " milk Delete")
            .await?;
        page.click("#todos li:first-child .done").await?;
        page.wait_text("#left", "1").await?;
        page.click("#todos li:first-child .delete").await?;
        page.wait_text("#todos", " bread Delete").await?;
        page.click("#todos li:first-child .delete").await?;
        page.wait_text("#left", "0").await?;
        page.wait_text("#todos", "").await?;
        Ok(())
    });
}
