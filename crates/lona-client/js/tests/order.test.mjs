// Event order and stale content: pending changes go before any other event, a click on content
// a patch changed under the pointer is dropped, and a patch leaves a control's live value alone
// while the user has input in it that the server has not seen.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { InputEventHandler } from '../input-events.js';
import { setSettings } from '../protocol.js';
import { FakeEvent } from './fake-dom.mjs';
import { P, makeEngine, framePayload } from './helpers.mjs';

setSettings({ input_event_timeout: 0 });

const T = P.INPUT_EVENT_TYPE;

function element(id, tag, children = [], attributes = {}) {
    return [P.NODE_TYPE.NODE, id, '', tag, [], [], {}, attributes, children, '', null];
}

function text(id, value) {
    return [P.NODE_TYPE.TEXT_NODE, id, value];
}

function update(...patches) {
    return [P.DATA_TYPE.HTML_UPDATE, patches];
}

const FORM = [P.DATA_TYPE.HTML_TREE, element('1', 'div', [
    element('2', 'input', [], { type: 'text', 'data-lona-events': `${T.CHANGE}:300` }),
    element('3', 'input', [], { type: 'text', 'data-lona-events': `${T.CHANGE}:100` }),
    element('4', 'button', [text('5', 'Add')], { 'data-lona-events': `${T.CLICK}` }),
    element('6', 'input', [], { type: 'text', 'data-lona-events': `${T.CHANGE}` }),
    element('7', 'select', [
        element('8', 'option', [text('9', 'a')], { value: 'a' }),
        element('10', 'option', [text('11', 'b')], { value: 'b' }),
    ], { 'data-lona-events': `${T.CHANGE}` }),
])];

/** A window as `window.js` wires it: the engine asks the handler, the root notes pointerdowns. */
function makeWindow(spec = FORM) {
    const { doc, root, engine } = makeEngine();
    const sent = [];
    const win = {
        P,
        id: 1,
        runtimeId: '1',
        url: new URL('http://localhost:8080/'),
        rendering: false,
        engine,
        send(frame) {
            sent.push(frame);
            return true;
        },
        sendInputEvent(frame) {
            return this.send(frame) ? 'sent' : null;
        },
        run_view() {},
        crash(error) {
            throw error;
        },
        context: null,
    };
    const handler = new InputEventHandler(win);
    engine.isEditing = control => handler.isEditing(control);
    handler.attachRoot(root);
    const show = html => {
        for (const touched of engine.show(html)) {
            handler.patch(touched);
        }
    };
    show(spec);
    // [event type, node id, value] of each frame sent.
    const events = () => sent.map(frame => {
        const [, , , [, type, data, [nodeId]]] = framePayload(frame);
        return [type, nodeId, type === T.CLICK ? null : data];
    });
    return { doc, root, engine, handler, show, sent, events };
}

function type(input, value) {
    input.value = value;
    input.dispatchEvent(new FakeEvent('input'));
}

function mouseClick(node) {
    node.dispatchEvent(new FakeEvent('pointerdown'));
    node.dispatchEvent(new FakeEvent('click', { detail: 1, offsetX: 0, offsetY: 0 }));
}

test('a click sends the pending debounced changes first, in the order they were typed', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const { engine, events } = makeWindow();
        type(engine.getNode('3'), 'first');
        type(engine.getNode('2'), 'milk');
        type(engine.getNode('3'), 'first!');
        mock.timers.tick(50);
        mouseClick(engine.getNode('4'));
        assert.deepEqual(events(), [[T.CHANGE, '3', 'first!'], [T.CHANGE, '2', 'milk'], [T.CLICK, '4', null]]);
        mock.timers.tick(1000);
        assert.equal(events().length, 3, 'a flushed change is not sent again by its timer');
    } finally {
        mock.timers.reset();
    }
});

test('a plain change and a timer also send the changes typed before them first', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const { engine, events } = makeWindow();
        type(engine.getNode('2'), 'slow');
        type(engine.getNode('3'), 'fast');
        mock.timers.tick(100);
        assert.deepEqual(events(), [[T.CHANGE, '2', 'slow'], [T.CHANGE, '3', 'fast']], 'the earlier typing goes first');
        type(engine.getNode('2'), 'slower');
        engine.getNode('6').value = 'x';
        engine.getNode('6').dispatchEvent(new FakeEvent('change'));
        assert.deepEqual(events().slice(2), [[T.CHANGE, '2', 'slower'], [T.CHANGE, '6', 'x']]);
    } finally {
        mock.timers.reset();
    }
});

test('a click on content a patch changed after the pointer went down is dropped', () => {
    const { engine, show, events } = makeWindow();
    const button = engine.getNode('4');
    button.dispatchEvent(new FakeEvent('pointerdown'));
    // The view answers a blur with the next step: the button is reused for another choice.
    show(update(['4', P.PATCH_TYPE.NODES, P.OPERATION.SET, 0, text('12', 'Red')]));
    button.dispatchEvent(new FakeEvent('click', { detail: 1 }));
    assert.deepEqual(events(), [], 'the user pressed "Add", not "Red"');

    show(update(['4', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'title', 't']));
    mouseClick(button);
    assert.deepEqual(events(), [[T.CLICK, '4', null]], 'a press after the patch clicks');

    button.dispatchEvent(new FakeEvent('pointerdown'));
    show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 0, element('13', 'p')]));
    button.dispatchEvent(new FakeEvent('click', { detail: 1 }));
    assert.equal(events().length, 2, 'a patch elsewhere does not make the click stale');

    button.dispatchEvent(new FakeEvent('pointerdown'));
    show(update(['4', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.ADD, 'pressed']));
    button.dispatchEvent(new FakeEvent('click', { detail: 1 }));
    assert.equal(events().length, 3, 'a new class changes the looks, not the button');

    button.dispatchEvent(new FakeEvent('pointerdown'));
    show(update(['4', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'title', 'other']));
    button.dispatchEvent(new FakeEvent('click', { detail: 0 }));
    assert.equal(events().length, 4, 'a keyboard click (detail 0) has no pointer to be stale for');
});

test('a value patch leaves the live value of a control with unsent or unacknowledged input', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const { engine, handler, show, events } = makeWindow();
        const input = engine.getNode('2');
        type(input, 'typed after the click');
        show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', '']));
        assert.equal(input.value, 'typed after the click', 'pending: not overwritten');
        assert.equal(input.getAttribute('value'), '', 'the attribute follows the server');
        mock.timers.tick(300);
        assert.deepEqual(events(), [[T.CHANGE, '2', 'typed after the click']]);
        show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'old']));
        assert.equal(input.value, 'typed after the click', 'sent, not acknowledged: not overwritten');
        handler.ack(1);
        show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'new']));
        assert.equal(input.value, 'new', 'acknowledged: the server has it, its patches apply');

        const plain = engine.getNode('6');
        type(plain, 'not changed yet');
        show(update(['6', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'server']));
        assert.equal(plain.value, 'not changed yet', 'typed into a change-on-blur input');

        const select = engine.getNode('7');
        engine.getNode('10').selected = true;
        engine.getNode('8').selected = false;
        select.dispatchEvent(new FakeEvent('change'));
        show(update(['8', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'selected', true]));
        assert.equal(engine.getNode('8').selected, false, 'the option of a select in flight');
    } finally {
        mock.timers.reset();
    }
});
