// A fake browser around the fake DOM: document, location, history, window listeners and a
// WebSocket whose instances the test drives. `install()` sets the globals, `restore()` removes
// them again.

import { FakeDocument } from './fake-dom.mjs';

export class FakeWebSocket {
    static instances = [];

    constructor(url) {
        this.url = url;
        this.sent = [];
        this.closed = false;
        this.onopen = null;
        this.onmessage = null;
        this.onclose = null;
        FakeWebSocket.instances.push(this);
    }

    send(text) {
        if (this.closed) {
            throw new Error('send on a closed socket');
        }
        this.sent.push(text);
    }

    close() {
        this.closed = true;
    }

    // Test side.
    open() {
        this.onopen?.({ type: 'open' });
    }

    receive(data) {
        this.onmessage?.({ type: 'message', data });
    }

    /** The connection ends: abnormally (1006) unless the server sends a close code. */
    drop(code = 1006) {
        this.closed = true;
        this.onclose?.({ type: 'close', code });
    }
}

const NAMES = ['document', 'location', 'history', 'WebSocket', 'addEventListener', 'scrollTo'];

export function install(href = 'http://localhost:8080/count/?x=1') {
    const saved = new Map(NAMES.map(name => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));
    const doc = new FakeDocument();
    const root = doc.createElement('div');
    root.setAttribute('id', 'lona');
    doc.body.appendChild(root);
    doc.querySelector = selector => {
        if (selector === '#lona') {
            return root;
        }
        throw new Error(`the fake document only knows #lona, not ${selector}`);
    };

    const listeners = new Map();
    const pushed = [];
    const replaced = [];
    const scrolls = [];
    const location = {
        url: new URL(href),
        get href() {
            return this.url.href;
        },
        set href(value) {
            this.url = new URL(value, this.url);
            this.assigned = this.url.href;
        },
        get protocol() {
            return this.url.protocol;
        },
        get host() {
            return this.url.host;
        },
        get pathname() {
            return this.url.pathname;
        },
        assigned: null,
        reloads: 0,
        reload() {
            this.reloads += 1;
        },
    };
    const history = {
        pushState(state, title, url) {
            location.url = new URL(url, location.url);
            pushed.push(location.url.href);
        },
        replaceState(state, title, url) {
            location.url = new URL(url, location.url);
            replaced.push(location.url.href);
        },
    };
    FakeWebSocket.instances = [];
    const values = {
        document: doc,
        location,
        history,
        WebSocket: FakeWebSocket,
        addEventListener: (type, listener) => {
            listeners.set(type, [...(listeners.get(type) || []), listener]);
        },
        scrollTo: (x, y) => scrolls.push([x, y]),
    };
    for (const [name, value] of Object.entries(values)) {
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    return {
        doc,
        root,
        location,
        pushed,
        replaced,
        scrolls,
        sockets: FakeWebSocket.instances,
        dispatch(type, event = {}) {
            for (const listener of listeners.get(type) || []) {
                listener({ type, ...event });
            }
        },
        restore() {
            for (const [name, descriptor] of saved) {
                if (descriptor === undefined) {
                    delete globalThis[name];
                } else {
                    Object.defineProperty(globalThis, name, descriptor);
                }
            }
        },
    };
}
