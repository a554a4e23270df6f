// Shared by the tests: the real protocol codes (as `codes_json()` prints them), an engine on a
// fresh fake document, and a whole page (context, windows, socket) in a fake browser.

import { readFileSync } from 'node:fs';
import { mock } from 'node:test';

import { Lona } from '../lona.js';
import { RenderingEngine } from '../rendering.js';
import { widgetClasses } from '../widgets.js';
import { install } from './fake-browser.mjs';
import { makeRoot } from './fake-dom.mjs';

/** The output of `lona_protocol::codes_json()`. */
export const P = JSON.parse(readFileSync(new URL('./protocol.json', import.meta.url), 'utf8'));

/**
 * The codes with the methods of the acknowledged stream (issue 17) added, as `codes_json()`
 * prints them once the server has them: the client negotiates only when they are there.
 */
export const P_ACK = { ...P, METHOD: { ...P.METHOD, ACK: 106, RESUME: 107, RESUMED: 207, RESUME_FAILED: 208 } };

/** A rendering engine on a fresh fake document, with the global widget registry. */
export function makeEngine({ classes = widgetClasses, makeShim = nodeId => ({ nodeId }) } = {}) {
    const { doc, root } = makeRoot();
    const engine = new RenderingEngine({ doc, root, protocol: P, widgetClasses: classes, makeShim });
    return { doc, root, engine };
}

/** Parses the JSON after `lona:` of a frame. */
export function framePayload(frame) {
    if (!frame.startsWith('lona:')) {
        throw new Error(`not a lona frame: ${frame}`);
    }
    return JSON.parse(frame.slice('lona:'.length));
}

const PAGE_SETTINGS = {
    ping_interval: 60,
    view_start_timeout: 2,
    input_event_timeout: 2,
    auto_reconnect: true,
    reconnect_timeout: 1000,
    reconnect_max_timeout: 30000,
};

/**
 * Runs `body` with a set-up context in a fake browser, with mocked timers and the protocol
 * `codes`. `body` gets `{browser, context, ws, errors, warnings}`: `ws()` is the latest socket,
 * `errors` and `warnings` the mocked `console.error` and `console.warn`.
 */
export function withPage(body, { href, settings = {}, contextSettings = {}, codes = P } = {}) {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const errors = mock.method(console, 'error', () => {});
    const warnings = mock.method(console, 'warn', () => {});
    const browser = install(href);
    try {
        Lona.setProtocol(codes);
        Lona.setSettings({ ...PAGE_SETTINGS, ...settings });
        const context = new Lona.LonaContext({
            target: '#lona',
            title: 'Lona',
            update_address_bar: true,
            update_title: true,
            follow_redirects: true,
            follow_http_redirects: true,
            scroll_to_top_on_view_start: true,
            load_stylesheet: false,
            ...contextSettings,
        });
        context.setup();
        const ws = () => browser.sockets.at(-1);
        return body({ browser, context, ws, errors, warnings });
    } finally {
        browser.restore();
        errors.mock.restore();
        warnings.mock.restore();
        mock.timers.reset();
        Lona.setSettings({});
    }
}
