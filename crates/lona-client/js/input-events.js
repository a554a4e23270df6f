// Input events: the payload builders (pure functions, tested in Node) and the per-window
// handler that attaches listeners, sends INPUT_EVENT frames and tracks their ACKs.
//
// Elements get listeners from their `data-lona-events` attribute: the event codes joined by
// `;`, a debounced change as `<CHANGE>:<ms>`. Links (`<a href>` without a click event) and
// forms are intercepted and become a VIEW in the window. `data-lona-ignore` on an element or
// on one of its ancestors opts out: the browser handles it as on any page.
//
// Order (docs/protocol.md, "Client rules beyond the wire"): pending debounced changes are sent
// before any other event; a pointer click on content a patch changed since the press is
// dropped; a control with input the server has not seen keeps it against value patches.

import { inputEventFrame, getSettings } from './protocol.js';
import { submitFields } from './submit.js';

const NODE_ID_ATTRIBUTE = 'data-lona-node-id';
const EVENTS_ATTRIBUTE = 'data-lona-events';
const IGNORE_ATTRIBUTE = 'data-lona-ignore';
const ELEMENT_NODE = 1;

// Payload builders --------------------------------------------------------------------------

/** Parses `data-lona-events` into a Map of event code -> debounce delay in ms (or null). */
export function parseEventsAttribute(value) {
    const events = new Map();
    if (value === null || value === undefined) {
        return events;
    }
    for (const part of String(value).split(';')) {
        const [rawCode, rawDelay] = part.split(':');
        if (rawCode === undefined || rawCode.trim() === '') {
            continue;
        }
        const code = Number(rawCode);
        if (!Number.isInteger(code)) {
            continue;
        }
        const delay = rawDelay === undefined || rawDelay.trim() === '' ? null : Number(rawDelay);
        events.set(code, Number.isFinite(delay) && delay > 0 ? delay : null);
    }
    return events;
}

/**
 * `[lona_node_id|null, TAGNAME|null, id attr|null, class attr|null]` of an element, a node id
 * string (as widgets pass), or nothing.
 */
export function nodeInfo(node) {
    if (node === null || node === undefined) {
        return [null, null, null, null];
    }
    if (typeof node === 'string' || typeof node === 'number') {
        return [String(node), null, null, null];
    }
    if (node.nodeType !== ELEMENT_NODE) {
        return [null, null, null, null];
    }
    return [
        node.getAttribute(NODE_ID_ATTRIBUTE),
        node.tagName,
        node.getAttribute('id') ?? '',
        node.getAttribute('class') ?? '',
    ];
}

function finite(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The data of a click: exactly Lona's eight keys, in Lona's order. */
export function clickData(event, node) {
    let width = node.offsetWidth;
    let height = node.offsetHeight;
    if (typeof width !== 'number' || typeof height !== 'number') {
        // SVG elements have no offset size.
        const rect = typeof node.getBoundingClientRect === 'function' ? node.getBoundingClientRect() : null;
        width = rect ? rect.width : 0;
        height = rect ? rect.height : 0;
    }
    return {
        alt_key: Boolean(event.altKey),
        shift_key: Boolean(event.shiftKey),
        meta_key: Boolean(event.metaKey),
        ctrl_key: Boolean(event.ctrlKey),
        node_width: finite(width),
        node_height: finite(height),
        x: finite(event.offsetX),
        y: finite(event.offsetY),
    };
}

function upperTag(node) {
    return String(node.tagName || '').toUpperCase();
}

function inputType(node) {
    const type = typeof node.type === 'string' ? node.type : node.getAttribute('type');
    return String(type || '').toLowerCase();
}

/** The indexes of the selected options of a select. */
export function selectedIndexes(select) {
    let options = select.options;
    if (!options) {
        options = [];
        const stack = [...select.childNodes].reverse();
        while (stack.length > 0) {
            const node = stack.pop();
            if (node.nodeType === ELEMENT_NODE && upperTag(node) === 'OPTION') {
                options.push(node);
            }
            if (node.childNodes) {
                stack.push(...[...node.childNodes].reverse());
            }
        }
    }
    const indexes = [];
    Array.from(options).forEach((option, index) => {
        if (option.selected) {
            indexes.push(index);
        }
    });
    return indexes;
}

/** The value of a change: checkbox/radio -> bool, select -> option indexes, else a string. */
export function changeValue(node) {
    const tag = upperTag(node);
    if (tag === 'INPUT') {
        const type = inputType(node);
        if (type === 'checkbox' || type === 'radio') {
            return Boolean(node.checked);
        }
    }
    if (tag === 'SELECT') {
        return selectedIndexes(node);
    }
    return node.value === null || node.value === undefined ? '' : String(node.value);
}

/**
 * POST data from form entries: strings only (files are not sent, as in Lona), a field given
 * more than once or named in `listNames` (multi-selects) becomes an array.
 */
export function formPostData(entries, listNames = new Set()) {
    const fields = new Map();
    for (const [key, value] of entries) {
        if (typeof value !== 'string') {
            continue;
        }
        if (fields.has(key)) {
            const previous = fields.get(key);
            fields.set(key, Array.isArray(previous) ? [...previous, value] : [previous, value]);
        } else {
            fields.set(key, listNames.has(key) ? [value] : value);
        }
    }
    return Object.fromEntries(fields);
}

/** The URL a GET form navigates to: the action with the fields as its query. */
export function formGetUrl(action, entries) {
    const url = new URL(action);
    const query = new URLSearchParams();
    for (const [key, value] of entries) {
        if (typeof value === 'string') {
            query.append(key, value);
        }
    }
    url.search = query.toString();
    url.hash = '';
    return url.href;
}

function multiSelectNames(form) {
    const names = new Set();
    for (const element of Array.from(form.elements || [])) {
        if (upperTag(element) === 'SELECT' && element.multiple && element.name) {
            names.add(element.name);
        }
    }
    return names;
}

/**
 * Whether `element` or one of its ancestors has `data-lona-ignore`. `memo` (a Map), shared by
 * the calls for one rendered batch, keeps the walk up O(1) per element on average.
 */
export function isIgnored(element, memo = null) {
    const path = [];
    let result = false;
    for (let node = element; node && node.nodeType === ELEMENT_NODE; node = node.parentNode) {
        if (memo !== null && memo.has(node)) {
            result = memo.get(node);
            break;
        }
        path.push(node);
        if (node.hasAttribute(IGNORE_ATTRIBUTE)) {
            result = true;
            break;
        }
    }
    if (memo !== null) {
        for (const node of path) {
            memo.set(node, result);
        }
    }
    return result;
}

/** Whether a link click should stay with the browser rather than become a VIEW. */
export function linkTarget(event, link, baseUrl) {
    if (event.defaultPrevented || (typeof event.button === 'number' && event.button !== 0)) {
        return null;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return null;
    }
    const target = link.getAttribute('target');
    if ((target && target !== '_self') || link.hasAttribute('download')) {
        return null;
    }
    const href = link.getAttribute('href') ?? link.getAttribute('xlink:href');
    if (href === null) {
        return null;
    }
    let url;
    try {
        url = new URL(href, baseUrl);
    } catch {
        return null;
    }
    const base = new URL(baseUrl);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== base.origin) {
        return null;
    }
    // A jump to an anchor on the same page is the browser's.
    if (url.hash !== '' && url.pathname === base.pathname && url.search === base.search) {
        return null;
    }
    return url;
}

// The handler of one window -----------------------------------------------------------------

/**
 * Attaches listeners to the elements of one window and sends its input events. `win` is the
 * window: it provides `P` (codes), `id`, `runtimeId`, `url`, `rendering`,
 * `sendInputEvent(frame, eventId)` (`'sent'`, `'queued'` for after a resume, or null),
 * `run_view(url, post_data, options)`, `crash(error)` and `context.notices`.
 */
export class InputEventHandler {
    constructor(win) {
        this.win = win;
        this.controllers = new WeakMap();
        // Typed, not sent yet: element -> {timer, target}, in the order the typing began, so
        // that a flush sends the changes in the order the user made them.
        this.pending = new Map();
        // Typed into a control that sends its change on `change` (not debounced), not sent yet.
        this.dirty = new WeakSet();
        // Changes sent and not acknowledged yet: element -> event id.
        this.inFlight = new Map();
        // The engine's batch count at the last pointerdown in the window (see `isStale`).
        this.pointerDownBatch = null;
        this.nextEventId = 1;
        this.ackTimers = new Map();
    }

    /**
     * Listens on the window's root: notes the batch count at each pointerdown, in the capture
     * phase so that no page script can hide it.
     */
    attachRoot(root) {
        root.addEventListener('pointerdown', event => this.pointerDown(event), { capture: true });
    }

    pointerDown() {
        const engine = this.win.engine;
        this.pointerDownBatch = engine ? engine.batch : null;
    }

    /**
     * Whether a pointer click is for content that a patch changed after the pointer went down:
     * its target or the listening element was replaced, re-attributed or got other children.
     * The user pressed on something else; the click is dropped. A click without a pointer
     * (keyboard: `detail` 0) is never stale.
     */
    isStale(event, element) {
        const engine = this.win.engine;
        if (!engine || this.pointerDownBatch === null || !(event.detail > 0)) {
            return false;
        }
        const since = this.pointerDownBatch;
        return engine.changedIn(element) > since || engine.changedIn(event.target) > since;
    }

    /**
     * Whether the user has input in `control` (an input, textarea or select, or an option of
     * a select) that the server has not seen yet: typed and not sent, or sent and not
     * acknowledged. A patch does not overwrite its live value then.
     */
    isEditing(control) {
        let element = control;
        if (element && upperTag(element) !== 'SELECT' && upperTag(element) !== 'INPUT' && upperTag(element) !== 'TEXTAREA') {
            // An option: its select holds the user's choice.
            element = element.parentNode;
            if (element && upperTag(element) === 'OPTGROUP') {
                element = element.parentNode;
            }
        }
        if (!element) {
            return false;
        }
        return this.pending.has(element) || this.dirty.has(element) || this.inFlight.has(element);
    }

    /**
     * Sends every pending debounced change, in the order the typing began, up to and including
     * the one of `until` (all of them if null).
     */
    flushPending(until = null) {
        for (const [element, entry] of [...this.pending]) {
            clearTimeout(entry.timer);
            this.pending.delete(element);
            if (element.isConnected !== false) {
                this.sendChange(element, entry.target);
            }
            if (element === until) {
                return;
            }
        }
    }

    sendChange(element, target) {
        this.dirty.delete(element);
        const eventId = this.send(element, this.win.P.INPUT_EVENT_TYPE.CHANGE, changeValue(element), target);
        if (eventId !== null) {
            this.inFlight.set(element, eventId);
        }
        return eventId;
    }

    /** Forgets pending events and restarts the ids at 1 (a new view started). */
    reset() {
        this.stopTimers();
        for (const entry of this.pending.values()) {
            clearTimeout(entry.timer);
        }
        this.pending.clear();
        this.dirty = new WeakSet();
        this.inFlight.clear();
        this.nextEventId = 1;
    }

    /**
     * Stops waiting for the ACKs of the events sent (the socket closed), and keeps everything
     * else: the view is resumed with its unsent input and its event ids.
     */
    stopTimers() {
        for (const [eventId, timer] of this.ackTimers) {
            clearTimeout(timer);
            this.releaseNotice(eventId);
        }
        this.ackTimers.clear();
    }

    /** The server acknowledged an event. */
    ack(eventId) {
        const timer = this.ackTimers.get(eventId);
        if (timer !== undefined) {
            clearTimeout(timer);
            this.ackTimers.delete(eventId);
        }
        for (const [element, id] of this.inFlight) {
            if (String(id) === String(eventId)) {
                this.inFlight.delete(element);
            }
        }
        this.releaseNotice(eventId);
    }

    /**
     * The server received every event up to `eventId` (RESUMED says so): none of them is
     * waited for any more, and their controls' values are the server's.
     */
    ackUpTo(eventId) {
        for (const id of [...this.ackTimers.keys()]) {
            if (Number(id) <= eventId) {
                this.ack(id);
            }
        }
        for (const [element, id] of [...this.inFlight]) {
            if (Number(id) <= eventId) {
                this.inFlight.delete(element);
            }
        }
    }

    releaseNotice(eventId) {
        const notices = this.win.context && this.win.context.notices;
        if (notices) {
            notices.hide('input-event-timeout', `${this.win.id}:${eventId}`);
        }
    }

    /**
     * Sends an INPUT_EVENT and starts its ACK timer; returns the event id, or null if there is
     * no running view or no connection. Every pending debounced change of the window goes
     * first: the server gets the events in the order the user caused them.
     */
    fire(node, eventType, data, targetNode) {
        this.flushPending();
        return this.send(node, eventType, data, targetNode);
    }

    send(node, eventType, data, targetNode) {
        const win = this.win;
        if (win.runtimeId === null || win.runtimeId === undefined) {
            return null;
        }
        const eventId = this.nextEventId;
        const frame = inputEventFrame(
            win.P, win.id, win.runtimeId, eventId, eventType,
            data === undefined ? [] : data, nodeInfo(node), nodeInfo(targetNode),
        );
        const delivery = win.sendInputEvent(frame, eventId);
        if (delivery === null) {
            return null;
        }
        this.nextEventId += 1;
        if (delivery === 'sent') {
            this.startAckTimer(eventId);
        }
        return eventId;
    }

    /** Shows "Waiting for server..." if the event sent as `eventId` is not acknowledged in time. */
    startAckTimer(eventId) {
        const timeout = Number(getSettings().input_event_timeout);
        if (timeout > 0) {
            this.ackTimers.set(eventId, setTimeout(() => this.timedOut(eventId), timeout * 1000));
        }
    }

    timedOut(eventId) {
        if (!this.ackTimers.has(eventId)) {
            return;
        }
        const context = this.win.context;
        if (context && context.notices) {
            context.notices.show('input-event-timeout', 'Waiting for server...', `${this.win.id}:${eventId}`);
        }
        if (context && typeof context._run_input_event_timeout_hooks === 'function') {
            context._run_input_event_timeout_hooks(this.win);
        }
    }

    /**
     * (Re)attaches the listeners of one element from its tag and `data-lona-events`. `memo`:
     * see `isIgnored`.
     */
    patch(element, memo = null) {
        if (!element || element.nodeType !== ELEMENT_NODE) {
            return;
        }
        const previous = this.controllers.get(element);
        if (previous !== undefined) {
            previous.abort();
            this.controllers.delete(element);
        }
        if (isIgnored(element, memo)) {
            return;
        }
        const T = this.win.P.INPUT_EVENT_TYPE;
        const events = parseEventsAttribute(element.getAttribute(EVENTS_ATTRIBUTE));
        const tag = upperTag(element);
        if (events.size === 0 && tag !== 'A' && tag !== 'FORM') {
            return;
        }
        const controller = new AbortController();
        let used = false;
        const on = (type, listener) => {
            element.addEventListener(type, event => this.guard(() => listener(event)), { signal: controller.signal });
            used = true;
        };
        if (tag === 'A' && !events.has(T.CLICK)) {
            on('click', event => this.onLink(event, element));
        }
        if (tag === 'FORM') {
            on('submit', event => this.onSubmit(event, element));
        }
        for (const [code, delay] of events) {
            if (code === T.CLICK) {
                on('click', event => this.onClick(event, element));
            } else if (code === T.CHANGE && delay !== null) {
                on('input', event => this.onDebouncedInput(event, element, delay));
            } else if (code === T.CHANGE) {
                on('input', () => this.dirty.add(element));
                on('change', event => this.onChange(event, element));
            } else if (code === T.FOCUS) {
                on('focus', event => this.onFocusOrBlur(event, element, T.FOCUS));
            } else if (code === T.BLUR) {
                on('blur', event => this.onFocusOrBlur(event, element, T.BLUR));
            }
        }
        if (used) {
            this.controllers.set(element, controller);
        }
    }

    guard(fn) {
        try {
            fn();
        } catch (error) {
            this.win.crash(error);
        }
    }

    onClick(event, element) {
        event.preventDefault();
        // The innermost clickable element wins.
        event.stopPropagation();
        if (this.isStale(event, element)) {
            return;
        }
        this.fire(element, this.win.P.INPUT_EVENT_TYPE.CLICK, clickData(event, element), event.target);
    }

    onChange(event, element) {
        event.stopPropagation();
        this.flushPending();
        this.sendChange(element, event.target);
    }

    onDebouncedInput(event, element, delay) {
        event.stopPropagation();
        const entry = this.pending.get(element);
        if (entry !== undefined) {
            clearTimeout(entry.timer);
        }
        // Map.set keeps the place of an element already pending: its typing began earlier.
        this.pending.set(element, {
            target: event.target,
            timer: setTimeout(() => this.guard(() => this.flushPending(element)), delay),
        });
    }

    onFocusOrBlur(event, element, eventType) {
        // Moving or removing a focused element while rendering is not the user's doing.
        if (this.win.rendering) {
            return;
        }
        this.fire(element, eventType, [], event.target);
    }

    onLink(event, link) {
        if (this.isStale(event, link)) {
            event.preventDefault();
            event.stopPropagation();
            return;
        }
        const url = linkTarget(event, link, this.win.url.href);
        if (url === null) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        this.win.run_view(url.href, null, { push: true });
    }

    onSubmit(event, form) {
        const T = this.win.P.INPUT_EVENT_TYPE;
        if (T.SUBMIT !== undefined && parseEventsAttribute(form.getAttribute(EVENTS_ATTRIBUTE)).has(T.SUBMIT)) {
            this.onSubmitInView(event, form);
            return;
        }
        const submitter = event.submitter || null;
        const attribute = name => (submitter && submitter.getAttribute(`form${name}`)) || form.getAttribute(name);
        const method = String(attribute('method') || 'get').toLowerCase();
        const target = attribute('target');
        if (method === 'dialog' || (target && target !== '_self')) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        let formData;
        try {
            formData = submitter ? new FormData(form, submitter) : new FormData(form);
        } catch {
            // Browsers without the submitter argument.
            formData = new FormData(form);
        }
        const entries = Array.from(formData.entries());
        const action = attribute('action');
        const url = action ? new URL(action, this.win.url.href) : new URL(this.win.url.href);
        if (method === 'post') {
            this.win.run_view(url.href, formPostData(entries, multiSelectNames(form)), { push: true });
        } else {
            this.win.run_view(formGetUrl(url.href, entries), null, { push: true });
        }
    }

    /** A form the view handles: its fields go to the server, the page stays (see submit.js). */
    onSubmitInView(event, form) {
        event.preventDefault();
        event.stopPropagation();
        const submitter = event.submitter || null;
        // `fire` sends the window's pending delayed changes first, so the server sees the
        // changes the user made before the submit, in order.
        const fields = submitFields(form, submitter, changeValue);
        this.fire(form, this.win.P.INPUT_EVENT_TYPE.SUBMIT, fields, submitter || form);
    }
}
