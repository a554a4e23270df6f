// Frames and codes: every code comes from the protocol object, frames match Lona's bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
    MESSAGE_PREFIX, encodeFrame, parseFrame, viewFrame, inputEventFrame, clientErrorFrame, pingFrame,
    ackFrame, resumeFrame, ackSupported, errorMessage, setProtocol, getProtocol, setSettings, getSettings, DEFAULT_SETTINGS,
} from '../protocol.js';
import { RenderingEngine } from '../rendering.js';
import { Notices } from '../notices.js';
import { makeRoot } from './fake-dom.mjs';
import { P, P_ACK } from './helpers.mjs';

// The same protocol with every code moved: code that hard-coded a number would break.
function shifted(protocol, offset) {
    return Object.fromEntries(Object.entries(protocol).map(([group, codes]) => [
        group,
        Object.fromEntries(Object.entries(codes).map(([name, code]) => [name, code + offset])),
    ]));
}

test('the fixture is codes_json() and has every group', () => {
    assert.deepEqual(Object.keys(P), ['METHOD', 'INPUT_EVENT_TYPE', 'NODE_TYPE', 'DATA_TYPE', 'PATCH_TYPE', 'OPERATION']);
    assert.equal(P.METHOD.VIEW + P.OPERATION.REMOVE, 807);
});

test('client frames have Lona\'s exact bytes', () => {
    assert.equal(viewFrame(P, 1, 'http://localhost:8080/count/?x=1', null), 'lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]');
    assert.equal(viewFrame(P, 1, 'http://localhost:8080/form/', { name: 'foo', tags: ['a', 'b'] }),
        'lona:[1,null,101,["http://localhost:8080/form/",{"name":"foo","tags":["a","b"]}]]');
    assert.equal(inputEventFrame(P, 1, '1', 4, P.INPUT_EVENT_TYPE.FOCUS, undefined, ['7', 'INPUT', '', ''], ['7', 'INPUT', '', '']),
        'lona:[1,"1",102,[4,304,[],["7","INPUT","",""],["7","INPUT","",""]]]');
    assert.equal(pingFrame(P), 'lona:[null,null,105,null]');
    assert.equal(clientErrorFrame(P, 1, '1', 'plain'), 'lona:[1,"1",104,["plain"]]');
    assert.equal(clientErrorFrame(P, 1, null, 'x'), 'lona:[1,null,104,["x"]]');
});

test('frames follow the protocol object', () => {
    const Q = shifted(P, 1000);
    assert.equal(pingFrame(Q), 'lona:[null,null,1105,null]');
    assert.equal(viewFrame(Q, 2, 'http://h/', null), 'lona:[2,null,1101,["http://h/",null]]');
});

test('the rendering engine follows the protocol object', () => {
    const Q = shifted(P, 1000);
    const { doc, root } = makeRoot();
    const engine = new RenderingEngine({ doc, root, protocol: Q });
    engine.show([Q.DATA_TYPE.HTML_TREE, [Q.NODE_TYPE.NODE, '1', '', 'p', [], [], {}, {}, [[Q.NODE_TYPE.TEXT_NODE, '2', 'a']], '', null]]);
    engine.show([Q.DATA_TYPE.HTML_UPDATE, [
        ['1', Q.PATCH_TYPE.CLASS_LIST, Q.OPERATION.ADD, 'x'],
        ['1', Q.PATCH_TYPE.NODES, Q.OPERATION.INSERT, 1, [Q.NODE_TYPE.TEXT_NODE, '3', 'b']],
    ]]);
    assert.equal(root.innerHTML, '<p data-lona-node-id="1" class="x">ab</p>');
    assert.throws(() => engine.show([P.DATA_TYPE.HTML_TREE, []]), /unknown data type 502/);
});

test('parseFrame reads protocol frames and rejects everything else', () => {
    assert.deepEqual(parseFrame('lona:[1,"1",204,null]'), { windowId: 1, runtimeId: '1', method: 204, payload: null });
    assert.equal(parseFrame('hello'), null);
    assert.equal(parseFrame('lona:{"a":1}'), null);
    assert.equal(parseFrame('lona:[1,2,3]'), null);
    assert.equal(parseFrame('lona:[1,'), null);
    assert.equal(parseFrame(new ArrayBuffer(2)), null);
    assert.equal(encodeFrame(undefined, undefined, 1, undefined), `${MESSAGE_PREFIX}[null,null,1,null]`);
});

test('parseFrame reads the sequence number of a frame in ack mode, and only a positive integer', () => {
    assert.deepEqual(parseFrame('lona:[1,"1",204,{"resume":"t"},1]'), { windowId: 1, runtimeId: '1', method: 204, payload: { resume: 't' }, seq: 1 });
    assert.equal(parseFrame('lona:[1,"1",204,null]').seq, undefined);
    for (const bad of ['0', '-1', '1.5', '"2"', 'null']) {
        assert.equal(parseFrame(`lona:[1,"1",203,null,${bad}]`), null, bad);
    }
    assert.equal(parseFrame('lona:[1,"1",203,null,1,2]'), null);
});

test('the acknowledged stream is negotiated only when the page\'s codes have all its methods', () => {
    assert.equal(ackSupported(P), false, 'codes_json() without the extension: Lona\'s plain protocol');
    assert.equal(ackSupported(P_ACK), true);
    const partial = { ...P_ACK.METHOD };
    delete partial.RESUME_FAILED;
    assert.equal(ackSupported({ ...P_ACK, METHOD: partial }), false);
});

test('frames of the acknowledged stream', () => {
    const M = P_ACK.METHOD;
    assert.equal(viewFrame(P_ACK, 1, 'http://h/a/', null, true), `lona:[1,null,${M.VIEW},["http://h/a/",null,{"ack":1}]]`);
    assert.equal(viewFrame(P_ACK, 1, 'http://h/a/', { x: '1' }, true), `lona:[1,null,${M.VIEW},["http://h/a/",{"x":"1"},{"ack":1}]]`);
    assert.equal(viewFrame(P_ACK, 1, 'http://h/a/', null, false), `lona:[1,null,${M.VIEW},["http://h/a/",null]]`);
    assert.equal(ackFrame(P_ACK, 2, '7', 12), `lona:[2,"7",${M.ACK},12]`);
    assert.equal(resumeFrame(P_ACK, 1, '7', 'http://h/a/', 9, 'abc', 4), `lona:[1,"7",${M.RESUME},["http://h/a/",9,"abc",4]]`);
});

test('setProtocol checks the shape; settings fall back to the defaults', () => {
    assert.throws(() => setProtocol(null), TypeError);
    assert.throws(() => setProtocol({ METHOD: {} }), /lacks the group INPUT_EVENT_TYPE/);
    setProtocol(P);
    assert.equal(getProtocol(), P);
    setSettings({ ping_interval: 0 });
    assert.equal(getSettings().ping_interval, 0);
    assert.equal(getSettings().reconnect_max_timeout, DEFAULT_SETTINGS.reconnect_max_timeout);
    setSettings({});
    assert.deepEqual(getSettings(), { ...DEFAULT_SETTINGS });
});

test('error messages carry the stack, with the message in front when the stack lacks it', () => {
    const error = new Error('boom');
    assert.equal(errorMessage(error), error.stack);
    const firefoxLike = { stack: 'f@http://h/lona.js:1:2', toString: () => 'Error: boom' };
    assert.equal(errorMessage(firefoxLike), 'Error: boom\nf@http://h/lona.js:1:2');
    assert.equal(errorMessage('text'), 'text');
});

test('notices: shown while held, one element per kind', () => {
    const { doc } = makeRoot();
    const notices = new Notices(() => doc);
    notices.show('input-event-timeout', 'Waiting for server...', 'a');
    notices.show('input-event-timeout', 'Waiting for server...', 'b');
    notices.show('disconnected', 'Connection lost, reconnecting...');
    assert.equal(doc.body.textContent, 'Waiting for server...Connection lost, reconnecting...');
    notices.hide('input-event-timeout', 'a');
    assert.equal(notices.isShown('input-event-timeout'), true);
    notices.hide('input-event-timeout', 'b');
    assert.equal(notices.isShown('input-event-timeout'), false);
    notices.hide('disconnected', null);
    assert.equal(doc.body.textContent, '');
    assert.equal(new Notices(() => undefined).show('x', 'y'), undefined, 'no document, no notice');
});
