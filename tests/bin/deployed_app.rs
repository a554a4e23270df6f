//! The app the deployment tests run as real processes, started with the command line of
//! docs/deployment/lona-app@.service (`run-server --host --port -s FILES --shell-server-url`),
//! so that a test can kill one with SIGKILL. `DEPLOYED_APP_PROCESS` names the process.

use lona::prelude::*;
use lona::statics::StaticFile;

/// Shows which process runs it, lists what arrives on `deploy.*`; `#send` publishes.
struct Whoami {
    process: &'static str,
}

impl View for Whoami {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let channels = cx.channels()?;
        let lines = tags::ul().with_id("lines");
        let send = tags::button().with_id("send").with_text("Send");
        let root = tags::div()
            .with_child(tags::p().with_id("process").with_text(self.process))
            .with_child(&lines)
            .with_child(&send);
        cx.subscribe(&channels, "deploy.*", move |_view, message| {
            lines.append(tags::li().with_text(message.data.as_str().unwrap_or("?")));
        });
        let process = self.process;
        cx.on_click(&send, move |_cx, _event| {
            channels.publish("deploy.news", format!("from {process};"));
            Flow::Handled
        });
        Ok(Response::Node(root))
    }
}

fn main() -> lona::Result<()> {
    lona::init_logging();
    // Leaked once: the name lives as long as the process and every view borrows it.
    let process: &'static str = std::env::var("DEPLOYED_APP_PROCESS")
        .unwrap_or_else(|_| "process".to_owned())
        .leak();
    let mut app = App::new();
    // The settings files give the rest: Redis, static folders, static_files_serve = false.
    app.static_file(StaticFile::css("app", "app.css"));
    app.view("/", move |_| Whoami { process });
    app.http("/whoami", move |_| HttpResponse::text(process));
    app.main()?;
    Ok(())
}
