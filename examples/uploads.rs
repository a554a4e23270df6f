//! Uploads (Lona's buckets): pick files, they go to the view's bucket, and the list below shows
//! each with a link back to it and a delete button. Closing the tab deletes the files.
//!
//! `cargo run -p examples --example uploads`, then open http://127.0.0.1:8080/

use lona::prelude::*;
use lona::uploads::BucketEvent;

/// A file picker that uploads into the view's bucket, and the list of what is in it.
#[derive(Debug)]
pub struct Uploads;

impl View for Uploads {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let files = tags::ul().with_id("files");
        let status = tags::p().with_id("status").with("No files yet");
        let limits = BucketLimits::default()
            .with_max_files(5)
            .with_max_size(10 * 1024 * 1024);
        let bucket = Bucket::builder()
            .limits(limits)
            // Hooks run on the worker pool; what they change is sent when they return.
            .on_add(report(files.clone(), status.clone(), "Added"))
            .on_delete(report(files.clone(), status.clone(), "Deleted"))
            .build(cx)?;
        // The form posts into a hidden frame: a form with a target is left to the browser,
        // so the page (and this view) stays while the files go up.
        let form = tags::form()
            .with_attr("action", bucket.add_url())
            .with_attr("method", "post")
            .with_attr("enctype", "multipart/form-data")
            .with_attr("target", "uploads")
            .with((
                tags::input()
                    .with_attr("type", "file")
                    .with_attr("name", "files")
                    .with_attr("multiple", true),
                tags::input()
                    .with_attr("type", "submit")
                    .with_attr("value", "Upload"),
            ));
        let frame = tags::iframe()
            .with_attr("name", "uploads")
            .with_attr("hidden", true);
        let limits = bucket.limits();
        Ok(tags::div()
            .with((
                tags::h1().with("Uploads"),
                tags::p().with(format!(
                    "At most {} files and {} bytes; they are deleted when you leave.",
                    limits.max_files, limits.max_size
                )),
                form,
                frame,
                status,
                files,
            ))
            .into())
    }
}

/// A bucket hook that rebuilds the list and says in `status` what was `done` to which files.
fn report(
    files: Node,
    status: Node,
    done: &'static str,
) -> impl Fn(&BucketEvent<'_>) + Send + Sync + 'static {
    move |event| {
        show_files(&files, event.bucket);
        status.set_text(format!("{done} {}", event.names.join(", ")));
    }
}

/// Rebuilds the list: a link and a delete form per file. Two uploads may finish at once;
/// `set_content` replaces the rows in one edit, so the list never mixes both.
fn show_files(files: &Node, bucket: &Bucket) {
    files.set_content(bucket.file_names().into_iter().map(|name| {
        let delete = tags::form()
            .with_attr("action", bucket.delete_url())
            .with_attr("method", "post")
            .with_attr("target", "uploads")
            .with_attr("style", "display: inline")
            .with((
                tags::input()
                    .with_attr("type", "hidden")
                    .with_attr("name", "name")
                    .with_attr("value", name.as_str()),
                tags::input()
                    .with_attr("type", "submit")
                    .with_attr("value", "Delete"),
            ));
        tags::li().with((
            tags::a()
                .with_attr("href", bucket.url(&name))
                .with_attr("target", "_blank")
                .with(name.as_str()),
            " ",
            delete,
        ))
    }));
}

/// The app: the uploads page on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Uploads);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
