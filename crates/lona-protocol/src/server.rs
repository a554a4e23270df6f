//! Messages from the server to the browser client, encoded straight into one output buffer.
//!
//! A tree or a patch list is walked once and written as it is walked: no JSON value tree and no
//! copy of the nodes is made on the way.

use lona_html::{
    Content, Element, ListOp, MapOp, Namespace, Node, NodeId, NodesOp, Patch, PatchOp, Snapshot,
    TreeNode, WidgetDataOp,
};

use crate::json::{write_attr_value, write_key, write_path, write_str, write_u64, write_value};
use crate::{DataType, Method, NodeType, Operation, PREFIX, PatchType, RuntimeId, WindowId};

/// A message from the server to a window.
#[derive(Debug, Clone, Copy)]
pub enum ServerMessage<'a> {
    /// VIEW_START: a view started in the window; the client clears it and adopts the runtime id.
    ViewStart {
        /// The window.
        window: WindowId,
        /// The new view runtime.
        runtime: RuntimeId,
        /// In the acknowledged stream, the view's resume token (payload `{"resume":TOKEN}`);
        /// `None` writes Lona's `null`.
        resume: Option<&'a str>,
    },
    /// VIEW_STOP: the view's `handle_request` returned; it may still send DATA.
    ViewStop {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
    },
    /// INPUT_EVENT_ACK: the input event with this id was received.
    InputEventAck {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The id the client gave the event.
        event_id: u64,
    },
    /// REDIRECT: navigate inside the app (the client sends a new VIEW).
    Redirect {
        /// The window.
        window: WindowId,
        /// The view runtime, if any.
        runtime: Option<RuntimeId>,
        /// The target, resolved by the browser against the window URL.
        url: &'a str,
    },
    /// HTTP_REDIRECT: load the URL as a new page.
    HttpRedirect {
        /// The window.
        window: WindowId,
        /// The view runtime, if any.
        runtime: Option<RuntimeId>,
        /// The target, resolved by the browser against the window URL.
        url: &'a str,
    },
    /// PONG: the answer to PING.
    Pong,
    /// DATA: the title and, unless `html` is `None`, HTML.
    Data {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The document title; the client applies it only if it is not empty.
        title: &'a str,
        /// What to render, if anything.
        html: Option<Html<'a>>,
    },
    /// RESUMED (acknowledged stream): the view is attached to this socket again; `seq` is the
    /// last sequence number the server has sent the window, `event` the id of the last input
    /// event of the window it received. The replay follows.
    Resumed {
        /// The window.
        window: WindowId,
        /// The view runtime.
        runtime: RuntimeId,
        /// The last sequence number sent; also the frame's own stamp.
        seq: u64,
        /// The id of the last INPUT_EVENT of the window received, 0 for none: the client
        /// sends again the events it sent with a higher id.
        event: u64,
    },
    /// RESUME_FAILED (acknowledged stream): the view cannot be resumed.
    ResumeFailed {
        /// The window.
        window: WindowId,
        /// Why.
        reason: ResumeFailure,
    },
}

/// Why a RESUME failed, the payload of RESUME_FAILED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResumeFailure {
    /// `"expired"`: no such view any more (stopped, grace over, server restarted).
    Expired,
    /// `"refused"`: the token or the session does not match the view.
    Refused,
}

impl ResumeFailure {
    /// The payload on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResumeFailure::Expired => "expired",
            ResumeFailure::Refused => "refused",
        }
    }
}

/// Stamps an encoded `lona:` frame with its sequence number, the acknowledged stream's 5th
/// element: `lona:[w,r,m,p]` becomes `lona:[w,r,m,p,seq]`. A frame is stamped where it is
/// written to its socket, so that the numbers are the order the browser receives.
///
/// A frame that does not end in `]` (a custom frame) is left alone: custom frames carry no
/// number and are never replayed.
pub fn stamp_seq(frame: &mut String, seq: u64) {
    if frame.starts_with(PREFIX) && frame.ends_with(']') {
        frame.pop();
        frame.push(',');
        write_u64(frame, seq);
        frame.push(']');
    }
}

/// The HTML part of a DATA message.
#[derive(Debug, Clone, Copy)]
pub enum Html<'a> {
    /// DATA_TYPE HTML: a string the client sets as `innerHTML`.
    String(&'a str),
    /// DATA_TYPE HTML_TREE: a whole live tree. Encoded under the tree's document lock.
    Tree(&'a Node),
    /// DATA_TYPE HTML_TREE from a snapshot.
    Snapshot(&'a Snapshot),
    /// DATA_TYPE HTML_UPDATE: patches, in order.
    Update(&'a [Patch]),
    /// An HTML part encoded before by [`Html::encode_part`], written as is: a tree sent to
    /// several windows is encoded once.
    Encoded(&'a str),
}

impl Html<'_> {
    /// Encodes the HTML part of a DATA message (`[502,[...]]` and so on) on its own, for
    /// [`Html::Encoded`].
    pub fn encode_part(&self) -> String {
        let mut out = String::new();
        encode_html(&mut out, *self);
        out
    }
}

impl ServerMessage<'_> {
    /// Encodes the message as a text frame.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoded text frame to `out`.
    pub fn encode_into(&self, out: &mut String) {
        out.push_str(PREFIX);
        out.push('[');
        match *self {
            ServerMessage::ViewStart {
                window,
                runtime,
                resume,
            } => {
                header(out, Some(window), Some(runtime), Method::ViewStart);
                match resume {
                    None => out.push_str("null"),
                    Some(token) => {
                        out.push_str("{\"resume\":");
                        write_str(out, token);
                        out.push('}');
                    }
                }
            }
            ServerMessage::Resumed {
                window,
                runtime,
                seq,
                event,
            } => {
                header(out, Some(window), Some(runtime), Method::Resumed);
                out.push_str("{\"seq\":");
                write_u64(out, seq);
                out.push_str(",\"event\":");
                write_u64(out, event);
                out.push_str("},");
                write_u64(out, seq);
            }
            ServerMessage::ResumeFailed { window, reason } => {
                header(out, Some(window), None, Method::ResumeFailed);
                write_str(out, reason.as_str());
            }
            ServerMessage::ViewStop { window, runtime } => {
                header(out, Some(window), Some(runtime), Method::ViewStop);
                out.push_str("null");
            }
            ServerMessage::InputEventAck {
                window,
                runtime,
                event_id,
            } => {
                header(out, Some(window), Some(runtime), Method::InputEventAck);
                write_u64(out, event_id);
            }
            ServerMessage::Redirect {
                window,
                runtime,
                url,
            } => {
                header(out, Some(window), runtime, Method::Redirect);
                write_str(out, url);
            }
            ServerMessage::HttpRedirect {
                window,
                runtime,
                url,
            } => {
                header(out, Some(window), runtime, Method::HttpRedirect);
                write_str(out, url);
            }
            ServerMessage::Pong => {
                header(out, None, None, Method::Pong);
                out.push_str("null");
            }
            ServerMessage::Data {
                window,
                runtime,
                title,
                html,
            } => {
                header(out, Some(window), Some(runtime), Method::Data);
                out.push('[');
                write_str(out, title);
                out.push(',');
                match html {
                    None => out.push_str("null"),
                    Some(html) => encode_html(out, html),
                }
                out.push(']');
            }
        }
        out.push(']');
    }
}

/// Writes `window,runtime,method,` (the payload follows).
fn header(out: &mut String, window: Option<WindowId>, runtime: Option<RuntimeId>, method: Method) {
    match window {
        Some(window) => write_u64(out, window.0.into()),
        None => out.push_str("null"),
    }
    out.push(',');
    match runtime {
        Some(runtime) => {
            out.push('"');
            write_u64(out, runtime.0);
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push(',');
    write_u64(out, method.code().into());
    out.push(',');
}

fn encode_html(out: &mut String, html: Html<'_>) {
    if let Html::Encoded(part) = html {
        out.push_str(part);
        return;
    }
    out.push('[');
    match html {
        Html::Encoded(_) => unreachable!("handled above"),
        Html::String(s) => {
            code(out, DataType::Html.code());
            out.push(',');
            write_str(out, s);
        }
        Html::Tree(node) => {
            code(out, DataType::HtmlTree.code());
            out.push(',');
            let _lock = node.lock();
            let inherited = node.parent().map_or(Namespace::HTML, |p| p.namespace());
            encode_node(out, node, &inherited);
        }
        Html::Snapshot(snapshot) => {
            code(out, DataType::HtmlTree.code());
            out.push(',');
            encode_node(out, snapshot, &Namespace::HTML);
        }
        Html::Update(patches) => {
            code(out, DataType::HtmlUpdate.code());
            out.push(',');
            encode_patches(out, patches);
        }
    }
    out.push(']');
}

fn code(out: &mut String, code: u16) {
    write_u64(out, code.into());
}

fn node_id(out: &mut String, id: NodeId) {
    out.push('"');
    write_u64(out, id.get());
    out.push('"');
}

/// Writes a node spec: `[402,id,"text"]` or
/// `[401,id,namespace,tag,[ids],[classes],{style},{attributes},[children],widget,widget_data]`.
pub fn encode_node<N: TreeNode>(out: &mut String, node: &N, inherited: &Namespace) {
    node.visit(|id, content| match content {
        Content::Text(text) => {
            out.push('[');
            code(out, NodeType::TextNode.code());
            out.push(',');
            node_id(out, id);
            out.push(',');
            write_str(out, text);
            out.push(']');
        }
        Content::Element(element) => encode_element(out, id, element, inherited),
    });
}

fn encode_element<N: TreeNode>(
    out: &mut String,
    id: NodeId,
    element: &Element<N>,
    inherited: &Namespace,
) {
    let ns = element.namespace_in(inherited);
    out.push('[');
    code(out, NodeType::Node.code());
    out.push(',');
    node_id(out, id);
    out.push(',');
    write_str(out, ns.as_str());
    out.push(',');
    write_str(out, element.tag());
    out.push(',');
    write_strings(out, element.ids());
    out.push(',');
    write_strings(out, element.classes());
    out.push(',');
    write_style(out, element.style());
    out.push(',');
    out.push('{');
    let mut first = true;
    for (name, value) in element.attributes() {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write_str(out, name);
        out.push(':');
        write_attr_value(out, value);
    }
    if let Some(events) = element.events_attribute() {
        if !first {
            out.push(',');
        }
        write_str(out, lona_html::EVENTS_ATTRIBUTE);
        out.push(':');
        write_str(out, &events);
    }
    out.push('}');
    out.push(',');
    out.push('[');
    for (i, child) in element.children().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_node(out, child, ns);
    }
    out.push(']');
    out.push(',');
    match element.widget() {
        Some(widget) => {
            write_str(out, widget.name());
            out.push(',');
            write_value(out, widget.data());
        }
        None => out.push_str("\"\",null"),
    }
    out.push(']');
}

fn write_strings(out: &mut String, values: &[String]) {
    out.push('[');
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, value);
    }
    out.push(']');
}

fn write_style(out: &mut String, style: &[(String, String)]) {
    out.push('{');
    for (i, (name, value)) in style.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, name);
        out.push(':');
        write_str(out, value);
    }
    out.push('}');
}

/// Writes a patch list: `[[node_id, PATCH_TYPE, OPERATION, ...args], ...]`.
pub fn encode_patches(out: &mut String, patches: &[Patch]) {
    out.push('[');
    for (i, patch) in patches.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_patch(out, patch);
    }
    out.push(']');
}

fn encode_patch(out: &mut String, patch: &Patch) {
    out.push('[');
    node_id(out, patch.node_id);
    out.push(',');
    let (patch_type, op) = match &patch.op {
        PatchOp::IdList(op) => (PatchType::IdList, list_operation(op)),
        PatchOp::ClassList(op) => (PatchType::ClassList, list_operation(op)),
        PatchOp::Style(op) => (PatchType::Style, map_operation(op)),
        PatchOp::Attributes(op) => (PatchType::Attributes, map_operation(op)),
        PatchOp::Nodes(op) => (PatchType::Nodes, nodes_operation(op)),
        PatchOp::WidgetData(op) => (PatchType::WidgetData, widget_data_operation(op)),
    };
    code(out, patch_type.code());
    out.push(',');
    code(out, op.code());
    match &patch.op {
        PatchOp::IdList(op) | PatchOp::ClassList(op) => match op {
            ListOp::Add(value) | ListOp::Remove(value) => {
                out.push(',');
                write_str(out, value);
            }
            ListOp::Clear => {}
            ListOp::Reset(values) => {
                out.push(',');
                write_strings(out, values);
            }
        },
        PatchOp::Style(op) => match op {
            MapOp::Set(name, value) => {
                out.push(',');
                write_str(out, name);
                out.push(',');
                write_str(out, value);
            }
            MapOp::Remove(name) => {
                out.push(',');
                write_str(out, name);
            }
            MapOp::Clear => {}
            MapOp::Reset(entries) => {
                out.push(',');
                write_style(out, entries);
            }
        },
        PatchOp::Attributes(op) => match op {
            MapOp::Set(name, value) => {
                out.push(',');
                write_str(out, name);
                out.push(',');
                write_attr_value(out, value);
            }
            MapOp::Remove(name) => {
                out.push(',');
                write_str(out, name);
            }
            MapOp::Clear => {}
            MapOp::Reset(entries) => {
                out.push_str(",{");
                for (i, (name, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, name);
                    out.push(':');
                    write_attr_value(out, value);
                }
                out.push('}');
            }
        },
        PatchOp::Nodes(op) => match op {
            NodesOp::Insert(index, snapshot) | NodesOp::Set(index, snapshot) => {
                out.push(',');
                write_u64(out, *index as u64);
                out.push(',');
                encode_node(out, snapshot, &Namespace::HTML);
            }
            NodesOp::Remove(id) => {
                out.push(',');
                node_id(out, *id);
            }
            NodesOp::Clear => {}
            NodesOp::Reset(snapshots) => {
                out.push_str(",[");
                for (i, snapshot) in snapshots.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    encode_node(out, snapshot, &Namespace::HTML);
                }
                out.push(']');
            }
        },
        PatchOp::WidgetData(op) => match op {
            WidgetDataOp::Set { path, key, value } => {
                out.push(',');
                write_path(out, path);
                out.push(',');
                write_key(out, key);
                out.push(',');
                write_value(out, value);
            }
            WidgetDataOp::Insert { path, index, value } => {
                out.push(',');
                write_path(out, path);
                out.push(',');
                write_u64(out, *index as u64);
                out.push(',');
                write_value(out, value);
            }
            WidgetDataOp::Remove { path, key } => {
                out.push(',');
                write_path(out, path);
                out.push(',');
                write_key(out, key);
            }
            WidgetDataOp::Clear { path } => {
                out.push(',');
                write_path(out, path);
            }
            WidgetDataOp::Reset(value) => {
                out.push_str(",[],");
                write_value(out, value);
            }
        },
    }
    out.push(']');
}

fn list_operation(op: &ListOp) -> Operation {
    match op {
        ListOp::Add(_) => Operation::Add,
        ListOp::Remove(_) => Operation::Remove,
        ListOp::Clear => Operation::Clear,
        ListOp::Reset(_) => Operation::Reset,
    }
}

fn map_operation<V>(op: &MapOp<V>) -> Operation {
    match op {
        MapOp::Set(..) => Operation::Set,
        MapOp::Remove(_) => Operation::Remove,
        MapOp::Clear => Operation::Clear,
        MapOp::Reset(_) => Operation::Reset,
    }
}

fn nodes_operation(op: &NodesOp) -> Operation {
    match op {
        NodesOp::Insert(..) => Operation::Insert,
        NodesOp::Set(..) => Operation::Set,
        NodesOp::Remove(_) => Operation::Remove,
        NodesOp::Clear => Operation::Clear,
        NodesOp::Reset(_) => Operation::Reset,
    }
}

fn widget_data_operation(op: &WidgetDataOp) -> Operation {
    match op {
        WidgetDataOp::Set { .. } => Operation::Set,
        WidgetDataOp::Insert { .. } => Operation::Insert,
        WidgetDataOp::Remove { .. } => Operation::Remove,
        WidgetDataOp::Clear { .. } => Operation::Clear,
        WidgetDataOp::Reset(_) => Operation::Reset,
    }
}

pub(crate) mod decode;
#[cfg(test)]
mod tests;

pub use decode::{
    DecodedHtml, DecodedServerMessage, MAX_SERVER_DEPTH, ServerFrame, decode_server,
    decode_server_with_seq,
};
