//! A real file input uploads: the user picks a file, the form posts it to the view's bucket
//! (into a hidden iframe, so that the page and its view stay), and the view shows its name.

use lona::prelude::*;

use super::support::{Result, app, fail, run};
use test_support::TempDir;

/// A file input in a form that posts to the bucket, and the list the bucket's hook fills.
struct Upload;

impl View for Upload {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let names = tags::ul().with_id("names");
        let bucket = Bucket::builder()
            .on_add({
                let names = names.clone();
                move |event| {
                    for name in event.names {
                        names.append(tags::li().with_text(name.as_str()));
                    }
                }
            })
            .build(cx)?;
        // A form with a target other than the page is not taken over by the client, so the
        // browser posts it as multipart, cookie and all.
        let form = tags::form()
            .with_id("form")
            .with_attr("action", bucket.add_url())
            .with_attr("method", "post")
            .with_attr("enctype", "multipart/form-data")
            .with_attr("target", "uploads")
            .with_child(
                tags::input()
                    .with_id("file")
                    .with_attr("type", "file")
                    .with_attr("name", "files"),
            )
            .with_child(
                tags::input()
                    .with_id("send")
                    .with_attr("type", "submit")
                    .with_attr("value", "Upload"),
            );
        let frame = tags::iframe()
            .with_attr("name", "uploads")
            .with_attr("hidden", true);
        Ok(Response::Node(
            tags::div()
                .with_child(form)
                .with_child(frame)
                .with_child(names),
        ))
    }
}

#[test]
fn a_file_picked_in_the_page_is_uploaded_and_the_view_shows_its_name() {
    let folder = TempDir::new("browser-upload");
    let file = folder.write("notes ü.txt", "picked by the user\n");
    let mut app = app();
    app.settings.bucket_dir = Some(folder.path().join("buckets"));
    app.view("/", |_| Upload);
    run(app, async |page| {
        page.open("/").await?;
        let path = file
            .to_str()
            .ok_or_else(|| fail("the temp path is not UTF-8"))?;
        // WebDriver sets a file input's file by typing its path.
        page.type_into("#file", path).await?;
        page.click("#send").await?;
        page.wait_text("#names li", "notes ü.txt").await?;
        Result::Ok(())
    });
    // The view is gone with the app: so is its bucket.
    let left = std::fs::read_dir(folder.path().join("buckets"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "bucket folders left behind");
}
