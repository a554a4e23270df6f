//! What a view sends to its windows: the whole tree or its patches (issuer-filtered), raw
//! HTML, the title, redirects, custom messages, a window that joins a running view, and the
//! runtime's broadcast of custom messages.

use std::sync::Arc;

use lona_html::{Node, Patch};
use lona_protocol::{Html, ServerMessage, WindowId};

use super::broadcast::SharedFrames;
use super::{Attachment, Runtime, SentMeter, ViewShared};
use crate::connection::{Connection, Outgoing};

impl ViewShared {
    pub(super) fn send_all(&self, message: impl Fn(WindowId) -> Outgoing) {
        for attachment in self.attached.lock().iter() {
            attachment.send(message(attachment.window), &self.counters);
        }
    }

    /// VIEW_START to every window, with its resume token in the acknowledged stream.
    pub(super) fn send_view_start(&self) {
        for attachment in self.attached.lock().iter_mut() {
            if std::mem::replace(&mut attachment.view_started, true) {
                continue;
            }
            let frame = ServerMessage::ViewStart {
                window: attachment.window,
                runtime: self.id,
                resume: attachment.stream.as_ref().map(|s| s.token()),
            };
            attachment.send(Outgoing::Frame(frame.encode()), &self.counters);
        }
    }

    pub(super) fn frame(
        &self,
        message: impl Fn(WindowId) -> ServerMessage<'static>,
    ) -> impl Fn(WindowId) -> Outgoing {
        move |window| Outgoing::Frame(message(window).encode())
    }

    pub(crate) fn show(&self, root: &Node) {
        let _lock = self.doc.lock();
        let current = self.doc.root();
        let patched = match current {
            Some(current) if current.ptr_eq(root) => true,
            Some(_) => self.doc.morph_root(root),
            None => {
                self.doc.set_root(root);
                false
            }
        };
        if patched {
            self.flush();
        } else {
            self.send_tree(root);
        }
    }

    /// Sends the whole tree, encoded once for every window. Called under the document lock,
    /// so no patch can overtake it.
    pub(super) fn send_tree(&self, root: &Node) {
        let _ = self.doc.take_patches();
        self.drop_departed_handlers();
        self.counters.note_nodes(self.doc.node_count());
        let part = Html::Tree(root).encode_part();
        let title = self.title.lock().clone();
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::Encoded(&part)),
                }
                .encode(),
            )
        });
    }

    /// Sends the pending patches to every window; taking and queueing happen under the
    /// document lock, so updates reach every browser in the order they were made.
    ///
    /// A patch with an issuer (Lona's issuer filtering) goes to every window but its issuer's:
    /// it mirrors what that window shows already, such as the value its user just typed.
    pub(crate) fn flush(&self) {
        let _lock = self.doc.lock();
        self.drop_departed_handlers();
        let patches = self.doc.take_patches();
        if patches.is_empty() {
            return;
        }
        self.counters.note_nodes(self.doc.node_count());
        let meter = SentMeter::of(&self.myself);
        let issued = patches.iter().any(|p| p.issuer.is_some());
        let patches = Arc::new(patches);
        let title = self.title.lock().clone();
        let runtime = self.id;
        let attached = self.attached.lock();
        // Encoded once per window id for the windows that get every patch, when several do
        // (a broadcast's watchers nearly all show it in window 1).
        let mut frames = SharedFrames::new(attached.len() > 1, runtime, &title, &patches);
        for attachment in attached.iter() {
            let mine = Some(attachment.issuer);
            let patches = if issued && patches.iter().any(|p| p.issuer == mine) {
                let others: Vec<Patch> = patches
                    .iter()
                    .filter(|p| p.issuer != mine)
                    .cloned()
                    .collect();
                if others.is_empty() {
                    continue;
                }
                Arc::new(others)
            } else {
                Arc::clone(&patches)
            };
            let shared = if Arc::ptr_eq(&patches, frames.patches) {
                frames.get(attachment.window)
            } else {
                None
            };
            attachment.send(
                Outgoing::Update {
                    window: attachment.window,
                    runtime,
                    title: Arc::clone(&title),
                    patches,
                    meter: meter.clone(),
                    shared,
                },
                &self.counters,
            );
        }
        drop(attached);
        frames.count(self);
    }

    pub(crate) fn show_raw_html(&self, html: &str) {
        let _lock = self.doc.lock();
        // A view painted for its page and not adopted yet: its window gets it on adoption.
        for attachment in self.attached.lock().iter() {
            if let Some(stream) = &attachment.stream
                && let Some(watch) = stream.paint_watch().as_mut()
            {
                watch.raw_html = Some(html.to_owned());
            }
        }
        self.doc.clear_root();
        self.drop_departed_handlers();
        let title = self.title.lock().clone();
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: Some(Html::String(html)),
                }
                .encode(),
            )
        });
    }

    pub(crate) fn set_title(&self, title: &str) {
        let title: Arc<str> = Arc::from(title);
        *self.title.lock() = Arc::clone(&title);
        let id = self.id;
        self.send_all(|window| {
            Outgoing::Frame(
                ServerMessage::Data {
                    window,
                    runtime: id,
                    title: &title,
                    html: None,
                }
                .encode(),
            )
        });
    }

    pub(crate) fn redirect(&self, url: &str, http: bool) {
        // A view painted for its page and not adopted yet: the page answers the redirect.
        for attachment in self.attached.lock().iter() {
            if let Some(stream) = &attachment.stream
                && let Some(watch) = stream.paint_watch().as_mut()
            {
                watch.redirect = Some((url.to_owned(), http));
            }
        }
        self.send_all(|window| Outgoing::Frame(self.redirect_frame(window, url, http)));
    }

    /// REDIRECT (navigate in the app) or HTTP_REDIRECT (load a page) for one window.
    pub(super) fn redirect_frame(&self, window: WindowId, url: &str, http: bool) -> String {
        let runtime = Some(self.id);
        let message = if http {
            ServerMessage::HttpRedirect {
                window,
                runtime,
                url,
            }
        } else {
            ServerMessage::Redirect {
                window,
                runtime,
                url,
            }
        };
        message.encode()
    }

    /// Sends a raw (non-`lona:`) message to every window: custom messages for JS handlers.
    pub(crate) fn send_custom(&self, message: &str) {
        self.send_all(|_| Outgoing::Frame(message.to_owned()));
    }

    /// Attaches a window that joins a running view: VIEW_START, then the whole current tree.
    /// A broadcast view that has not begun yet sends both itself when it does.
    pub(super) fn reattach(&self, connection: &Arc<Connection>, window: WindowId, ack: bool) {
        let _lock = self.doc.lock();
        let token = {
            let mut attached = self.attached.lock();
            let mut attachment = match self.runtime.upgrade() {
                Some(runtime) if ack => Attachment::acked(
                    connection,
                    window,
                    self.id,
                    runtime.config.replay_buffer_bytes,
                ),
                _ => Attachment::new(connection, window),
            };
            let token = attachment.stream.as_ref().map(|s| s.token().to_owned());
            // Under the attachments' lock, which `send_view_start` holds while it sends: the
            // window gets VIEW_START from one of the two.
            let begun = self.lifecycle.lock().view_start_sent;
            attachment.view_started = begun;
            attached.push(attachment);
            connection.note_view(self.id);
            if let Some(rare) = self.rare.lock().as_mut() {
                rare.idle.since = None;
            }
            if !begun {
                return;
            }
            token
        };
        let start = ServerMessage::ViewStart {
            window,
            runtime: self.id,
            resume: token.as_deref(),
        }
        .encode();
        let title = self.title.lock().clone();
        let html = self.doc.root().map(|root| Html::Tree(&root).encode_part());
        let data = ServerMessage::Data {
            window,
            runtime: self.id,
            title: &title,
            html: html.as_deref().map(Html::Encoded),
        }
        .encode();
        self.counters.sent(start.len() + data.len());
        connection.send(Outgoing::Frame(start));
        connection.send(Outgoing::Frame(data));
    }
}

impl Runtime {
    /// Sends a custom (non-`lona:`) message once to every connection that shows a view and
    /// that `filter` accepts (Lona's `send_str(broadcast=True, filter_connections=...)`).
    /// Returns how many connections it went to.
    pub fn broadcast_custom(&self, message: &str, filter: impl Fn(&Connection) -> bool) -> usize {
        // A `lona:` prefix would make the client read it as a protocol frame.
        if message.starts_with(lona_protocol::PREFIX) {
            return 0;
        }
        let views: Vec<Arc<ViewShared>> = self.inner.views.lock().values().cloned().collect();
        let mut seen = std::collections::HashSet::new();
        let mut sent = 0;
        for view in views {
            let connections: Vec<Arc<Connection>> = view
                .attached
                .lock()
                .iter()
                .map(|attachment| Arc::clone(&attachment.connection))
                .collect();
            for connection in connections {
                if seen.insert(connection.id()) && filter(&connection) {
                    connection.send(Outgoing::Frame(message.to_owned()));
                    sent += 1;
                }
            }
        }
        sent
    }
}
