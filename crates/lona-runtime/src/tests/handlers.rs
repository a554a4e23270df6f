//! Node handlers' lifetime: dropped with their node when it leaves the document, kept when a
//! node moves, removable by id, and registered before their node is shown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lona_html::tags::{button, div, li, ul};
use lona_protocol::RuntimeId;
use parking_lot::Mutex;

use crate::{
    Connection, Context, EventContext, EventOutcome, Flow, HandlerId, InputEvent, Request, Runtime,
    View, ViewFactory, ViewHandle, ViewResult,
};

use super::support::{
    Probe, W1, browser, click_on, eventually, session, small_runtime, start, until_data,
};

/// Counts how many of the closures that hold one were dropped.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A todo list: three rows, each with a delete button whose handler removes the row, and a
/// button that moves the first row to the end. Nodes for the test: the three delete buttons,
/// then the rotate button.
#[derive(Clone, Default)]
struct Todo {
    probe: Probe,
    handle: Arc<Mutex<Option<ViewHandle>>>,
    ids: Arc<Mutex<Vec<HandlerId>>>,
    dropped: Arc<AtomicUsize>,
}

impl View for Todo {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let list = ul();
        for name in ["milk", "bread", "eggs"] {
            let delete = button().with("x");
            let row = li().with((name, &delete));
            // Registered before the row is in the document: it must survive the first show.
            let guard = Dropped(Arc::clone(&self.dropped));
            let id = cx.on_click(&delete, {
                let row = row.clone();
                move |_, _| {
                    let _held = &guard;
                    row.remove();
                }
            });
            self.ids.lock().push(id);
            list.append(&row);
            self.probe.nodes.lock().push(delete);
        }
        let rotate = button().with("rotate");
        cx.on_click(&rotate, {
            let list = list.clone();
            move |_, _| {
                // A move within one handler: out and back in before the output is taken.
                if let Some(first) = list.children().first() {
                    list.remove_child(first);
                    list.append(first);
                }
            }
        });
        self.probe.nodes.lock().push(rotate.clone());
        *self.handle.lock() = Some((**cx).clone());
        Ok(div().with((&list, &rotate)).into())
    }

    fn handle_input_event(&self, _cx: &EventContext, event: &InputEvent) -> Flow {
        self.probe.log(format!("view hook: {}", event.name()));
        Flow::Handled
    }
}

/// A runtime showing the todo list in one window: the runtime, the view's parts, the
/// browser and the view's id.
fn shown() -> (Runtime, Todo, Arc<Connection>, RuntimeId) {
    let runtime = small_runtime();
    let todo = Todo::default();
    let factory = ViewFactory::blocking({
        let todo = todo.clone();
        move |_| todo.clone()
    });
    let conn = browser(&session("a"));
    let id = start(&runtime, &factory, &conn, "http://localhost/");
    until_data(&conn);
    (runtime, todo, conn, id)
}

fn handle(todo: &Todo) -> ViewHandle {
    todo.handle.lock().clone().expect("the view ran")
}

#[test]
fn a_removed_rows_handlers_are_dropped_with_what_they_captured() {
    let (runtime, todo, conn, id) = shown();
    assert_eq!(handle(&todo).handler_count(), 4, "all shown, none dropped");
    let delete_milk = todo.probe.node(0);
    let outcome = runtime.input_event(&conn, W1, id, click_on(&delete_milk, 1));
    assert_eq!(outcome, EventOutcome::Accepted);
    eventually("the deleted row's handler was dropped", || {
        todo.dropped.load(Ordering::SeqCst) == 1
    });
    assert_eq!(handle(&todo).handler_count(), 3);
    // A stale click on the deleted button is refused: its node left the document.
    assert_eq!(
        runtime.input_event(&conn, W1, id, click_on(&delete_milk, 2)),
        EventOutcome::NotListening
    );
    runtime.shutdown();
}

#[test]
fn a_row_moved_within_one_handler_keeps_its_handlers() {
    let (runtime, todo, conn, id) = shown();
    let rotate = todo.probe.node(3);
    runtime.input_event(&conn, W1, id, click_on(&rotate, 1));
    eventually("the rotation ran", || {
        runtime.metrics().events_dispatched == 1
    });
    assert_eq!(handle(&todo).handler_count(), 4, "a move drops nothing");
    assert_eq!(todo.dropped.load(Ordering::SeqCst), 0);
    // The moved row's delete button still works.
    runtime.input_event(&conn, W1, id, click_on(&todo.probe.node(0), 2));
    eventually("the moved row was deleted", || {
        todo.dropped.load(Ordering::SeqCst) == 1
    });
    runtime.shutdown();
}

#[test]
fn a_removed_handler_is_gone_and_its_events_reach_the_view_hook() {
    let (runtime, todo, conn, id) = shown();
    let view = handle(&todo);
    let first = todo.ids.lock()[0];
    assert_eq!(first.node(), todo.probe.node(0).id());
    assert!(view.remove_handler(first));
    assert!(!view.remove_handler(first), "removed once only");
    assert_eq!(todo.dropped.load(Ordering::SeqCst), 1);
    runtime.input_event(&conn, W1, id, click_on(&todo.probe.node(0), 1));
    eventually("the view hook got the click", || {
        todo.probe.entries() == ["view hook: click"]
    });
    assert_eq!(view.remove_handlers(&todo.probe.node(1)), 1);
    assert_eq!(view.handler_count(), 2);
    runtime.shutdown();
}
