// The protocol codes and client settings the page hands over, and the frame format.
//
// The client hard-codes no protocol code. The server renders every code into the page and
// calls `Lona.setProtocol(codes)` with an object shaped like
// `{"METHOD": {"VIEW": ..., ...}, "INPUT_EVENT_TYPE": {...}, "NODE_TYPE": {...},
//   "DATA_TYPE": {...}, "PATCH_TYPE": {...}, "OPERATION": {...}}`.
// Every module reads its codes from that object (or from one passed in, in tests).
//
// A frame is `lona:` followed by compact JSON `[window_id, runtime_id, method, payload]`. A
// window in ack mode (the acknowledged stream of docs/protocol.md, negotiated in VIEW) gets a
// fifth element from the server: the frame's sequence number.

/** The prefix of every protocol frame; other frames are custom messages. */
export const MESSAGE_PREFIX = 'lona:';

/** The settings used for every key the page does not pass to `Lona.setSettings`. */
export const DEFAULT_SETTINGS = Object.freeze({
    ping_interval: 60,
    view_start_timeout: 2,
    input_event_timeout: 2,
    auto_reconnect: true,
    reconnect_timeout: 1000,
    reconnect_max_timeout: 30000,
    // Development (`run-server --live-reload`): reload the page when the socket opens again,
    // so that a restarted server's new code, templates and static files all show.
    live_reload: false,
});

const GROUPS = ['METHOD', 'INPUT_EVENT_TYPE', 'NODE_TYPE', 'DATA_TYPE', 'PATCH_TYPE', 'OPERATION'];

let currentProtocol = null;
let currentSettings = { ...DEFAULT_SETTINGS };

/** Stores the protocol codes; the page calls this once, before creating a context. */
export function setProtocol(codes) {
    if (codes === null || typeof codes !== 'object') {
        throw new TypeError('lona: the protocol must be an object of code groups');
    }
    for (const group of GROUPS) {
        if (codes[group] === null || typeof codes[group] !== 'object') {
            throw new TypeError(`lona: the protocol lacks the group ${group}`);
        }
    }
    currentProtocol = codes;
}

/** The protocol codes; throws if `setProtocol` was not called. */
export function getProtocol() {
    if (currentProtocol === null) {
        throw new Error('lona: Lona.setProtocol() was not called');
    }
    return currentProtocol;
}

/** The protocol codes, or `null` if `setProtocol` was not called. */
export function peekProtocol() {
    return currentProtocol;
}

/** Stores the client settings; keys that are not given keep their defaults. */
export function setSettings(settings) {
    currentSettings = { ...DEFAULT_SETTINGS, ...(settings || {}) };
}

/** The client settings. */
export function getSettings() {
    return currentSettings;
}

function orNull(value) {
    return value === undefined ? null : value;
}

/** Encodes one protocol frame. */
export function encodeFrame(windowId, runtimeId, method, payload) {
    return MESSAGE_PREFIX + JSON.stringify([orNull(windowId), orNull(runtimeId), method, orNull(payload)]);
}

/**
 * Decodes a protocol frame into `{windowId, runtimeId, method, payload, seq}` (`seq` is
 * `undefined` without a fifth element); `null` for anything that is not a well-formed
 * protocol frame (those go to the message handlers).
 */
export function parseFrame(raw) {
    if (typeof raw !== 'string' || !raw.startsWith(MESSAGE_PREFIX)) {
        return null;
    }
    let value;
    try {
        value = JSON.parse(raw.slice(MESSAGE_PREFIX.length));
    } catch {
        return null;
    }
    if (!Array.isArray(value) || (value.length !== 4 && value.length !== 5)) {
        return null;
    }
    const frame = { windowId: value[0], runtimeId: value[1], method: value[2], payload: value[3] };
    if (value.length === 5) {
        if (!Number.isSafeInteger(value[4]) || value[4] < 1) {
            return null;
        }
        frame.seq = value[4];
    }
    return frame;
}

/**
 * Whether the page's codes have the methods of the acknowledged stream (ACK, RESUME, RESUMED,
 * RESUME_FAILED). Without them the client never negotiates: Lona's plain protocol.
 */
export function ackSupported(P) {
    const M = P.METHOD;
    return ['ACK', 'RESUME', 'RESUMED', 'RESUME_FAILED'].every(name => Number.isInteger(M[name]));
}

/**
 * VIEW: `[window_id, null, VIEW, [url, post_data]]`; `post_data` is `null` for a GET. With
 * `ack`, a third element `{"ack":1}` asks the server for the acknowledged stream; with
 * `adopt` (the page's adopt token, docs/protocol.md "First paint") it takes over the view the
 * server painted the page with: `{"ack":1,"adopt":"TOKEN"}`.
 */
export function viewFrame(P, windowId, url, postData, ack = false, adopt = null) {
    const payload = [String(url), orNull(postData)];
    if (ack && adopt) {
        payload.push({ ack: 1, adopt: String(adopt) });
    } else if (ack) {
        payload.push({ ack: 1 });
    }
    return encodeFrame(windowId, null, P.METHOD.VIEW, payload);
}

/** ACK: `[window_id, runtime_id, ACK, seq]`: every message of the window up to `seq` is applied. */
export function ackFrame(P, windowId, runtimeId, seq) {
    return encodeFrame(windowId, runtimeId, P.METHOD.ACK, seq);
}

/**
 * RESUME: `[window_id, runtime_id, RESUME, [url, last_applied_seq, token, last_event_id]]`,
 * after a reconnect; `last_event_id` is the id of the last input event sent (0 for none).
 */
export function resumeFrame(P, windowId, runtimeId, url, seq, token, lastEventId) {
    return encodeFrame(windowId, runtimeId, P.METHOD.RESUME, [String(url), seq, String(token), lastEventId]);
}

/** INPUT_EVENT: `[window_id, runtime_id, INPUT_EVENT, [event_id, type, data, node, target]]`. */
export function inputEventFrame(P, windowId, runtimeId, eventId, eventType, data, nodeInfo, targetNodeInfo) {
    return encodeFrame(windowId, runtimeId, P.METHOD.INPUT_EVENT, [
        eventId,
        eventType,
        data === undefined ? [] : data,
        nodeInfo,
        targetNodeInfo,
    ]);
}

/** CLIENT_ERROR: `[window_id, runtime_id, CLIENT_ERROR, [message]]`. */
export function clientErrorFrame(P, windowId, runtimeId, error) {
    return encodeFrame(windowId, runtimeId, P.METHOD.CLIENT_ERROR, [errorMessage(error)]);
}

/** PING: exactly `[null, null, PING, null]`. */
export function pingFrame(P) {
    return encodeFrame(null, null, P.METHOD.PING, null);
}

/**
 * The text reported for an error: its stack if it has one. Firefox's stacks lack the message,
 * so it is put in front when missing.
 */
export function errorMessage(error) {
    const text = String(error);
    if (error !== null && error !== undefined && error.stack) {
        const stack = String(error.stack);
        return stack.includes(text) ? stack : `${text}\n${stack}`;
    }
    return text;
}
