// Input events: payload shapes (exactly Lona's), listeners, ids, ACK timeouts, links, forms.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import {
    parseEventsAttribute, nodeInfo, clickData, changeValue, selectedIndexes, formPostData, formGetUrl,
    linkTarget, InputEventHandler,
} from '../input-events.js';
import { Notices } from '../notices.js';
import { setSettings } from '../protocol.js';
import { FakeEvent, SVG } from './fake-dom.mjs';
import { P, makeEngine, framePayload } from './helpers.mjs';

// No real ACK timers outliving the tests; the timeout tests turn them on with mocked timers.
setSettings({ input_event_timeout: 0 });

const GOLDEN_TREE = [502, [401, '8', '', 'div', [], [], { color: 'red' }, {}, [
    [401, '5', '', 'h1', [], ['title'], {}, {}, [[402, '6', 'Counter']], '', null],
    [401, '1', '', 'span', ['counter'], [], {}, {}, [[402, '2', '0']], '', null],
    [401, '3', '', 'button', [], [], {}, { 'data-lona-events': '301' }, [[402, '4', '+1']], '', null],
    [401, '7', '', 'input', [], [], {}, { type: 'text', value: 'x', 'data-lona-events': '302:300' }, [], '', null],
], '', null]];

/** A rendered window with a handler whose frames, views and crashes are recorded. */
function makeWindow(spec = GOLDEN_TREE) {
    const { doc, root, engine } = makeEngine();
    const sent = [];
    const views = [];
    const crashes = [];
    const win = {
        P,
        id: 1,
        runtimeId: '1',
        url: new URL('http://localhost:8080/count/'),
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
            crashes.push(error);
        },
        context: { notices: new Notices(() => doc) },
    };
    const handler = new InputEventHandler(win);
    for (const element of engine.show(spec)) {
        handler.patch(element);
    }
    return { doc, root, engine, win, handler, sent, views, crashes };
}

function click(init = {}) {
    return new FakeEvent('click', { altKey: false, shiftKey: false, metaKey: false, ctrlKey: false, offsetX: 0, offsetY: 0, button: 0, ...init });
}

test('data-lona-events parses codes and change delays', () => {
    assert.deepEqual([...parseEventsAttribute('301')], [[301, null]]);
    assert.deepEqual([...parseEventsAttribute('301;302:300')], [[301, null], [302, 300]]);
    assert.deepEqual([...parseEventsAttribute('302:0;;304')], [[302, null], [304, null]]);
    assert.deepEqual([...parseEventsAttribute(null)], []);
    assert.deepEqual([...parseEventsAttribute('junk')], []);
});

test('node info is [lona id, TAGNAME, id attr, class attr]', () => {
    const { engine } = makeWindow([502, [401, '3', '', 'button', ['b1'], ['big', 'red'], {}, {}, [], '', null]]);
    assert.deepEqual(nodeInfo(engine.getNode('3')), ['3', 'BUTTON', 'b1', 'big red']);
    const { engine: plain } = makeWindow();
    assert.deepEqual(nodeInfo(plain.getNode('3')), ['3', 'BUTTON', '', '']);
    assert.deepEqual(nodeInfo('15'), ['15', null, null, null]);
    assert.deepEqual(nodeInfo(undefined), [null, null, null, null]);
    assert.deepEqual(nodeInfo(null), [null, null, null, null]);
    const { doc } = makeEngine();
    assert.deepEqual(nodeInfo(doc.createElement('p')), [null, 'P', '', ''], 'an element without a lona id');
});

test('click data has exactly the eight keys, in order', () => {
    const node = { offsetWidth: 80, offsetHeight: 24 };
    const data = clickData(click({ shiftKey: true, offsetX: 12, offsetY: 9 }), node);
    assert.deepEqual(Object.keys(data), ['alt_key', 'shift_key', 'meta_key', 'ctrl_key', 'node_width', 'node_height', 'x', 'y']);
    assert.equal(JSON.stringify(data),
        '{"alt_key":false,"shift_key":true,"meta_key":false,"ctrl_key":false,"node_width":80,"node_height":24,"x":12,"y":9}');
});

test('click data of an SVG element takes its size from the bounding box', () => {
    const { doc } = makeEngine();
    const circle = doc.createElementNS(SVG, 'circle');
    circle.getBoundingClientRect = () => ({ width: 10.5, height: 10.5 });
    const data = clickData(click({ offsetX: 3, offsetY: 4 }), circle);
    assert.equal(data.node_width, 10.5);
    assert.equal(data.node_height, 10.5);
});

test('change values: text, checkbox, radio, select (single and multiple), textarea', () => {
    const { doc } = makeEngine();
    const text = doc.createElement('input');
    text.setAttribute('type', 'text');
    text.value = 'hello';
    assert.equal(changeValue(text), 'hello');

    const checkbox = doc.createElement('input');
    checkbox.setAttribute('type', 'checkbox');
    checkbox.checked = true;
    assert.equal(changeValue(checkbox), true);
    const radio = doc.createElement('input');
    radio.type = 'radio';
    assert.equal(changeValue(radio), false);

    const select = doc.createElement('select');
    for (const selected of [true, false, true]) {
        const option = doc.createElement('option');
        option.selected = selected;
        select.appendChild(option);
    }
    assert.deepEqual(changeValue(select), [0, 2]);
    const group = doc.createElement('optgroup');
    const nested = doc.createElement('option');
    nested.selected = true;
    group.appendChild(nested);
    select.appendChild(group);
    assert.deepEqual(selectedIndexes(select), [0, 2, 3], 'options inside optgroups count');
    select.options = [{ selected: false }, { selected: true }];
    assert.deepEqual(changeValue(select), [1], 'the browser\'s options list wins when present');

    const textarea = doc.createElement('textarea');
    textarea.value = 'multi\nline';
    assert.equal(changeValue(textarea), 'multi\nline');
});

test('POST data: strings, repeated fields and multi-selects as arrays, no files', () => {
    const data = formPostData([['name', 'foo'], ['tags', 'a'], ['tags', 'b'], ['upload', { name: 'f.txt' }], ['one', 'x']], new Set(['one']));
    assert.equal(JSON.stringify(data), '{"name":"foo","tags":["a","b"],"one":["x"]}');
    assert.equal(JSON.stringify(formPostData([['__proto__', 'x']])), '{"__proto__":"x"}');
});

test('GET forms navigate to the action with the fields as query', () => {
    assert.equal(formGetUrl('http://localhost:8080/search/?old=1#top', [['q', 'a b'], ['n', '1']]), 'http://localhost:8080/search/?q=a+b&n=1');
    assert.equal(formGetUrl('http://localhost:8080/search/', []), 'http://localhost:8080/search/');
});

test('links: which clicks become a VIEW', () => {
    const { doc } = makeEngine();
    const link = href => {
        const a = doc.createElement('a');
        a.setAttribute('href', href);
        return a;
    };
    const base = 'http://localhost:8080/a/b/';
    assert.equal(linkTarget(click(), link('../c/'), base).href, 'http://localhost:8080/a/c/');
    assert.equal(linkTarget(click(), link('/x?y=1'), base).href, 'http://localhost:8080/x?y=1');
    assert.equal(linkTarget(click(), link('.'), base).href, base);
    assert.equal(linkTarget(click(), link('https://example.org/'), base), null, 'another origin');
    assert.equal(linkTarget(click(), link('mailto:a@b.c'), base), null);
    assert.equal(linkTarget(click(), link('#section'), base), null, 'an anchor on the same page');
    assert.equal(linkTarget(click({ ctrlKey: true }), link('/x'), base), null, 'open in a new tab');
    assert.equal(linkTarget(click({ button: 1 }), link('/x'), base), null);
    const blank = link('/x');
    blank.setAttribute('target', '_blank');
    assert.equal(linkTarget(click(), blank, base), null);
    assert.equal(linkTarget(click(), doc.createElement('a'), base), null, 'no href');
});

test('a click sends Lona\'s INPUT_EVENT frame', () => {
    const { engine, sent } = makeWindow();
    const button = engine.getNode('3');
    button.offsetWidth = 80;
    button.offsetHeight = 24;
    const event = click({ offsetX: 12, offsetY: 9 });
    button.dispatchEvent(event);
    assert.deepEqual(sent, [
        'lona:[1,"1",102,[1,301,{"alt_key":false,"shift_key":false,"meta_key":false,"ctrl_key":false,'
        + '"node_width":80,"node_height":24,"x":12,"y":9},["3","BUTTON","",""],["3","BUTTON","",""]]]',
    ]);
    assert.equal(event.defaultPrevented, true);
    button.dispatchEvent(click());
    assert.equal(framePayload(sent[1])[3][0], 2, 'event ids count up per window');
});

test('a debounced change sends the value once, after the delay', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const { engine, sent } = makeWindow();
        const input = engine.getNode('7');
        input.value = 'hel';
        input.dispatchEvent(new FakeEvent('input'));
        mock.timers.tick(100);
        input.value = 'hello';
        input.dispatchEvent(new FakeEvent('input'));
        mock.timers.tick(299);
        assert.equal(sent.length, 0);
        mock.timers.tick(1);
        assert.deepEqual(sent, ['lona:[1,"1",102,[1,302,"hello",["7","INPUT","",""],["7","INPUT","",""]]]']);
        input.dispatchEvent(new FakeEvent('change'));
        assert.equal(sent.length, 1, 'a debounced input does not listen to change');
    } finally {
        mock.timers.reset();
    }
});

test('change without delay, focus and blur', () => {
    const spec = [502, [401, '1', '', 'div', [], [], {}, {}, [
        [401, '2', '', 'select', [], [], {}, { multiple: true, 'data-lona-events': '302' }, [
            [401, '3', '', 'option', [], [], {}, {}, [], '', null],
            [401, '4', '', 'option', [], [], {}, { selected: true }, [], '', null],
        ], '', null],
        [401, '5', '', 'input', [], [], {}, { type: 'checkbox', 'data-lona-events': '302;304;305' }, [], '', null],
    ], '', null]];
    const { engine, sent } = makeWindow(spec);
    engine.getNode('2').dispatchEvent(new FakeEvent('change'));
    const checkbox = engine.getNode('5');
    checkbox.checked = true;
    checkbox.dispatchEvent(new FakeEvent('change'));
    checkbox.dispatchEvent(new FakeEvent('focus', { bubbles: false }));
    checkbox.dispatchEvent(new FakeEvent('blur', { bubbles: false }));
    assert.deepEqual(sent, [
        'lona:[1,"1",102,[1,302,[1],["2","SELECT","",""],["2","SELECT","",""]]]',
        'lona:[1,"1",102,[2,302,true,["5","INPUT","",""],["5","INPUT","",""]]]',
        'lona:[1,"1",102,[3,304,[],["5","INPUT","",""],["5","INPUT","",""]]]',
        'lona:[1,"1",102,[4,305,[],["5","INPUT","",""],["5","INPUT","",""]]]',
    ]);
});

test('focus and blur caused by rendering are not sent', () => {
    const spec = [502, [401, '5', '', 'input', [], [], {}, { 'data-lona-events': '305' }, [], '', null]];
    const { engine, win, sent } = makeWindow(spec);
    win.rendering = true;
    engine.getNode('5').dispatchEvent(new FakeEvent('blur', { bubbles: false }));
    assert.deepEqual(sent, []);
});

test('the innermost clickable element wins; a plain inner element reports itself as target', () => {
    const spec = [502, [401, '1', '', 'div', [], [], {}, { 'data-lona-events': '301' }, [
        [401, '2', '', 'div', [], ['inner'], {}, { 'data-lona-events': '301' }, [], '', null],
        [401, '3', '', 'div', ['plain'], [], {}, {}, [], '', null],
    ], '', null]];
    const { engine, sent } = makeWindow(spec);
    engine.getNode('2').dispatchEvent(click());
    assert.equal(sent.length, 1);
    assert.deepEqual(framePayload(sent[0])[3].slice(3), [['2', 'DIV', '', 'inner'], ['2', 'DIV', '', 'inner']]);
    engine.getNode('3').dispatchEvent(click());
    assert.equal(sent.length, 2);
    assert.deepEqual(framePayload(sent[1])[3].slice(3), [['1', 'DIV', '', ''], ['3', 'DIV', 'plain', '']]);
});

test('custom events are sent by name; events need a running view', () => {
    const { handler, win, sent } = makeWindow();
    handler.fire('15', 'custom-event', { foo: 'bar' });
    assert.deepEqual(sent, ['lona:[1,"1",102,[1,"custom-event",{"foo":"bar"},["15",null,null,null],[null,null,null,null]]]']);
    win.runtimeId = null;
    assert.equal(handler.fire('15', 'custom-event', {}), null);
    assert.equal(sent.length, 1);
});

test('a missing ACK shows a notice until the ACK arrives', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        setSettings({ input_event_timeout: 2 });
        const { doc, engine, handler, win } = makeWindow();
        engine.getNode('3').dispatchEvent(click());
        engine.getNode('3').dispatchEvent(click());
        mock.timers.tick(1999);
        assert.equal(win.context.notices.isShown('input-event-timeout'), false);
        mock.timers.tick(1);
        assert.equal(win.context.notices.isShown('input-event-timeout'), true);
        assert.match(doc.body.textContent, /Waiting for server/);
        handler.ack(1);
        assert.equal(win.context.notices.isShown('input-event-timeout'), true, 'event 2 is still pending');
        handler.ack(2);
        assert.equal(win.context.notices.isShown('input-event-timeout'), false);
        assert.doesNotMatch(doc.body.textContent, /Waiting for server/);

        engine.getNode('3').dispatchEvent(click());
        handler.ack(3);
        mock.timers.tick(5000);
        assert.equal(win.context.notices.isShown('input-event-timeout'), false, 'an ACK in time shows nothing');
    } finally {
        setSettings({ input_event_timeout: 0 });
        mock.timers.reset();
    }
});

test('reset restarts the event ids and drops pending notices', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        setSettings({ input_event_timeout: 2 });
        const { engine, handler, win, sent } = makeWindow();
        engine.getNode('3').dispatchEvent(click());
        mock.timers.tick(3000);
        assert.equal(win.context.notices.isShown('input-event-timeout'), true);
        handler.reset();
        assert.equal(win.context.notices.isShown('input-event-timeout'), false);
        engine.getNode('3').dispatchEvent(click());
        assert.equal(framePayload(sent[1])[3][0], 1);
    } finally {
        setSettings({ input_event_timeout: 0 });
        mock.timers.reset();
    }
});

test('links and forms navigate the window; data-lona-ignore opts out', () => {
    const spec = [502, [401, '1', '', 'div', [], [], {}, {}, [
        [401, '2', '', 'a', [], [], {}, { href: '../other/?x=1' }, [], '', null],
        [401, '3', '', 'a', [], [], {}, { href: '/ignored/', 'data-lona-ignore': '' }, [], '', null],
        [401, '4', '', 'a', [], [], {}, { href: '/clickable/', 'data-lona-events': '301' }, [], '', null],
    ], '', null]];
    const { engine, views, sent } = makeWindow(spec);
    const event = click();
    engine.getNode('2').dispatchEvent(event);
    assert.equal(event.defaultPrevented, true);
    assert.deepEqual(views, [['http://localhost:8080/other/?x=1', null, { push: true }]]);
    const ignored = click();
    engine.getNode('3').dispatchEvent(ignored);
    assert.equal(ignored.defaultPrevented, false);
    assert.equal(views.length, 1);
    engine.getNode('4').dispatchEvent(click());
    assert.equal(views.length, 1, 'a link with a click event sends the event instead');
    assert.equal(sent.length, 1);
});

test('re-patching replaces the listeners', () => {
    const { engine, handler } = makeWindow();
    const button = engine.getNode('3');
    assert.equal(button.listenerCount('click'), 1);
    handler.patch(button);
    assert.equal(button.listenerCount('click'), 1);
    const touched = engine.show([503, [['3', 604, 706, 'data-lona-events']]]);
    touched.forEach(element => handler.patch(element));
    assert.equal(button.listenerCount('click'), 0);
});

test('a failing handler reports the error through the window', () => {
    const { engine, win, crashes } = makeWindow();
    win.send = () => {
        throw new Error('boom');
    };
    engine.getNode('3').dispatchEvent(click());
    assert.equal(crashes.length, 1);
    assert.match(String(crashes[0]), /boom/);
});

test('nothing inside an ignored element is intercepted, until it is not ignored anymore', () => {
    const spec = [502, [401, '1', '', 'div', [], [], {}, { 'data-lona-ignore': '' }, [
        [401, '2', '', 'a', [], [], {}, { href: '/plain/' }, [], '', null],
        [401, '3', '', 'button', [], [], {}, { 'data-lona-events': '301' }, [], '', null],
        [401, '4', '', 'form', [], [], {}, { method: 'post' }, [], '', null],
    ], '', null]];
    const { engine, handler, views, sent } = makeWindow(spec);
    for (const id of ['1', '2', '3', '4']) {
        assert.equal(engine.getNode(id).listeners.length, 0, `element ${id}`);
    }
    const event = click();
    engine.getNode('2').dispatchEvent(event);
    assert.equal(event.defaultPrevented, false, 'the browser follows the link');
    assert.deepEqual(views, []);
    engine.getNode('3').dispatchEvent(click());
    assert.equal(sent.length, 0);

    const memo = new Map();
    const touched = engine.show([503, [['1', 604, 702, 'data-lona-ignore']]]);
    touched.forEach(element => handler.patch(element, memo));
    engine.getNode('2').dispatchEvent(click());
    assert.equal(views.length, 1);
    engine.getNode('3').dispatchEvent(click());
    assert.equal(sent.length, 1);
    assert.equal(engine.getNode('4').listenerCount('submit'), 1);
});
