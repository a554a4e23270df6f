//! The numeric codes of the protocol, and their JSON export for the browser client.
//!
//! The client hard-codes no code: the server writes [`codes_json`] into the page at load, as
//! Lona's `Lona.set_protocol(...)` does.

use std::fmt::Write as _;

macro_rules! code_enum {
    (
        $(#[$doc:meta])* $name:ident, $group:literal {
            $($(#[$vdoc:meta])* $variant:ident = $code:literal, $wire:literal;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The name of this enum in the JSON export (`METHOD`, `PATCH_TYPE`, ...).
            pub const GROUP: &'static str = $group;

            /// The code on the wire.
            pub const fn code(self) -> u16 {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The value with this code.
            pub fn from_code(code: u64) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The name in the JSON export, as Lona spells it (`VIEW`, `HTML_TREE`, ...).
            pub const fn wire_name(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }
        }
    };
}

code_enum!(
    /// The method of a message: the third element of `[window_id, runtime_id, method, payload]`.
    Method, "METHOD" {
        /// Client to server: start or navigate a view in a window.
        View = 101, "VIEW";
        /// Client to server: an input event.
        InputEvent = 102, "INPUT_EVENT";
        /// Server to client: the input event with this id was received.
        InputEventAck = 103, "INPUT_EVENT_ACK";
        /// Client to server: the client failed; the server shows the 500 view.
        ClientError = 104, "CLIENT_ERROR";
        /// Client to server: keep-alive.
        Ping = 105, "PING";
        /// Client to server, acknowledged stream only: every message of the window up to this
        /// sequence number is applied.
        Ack = 106, "ACK";
        /// Client to server, acknowledged stream only: re-attach a detached view after a
        /// reconnect, with the last sequence number applied and the view's token.
        Resume = 107, "RESUME";
        /// Server to client: navigate in the app (a new VIEW).
        Redirect = 201, "REDIRECT";
        /// Server to client: load the URL as a new page.
        HttpRedirect = 202, "HTTP_REDIRECT";
        /// Server to client: title and HTML.
        Data = 203, "DATA";
        /// Server to client: a view started in the window.
        ViewStart = 204, "VIEW_START";
        /// Server to client: the view's `handle_request` returned.
        ViewStop = 205, "VIEW_STOP";
        /// Server to client: the answer to PING.
        Pong = 206, "PONG";
        /// Server to client, acknowledged stream only: the view is re-attached; the missed
        /// messages (or one whole tree) follow.
        Resumed = 207, "RESUMED";
        /// Server to client, acknowledged stream only: the view cannot be resumed
        /// (`"expired"` or `"refused"`).
        ResumeFailed = 208, "RESUME_FAILED";
    }
);

code_enum!(
    /// The type of an input event.
    InputEventType, "INPUT_EVENT_TYPE" {
        /// A click.
        Click = 301, "CLICK";
        /// A changed value.
        Change = 302, "CHANGE";
        /// A custom event (sent by name, not by this code).
        Custom = 303, "CUSTOM";
        /// Focus.
        Focus = 304, "FOCUS";
        /// Blur.
        Blur = 305, "BLUR";
        /// A form submitted in the view, with its fields (our extension: the client sends it
        /// only for forms whose `data-lona-events` the server marked with it).
        Submit = 306, "SUBMIT";
    }
);

code_enum!(
    /// The type of a node spec in an HTML tree.
    NodeType, "NODE_TYPE" {
        /// An element.
        Node = 401, "NODE";
        /// A text node.
        TextNode = 402, "TEXT_NODE";
        /// A legacy widget (client v1 only; never sent by this server).
        Widget = 403, "WIDGET";
    }
);

code_enum!(
    /// The type of the HTML in a DATA message.
    DataType, "DATA_TYPE" {
        /// An HTML string.
        Html = 501, "HTML";
        /// A whole tree of node specs.
        HtmlTree = 502, "HTML_TREE";
        /// A list of patches.
        HtmlUpdate = 503, "HTML_UPDATE";
    }
);

code_enum!(
    /// The part of a node a patch changes.
    PatchType, "PATCH_TYPE" {
        /// The id list.
        IdList = 601, "ID_LIST";
        /// The class list.
        ClassList = 602, "CLASS_LIST";
        /// The inline style.
        Style = 603, "STYLE";
        /// The attributes.
        Attributes = 604, "ATTRIBUTES";
        /// The children.
        Nodes = 605, "NODES";
        /// The widget data.
        WidgetData = 606, "WIDGET_DATA";
    }
);

code_enum!(
    /// The operation of a patch.
    Operation, "OPERATION" {
        /// Set an entry.
        Set = 701, "SET";
        /// Replace everything.
        Reset = 702, "RESET";
        /// Add a value.
        Add = 703, "ADD";
        /// Remove everything.
        Clear = 704, "CLEAR";
        /// Insert at an index.
        Insert = 705, "INSERT";
        /// Remove one.
        Remove = 706, "REMOVE";
    }
);

/// All protocol enums as one JSON object, `{"METHOD":{"VIEW":101,...},...}`, for the page to
/// hand to the client at load.
pub fn codes_json() -> String {
    let mut out = String::from("{");
    let group = |out: &mut String, name: &str, entries: &mut dyn Iterator<Item = (&str, u16)>| {
        if out.len() > 1 {
            out.push(',');
        }
        let _ = write!(out, "\"{name}\":{{");
        for (i, (key, code)) in entries.enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{key}\":{code}");
        }
        out.push('}');
    };
    macro_rules! add {
        ($($ty:ident),*) => {$(
            group(
                &mut out,
                $ty::GROUP,
                &mut $ty::ALL.iter().map(|v| (v.wire_name(), v.code())),
            );
        )*};
    }
    add!(
        Method,
        InputEventType,
        NodeType,
        DataType,
        PatchType,
        Operation
    );
    out.push('}');
    out
}
