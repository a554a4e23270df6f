//! What each position of a client frame holds, for the errors; kept in one place so that they
//! read alike.

pub(super) const FRAME: &str = "a 4-item array [window_id, runtime_id, method, payload]";
pub(super) const METHOD: &str =
    "method (101 VIEW, 102 INPUT_EVENT, 104 CLIENT_ERROR, 105 PING, 106 ACK or 107 RESUME)";
pub(super) const SERVER_METHOD: &str =
    "a client method (101, 102, 104 to 107), not one the server sends";
pub(super) const WINDOW_ID: &str = "window id (a non-negative integer up to 4294967295)";
pub(super) const RUNTIME_ID: &str =
    "runtime id (a string of a decimal number without sign or leading zeros, up to 2^64-1)";
pub(super) const RUNTIME_ID_OR_NULL: &str =
    "runtime id (a string of a decimal number without sign or leading zeros) or null";
pub(super) const VIEW_RUNTIME_ID: &str = "null (VIEW is sent before the view has a runtime id)";
pub(super) const PING_NULL: &str = "null (PING is exactly [null,null,105,null])";
pub(super) const VIEW_PAYLOAD: &str =
    "VIEW payload [url, post_data] or [url, post_data, {options}]";
pub(super) const VIEW_OPTIONS: &str = "VIEW options (an object, such as {\"ack\":1})";
pub(super) const SEQ: &str = "a sequence number (a non-negative integer)";
pub(super) const RESUME_PAYLOAD: &str = "RESUME payload [url, seq, token, last_event_id]";
pub(super) const RESUME_TOKEN: &str = "a resume token (22 base64url characters)";
pub(super) const URL: &str = "url (a string)";
pub(super) const POST_DATA: &str = "post data (an object, or null for none)";
pub(super) const POST_VALUE: &str = "form value (a string, or an array of strings)";
pub(super) const POST_LIST_ITEM: &str = "form value (a string)";
pub(super) const INPUT_EVENT_PAYLOAD: &str =
    "INPUT_EVENT payload [event_id, event_type, data, node_info, target_node_info]";
pub(super) const EVENT_ID: &str = "event id (a non-negative integer)";
pub(super) const EVENT_TYPE: &str = "event type (301 CLICK, 302 CHANGE, 304 FOCUS, 305 BLUR, 306 SUBMIT, \
                          or the name of a custom event as a non-empty string)";
pub(super) const CLICK_DATA: &str = "click data (an object)";
pub(super) const CLICK_BOOL: &str = "a bool (click modifier key)";
pub(super) const CLICK_NUMBER: &str = "a number (click geometry)";
pub(super) const CHANGE_VALUE: &str =
    "change value (a string, a bool, or an array of option indexes)";
pub(super) const OPTION_INDEX: &str = "option index (a non-negative integer up to 4294967295)";
pub(super) const SUBMIT_DATA: &str = "submit data (an array of fields [name, node_id, value])";
pub(super) const SUBMIT_FIELD: &str = "submit field [name, node_id, value]";
pub(super) const SUBMIT_NAME: &str = "field name (a string)";
pub(super) const NO_DATA: &str = "an empty array (focus and blur carry no data)";
pub(super) const NODE_INFO: &str = "node info [node_id, tag_name, id, class]";
pub(super) const NODE_ID: &str = "node id (a string of a decimal number without sign or leading zeros) \
                       or null";
pub(super) const NODE_STRING: &str = "a string or null";
pub(super) const CLIENT_ERROR_PAYLOAD: &str = "CLIENT_ERROR payload [message]";
pub(super) const ERROR_MESSAGE: &str = "error message (a string)";
