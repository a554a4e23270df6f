// Widgets: the lifecycle driven by DATA messages, the widget data operations, RawHtmlWidget.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyDataPatch, RAW_HTML_WIDGET, widgetClasses } from '../widgets.js';
import { P, makeEngine } from './helpers.mjs';

const O = P.OPERATION;

function widgetNode(id, widget, data, children = []) {
    return [401, id, '', 'div', [], [], {}, {}, children, widget, data];
}

function recordingClass(log) {
    return class Recording {
        constructor(shim, rootNode, widgetData) {
            this.shim = shim;
            this.rootNode = rootNode;
            log.push(['constructor', rootNode.getAttribute('data-lona-node-id'), widgetData.data, rootNode.isConnected]);
        }

        onDataUpdated(widgetData) {
            log.push(['onDataUpdated', widgetData.data]);
        }

        destroy() {
            log.push(['destroy']);
        }
    };
}

test('the single widget-data patches of the reference', () => {
    assert.deepEqual(applyDataPatch(O, { items: [1, 2] }, O.INSERT, ['items'], [2, 3]), { items: [1, 2, 3] });
    assert.deepEqual(applyDataPatch(O, {}, O.SET, [], ['x', 2]), { x: 2 });
    assert.deepEqual(applyDataPatch(O, { old: 1 }, O.RESET, [], [{ reset: true }]), { reset: true });
});

test('widget-data operations on nested lists and dicts', () => {
    let data = { a: { list: [1, 2, 3], dict: { k: 'v', l: 'w' } } };
    data = applyDataPatch(O, data, O.REMOVE, ['a', 'list'], [1]);
    assert.deepEqual(data.a.list, [1, 3]);
    data = applyDataPatch(O, data, O.REMOVE, ['a', 'dict'], ['k']);
    assert.deepEqual(data.a.dict, { l: 'w' });
    data = applyDataPatch(O, data, O.SET, ['a', 'list'], [0, 'first']);
    assert.deepEqual(data.a.list, ['first', 3]);
    data = applyDataPatch(O, data, O.CLEAR, ['a', 'list'], []);
    assert.deepEqual(data.a.list, []);
    data = applyDataPatch(O, data, O.CLEAR, ['a', 'dict'], []);
    assert.deepEqual(data.a.dict, {});
    data = applyDataPatch(O, data, O.RESET, ['a'], [[9]]);
    assert.deepEqual(data, { a: [9] });
    data = applyDataPatch(O, [[1], [2]], O.INSERT, [1], [0, 0]);
    assert.deepEqual(data, [[1], [0, 2]]);
    assert.throws(() => applyDataPatch(O, { a: 1 }, O.SET, ['missing', 'deeper'], ['x', 1]), /does not exist/);
});

test('a widget is constructed after the DOM is in place, updated on data patches, destroyed on removal', () => {
    const log = [];
    const classes = { 'test.Recording': recordingClass(log) };
    const { engine } = makeEngine({ classes });
    engine.show([P.DATA_TYPE.HTML_TREE, [401, '1', '', 'main', [], [], {}, {}, [
        widgetNode('2', 'test.Recording', { items: [1] }),
    ], '', null]]);
    assert.deepEqual(log, [], 'no constructor before the widget hooks run');
    engine.runWidgetHooks();
    assert.deepEqual(log, [['constructor', '2', { items: [1] }, true]]);

    engine.show([P.DATA_TYPE.HTML_UPDATE, [
        ['2', P.PATCH_TYPE.WIDGET_DATA, O.INSERT, ['items'], 1, 2],
        ['2', P.PATCH_TYPE.WIDGET_DATA, O.SET, [], 'x', 'y'],
    ]]);
    engine.runWidgetHooks();
    assert.deepEqual(log.at(-1), ['onDataUpdated', { items: [1, 2], x: 'y' }], 'one update per batch');
    assert.equal(log.length, 2);

    engine.show([P.DATA_TYPE.HTML_UPDATE, [['2', P.PATCH_TYPE.WIDGET_DATA, O.RESET, [], { fresh: true }]]]);
    engine.runWidgetHooks();
    assert.deepEqual(log.at(-1), ['onDataUpdated', { fresh: true }]);

    engine.show([P.DATA_TYPE.HTML_UPDATE, [['1', P.PATCH_TYPE.NODES, O.REMOVE, '2']]]);
    assert.deepEqual(log.at(-1), ['destroy']);
    assert.equal(engine.widgets.size, 0);
});

test('the widget sees a copy of its data', () => {
    let seen = null;
    class Mutating {
        constructor(shim, rootNode, widgetData) {
            widgetData.data.items.push('mine');
            seen = widgetData;
        }
    }
    const { engine } = makeEngine({ classes: { Mutating } });
    engine.show([P.DATA_TYPE.HTML_TREE, widgetNode('1', 'Mutating', { items: [] })]);
    engine.runWidgetHooks();
    assert.deepEqual(engine.widgets.get('1').raw, { items: [] });
    assert.deepEqual(seen.data.items, ['mine']);
});

test('legacy hooks: setup, data_updated, deconstruct, and the data field', () => {
    const log = [];
    class Legacy {
        setup() {
            log.push(['setup', this.data, this.root_node.getAttribute('data-lona-node-id'), this.nodes.length]);
        }

        data_updated() {
            log.push(['data_updated', this.data]);
        }

        deconstruct() {
            log.push(['deconstruct']);
        }
    }
    const { engine } = makeEngine({ classes: { Legacy } });
    engine.show([P.DATA_TYPE.HTML_TREE, widgetNode('1', 'Legacy', { n: 1 })]);
    engine.runWidgetHooks();
    engine.show([P.DATA_TYPE.HTML_UPDATE, [['1', P.PATCH_TYPE.WIDGET_DATA, O.SET, [], 'n', 2]]]);
    engine.runWidgetHooks();
    engine.clear();
    assert.deepEqual(log, [['setup', { n: 1 }, '1', 1], ['data_updated', { n: 2 }], ['deconstruct']]);
});

test('RawHtmlWidget sets innerHTML and follows data changes', () => {
    assert.equal(typeof widgetClasses[RAW_HTML_WIDGET], 'function');
    const { root, engine } = makeEngine();
    engine.show([P.DATA_TYPE.HTML_TREE, widgetNode('1', RAW_HTML_WIDGET, { inner_html: '<b>bold</b>' })]);
    engine.runWidgetHooks();
    assert.equal(root.innerHTML, '<div data-lona-node-id="1"><b>bold</b></div>');
    engine.show([P.DATA_TYPE.HTML_UPDATE, [['1', P.PATCH_TYPE.WIDGET_DATA, O.SET, [], 'inner_html', '<i>new</i>']]]);
    engine.runWidgetHooks();
    assert.equal(root.innerHTML, '<div data-lona-node-id="1"><i>new</i></div>');
    engine.show([P.DATA_TYPE.HTML_UPDATE, [['1', P.PATCH_TYPE.WIDGET_DATA, O.CLEAR, []]]]);
    engine.runWidgetHooks();
    assert.equal(root.innerHTML, '<div data-lona-node-id="1"></div>');
});

test('a moved widget node keeps its widget and its content', () => {
    const log = [];
    const classes = { 'test.Recording': recordingClass(log), [RAW_HTML_WIDGET]: widgetClasses[RAW_HTML_WIDGET] };
    const { engine } = makeEngine({ classes });
    engine.show([P.DATA_TYPE.HTML_TREE, [401, '1', '', 'main', [], [], {}, {}, [
        widgetNode('2', RAW_HTML_WIDGET, { inner_html: '<b>raw</b>' }),
        widgetNode('3', 'test.Recording', { v: 1 }),
        [402, '4', 'tail'],
    ], '', null]]);
    engine.runWidgetHooks();
    engine.show([P.DATA_TYPE.HTML_UPDATE, [
        ['1', P.PATCH_TYPE.NODES, O.REMOVE, '2'],
        ['1', P.PATCH_TYPE.NODES, O.REMOVE, '3'],
        ['1', P.PATCH_TYPE.NODES, O.INSERT, 1, widgetNode('2', RAW_HTML_WIDGET, { inner_html: '<b>raw</b>' })],
        ['1', P.PATCH_TYPE.NODES, O.INSERT, 0, widgetNode('3', 'test.Recording', { v: 2 })],
    ]]);
    engine.runWidgetHooks();
    assert.equal(engine.getNode('1').innerHTML,
        '<div data-lona-node-id="3"></div>tail<div data-lona-node-id="2"><b>raw</b></div>');
    assert.deepEqual(log, [['constructor', '3', { v: 1 }, true], ['onDataUpdated', { v: 2 }]]);
});

test('an unknown widget class is an error', () => {
    const { engine } = makeEngine({ classes: {} });
    assert.throws(() => engine.show([P.DATA_TYPE.HTML_TREE, widgetNode('1', 'nope', null)]), /unknown widget class nope/);
});

test('the widget gets the shim of its node', () => {
    let shim = null;
    class Catch {
        constructor(s) {
            shim = s;
        }
    }
    const { engine } = makeEngine({ classes: { Catch }, makeShim: nodeId => ({ nodeId }) });
    engine.show([P.DATA_TYPE.HTML_TREE, widgetNode('5', 'Catch', null)]);
    engine.runWidgetHooks();
    assert.deepEqual(shim, { nodeId: '5' });
});
