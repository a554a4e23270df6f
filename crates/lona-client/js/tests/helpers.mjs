// Shared by the tests: the real protocol codes (as `codes_json()` prints them) and an engine
// on a fresh fake document.

import { readFileSync } from 'node:fs';

import { RenderingEngine } from '../rendering.js';
import { widgetClasses } from '../widgets.js';
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
