// The context of one page: the websocket, the windows multiplexed over it, history, pings,
// reconnects and the hooks of the extension API.
//
// The socket is `ws(s)://<host><the page's own path>`. On open, every window sends VIEW for
// its URL; after a reconnect too (the server re-attaches daemon views of the same session and
// starts other views anew), except a window in ack mode, which sends RESUME (see stream.js):
// the "Connection lost" notice stays until every such window is resumed or reset.
// Non-`lona:` frames go to the message handlers.

import { LonaWindow, WindowShim } from './window.js';
import { Notices } from './notices.js';
import { walk } from './rendering.js';
import { getProtocol, getSettings, parseFrame, pingFrame } from './protocol.js';

const DEFAULT_CONTEXT_SETTINGS = Object.freeze({
    target: '#lona',
    title: '',
    update_address_bar: true,
    update_title: true,
    follow_redirects: true,
    follow_http_redirects: true,
    scroll_to_top_on_view_start: true,
    // Adds <link rel="stylesheet"> for lona.css next to this module, unless the page has one.
    load_stylesheet: true,
});

// How long a close right after `beforeunload` waits before it counts as a disconnect: if the
// page is really going away, it never counts.
const UNLOAD_GRACE_MS = 1000;

/** The close code of a socket the server closed for going over one of its limits. */
const POLICY_VIOLATION = 1008;

/** The delay before reconnect attempt `attempt` (0-based): doubling, capped at `max`. */
export function backoffDelay(attempt, base, max) {
    const delay = Number(base) * 2 ** Math.max(0, attempt);
    return Math.min(Number.isFinite(delay) ? delay : Number(max), Number(max));
}

/** The websocket URL of a page: its own path on ws(s). */
export function socketUrl(location) {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + location.host + location.pathname;
}

export class LonaContext {
    constructor(settings = {}) {
        this.settings = { ...DEFAULT_CONTEXT_SETTINGS, ...settings };
        // The page's adopt token (docs/protocol.md, "First paint"): window 1's first VIEW
        // brings it back to take over the view the server painted the page with.
        this.adoptToken = typeof this.settings.adopt === 'string' ? this.settings.adopt : null;
        delete this.settings.adopt;
        this._windows = new Map();
        this._last_window_id = 0;
        this._connect_hooks = [];
        this._disconnect_hooks = [];
        this._view_timeout_hooks = [];
        this._input_event_timeout_hooks = [];
        this._message_handlers = [];

        this.ws = null;
        this.connected = false;
        // Whether a socket of this page opened before: the next open is a reconnect.
        this.wasConnected = false;
        this.unloading = false;
        this.reconnectAttempts = 0;
        this.reconnectTimer = null;
        // Whether the last socket was closed for a policy (see onOpen).
        this.refused = false;
        this.pingTimer = null;
        this.resetNoticeTimer = null;
        this.notices = new Notices(() => globalThis.document);
    }

    // Setup -----------------------------------------------------------------------------------

    /** Creates window 1 on the target, installs the page listeners and connects. */
    setup() {
        if (this.settings.load_stylesheet) {
            loadStylesheet(globalThis.document);
        }
        this.create_window(this.settings.target, globalThis.location.href);

        globalThis.addEventListener('popstate', () => this.onPopState());
        globalThis.addEventListener('beforeunload', () => {
            this.unloading = true;
        });
        globalThis.addEventListener('pageshow', event => {
            // Back from the back-forward cache: the socket was closed meanwhile.
            if (event.persisted) {
                this.unloading = false;
                if (this.ws === null) {
                    this.connect();
                }
            }
        });
        this.startPings();
        this.connect();
    }

    /** Closes the current socket (if any) and connects again. */
    reconnect() {
        const ws = this.ws;
        this.ws = null;
        this.connected = false;
        if (ws !== null) {
            ws.onclose = null;
            ws.close();
        }
        this.connect();
    }

    connect() {
        if (this.reconnectTimer !== null) {
            clearTimeout(this.reconnectTimer);
            this.reconnectTimer = null;
        }
        const ws = new globalThis.WebSocket(socketUrl(globalThis.location));
        this.ws = ws;
        ws.onopen = event => {
            if (this.ws === ws) {
                this.onOpen(event);
            }
        };
        ws.onmessage = event => {
            if (this.ws === ws) {
                this.handleRawMessage(event.data);
            }
        };
        ws.onclose = event => {
            if (this.ws === ws) {
                this.onClose(event);
            }
        };
    }

    onOpen(event) {
        const reconnected = this.wasConnected;
        this.wasConnected = true;
        if (reconnected && getSettings().live_reload) {
            // The server may be a new build: reload rather than VIEW again, so that the page,
            // the client and the static files are the new ones too.
            this.notices.show('disconnected', 'Server is back, reloading...');
            globalThis.location.reload();
            return;
        }
        this.connected = true;
        // A socket the server closed for a policy (1008: a limit this page went over) keeps
        // its backoff growing across reconnects, so a page that trips a limit on every
        // connection knocks ever more slowly instead of once a second.
        if (!this.refused) {
            this.reconnectAttempts = 0;
        }
        for (const lonaWindow of this._windows.values()) {
            lonaWindow.connected();
        }
        this.resumeSettled();
        this.runHooks(this._connect_hooks, event);
    }

    /** Removes the "Connection lost" notice once no window waits for its RESUME's answer. */
    resumeSettled() {
        if (this.connected && ![...this._windows.values()].some(lonaWindow => lonaWindow.stream.resuming)) {
            this.notices.hide('disconnected', null);
        }
    }

    /** Shows the notice of a view the server no longer had, for `ms` milliseconds. */
    showResetNotice(text, ms) {
        this.notices.show('reset', text);
        clearTimeout(this.resetNoticeTimer);
        this.resetNoticeTimer = setTimeout(() => this.notices.hide('reset', null), ms);
    }

    onClose(event) {
        this.ws = null;
        this.connected = false;
        this.refused = event?.code === POLICY_VIOLATION;
        for (const lonaWindow of this._windows.values()) {
            lonaWindow.disconnected();
        }
        if (this.unloading) {
            // Navigating away closes the socket: do not flash the notice. If the page is still
            // here after the grace period, the navigation was cancelled.
            setTimeout(() => {
                this.unloading = false;
                this.disconnected(event);
            }, UNLOAD_GRACE_MS);
            return;
        }
        this.disconnected(event);
    }

    disconnected(event) {
        if (this.ws !== null) {
            return;
        }
        this.runHooks(this._disconnect_hooks, event);
        const settings = getSettings();
        if (!settings.auto_reconnect && !settings.live_reload) {
            this.notices.show('disconnected', 'Connection lost. Reload the page to reconnect.');
            return;
        }
        this.notices.show('disconnected', 'Connection lost, reconnecting...');
        // Live reload waits for a restart that takes as long as a build: try at the first
        // delay every time, so that the page comes back as soon as the server does.
        const max = settings.live_reload ? settings.reconnect_timeout : settings.reconnect_max_timeout;
        const delay = backoffDelay(this.reconnectAttempts, settings.reconnect_timeout, max);
        this.reconnectAttempts += 1;
        this.reconnectTimer = setTimeout(() => {
            this.reconnectTimer = null;
            this.connect();
        }, delay);
    }

    startPings() {
        const interval = Number(getSettings().ping_interval);
        if (!(interval > 0) || this.pingTimer !== null) {
            return;
        }
        this.pingTimer = setInterval(() => {
            if (this.connected) {
                for (const lonaWindow of this._windows.values()) {
                    lonaWindow.stream.flushAck();
                }
                this.send(pingFrame(getProtocol()));
            }
        }, interval * 1000);
    }

    // Messages --------------------------------------------------------------------------------

    /** Sends a frame (a string; anything else is sent as JSON). Returns whether it was sent. */
    send(message) {
        const text = typeof message === 'string' ? message : JSON.stringify(message);
        const ws = this.ws;
        if (ws === null || !this.connected) {
            return false;
        }
        ws.send(text);
        return true;
    }

    handleRawMessage(data) {
        const frame = parseFrame(data);
        if (frame === null) {
            this.runMessageHandlers(data);
            return;
        }
        if (frame.method === getProtocol().METHOD.PONG) {
            return;
        }
        const lonaWindow = this._windows.get(frame.windowId);
        if (lonaWindow !== undefined) {
            lonaWindow.receive(frame);
        }
    }

    runMessageHandlers(message) {
        for (const handler of this._message_handlers) {
            let passOn;
            try {
                passOn = handler(this, message);
            } catch (error) {
                console.error('lona: message handler failed', error);
                return;
            }
            // A handler returns the message to pass it on.
            if (!passOn) {
                return;
            }
        }
    }

    // Windows ---------------------------------------------------------------------------------

    /** Creates a window on an element (or selector) showing `url`; returns its id. */
    create_window(root, url) {
        const element = typeof root === 'string' ? globalThis.document.querySelector(root) : root;
        if (!element) {
            throw new Error(`lona: no element ${root} to create a window on`);
        }
        this._last_window_id += 1;
        const id = this._last_window_id;
        const lonaWindow = new LonaWindow(this, element, id, url || globalThis.location.href);
        this._windows.set(id, lonaWindow);
        if (this.connected) {
            lonaWindow.sendView(null);
        }
        return id;
    }

    /** The window with the lowest id. */
    get_default_window() {
        if (this._windows.size === 0) {
            return undefined;
        }
        return this._windows.get(Math.min(...this._windows.keys()));
    }

    /** Runs a view on the default window, with a history entry. */
    run_view(url, postData = null) {
        const lonaWindow = this.get_default_window();
        if (lonaWindow === undefined) {
            throw new Error('lona: there is no window');
        }
        lonaWindow.run_view(url, postData, { push: true });
    }

    /** Attaches input-event handlers to server-rendered HTML outside the windows. */
    patch_input_events(rootSelector, windowId) {
        const lonaWindow = windowId === undefined ? this.get_default_window() : this._windows.get(windowId);
        const root = globalThis.document.querySelector(rootSelector);
        if (!lonaWindow || !root) {
            return;
        }
        const ignored = new Map();
        walk(root, node => {
            if (node.nodeType === 1) {
                lonaWindow.inputEvents.patch(node, ignored);
            }
        });
    }

    onPopState() {
        if (!this.settings.update_address_bar) {
            return;
        }
        const lonaWindow = this.get_default_window();
        if (lonaWindow === undefined) {
            return;
        }
        const target = new URL(globalThis.location.href);
        const current = lonaWindow.url;
        // Only the anchor changed: the browser scrolls, the view stays.
        if (target.pathname === current.pathname && target.search === current.search && target.hash !== current.hash) {
            return;
        }
        lonaWindow.run_view(target.href, null, { push: false });
    }

    pushState(url) {
        if (globalThis.location && globalThis.location.href === url) {
            return;
        }
        globalThis.history.pushState({}, '', url);
    }

    replaceState(url) {
        if (globalThis.location && globalThis.location.href === url) {
            return;
        }
        globalThis.history.replaceState({}, '', url);
    }

    navigate(url) {
        globalThis.location.href = url;
    }

    // Hooks -----------------------------------------------------------------------------------

    add_connect_hook(hook) {
        this._connect_hooks.push(hook);
    }

    add_disconnect_hook(hook) {
        this._disconnect_hooks.push(hook);
    }

    add_view_timeout_hook(hook) {
        this._view_timeout_hooks.push(hook);
    }

    add_input_event_timeout_hook(hook) {
        this._input_event_timeout_hooks.push(hook);
    }

    /** Adds a handler for non-`lona:` frames: `handler(context, message)`; return the message to pass it on. */
    add_message_handler(handler) {
        this._message_handlers.push(handler);
    }

    runHooks(hooks, event) {
        for (const hook of hooks) {
            try {
                hook(this, event);
            } catch (error) {
                console.error('lona: hook failed', error);
            }
        }
    }

    _run_view_timeout_hooks(lonaWindow) {
        this.runWindowHooks(this._view_timeout_hooks, lonaWindow);
    }

    _run_input_event_timeout_hooks(lonaWindow) {
        this.runWindowHooks(this._input_event_timeout_hooks, lonaWindow);
    }

    runWindowHooks(hooks, lonaWindow) {
        if (hooks.length === 0) {
            return;
        }
        const shim = new WindowShim(lonaWindow, null);
        for (const hook of hooks) {
            try {
                hook(this, shim);
            } catch (error) {
                lonaWindow.crash(error);
            }
        }
    }

    // Inspection ------------------------------------------------------------------------------

    /** A snapshot of the connection and the windows, for tests and debugging. */
    state() {
        return {
            connected: this.connected,
            windows: [...this._windows.values()].map(lonaWindow => ({
                id: lonaWindow.id,
                url: lonaWindow.url.href,
                runtime_id: lonaWindow.runtimeId,
                running: lonaWindow.running,
                nodes: lonaWindow.engine.nodes.size,
                widgets: lonaWindow.engine.widgets.size,
                // The acknowledged stream: whether it was negotiated, the last sequence number
                // applied, whether a RESUME waits for its answer, the events made offline, the
                // last event sent and those sent and not known received.
                ack_mode: lonaWindow.stream.enabled,
                last_applied: lonaWindow.stream.lastApplied,
                resuming: lonaWindow.stream.resuming,
                queued: lonaWindow.stream.queue.length,
                last_sent: lonaWindow.stream.lastSent,
                unconfirmed: lonaWindow.stream.unconfirmed.length,
            })),
        };
    }
}

function loadStylesheet(doc) {
    if (!doc || !doc.head || doc.querySelector('link[data-lona-stylesheet]')) {
        return;
    }
    let href;
    try {
        href = new URL('./lona.css', import.meta.url).href;
    } catch {
        return;
    }
    for (const link of doc.querySelectorAll('link[rel="stylesheet"]')) {
        if (link.href === href) {
            return;
        }
    }
    const link = doc.createElement('link');
    link.setAttribute('rel', 'stylesheet');
    link.setAttribute('href', href);
    link.setAttribute('data-lona-stylesheet', '');
    doc.head.appendChild(link);
}
