// The acknowledged stream and resume in a fake browser: negotiation (and none without the
// codes), sequence numbers and duplicates, ACK timing, the offline queue, RESUMED and
// RESUME_FAILED, and typed text kept across a resume.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { FakeEvent } from './fake-dom.mjs';
import { P, P_ACK, withPage, framePayload } from './helpers.mjs';

const M = P_ACK.METHOD;
const T = P_ACK.INPUT_EVENT_TYPE;
const URL_ = 'http://localhost:8080/count/?x=1';
const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAA';

function node(id, tag, children = [], attributes = {}) {
    return [P.NODE_TYPE.NODE, id, '', tag, [], [], {}, attributes, children, '', null];
}

function text(id, value) {
    return [P.NODE_TYPE.TEXT_NODE, id, value];
}

/** The counter page: a count (node 2), a button (3) and a debounced text input (5). */
function tree(count, value = '') {
    return [P.DATA_TYPE.HTML_TREE, node('1', 'div', [
        node('2', 'span', [text('20', String(count))], { id: 'count' }),
        node('3', 'button', [text('4', '+1')], { 'data-lona-events': `${T.CLICK}` }),
        node('5', 'input', [], { type: 'text', value, 'data-lona-events': `${T.CHANGE}:300` }),
    ])];
}

function countPatch(count) {
    return [P.DATA_TYPE.HTML_UPDATE, [['2', P.PATCH_TYPE.NODES, P.OPERATION.RESET, [text('20', String(count))]]]];
}

/** A server frame of window 1, runtime "1", with sequence number `seq` (none if undefined). */
function frame(method, payload, seq, windowId = 1, runtimeId = '1') {
    const parts = [windowId, runtimeId, method, payload];
    if (seq !== undefined) {
        parts.push(seq);
    }
    return `lona:${JSON.stringify(parts)}`;
}

const data = (html, seq) => frame(M.DATA, ['', html], seq);

/** Opens the socket and starts window 1 in ack mode at seq 1, then shows the tree at seq 2. */
function startAck(ws) {
    ws().open();
    ws().receive(frame(M.VIEW_START, { resume: TOKEN }, 1));
    ws().receive(data(tree(7), 2));
}

function count(browser) {
    return browser.root.innerHTML.match(/id="count">(\d+)</)[1];
}

function click(context, id = '3') {
    context.get_default_window().engine.getNode(id).dispatchEvent(new FakeEvent('click', { detail: 0 }));
}

function typeInto(context, value, id = '5') {
    const input = context.get_default_window().engine.getNode(id);
    input.value = value;
    input.dispatchEvent(new FakeEvent('input'));
    return input;
}

/** [method, payload] of each lona frame sent. */
function sentFrames(socket) {
    return socket.sent.map(raw => {
        const [, , method, payload] = framePayload(raw);
        return [method, payload];
    });
}

/** The event ids of the INPUT_EVENT frames sent. */
function eventIds(socket) {
    return sentFrames(socket).filter(([method]) => method === M.INPUT_EVENT).map(([, payload]) => payload[0]);
}

test('without the extension\'s codes the client speaks Lona\'s protocol byte for byte', () => {
    withPage(({ browser, context, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive(data(tree(7)));
        click(context);
        mock.timers.tick(60000);
        assert.deepEqual(ws().sent, [
            'lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]',
            'lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,"node_width":0,"node_height":0,"x":0,"y":0},["3","BUTTON","",""],["3","BUTTON","",""]]]',
            'lona:[null,null,105,null]',
        ]);
        ws().drop();
        click(context);
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(ws().sent, ['lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]'], 'VIEW again; the offline click is lost, as in Lona');
        assert.equal(browser.sockets.length, 2);
    }, { codes: P });
});

test('a server that does not agree (VIEW_START without a token) gets the plain flow', () => {
    withPage(({ context, ws }) => {
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.VIEW, [URL_, null, { ack: 1 }]]], 'VIEW asks for the acknowledged stream');
        ws().receive(frame(M.VIEW_START, null));
        ws().receive(data(tree(7)));
        mock.timers.tick(60000);
        click(context);
        assert.deepEqual(sentFrames(ws()).map(([method]) => method), [M.VIEW, M.PING, M.INPUT_EVENT], 'no ACK');
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.VIEW, [URL_, null, { ack: 1 }]]], 'VIEW, not RESUME');
    }, { codes: P_ACK });
});

test('each window keeps the token of its VIEW_START and resumes with it', () => {
    withPage(({ browser, context, ws }) => {
        ws().open();
        const second = browser.doc.createElement('div');
        browser.doc.body.appendChild(second);
        context.create_window(second, '/side/');
        ws().receive(frame(M.VIEW_START, { resume: 'one' }, 1));
        ws().receive(frame(M.VIEW_START, { resume: 'two' }, 1, 2, '9'));
        ws().receive(frame(M.DATA, ['', tree(1)], 2, 2, '9'));
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(ws().sent, [
            `lona:[1,"1",${M.RESUME},["${URL_}",1,"one",0]]`,
            `lona:[2,"9",${M.RESUME},["http://localhost:8080/side/",2,"two",0]]`,
        ]);
    }, { codes: P_ACK });
});

test('frames apply in sequence order; a repeated number is dropped; a new view counts anew', () => {
    withPage(({ browser, context, ws }) => {
        startAck(ws);
        ws().receive(data(countPatch(8), 3));
        ws().receive(data(countPatch(99), 3));
        ws().receive(data(countPatch(99), 2));
        assert.equal(count(browser), '8', 'duplicates after a replay are not applied again');
        ws().receive(data(countPatch(9), 4));
        assert.equal(count(browser), '9');
        assert.equal(context.get_default_window().stream.lastApplied, 4);

        // Frames of another runtime never move the count.
        ws().receive(frame(M.DATA, ['', countPatch(50)], 40, 1, 'old'));
        assert.equal(context.get_default_window().stream.lastApplied, 4);

        // A REDIRECT replayed after it was followed is not followed twice.
        ws().receive(frame(M.REDIRECT, '/next/', 5));
        const views = () => sentFrames(ws()).filter(([method]) => method === M.VIEW).length;
        assert.equal(views(), 2);
        ws().receive(frame(M.REDIRECT, '/next/', 5, 1, '2'));
        assert.equal(views(), 3, 'of another runtime: followed as today');
        ws().receive(frame(M.VIEW_START, { resume: 'new' }, 1, 1, '3'));
        ws().receive(frame(M.DATA, ['', tree(0)], 2, 1, '3'));
        assert.equal(count(browser), '0', 'the new view counts from 1 again');
    }, { codes: P_ACK });
});

test('ACK goes out one second after applying, once, when nothing else went out', () => {
    withPage(({ context, ws }) => {
        startAck(ws);
        mock.timers.tick(999);
        assert.deepEqual(sentFrames(ws()).map(([method]) => method), [M.VIEW]);
        mock.timers.tick(1);
        assert.deepEqual(sentFrames(ws()).at(-1), [M.ACK, 2]);
        mock.timers.tick(10000);
        assert.equal(ws().sent.length, 2, 'nothing new: no ACK');

        // Before an INPUT_EVENT when something new was applied; the timer then sends nothing.
        ws().receive(data(countPatch(8), 3));
        mock.timers.tick(200);
        click(context);
        assert.deepEqual(sentFrames(ws()).slice(-2).map(([method, payload]) => (method === M.ACK ? [method, payload] : method)), [[M.ACK, 3], M.INPUT_EVENT]);
        click(context);
        assert.deepEqual(sentFrames(ws()).at(-2)[0], M.INPUT_EVENT, 'nothing new before the second click');
        const sent = ws().sent.length;
        mock.timers.tick(5000);
        assert.equal(ws().sent.length, sent);

        // With every PING, one ACK per window with something new, before the PING.
        // Now t = 16.2 s.
        ws().receive(frame(M.INPUT_EVENT_ACK, 1, 4));
        mock.timers.tick(1000);
        assert.deepEqual(sentFrames(ws()).at(-1), [M.ACK, 4], 'the timer acknowledges the INPUT_EVENT_ACK');
        mock.timers.tick(60000 - 17200 - 500);
        ws().receive(data(countPatch(9), 5));
        mock.timers.tick(500);
        assert.deepEqual(sentFrames(ws()).slice(-2), [[M.ACK, 5], [M.PING, null]], 'the ping at 60 s');
        mock.timers.tick(1000);
        assert.deepEqual(sentFrames(ws()).at(-1), [M.PING, null], 'the timer has nothing left to send');
    }, { codes: P_ACK });
});

test('offline, events are queued (at most 64, oldest dropped and counted) with ids continuing', () => {
    withPage(({ browser, context, ws, warnings }) => {
        startAck(ws);
        click(context);
        assert.deepEqual(eventIds(ws()), [1]);
        const first = ws();
        first.drop();
        assert.match(browser.doc.body.textContent, /Connection lost, reconnecting\.\.\./);
        for (let i = 0; i < 70; i++) {
            click(context);
        }
        assert.deepEqual(sentFrames(first).map(([method]) => method), [M.VIEW, M.ACK, M.INPUT_EVENT], 'nothing goes to the closed socket');
        assert.equal(context.get_default_window().stream.queue.length, 64);
        assert.equal(warnings.mock.callCount(), 6);
        assert.match(warnings.mock.calls.at(-1).arguments[0], /dropped 6 input event/);

        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(ws().sent, [`lona:[1,"1",${M.RESUME},["${URL_}",2,"${TOKEN}",1]]`], 'RESUME with the last event sent, and the events wait for its answer');
        click(context);
        assert.equal(ws().sent.length, 1, 'an event made while resuming waits too');
        assert.match(browser.doc.body.textContent, /Connection lost/, 'the notice stays until the view is back');

        assert.deepEqual(context.state().windows[0], {
            id: 1, url: URL_, runtime_id: '1', running: true, nodes: 6, widgets: 0,
            ack_mode: true, last_applied: 2, resuming: true, queued: 64, last_sent: 1, unconfirmed: 1,
        });
        ws().receive(frame(M.RESUMED, { seq: 2, event: 1 }, 2));
        assert.equal(context.state().windows[0].resuming, false);
        const ids = eventIds(ws());
        assert.deepEqual(ids, Array.from({ length: 64 }, (_, i) => i + 9), 'the newest 64 of ids 2..72, in order');
        assert.match(warnings.mock.calls.at(-1).arguments[0], /dropped 7 input event/);
        assert.doesNotMatch(browser.doc.body.textContent, /Connection lost/);
        click(context);
        assert.equal(eventIds(ws()).at(-1), 73);
    }, { codes: P_ACK });
});

test('offline, pending changes still go before the click, in the queue', () => {
    withPage(({ browser, context, ws }) => {
        startAck(ws);
        ws().drop();
        typeInto(context, 'half');
        click(context);
        mock.timers.tick(5000);
        assert.doesNotMatch(browser.doc.body.textContent, /Waiting for server/, 'a queued event waits for the socket, not for its answer');
        ws().open();
        ws().receive(frame(M.RESUMED, { seq: 2, event: 0 }, 2));
        const events = sentFrames(ws()).filter(([method]) => method === M.INPUT_EVENT).map(([, [id, type, value]]) => [id, type, type === T.CHANGE ? value : null]);
        assert.deepEqual(events, [[1, T.CHANGE, 'half'], [2, T.CLICK, null]]);
    }, { codes: P_ACK });
});

test('after RESUMED the replay applies only what was missed, and typed text stays', () => {
    withPage(({ browser, context, ws }) => {
        startAck(ws);
        ws().receive(data(countPatch(8), 3));
        ws().drop();
        const input = typeInto(context, 'half-typed');
        mock.timers.tick(1000);
        ws().open();
        ws().receive(frame(M.RESUMED, { seq: 5, event: 0 }, 5));
        ws().receive(data(countPatch(99), 3));
        ws().receive(data(countPatch(9), 4));
        ws().receive(data([P.DATA_TYPE.HTML_UPDATE, [['5', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'server']]], 5));
        assert.equal(count(browser), '9');
        assert.equal(input.value, 'half-typed', 'the replay does not overwrite unsent input');
        assert.equal(context.get_default_window().stream.lastApplied, 5);
        mock.timers.tick(1000);
        assert.deepEqual(sentFrames(ws()).filter(([method]) => method === M.ACK), [[M.ACK, 5]]);
    }, { codes: P_ACK });
});

test('a full tree instead of a replay keeps the DOM nodes, typed text and focus', () => {
    withPage(({ browser, context, ws }) => {
        startAck(ws);
        ws().drop();
        const input = typeInto(context, 'half-typed');
        input.focus();
        mock.timers.tick(1000);
        ws().open();
        ws().receive(frame(M.RESUMED, { seq: 40, event: 0 }, 40));
        ws().receive(data(tree(12, 'server'), 41));
        assert.equal(count(browser), '12');
        assert.equal(context.get_default_window().engine.getNode('5'), input, 'the same element');
        assert.equal(input.value, 'half-typed');
        assert.equal(browser.doc.activeElement, input);

        // Only the first tree after a resume: a view's own later tree renders as always.
        ws().receive(data(tree(13), 42));
        assert.notEqual(context.get_default_window().engine.getNode('5'), input);
    }, { codes: P_ACK });
});

test('RESUME_FAILED drops the queue, says why for a few seconds and starts a fresh view', () => {
    for (const [reason, why] of [['expired', 'expired'], ['refused', 'refused']]) {
        withPage(({ browser, context, ws, warnings }) => {
            startAck(ws);
            click(context);
            ws().drop();
            click(context);
            click(context);
            mock.timers.tick(1000);
            ws().open();
            ws().receive(`lona:[1,null,${M.RESUME_FAILED},"${reason}"]`);
            assert.deepEqual(sentFrames(ws()), [
                [M.RESUME, [URL_, 2, TOKEN, 1]],
                [M.VIEW, [URL_, null, { ack: 1 }]],
            ], 'no queued event is sent; a fresh VIEW of the URL');
            assert.match(warnings.mock.calls.at(-1).arguments[0], /dropped 2 input event/);
            const notice = browser.doc.body.textContent;
            assert.match(notice, new RegExp(`This page was reset: the server no longer had it \\(${why}\\)\\.`));
            assert.doesNotMatch(notice, /Connection lost/, 'told apart from the network notice');

            ws().receive(frame(M.VIEW_START, { resume: 'fresh' }, 1, 1, '2'));
            ws().receive(frame(M.DATA, ['', tree(0)], 2, 1, '2'));
            click(context);
            assert.deepEqual(eventIds(ws()), [1], 'the fresh view counts its events from 1');
            mock.timers.tick(7999);
            assert.match(browser.doc.body.textContent, /This page was reset/);
            mock.timers.tick(1);
            assert.doesNotMatch(browser.doc.body.textContent, /This page was reset/);
        }, { codes: P_ACK });
    }
});

test('a resumed view that the socket loses again resumes again from where it is', () => {
    withPage(({ context, ws }) => {
        startAck(ws);
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.RESUME, [URL_, 2, TOKEN, 0]]]);
        ws().receive(frame(M.RESUMED, { seq: 3, event: 0 }, 3));
        ws().receive(data(countPatch(8), 3));
        ws().drop();
        click(context);
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.RESUME, [URL_, 3, TOKEN, 0]]]);
    }, { codes: P_ACK });
});

test('events sent and not known received go again after RESUMED, above its event id, before the queue', () => {
    withPage(({ browser, context, ws }) => {
        startAck(ws);
        click(context);
        click(context);
        ws().receive(frame(M.INPUT_EVENT_ACK, 1, 3));
        assert.equal(context.state().windows[0].unconfirmed, 1, 'the ACK of 1 proves 1 received');
        click(context);
        click(context);
        // 2, 3 and 4 went out; the socket dies before anything comes back.
        ws().drop();
        click(context);
        mock.timers.tick(1000);
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.RESUME, [URL_, 3, TOKEN, 4]]], 'RESUME names the last event sent');
        assert.deepEqual(context.state().windows[0].unconfirmed, 3);
        // The server got 2 (its ACK was lost with the socket), not 3 and 4.
        ws().receive(frame(M.RESUMED, { seq: 4, event: 2 }, 4));
        const resent = sentFrames(ws()).filter(([method]) => method === M.INPUT_EVENT);
        assert.deepEqual(resent.map(([, [id, type]]) => [id, type]), [[3, T.CLICK], [4, T.CLICK], [5, T.CLICK]], 'the lost ones with their ids, then the offline one');
        assert.deepEqual(context.state().windows[0].unconfirmed, 3, 'kept again until acknowledged');
        ws().receive(frame(M.INPUT_EVENT_ACK, 5, 5));
        assert.deepEqual(context.state().windows[0].unconfirmed, 0);
        click(context);
        assert.equal(eventIds(ws()).at(-1), 6, 'ids go on');
        assert.doesNotMatch(browser.doc.body.textContent, /Connection lost/);
    }, { codes: P_ACK });
});

test('RESUMED naming every event sent resends nothing, and a change it names is acknowledged', () => {
    withPage(({ context, ws }) => {
        startAck(ws);
        const input = typeInto(context, 'typed');
        mock.timers.tick(300);
        click(context);
        assert.deepEqual(eventIds(ws()), [1, 2]);
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        ws().receive(frame(M.RESUMED, { seq: 9, event: 2 }, 9));
        assert.deepEqual(sentFrames(ws()).map(([method]) => method), [M.RESUME], 'nothing sent again');
        // A full tree instead of a replay carries no INPUT_EVENT_ACK: RESUMED acknowledged the
        // change, so the control's value is the server's again.
        assert.equal(context.get_default_window().inputEvents.isEditing(input), false);
        assert.equal(context.state().windows[0].unconfirmed, 0);
    }, { codes: P_ACK });
});

test('a RESUMED without a usable event id sends everything kept; new ids go above the server\'s', () => {
    for (const payload of [{ seq: 3 }, { seq: 3, event: 'x' }, { seq: 3, event: -1 }, { seq: 3, event: 1.5 }, { seq: 3, event: 2 ** 60 }, null]) {
        withPage(({ context, ws }) => {
            startAck(ws);
            click(context);
            ws().drop();
            mock.timers.tick(1000);
            ws().open();
            ws().receive(frame(M.RESUMED, payload, 3));
            assert.deepEqual(eventIds(ws()), [1], `${JSON.stringify(payload)}: sent again; the server drops a duplicate`);
        }, { codes: P_ACK });
    }
    withPage(({ context, ws }) => {
        startAck(ws);
        click(context);
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        // The server has more than this page sent (another copy of it took the view over).
        ws().receive(frame(M.RESUMED, { seq: 3, event: 40 }, 3));
        click(context);
        assert.deepEqual(eventIds(ws()), [41]);
    }, { codes: P_ACK });
});

test('at most 64 unacknowledged events are kept for a resend; beyond, the oldest is forgotten and counted', () => {
    withPage(({ context, ws, warnings }) => {
        startAck(ws);
        for (let i = 0; i < 66; i++) {
            click(context);
        }
        assert.equal(context.state().windows[0].unconfirmed, 64);
        assert.match(warnings.mock.calls.at(-1).arguments[0], /stopped keeping 2 unacknowledged input event/);
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        ws().receive(frame(M.RESUMED, { seq: 2, event: 0 }, 2));
        assert.deepEqual(eventIds(ws()), Array.from({ length: 64 }, (_, i) => i + 3));
    }, { codes: P_ACK });
});

test('a plain window keeps nothing for a resend', () => {
    withPage(({ context, ws }) => {
        ws().open();
        ws().receive(frame(M.VIEW_START, null));
        ws().receive(data(tree(7)));
        click(context);
        assert.equal(context.get_default_window().stream.unconfirmed.length, 0);
        assert.equal(context.get_default_window().stream.lastSent, 0);
    }, { codes: P_ACK });
});

test('first paint: window 1\'s first VIEW adopts the painted view, once, and its tree reuses the painted elements', () => {
    const ADOPT = 'BBBBBBBBBBBBBBBBBBBBBB';
    withPage(({ browser, context, ws }) => {
        // What the server painted: the tree's input (node 5), with text typed before the socket.
        const doc = browser.root.ownerDocument;
        const input = doc.createElement('input');
        input.setAttribute('data-lona-node-id', '5');
        input.setAttribute('type', 'text');
        input.setAttribute('value', '');
        browser.root.appendChild(input);
        input.value = 'typed early';
        ws().open();
        assert.deepEqual(sentFrames(ws()), [[M.VIEW, [URL_, null, { ack: 1, adopt: ADOPT }]]]);
        ws().receive(frame(M.VIEW_START, { resume: TOKEN }, 1));
        assert.equal(input.parentNode, browser.root, 'VIEW_START keeps the painted page');
        ws().receive(data(tree(7), 2));
        const engine = context.get_default_window().engine;
        assert.equal(engine.getNode('5'), input, 'the painted input is reused');
        assert.equal(input.value, 'typed early', 'with what was typed');
        assert.equal(count(browser), '7');
        // Single use: the next VIEW starts its view anew.
        context.get_default_window().run_view(URL_);
        assert.deepEqual(sentFrames(ws()).at(-1), [M.VIEW, [URL_, null, { ack: 1 }]]);
    }, { codes: P_ACK, contextSettings: { adopt: ADOPT } });
});
