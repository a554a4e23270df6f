//! The Lona client-v2 wire protocol: message types, strict decoding of what browsers send, and
//! direct encoding of what the server sends. The only crate that knows the wire format.
//!
//! Rust clients use it too: [`decode_server`] decodes what the server sends into
//! `lona_html::Snapshot`s and `lona_html::Patch`es, and [`ClientState`] is the browser client's
//! window logic without I/O on top of it (the test kit and the load generator drive it), with
//! `lona_html::Mirror` as each window's tree.
//!
//! A frame is `lona:` followed by compact JSON `[window_id, runtime_id, method, payload]`.
//! Frames without the prefix are custom messages for middlewares and are passed through.

pub mod client;
mod client_state;
mod codes;
mod ids;
pub mod json;
mod json_tree;
mod server;

pub use client::{
    ClientMessage, DecodeError, DecodeLimits, Frame, RESUME_TOKEN_LEN, SubmitField,
    adopt_token_in_page, decode_client, decode_client_with, is_resume_token, shorten,
};
pub use client_state::{ClientError, ClientState, EventError, InputFrame, Received, Window};
pub use codes::{DataType, InputEventType, Method, NodeType, Operation, PatchType, codes_json};
pub use ids::{RuntimeId, WindowId};
pub use server::{
    DecodedHtml, DecodedServerMessage, Html, MAX_SERVER_DEPTH, ResumeFailure, ServerFrame,
    ServerMessage, decode_server, decode_server_with_seq, encode_node, encode_patches, stamp_seq,
};

/// The prefix of every protocol frame.
pub const PREFIX: &str = "lona:";

/// The version of the wire format this crate speaks; bumped on any change on the wire.
/// Version 2 is Lona's client v2 protocol; version 3 adds the negotiated acknowledged stream
/// (ACK, RESUME, RESUMED, RESUME_FAILED and the sequence number, docs/protocol.md), which a
/// client that does not ask for it never sees; version 4 adds the event ids of RESUME and
/// RESUMED, so that a resumed window sends again the input events the server did not get, and
/// VIEW's `adopt` option (first paint), which only a page the server painted hands its client.
pub const PROTOCOL_VERSION: u32 = 4;
