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

import { RenderingEngine } from './rendering.js';
import { InputEventHandler } from './input-events.js';
import { widgetClasses, WIDGET_DATA_EVENT } from './widgets.js';
import { getProtocol, getSettings, viewFrame, clientErrorFrame } from './protocol.js';

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
        this.clearViewStartTimer();
        if (settings.update_title && settings.title && this.isDefault()) {
            this.doc.title = settings.title;
        }
        if (!this.send(viewFrame(this.P, this.id, this.url.href, postData))) {
            // Not connected: the VIEW goes out on (re)connect.
            return;
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

    /** The socket closed: nothing pending will be answered. */
    disconnected() {
        this.clearViewStartTimer();
        this.inputEvents.reset();
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
        const { runtimeId, method, payload } = frame;

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
                this.show(html);
            }
        } else if (method === M.INPUT_EVENT_ACK) {
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
        this.engine.clear();
        this.inputEvents.reset();
        if (this.isDefault()) {
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

    show(html) {
        let touched;
        this.rendering = true;
        try {
            touched = this.engine.show(html);
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
