// One window: a DOM element that shows one view at a time, addressed by a window id.
//
// It sends VIEW for its URL, adopts the runtime id of VIEW_START, ignores messages of other
// runtimes (REDIRECT and HTTP_REDIRECT are handled before that check), renders DATA, and
// reports its own failures to the server as CLIENT_ERROR.
//
// History: a navigation the user makes (a link, a form, `run_view`) or a REDIRECT adds a
// history entry when the new view starts. A view that redirects before it showed anything is
// a hop, like an HTTP 302: the target's entry replaces the hop's, so that Back goes to the view
// before the hop instead of running the hop (and its redirect) again.
//
// Resume (when the page's codes have the acknowledged stream, see stream.js): VIEW asks for ack
// mode; after a reconnect a window in ack mode sends RESUME instead of VIEW and keeps its DOM,
// its unsent input and the events made offline. RESUMED sends again the events sent that the
// server did not get, then those made offline; RESUME_FAILED drops them, says so in a notice
// and starts a fresh view of the same URL.

import { RenderingEngine } from './rendering.js';
import { InputEventHandler } from './input-events.js';
import { widgetClasses, WIDGET_DATA_EVENT } from './widgets.js';
import { AckStream } from './stream.js';
import { getProtocol, getSettings, viewFrame, clientErrorFrame, ackSupported } from './protocol.js';

/** How long the notice of a view the server no longer had stays. */
const RESET_NOTICE_MS = 8000;

/** What a widget gets as its first constructor argument. */
export class WindowShim {
    constructor(lonaWindow, nodeId) {
        this._window = lonaWindow;
        this._nodeId = nodeId;
        this.lona_context = lonaWindow.context;
        this.root_node = lonaWindow.root;
        this.window_id = lonaWindow.id;
    }

    /**
     * Sends an input event; the event type is a code or, for custom events, a name string.
     * `node` defaults to the widget's own node.
     */
    fire_input_event(node, eventType, data, targetNode) {
        return this._window.inputEvents.fire(node || this._nodeId, eventType, data, targetNode);
    }

    /**
     * Changes the widget's data at `path` (a list of keys and indexes; `[]` is the whole data)
     * to `value`, here at once and on the server: sends the custom event `lona.widget_data`
     * with `{path, value}` for the widget's node. The server applies it if the node allows it
     * (`Node::with_widget_sync`), runs the node's handlers, and sends the change to the view's
     * other windows, never back to this one. Returns the event id, or null if it was not sent.
     */
    set_widget_data(path, value) {
        const keys = Array.isArray(path) ? [...path] : [path];
        const widget = this._nodeId === null ? undefined : this._window.engine.widgets.get(String(this._nodeId));
        if (widget === undefined) {
            throw new Error('lona: set_widget_data needs the shim of a widget');
        }
        widget.replace(keys, value);
        return this.fire_input_event(null, WIDGET_DATA_EVENT, { path: keys, value: value === undefined ? null : value });
    }

    /** Sets the window's HTML; only while no view is running. */
    set_html(html) {
        if (this._window.running) {
            throw new Error('lona: cannot set HTML while a view is running');
        }
        this._window.root.innerHTML = html;
    }
}

export class LonaWindow {
    constructor(context, root, id, url) {
        this.context = context;
        this.root = root;
        this.id = id;
        this.P = getProtocol();
        this.doc = root.ownerDocument || globalThis.document;
        this.url = new URL(url, globalThis.location ? globalThis.location.href : undefined);
        this.runtimeId = null;
        this.running = false;
        this.rendering = false;
        // Whether the current view has shown anything yet (a DATA with HTML).
        this.shown = false;
        // What the next VIEW_START does to the history: push a new entry, replace the current
        // one, or neither.
        this.pushPending = false;
        this.replacePending = false;
        this.viewStartTimer = null;
        this.stream = new AckStream(this);
        // The first HTML_TREE after RESUMED (the server's full tree when it could not replay)
        // reuses the DOM nodes of the same ids, so that typed text and focus survive.
        this.reuseNextTree = false;
        // Set by a VIEW that adopts the painted view: its VIEW_START keeps the painted HTML,
        // and the first tree reuses its elements (see `viewStarted`).
        this.adopting = false;
        this.inputEvents = new InputEventHandler(this);
        this.engine = new RenderingEngine({
            doc: this.doc,
            root,
            protocol: this.P,
            widgetClasses,
            makeShim: nodeId => new WindowShim(this, nodeId),
            isEditing: element => this.inputEvents.isEditing(element),
        });
        if (typeof root.addEventListener === 'function') {
            this.inputEvents.attachRoot(root);
        }
    }

    /** The URL of the window's current view. */
    get_url() {
        return this.url;
    }

    send(frame) {
        return this.context.send(frame);
    }

    /**
     * Sends an INPUT_EVENT frame: `'sent'`, `'queued'` (ack mode, not attached: it goes out
     * after the resume) or null (not sent). An ACK of what was applied goes right before it.
     */
    sendInputEvent(frame, eventId) {
        if (this.stream.mustQueue(this.context.connected)) {
            this.stream.enqueue(frame, eventId);
            return 'queued';
        }
        this.stream.flushAck();
        if (!this.send(frame)) {
            return null;
        }
        this.stream.sent(frame, eventId);
        return 'sent';
    }

    /** The socket (re)opened: RESUME the view in ack mode, else VIEW the window's URL. */
    connected() {
        if (this.stream.canResume()) {
            this.stream.sendResume(this.url.href);
        } else {
            this.sendView(null);
        }
    }

    isDefault() {
        return this.context.get_default_window() === this;
    }

    /**
     * Navigates the window: sends VIEW for `url` (resolved against the window's URL).
     * `post_data` is an object for POST forms, else null. When the view starts (default window
     * only), `push` adds a history entry for it, and `replace` puts it in place of the current
     * entry.
     */
    run_view(url, postData = null, { push = false, replace = false } = {}) {
        this.url = new URL(url, this.url);
        this.pushPending = Boolean(push);
        this.replacePending = !push && Boolean(replace);
        this.sendView(postData);
    }

    /** Sends VIEW for the current URL, e.g. after (re)connecting. */
    sendView(postData = null) {
        const settings = this.context.settings;
        this.runtimeId = null;
        this.running = false;
        this.stream.reset();
        this.reuseNextTree = false;
        this.adopting = false;
        this.clearViewStartTimer();
        if (settings.update_title && settings.title && this.isDefault()) {
            this.doc.title = settings.title;
        }
        const ack = ackSupported(this.P);
        // The first VIEW of the page's window adopts the view the server painted it with.
        const adopt = ack && this.isDefault() && postData === null ? this.context.adoptToken : null;
        if (!this.send(viewFrame(this.P, this.id, this.url.href, postData, ack, adopt))) {
            // Not connected: the VIEW goes out on (re)connect.
            return;
        }
        if (adopt !== null) {
            // Single use: a later VIEW (a reconnect, a navigation) starts its view anew.
            this.context.adoptToken = null;
            this.adopting = true;
        }
        const timeout = Number(getSettings().view_start_timeout);
        if (timeout > 0) {
            this.viewStartTimer = setTimeout(() => this.viewStartTimedOut(), timeout * 1000);
        }
    }

    clearViewStartTimer() {
        if (this.viewStartTimer !== null) {
            clearTimeout(this.viewStartTimer);
            this.viewStartTimer = null;
        }
    }

    viewStartTimedOut() {
        this.viewStartTimer = null;
        this.engine.clear();
        const message = this.doc.createElement('div');
        message.setAttribute('class', 'lona-queued');
        message.setAttribute('role', 'status');
        message.textContent = 'Waiting for server...';
        this.root.appendChild(message);
        this.context._run_view_timeout_hooks(this);
    }

    /**
     * The socket closed: nothing pending will be answered. A view in ack mode lives on in the
     * server for a grace time: its unsent input and event ids stay for the resume.
     */
    disconnected() {
        this.clearViewStartTimer();
        this.stream.stopTimer();
        if (this.stream.canResume()) {
            this.inputEvents.stopTimers();
        } else {
            this.inputEvents.reset();
        }
    }

    /**
     * RESUMED with `payload` `{seq, event}`: attached again; the replay follows. Sends again
     * the events the server did not get (ids above `event`), then the events made offline, in
     * order. The events up to `event` count as acknowledged (a full tree instead of a replay
     * carries no INPUT_EVENT_ACK). A missing or malformed `event` is 0: everything kept goes
     * again, and the server drops what it had.
     */
    resumed(payload) {
        if (!this.stream.resuming) {
            return;
        }
        const event = payload !== null && typeof payload === 'object' ? payload.event : undefined;
        const lastReceived = Number.isSafeInteger(event) && event >= 0 ? event : 0;
        this.inputEvents.ackUpTo(lastReceived);
        // New events must be above what the server has, or it would drop them as duplicates.
        this.inputEvents.nextEventId = Math.max(this.inputEvents.nextEventId, lastReceived + 1);
        this.reuseNextTree = true;
        for (const { frame, eventId } of this.stream.resumed(lastReceived)) {
            if (this.sendInputEvent(frame, eventId) === 'sent') {
                this.inputEvents.startAckTimer(eventId);
            }
        }
        this.context.resumeSettled();
    }

    /** RESUME_FAILED: the view is gone. Says so, never silently, and starts a fresh view. */
    resumeFailed(reason) {
        if (!this.stream.resuming) {
            return;
        }
        const why = reason === 'refused' ? 'refused' : 'expired';
        this.inputEvents.reset();
        this.context.showResetNotice(`This page was reset: the server no longer had it (${why}).`, RESET_NOTICE_MS);
        this.sendView(null);
        this.context.resumeSettled();
    }

    /** Handles one protocol frame addressed to this window; failures become CLIENT_ERROR. */
    receive(frame) {
        try {
            this.handle(frame);
        } catch (error) {
            this.crash(error);
        }
    }

    handle(frame) {
        const M = this.P.METHOD;
        const settings = this.context.settings;
        const { runtimeId, method, payload, seq } = frame;

        if (method === M.RESUMED) {
            // Its number is the server's last, not one to apply: the replay follows with theirs.
            if (this.isCurrentRuntime(runtimeId)) {
                this.resumed(payload);
            }
            return;
        }
        if (method === M.RESUME_FAILED) {
            this.resumeFailed(payload);
            return;
        }
        if (method !== M.VIEW_START && this.isCurrentRuntime(runtimeId) && !this.stream.accept(seq)) {
            // Applied before the socket dropped; the resume replayed it.
            return;
        }
        if (method === M.REDIRECT) {
            if (settings.follow_redirects) {
                // The current view redirects before showing anything: it is a hop.
                const hop = this.isCurrentRuntime(runtimeId) && !this.shown;
                this.run_view(String(payload), null, hop ? { replace: true } : { push: true });
            }
            return;
        }
        if (method === M.HTTP_REDIRECT) {
            if (settings.follow_http_redirects) {
                this.context.navigate(new URL(String(payload), this.url).href);
            }
            return;
        }
        if (method === M.VIEW_START) {
            this.viewStarted(runtimeId);
            this.stream.started(payload, seq);
            return;
        }
        if (!this.isCurrentRuntime(runtimeId)) {
            // A message of a previous view of this window, or of a view not started yet.
            return;
        }
        if (method === M.DATA) {
            const [title, html] = Array.isArray(payload) ? payload : [null, null];
            if (settings.update_title && title) {
                this.doc.title = String(title);
            }
            if (html) {
                this.shown = true;
                const reuse = this.reuseNextTree;
                this.reuseNextTree = false;
                this.show(html, reuse);
            }
        } else if (method === M.INPUT_EVENT_ACK) {
            this.stream.confirm(payload);
            this.inputEvents.ack(payload);
        } else if (method === M.VIEW_STOP) {
            this.running = false;
        }
    }

    /** Whether `runtimeId` is the id of the view this window runs now. */
    isCurrentRuntime(runtimeId) {
        return this.runtimeId !== null && runtimeId !== null && runtimeId !== undefined
            && String(runtimeId) === String(this.runtimeId);
    }

    viewStarted(runtimeId) {
        const settings = this.context.settings;
        this.clearViewStartTimer();
        this.runtimeId = runtimeId;
        this.running = true;
        this.shown = false;
        const adopted = this.adopting;
        this.adopting = false;
        if (adopted) {
            // The painted page stays while the tree comes, which then reuses its elements, so
            // nothing flashes and what the user typed meanwhile stays.
            this.engine.adoptPainted();
            this.reuseNextTree = true;
        } else {
            this.engine.clear();
        }
        this.inputEvents.reset();
        if (this.isDefault() && !adopted) {
            if (this.pushPending && settings.update_address_bar) {
                this.context.pushState(this.url.href);
            } else if (this.replacePending && settings.update_address_bar) {
                this.context.replaceState(this.url.href);
            }
            if (settings.scroll_to_top_on_view_start && typeof globalThis.scrollTo === 'function') {
                globalThis.scrollTo(0, 0);
            }
        }
        this.pushPending = false;
        this.replacePending = false;
    }

    /** Renders a DATA's html; `reuse`: see `RenderingEngine.show`. */
    show(html, reuse = false) {
        let touched;
        this.rendering = true;
        try {
            touched = this.engine.show(html, { reuse });
        } finally {
            this.rendering = false;
        }
        const ignored = new Map();
        for (const element of touched) {
            this.inputEvents.patch(element, ignored);
        }
        this.engine.runWidgetHooks();
    }

    /** Logs an error and reports it to the server as CLIENT_ERROR. The window keeps working. */
    crash(error) {
        console.error('lona: client error', error);
        try {
            this.send(clientErrorFrame(this.P, this.id, this.runtimeId, error));
        } catch (sendError) {
            console.error('lona: could not report the client error', sendError);
        }
    }
}
