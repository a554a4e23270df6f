// The rendering engine against the golden messages of the protocol reference (section 2.3).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { serialize, SVG, XHTML } from './fake-dom.mjs';
import { P, makeEngine } from './helpers.mjs';

const GOLDEN_TREE = [502, [401, '8', '', 'div', [], [], { color: 'red' }, {}, [
    [401, '5', '', 'h1', [], ['title'], {}, {}, [[402, '6', 'Counter']], '', null],
    [401, '1', '', 'span', ['counter'], [], {}, {}, [[402, '2', '0']], '', null],
    [401, '3', '', 'button', [], [], {}, { 'data-lona-events': '301' }, [[402, '4', '+1']], '', null],
    [401, '7', '', 'input', [], [], {}, { type: 'text', value: 'x', 'data-lona-events': '302:300' }, [], '', null],
], '', null]];

const GOLDEN_UPDATE = [503, [
    ['1', 605, 702, [[402, '9', '1']]],
    ['3', 602, 703, 'active'],
    ['3', 604, 701, 'disabled', ''],
    ['8', 603, 701, 'background-color', 'blue'],
    ['8', 605, 705, 4, [401, '10', '', 'div', [], [], {}, {}, [[402, '11', 'new']], '', null]],
]];

function element(id, tag, children = [], { ids = [], classes = [], style = {}, attributes = {}, widget = '', data = null, ns = '' } = {}) {
    return [401, id, ns, tag, ids, classes, style, attributes, children, widget, data];
}

function text(id, value) {
    return [402, id, value];
}

function tree(spec) {
    return [P.DATA_TYPE.HTML_TREE, spec];
}

function update(...patches) {
    return [P.DATA_TYPE.HTML_UPDATE, patches];
}

test('the golden HTML_TREE renders to the expected DOM', () => {
    const { root, engine } = makeEngine();
    engine.show(GOLDEN_TREE);
    assert.equal(
        root.innerHTML,
        '<div data-lona-node-id="8" style="color: red;">'
        + '<h1 data-lona-node-id="5" class="title">Counter</h1>'
        + '<span data-lona-node-id="1" id="counter">0</span>'
        + '<button data-lona-node-id="3" data-lona-events="301">+1</button>'
        + '<input data-lona-node-id="7" type="text" data-lona-events="302:300" value="x">'
        + '</div>',
    );
    assert.equal(engine.getNode('7').value, 'x');
    assert.deepEqual([...engine.nodes.keys()].sort(), ['1', '2', '3', '4', '5', '6', '7', '8']);
});

test('show returns the rendered elements for input-event patching', () => {
    const { engine } = makeEngine();
    const touched = engine.show(GOLDEN_TREE);
    assert.deepEqual(touched.map(node => node.getAttribute('data-lona-node-id')).sort(), ['1', '3', '5', '7', '8']);
});

test('the golden HTML_UPDATE applies every patch', () => {
    const { root, engine } = makeEngine();
    engine.show(GOLDEN_TREE);
    engine.show(GOLDEN_UPDATE);
    assert.equal(
        root.innerHTML,
        '<div data-lona-node-id="8" style="color: red; background-color: blue;">'
        + '<h1 data-lona-node-id="5" class="title">Counter</h1>'
        + '<span data-lona-node-id="1" id="counter">1</span>'
        + '<button data-lona-node-id="3" data-lona-events="301" class="active" disabled="">+1</button>'
        + '<input data-lona-node-id="7" type="text" data-lona-events="302:300" value="x">'
        + '<div data-lona-node-id="10">new</div>'
        + '</div>',
    );
    assert.equal(engine.nodes.has('2'), false, 'the replaced text node is forgotten');
    assert.equal(engine.getNode('9').data, '1');
    assert.equal(engine.getNode('11').data, 'new');
});

test('id and class lists: add, remove, clear, reset', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('2', 'div', [], { ids: ['foo', 'bar'], classes: ['a', 'b'] })));
    const node = engine.getNode('2');
    engine.show(update(['2', P.PATCH_TYPE.ID_LIST, P.OPERATION.REMOVE, 'foo']));
    assert.equal(node.getAttribute('id'), 'bar');
    engine.show(update(['2', P.PATCH_TYPE.ID_LIST, P.OPERATION.ADD, 'baz']));
    assert.equal(node.getAttribute('id'), 'bar baz');
    engine.show(update(['2', P.PATCH_TYPE.ID_LIST, P.OPERATION.ADD, 'baz']));
    assert.equal(node.getAttribute('id'), 'bar baz', 'adding twice keeps one');
    engine.show(update(['2', P.PATCH_TYPE.ID_LIST, P.OPERATION.CLEAR]));
    assert.equal(node.hasAttribute('id'), false);
    engine.show(update(['2', P.PATCH_TYPE.ID_LIST, P.OPERATION.RESET, ['x', 'y']]));
    assert.equal(node.getAttribute('id'), 'x y');

    engine.show(update(['2', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.CLEAR]));
    assert.equal(node.hasAttribute('class'), false);
    engine.show(update(['2', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.ADD, 'active']));
    engine.show(update(['2', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.ADD, 'big']));
    engine.show(update(['2', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.REMOVE, 'active']));
    assert.equal(node.getAttribute('class'), 'big');
    engine.show(update(['2', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.RESET, []]));
    assert.equal(node.hasAttribute('class'), false);
});

test('style: set, remove, clear, reset, and custom properties', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('2', 'div', [], { style: { color: 'red', '--accent': 'blue' } })));
    const node = engine.getNode('2');
    assert.equal(node.getAttribute('style'), 'color: red; --accent: blue;');
    engine.show(update(['2', P.PATCH_TYPE.STYLE, P.OPERATION.RESET, { top: '1px' }]));
    assert.equal(node.getAttribute('style'), 'top: 1px;');
    engine.show(update(['2', P.PATCH_TYPE.STYLE, P.OPERATION.SET, '--gap', '4px']));
    assert.equal(node.style.getPropertyValue('--gap'), '4px');
    engine.show(update(['2', P.PATCH_TYPE.STYLE, P.OPERATION.REMOVE, 'top']));
    assert.equal(node.getAttribute('style'), '--gap: 4px;');
    engine.show(update(['2', P.PATCH_TYPE.STYLE, P.OPERATION.CLEAR]));
    assert.equal(node.hasAttribute('style'), false);
});

test('attributes: set, remove, clear, reset; booleans and numbers', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('2', 'input', [], {
        ids: ['keep'],
        attributes: { type: 'number', min: 0, step: 0.5, required: true, hidden: false },
    })));
    const node = engine.getNode('2');
    assert.equal(serialize(node), '<input data-lona-node-id="2" id="keep" type="number" min="0" step="0.5" required="">');
    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'required', false]));
    assert.equal(node.hasAttribute('required'), false);
    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'disabled', true]));
    assert.equal(node.getAttribute('disabled'), '');
    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.REMOVE, 'min']));
    assert.equal(node.hasAttribute('min'), false);
    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.RESET, { title: 'hi', 'data-lona-events': '301' }]));
    assert.equal(serialize(node), '<input data-lona-node-id="2" id="keep" title="hi" data-lona-events="301">');
    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.CLEAR]));
    assert.equal(serialize(node), '<input data-lona-node-id="2" id="keep">', 'CLEAR keeps the node id and the id list');
});

test('a change of data-lona-events marks the element for re-patching', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('2', 'div')));
    const touched = engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'data-lona-events', '301']));
    assert.deepEqual(touched, [engine.getNode('2')]);
    const untouched = engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'title', 'x']));
    assert.deepEqual(untouched, []);
});

test('value, checked and selected are DOM properties and attributes', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'form', [
        element('2', 'input', [], { attributes: { type: 'text', value: 'hello' } }),
        element('3', 'input', [], { attributes: { type: 'checkbox', checked: '' } }),
        element('4', 'select', [
            element('5', 'option', [text('6', 'a')]),
            element('7', 'option', [text('8', 'b')], { attributes: { selected: true } }),
        ]),
        element('9', 'input', [], { attributes: { type: 'number', value: 42 } }),
    ])));
    const input = engine.getNode('2');
    const checkbox = engine.getNode('3');
    const option = engine.getNode('7');
    assert.equal(input.value, 'hello');
    assert.equal(input.getAttribute('value'), 'hello', 'the DOM reads as the server renders it');
    assert.equal(checkbox.checked, true, 'an empty string means checked, as in Lona');
    assert.equal(checkbox.getAttribute('checked'), '');
    assert.equal(option.selected, true);
    assert.equal(option.getAttribute('selected'), '');
    assert.equal(engine.getNode('9').value, '42');

    engine.show(update(
        ['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'world'],
        ['3', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'checked', false],
        ['7', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.REMOVE, 'selected'],
    ));
    assert.equal(input.value, 'world');
    assert.equal(input.getAttribute('value'), 'world');
    assert.equal(checkbox.checked, false);
    assert.equal(checkbox.hasAttribute('checked'), false);
    assert.equal(option.selected, false);
    assert.equal(option.hasAttribute('selected'), false);

    engine.show(update(['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.REMOVE, 'value']));
    assert.equal(input.value, '');
    assert.equal(input.hasAttribute('value'), false);
    engine.show(update(['3', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.RESET, { type: 'checkbox', checked: true }]));
    assert.equal(checkbox.checked, true);
    engine.show(update(['3', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.RESET, { type: 'checkbox' }]));
    assert.equal(checkbox.checked, false, 'a RESET without checked unchecks');
});

test('text is never parsed as HTML', () => {
    const { root, engine } = makeEngine();
    engine.show(tree(element('1', 'p', [text('2', '<script>alert(1)</script> &euro;')])));
    const node = engine.getNode('2');
    assert.equal(node.nodeType, 3);
    assert.equal(node.data, '<script>alert(1)</script> &euro;');
    assert.equal(root.innerHTML, '<p data-lona-node-id="1">&lt;script&gt;alert(1)&lt;/script&gt; &amp;euro;</p>');
    engine.show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 1, text('3', '<b>x</b>')]));
    assert.equal(engine.getNode('3').nodeType, 3);
    assert.equal(engine.getNode('1').textContent, '<script>alert(1)</script> &euro;<b>x</b>');
});

test('namespaced specs use createElementNS', () => {
    const { root, engine } = makeEngine();
    engine.show(tree(element('1', 'svg', [
        element('2', 'circle', [], { ns: SVG, attributes: { r: 5, cx: 10 } }),
        element('3', 'foreignObject', [], { ns: SVG }),
    ], { ns: SVG, attributes: { viewBox: '0 0 10 10' } })));
    assert.equal(engine.getNode('1').namespaceURI, SVG);
    assert.equal(engine.getNode('2').namespaceURI, SVG);
    assert.equal(engine.getNode('3').localName, 'foreignObject', 'SVG tag case is kept');
    assert.equal(
        root.innerHTML,
        '<svg data-lona-node-id="1" viewBox="0 0 10 10"><circle data-lona-node-id="2" r="5" cx="10"></circle>'
        + '<foreignObject data-lona-node-id="3"></foreignObject></svg>',
    );
    engine.show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 0, element('4', 'rect', [], { ns: SVG })]));
    assert.equal(engine.getNode('4').namespaceURI, SVG);
    engine.show(tree(element('5', 'div')));
    assert.equal(engine.getNode('5').namespaceURI, XHTML);
});

test('nodes: insert counts text nodes, set replaces, remove by id, clear, reset', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('7', 'ul', [text('1', 'head'), element('4', 'li', [text('5', 'a')]), element('6', 'li')])));
    const parent = engine.getNode('7');

    engine.show(update(['7', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 1, element('8', 'li', [text('9', 'new')])]));
    assert.deepEqual(parent.childNodes.map(node => engine.ids.get(node)), ['1', '8', '4', '6']);

    engine.show(update(['7', P.PATCH_TYPE.NODES, P.OPERATION.REMOVE, '4']));
    assert.deepEqual(parent.childNodes.map(node => engine.ids.get(node)), ['1', '8', '6']);
    assert.equal(engine.nodes.has('4'), false);
    assert.equal(engine.nodes.has('5'), false, 'the removed subtree is forgotten');

    engine.show(update(['7', P.PATCH_TYPE.NODES, P.OPERATION.SET, 0, element('10', 'span')]));
    assert.deepEqual(parent.childNodes.map(node => engine.ids.get(node)), ['10', '8', '6']);
    assert.equal(engine.nodes.has('1'), false);

    engine.show(update(['7', P.PATCH_TYPE.NODES, P.OPERATION.RESET, [text('11', 'x'), text('12', 'y')]]));
    assert.equal(parent.textContent, 'xy');
    assert.equal(engine.nodes.has('8'), false);

    engine.show(update(['7', P.PATCH_TYPE.NODES, P.OPERATION.CLEAR]));
    assert.equal(parent.childNodes.length, 0);
    assert.deepEqual([...engine.nodes.keys()], ['7']);
});

test('REMOVE then INSERT of the same id in one batch reuses the element', () => {
    const { doc, engine } = makeEngine();
    engine.show(tree(element('1', 'div', [
        element('2', 'input', [], { attributes: { type: 'text', value: 'a' } }),
        element('3', 'p', [text('4', 'x')]),
    ])));
    const input = engine.getNode('2');
    input.value = 'typed by the user';
    input.focus();
    input.scratch = 'dom state';

    // Move the input after the paragraph, with a changed attribute and no value in the spec.
    engine.show(update(
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.REMOVE, '2'],
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 1,
            element('2', 'input', [], { classes: ['moved'], attributes: { type: 'text', placeholder: 'p' } })],
    ));
    const moved = engine.getNode('2');
    assert.equal(moved, input, 'the same DOM element');
    assert.equal(moved.scratch, 'dom state');
    assert.equal(moved.getAttribute('class'), 'moved');
    assert.equal(moved.getAttribute('placeholder'), 'p');
    assert.equal(moved.value, '', 'a value property the spec no longer has is reset');
    assert.equal(doc.activeElement, moved, 'focus is given back');
    assert.deepEqual(engine.getNode('1').childNodes.map(node => engine.ids.get(node)), ['3', '2']);
    assert.equal(engine.reusedCount, 1);
});

test('a reused element gets the children of its spec, reusing known ids', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div', [
        element('2', 'ul', [element('3', 'li', [text('4', 'a')]), element('5', 'li', [text('6', 'b')])]),
        element('7', 'div'),
    ])));
    const li3 = engine.getNode('3');
    const li5 = engine.getNode('5');
    engine.show(update(
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.REMOVE, '2'],
        ['7', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 0,
            element('2', 'ul', [element('5', 'li', [text('6', 'b')]), element('8', 'li', [text('9', 'c')])])],
    ));
    const ul = engine.getNode('2');
    assert.equal(ul.parentNode, engine.getNode('7'));
    assert.deepEqual(ul.childNodes, [li5, engine.getNode('8')]);
    assert.equal(engine.nodes.has('3'), false, 'the dropped child is forgotten');
    assert.equal(engine.nodes.has('4'), false);
    assert.equal(li3.parentNode, null);
    assert.equal(ul.textContent, 'bc');
});

test('a node detached and not reused is forgotten, and a different kind is not reused', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div', [element('2', 'span')])));
    const span = engine.getNode('2');
    engine.show(update(
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.REMOVE, '2'],
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 0, element('2', 'b')],
    ));
    assert.notEqual(engine.getNode('2'), span);
    assert.equal(engine.getNode('2').localName, 'b');
});

test('patches on unknown ids throw', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div')));
    assert.throws(() => engine.show(update(['99', P.PATCH_TYPE.STYLE, P.OPERATION.CLEAR])), /unknown node id 99/);
    assert.throws(() => engine.show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.REMOVE, '98'])), /unknown node id 98/);
    assert.throws(() => engine.show([P.DATA_TYPE.HTML_TREE, [P.NODE_TYPE.WIDGET, '1', 'x', [], null]]), /unsupported node type/);
});

test('DATA with an HTML string sets innerHTML and clears the cache', () => {
    const { root, engine } = makeEngine();
    engine.show(GOLDEN_TREE);
    const touched = engine.show([P.DATA_TYPE.HTML, '<h1>raw html string</h1>']);
    assert.equal(root.innerHTML, '<h1>raw html string</h1>');
    assert.equal(engine.nodes.size, 0);
    assert.deepEqual(touched, []);
});

test('clear destroys the widgets and forgets every node', () => {
    const { root, engine } = makeEngine();
    engine.show(tree(element('1', 'div', [], { widget: 'lona.RawHtmlWidget', data: { inner_html: '<i>x</i>' } })));
    engine.runWidgetHooks();
    assert.equal(engine.widgets.size, 1);
    engine.clear();
    assert.equal(engine.widgets.size, 0);
    assert.equal(engine.nodes.size, 0);
    assert.equal(root.childNodes.length, 0);
});

test('textareas and multiple selects take their values as properties too', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div', [
        element('2', 'textarea', [], { attributes: { value: 'line 1\nline 2' } }),
        element('3', 'select', [
            element('4', 'option', [], { attributes: { value: 'a', selected: true } }),
            element('5', 'option', [], { attributes: { value: 'b' } }),
            element('6', 'option', [], { attributes: { value: 'c', selected: true } }),
        ], { attributes: { multiple: true } }),
    ])));
    const textarea = engine.getNode('2');
    assert.equal(textarea.value, 'line 1\nline 2');
    assert.equal(textarea.getAttribute('value'), 'line 1\nline 2', 'as Node::to_html renders it');
    assert.deepEqual(['4', '5', '6'].map(id => engine.getNode(id).getAttribute('value')), ['a', 'b', 'c']);
    assert.deepEqual(['4', '5', '6'].map(id => Boolean(engine.getNode(id).selected)), [true, false, true]);
    engine.show(update(
        ['2', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', ''],
        ['4', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.REMOVE, 'selected'],
        ['5', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'selected', true],
    ));
    assert.equal(textarea.value, '');
    assert.deepEqual(['4', '5', '6'].map(id => Boolean(engine.getNode(id).selected)), [false, true, true]);
});

test('an equal value is not written again, so a focused input keeps its caret', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'input', [], { attributes: { type: 'text', value: 'abc' } })));
    const input = engine.getNode('1');
    let writes = 0;
    let value = input.value;
    Object.defineProperty(input, 'value', {
        get: () => value,
        set: next => {
            writes += 1;
            value = next;
        },
    });
    engine.show(update(['1', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'abc']));
    assert.equal(writes, 0);
    engine.show(update(['1', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'abcd']));
    assert.equal(writes, 1);
    assert.equal(value, 'abcd');
});

test('an ignored element keeps the content the page gave it when it is re-rendered', () => {
    const { doc, engine } = makeEngine();
    const ignored = element('2', 'div', [], { attributes: { 'data-lona-ignore': true } });
    const plain = element('3', 'div');
    engine.show(tree(element('1', 'div', [ignored, plain])));
    for (const id of ['2', '3']) {
        const mine = doc.createElement('p');
        mine.textContent = `the page's own ${id}`;
        engine.getNode(id).appendChild(mine);
    }
    // The parent's children are reset: both elements are detached and reused.
    engine.show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.RESET, [plain, ignored]]));
    assert.equal(engine.reusedCount, 2);
    assert.equal(engine.getNode('2').textContent, 'the page\'s own 2');
    assert.equal(engine.getNode('3').textContent, '', 'a plain element gets the children of its spec');
    // Children the server sends still replace what is there.
    const withChildren = element('2', 'div', [text('4', 'server')], { attributes: { 'data-lona-ignore': true } });
    engine.show(update(['1', P.PATCH_TYPE.NODES, P.OPERATION.RESET, [withChildren]]));
    assert.equal(engine.getNode('2').textContent, 'server');
});

test('a change of data-lona-ignore marks the whole subtree for re-patching', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div', [element('2', 'a', [element('3', 'span')], { attributes: { href: '/x' } })])));
    const touched = engine.show(update(['1', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'data-lona-ignore', true]));
    assert.deepEqual(touched.map(node => node.getAttribute('data-lona-node-id')), ['1', '2', '3']);
});

test('an option keeps its value attribute, also when it equals its text, and after patches', () => {
    const { engine, root } = makeEngine();
    engine.show(tree(element('1', 'select', [
        element('2', 'option', [text('3', 'red')], { attributes: { value: 'red' } }),
        element('4', 'option', [text('5', 'Blue')], { attributes: { value: 'blue', selected: true } }),
    ])));
    assert.match(root.innerHTML, /<option data-lona-node-id="2" value="red">red<\/option>/);
    engine.show(update(
        ['4', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'value', 'navy'],
        ['1', P.PATCH_TYPE.NODES, P.OPERATION.INSERT, 2, element('6', 'option', [text('7', 'g')], { attributes: { value: 'green' } })],
    ));
    assert.deepEqual(['2', '4', '6'].map(id => engine.getNode(id).getAttribute('value')), ['red', 'navy', 'green']);
});

test('every DATA counts as a batch and marks the elements it changed', () => {
    const { engine } = makeEngine();
    engine.show(tree(element('1', 'div', [
        element('2', 'button', [text('3', 'Next')]),
        element('4', 'p', [text('5', 'x')]),
    ])));
    assert.equal(engine.batch, 1);
    assert.equal(engine.changedIn(engine.getNode('2')), 1);
    engine.show(update(['2', P.PATCH_TYPE.NODES, P.OPERATION.SET, 0, text('6', 'Red')]));
    assert.equal(engine.changedIn(engine.getNode('2')), 2, 'its children changed');
    assert.equal(engine.changedIn(engine.getNode('4')), 1, 'untouched');
    engine.show(update(['4', P.PATCH_TYPE.ATTRIBUTES, P.OPERATION.SET, 'title', 't']));
    assert.equal(engine.changedIn(engine.getNode('4')), 3);
    engine.show(update(['4', P.PATCH_TYPE.CLASS_LIST, P.OPERATION.ADD, 'c'], ['4', P.PATCH_TYPE.STYLE, P.OPERATION.SET, 'color', 'red']));
    assert.equal(engine.changedIn(engine.getNode('4')), 3, 'classes and style are looks, not identity');
    engine.show(update(['4', P.PATCH_TYPE.ID_LIST, P.OPERATION.ADD, 'i']));
    assert.equal(engine.changedIn(engine.getNode('4')), 5);
    assert.equal(engine.changedIn(engine.getNode('2')), 2);
});

test('an HTML_TREE with reuse keeps the DOM nodes of the ids it renders again, and their state', () => {
    const { doc, root, engine } = makeEngine();
    engine.show(tree(element('1', 'div', [
        element('2', 'input', [], { attributes: { value: 'a' } }),
        element('3', 'p', [text('4', 'gone')]),
    ])));
    const input = engine.getNode('2');
    const gone = engine.getNode('3');
    input.value = 'typed';
    input.focus();
    engine.isEditing = element => element === input;

    const touched = engine.show(tree(element('1', 'section', [
        element('2', 'input', [], { attributes: { value: 'b' } }),
        element('5', 'p', [text('6', 'new')]),
    ])), { reuse: true });
    assert.equal(engine.getNode('2'), input, 'the same element');
    assert.equal(input.value, 'typed', 'its live value, the user\'s');
    assert.equal(input.getAttribute('value'), 'b');
    assert.equal(doc.activeElement, input);
    assert.throws(() => engine.getNode('3'), /unknown node id 3/, 'ids not rendered again are forgotten');
    assert.equal(root.contains(gone), false);
    assert.ok(touched.includes(input));
    assert.equal(root.innerHTML, '<section data-lona-node-id="1"><input data-lona-node-id="2" value="b"><p data-lona-node-id="5">new</p></section>');

    // Not editing (no lona events, say): a property the tree leaves as it was keeps the live
    // state; one it changes is set.
    engine.isEditing = () => false;
    engine.show(tree(element('1', 'section', [
        element('2', 'input', [], { attributes: { value: 'b' } }),
        element('7', 'input', [], { attributes: { type: 'checkbox' } }),
    ])));
    const plain = engine.getNode('2');
    const box = engine.getNode('7');
    plain.value = 'typed';
    box.checked = true;
    engine.show(tree(element('1', 'section', [
        element('2', 'input', [], { attributes: { value: 'b' } }),
        element('7', 'input', [], { attributes: { type: 'checkbox' } }),
    ])), { reuse: true });
    assert.equal(plain.value, 'typed');
    assert.equal(box.checked, true);
    engine.show(tree(element('1', 'section', [
        element('2', 'input', [], { attributes: { value: 'c' } }),
        element('7', 'input', [], { attributes: { type: 'checkbox', checked: '' } }),
    ])), { reuse: true });
    assert.equal(plain.value, 'c');
    assert.equal(box.checked, true);
    box.checked = false;
    engine.show(tree(element('1', 'section', [
        element('2', 'input', [], { attributes: { value: 'c' } }),
        element('7', 'input', [], { attributes: { type: 'checkbox', checked: '' } }),
    ])), { reuse: true });
    assert.equal(box.checked, false, 'unchanged: the user\'s');

    // Without reuse, a tree starts from nothing.
    engine.show(tree(element('1', 'div', [element('2', 'input')])));
    assert.notEqual(engine.getNode('2'), input);
});
