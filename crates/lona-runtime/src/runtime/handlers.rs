//! A view's node handlers: registered by `ViewHandle::on`, found by node and event for
//! dispatch, removed by their [`HandlerId`], and dropped when their node leaves the document.

use std::collections::HashMap;
use std::sync::Arc;

use lona_html::NodeId;
use lona_protocol::client::EventKind;

use super::ViewShared;
use crate::context::EventContext;
use crate::view::{Flow, InputEvent};

/// The closure of a node handler.
pub(crate) type HandlerFn = dyn Fn(&EventContext, &InputEvent) -> Flow + Send + Sync;

/// Names one handler registered with [`ViewHandle::on`](crate::ViewHandle::on) and its
/// shortcuts, for [`ViewHandle::remove_handler`](crate::ViewHandle::remove_handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId {
    node: NodeId,
    serial: u64,
}

impl HandlerId {
    /// The node the handler listens on.
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// One node handler.
#[derive(Clone)]
pub(crate) struct Handler {
    pub(crate) code: u16,
    pub(crate) name: Option<String>,
    pub(crate) call: Arc<HandlerFn>,
    serial: u64,
}

impl Handler {
    pub(crate) fn new(code: u16, name: Option<String>, call: Arc<HandlerFn>) -> Handler {
        Handler {
            code,
            name,
            call,
            serial: 0,
        }
    }

    fn matches(&self, kind: &EventKind) -> bool {
        match (kind, &self.name) {
            (EventKind::Custom { name, .. }, Some(wanted)) => name == wanted,
            (EventKind::Custom { .. }, None) => false,
            (other, _) => other.code() == self.code,
        }
    }
}

/// Every handler of one view, by node, in the order they were added.
#[derive(Default)]
pub(crate) struct Handlers {
    by_node: HashMap<NodeId, Vec<Handler>>,
    next: u64,
}

impl Handlers {
    fn add(&mut self, node: NodeId, mut handler: Handler) -> HandlerId {
        self.next += 1;
        handler.serial = self.next;
        self.by_node.entry(node).or_default().push(handler);
        HandlerId {
            node,
            serial: self.next,
        }
    }

    /// Takes the handler out; the caller drops it outside the lock.
    fn remove(&mut self, id: HandlerId) -> Option<Handler> {
        let list = self.by_node.get_mut(&id.node)?;
        let index = list.iter().position(|h| h.serial == id.serial)?;
        let handler = list.remove(index);
        if list.is_empty() {
            self.by_node.remove(&id.node);
        }
        Some(handler)
    }

    fn matching(&self, node: NodeId, kind: &EventKind) -> Vec<Handler> {
        self.by_node.get(&node).map_or_else(Vec::new, |list| {
            list.iter().filter(|h| h.matches(kind)).cloned().collect()
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.by_node.values().map(Vec::len).sum()
    }
}

impl ViewShared {
    pub(crate) fn add_handler(&self, node: NodeId, handler: Handler) -> HandlerId {
        self.handlers.lock().add(node, handler)
    }

    pub(crate) fn remove_handler(&self, id: HandlerId) -> bool {
        let removed = self.handlers.lock().remove(id);
        removed.is_some()
    }

    pub(crate) fn remove_handlers(&self, node: NodeId) -> usize {
        let removed = self.handlers.lock().by_node.remove(&node);
        removed.map_or(0, |list| list.len())
    }

    /// The handlers of `node` for this kind of event, in the order they were added.
    pub(crate) fn handlers_for(&self, node: NodeId, kind: &EventKind) -> Vec<Handler> {
        self.handlers.lock().matching(node, kind)
    }

    /// Drops the handlers of the nodes that left the document since the last call and are
    /// not back in it: a deleted row's handlers (and what they captured) go with the row.
    /// Called where the view's output is taken (`flush`, a whole tree, raw HTML), so a node
    /// that moves within one handler keeps its handlers.
    pub(crate) fn drop_departed_handlers(&self) {
        let _lock = self.doc.lock(); // the document's lock before the handlers', as in `flush`
        let departed = self.doc.take_departed();
        if departed.is_empty() {
            return;
        }
        let removed = {
            let mut handlers = self.handlers.lock();
            if handlers.by_node.is_empty() {
                return;
            }
            let mut removed = Vec::new();
            for id in departed {
                // Most nodes that leave have no handler: look them up in the tree only if so.
                if handlers.by_node.contains_key(&id) && self.doc.node(id).is_none() {
                    removed.extend(handlers.by_node.remove(&id));
                }
            }
            removed
        };
        // User closures drop here, outside the handlers' lock.
        drop(removed);
    }

    pub(crate) fn clear_handlers(&self) {
        let all = std::mem::take(&mut self.handlers.lock().by_node);
        drop(all);
    }

    pub(crate) fn handler_count(&self) -> usize {
        self.handlers.lock().len()
    }
}
