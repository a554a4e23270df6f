// Forms submitted in the view: a form marked with SUBMIT sends its fields, typed, after its
// pending delayed changes, and does not navigate; an unmarked form navigates as before.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { InputEventHandler, changeValue } from '../input-events.js';
import { Notices } from '../notices.js';
import { setSettings } from '../protocol.js';
import { submitFields } from '../submit.js';
import { FakeEvent } from './fake-dom.mjs';
import { P, makeEngine } from './helpers.mjs';

setSettings({ input_event_timeout: 0 });

function form(id, events) {
    const attributes = events === null ? { method: 'post' } : { method: 'post', 'data-lona-events': events };
    return [401, id, '', 'form', [], [], {}, attributes, [
        [401, `${id}1`, '', 'input', [], [], {}, { type: 'text', name: 'name', 'data-lona-events': '302:300' }, [], '', null],
        [401, `${id}2`, '', 'input', [], [], {}, { type: 'checkbox', name: 'agree', 'data-lona-events': '302' }, [], '', null],
        [401, `${id}3`, '', 'select', [], [], {}, { name: 'size' }, [
            [401, `${id}4`, '', 'option', [], [], {}, { value: 's' }, [], '', null],
            [401, `${id}5`, '', 'option', [], [], {}, { value: 'l' }, [], '', null],
        ], '', null],
        [401, `${id}6`, '', 'input', [], [], {}, { type: 'text', name: 'off', disabled: true }, [], '', null],
        [401, `${id}7`, '', 'input', [], [], {}, { type: 'submit', name: 'go', value: 'Go' }, [], '', null],
        [401, `${id}8`, '', 'button', [], [], {}, { name: 'other', value: 'x' }, [], '', null],
    ], '', null];
}

const TREE = [502, [401, '1', '', 'div', [], [], {}, {}, [form('2', '306'), form('3', null)], '', null]];

function makeWindow() {
    const { doc, engine } = makeEngine();
    const sent = [];
    const views = [];
    const win = {
        P,
        id: 1,
        runtimeId: '1',
        url: new URL('http://localhost:8080/order/'),
        rendering: false,
        send(frame) {
            sent.push(frame);
            return true;
        },
        sendInputEvent(frame) {
            return this.send(frame) ? 'sent' : null;
        },
        run_view(...args) {
            views.push(args);
        },
        crash(error) {
            throw error;
        },
        context: { notices: new Notices(() => doc) },
    };
    const handler = new InputEventHandler(win);
    for (const element of engine.show(TREE)) {
        handler.patch(element);
    }
    return { engine, sent, views };
}

function fill(engine, prefix) {
    engine.getNode(`${prefix}1`).value = 'Ada';
    engine.getNode(`${prefix}2`).checked = true;
    engine.getNode(`${prefix}5`).selected = true;
}

function submit(target, submitter) {
    const event = new FakeEvent('submit', { bubbles: true, cancelable: true });
    event.submitter = submitter;
    target.dispatchEvent(event);
    return event;
}

test('the fields of a form are typed as changes of them, without disabled controls or other buttons', () => {
    const { engine } = makeWindow();
    fill(engine, '2');
    const fields = submitFields(engine.getNode('2'), engine.getNode('27'), changeValue);
    assert.deepEqual(fields, [
        ['name', '21', 'Ada'],
        ['agree', '22', true],
        ['size', '23', [1]],
        ['go', '27', 'Go'],
    ]);
    assert.deepEqual(submitFields(engine.getNode('2'), null, changeValue).map(f => f[0]), ['name', 'agree', 'size']);
});

test('a marked form sends SUBMIT with its fields and does not navigate', () => {
    const { engine, sent, views } = makeWindow();
    fill(engine, '2');
    const event = submit(engine.getNode('2'), engine.getNode('27'));
    assert.equal(event.defaultPrevented, true);
    assert.deepEqual(views, []);
    assert.deepEqual(sent, [
        'lona:[1,"1",102,[1,306,[["name","21","Ada"],["agree","22",true],["size","23",[1]],["go","27","Go"]],["2","FORM","",""],["27","INPUT","",""]]]',
    ]);
});

test('a submit sends the pending delayed changes of its form first, once', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const { engine, sent } = makeWindow();
        const input = engine.getNode('21');
        input.value = 'Ada';
        input.dispatchEvent(new FakeEvent('input'));
        submit(engine.getNode('2'), null);
        assert.equal(sent.length, 2);
        assert.equal(sent[0], 'lona:[1,"1",102,[1,302,"Ada",["21","INPUT","",""],["21","INPUT","",""]]]');
        assert.match(sent[1], /^lona:\[1,"1",102,\[2,306,\[\["name","21","Ada"\]/);
        mock.timers.tick(1000);
        assert.equal(sent.length, 2, 'the delayed change is not sent again');
    } finally {
        mock.timers.reset();
    }
});

test('a form without the mark navigates as before', () => {
    // The fake DOM has no FormData: the browser's own is what the navigating path reads.
    const realFormData = globalThis.FormData;
    globalThis.FormData = class {
        entries() {
            return [['name', 'Ada']][Symbol.iterator]();
        }
    };
    try {
        const { engine, sent, views } = makeWindow();
        const event = submit(engine.getNode('3'), null);
        assert.equal(event.defaultPrevented, true);
        assert.deepEqual(sent, []);
        assert.deepEqual(views, [['http://localhost:8080/order/', { name: 'Ada' }, { push: true }]]);
    } finally {
        globalThis.FormData = realFormData;
    }
});
