// The rendering engine of one window: builds DOM from node specs and applies patches by id.
//
// It takes the document and the protocol codes as parameters, so that it runs in Node with a
// fake document. It keeps a node-id -> DOM node map, drops the entries of removed subtrees,
// and owns the widgets of the window.
//
// Node spec: `[NODE, id, namespace, tag, [ids], [classes], {style}, {attributes}, [children],
// widget, widget_data]` or `[TEXT_NODE, id, text]`. Text is always a text node: it is never
// parsed as HTML (Lona's client runs it through DOMParser; we do not).
//
// An element with `data-lona-ignore` belongs to the page as much as to the server: when it is
// re-rendered and its spec has no children, the children it has stay (a JavaScript library
// may have put them there).
//
// One optimisation changes nothing on the wire: when a batch of patches detaches a node
// (NODES REMOVE, SET, CLEAR or RESET) and later renders a spec with the same id, the detached
// DOM node is reused, with the spec's attributes and children applied. It keeps its DOM state,
// its widget, and, where the browser allows, its focus and text selection.
//
// Each DATA with HTML is a numbered batch; the elements it changes are stamped with the number
// (`changedIn`), so that the input events can tell a click on content changed under the pointer.

import { WidgetHandle, applyDataPatch } from './widgets.js';

const NODE_ID_ATTRIBUTE = 'data-lona-node-id';
const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';
const EVENTS_ATTRIBUTE = 'data-lona-events';
const IGNORE_ATTRIBUTE = 'data-lona-ignore';

// Set as DOM properties (the live state) and as attributes (so that the DOM reads as the
// server renders it: `<option value="red">`, CSS `[value=...]`, `[checked]`).
const PROPERTY_NAMES = new Set(['value', 'checked', 'selected']);

// Not touched by attribute CLEAR and RESET: they have their own patch types or are ours.
const KEPT_ATTRIBUTES = new Set(['id', 'class', 'style', NODE_ID_ATTRIBUTE]);

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function tokens(value) {
    return value ? String(value).split(/\s+/).filter(Boolean) : [];
}

function setTokens(element, name, list) {
    const value = list.join(' ');
    if (value === '') {
        element.removeAttribute(name);
    } else if (element.getAttribute(name) !== value) {
        element.setAttribute(name, value);
    }
}

// Server style names are CSS names; a camelCase name is converted so setProperty accepts it.
function cssName(name) {
    const text = String(name);
    if (text.startsWith('--') || !/[A-Z]/.test(text)) {
        return text;
    }
    return text.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

function setStyle(element, name, value) {
    let text = value === null || value === undefined ? '' : String(value);
    let priority = '';
    const important = /\s*!important\s*$/i;
    if (important.test(text)) {
        text = text.replace(important, '');
        priority = 'important';
    }
    element.style.setProperty(cssName(name), text, priority);
}

function removeStyle(element, name) {
    element.style.removeProperty(cssName(name));
}

function attributeText(value) {
    return value === true ? '' : String(value);
}

function isAbsent(value) {
    return value === false || value === null || value === undefined;
}

/** Walks a subtree depth-first, calling `visit` on every node, the root first. */
export function walk(root, visit) {
    const stack = [root];
    while (stack.length > 0) {
        const node = stack.pop();
        visit(node);
        const children = node.childNodes;
        if (children) {
            for (let i = children.length - 1; i >= 0; i--) {
                stack.push(children[i]);
            }
        }
    }
}

export class RenderingEngine {
    /**
     * `doc`: the document to create nodes in. `root`: the window's element. `protocol`: the
     * codes object. `widgetClasses`: the widget registry. `makeShim(nodeId)`: the window shim
     * a widget on node `nodeId` gets.
     */
    constructor({ doc, root, protocol, widgetClasses = {}, makeShim = () => null, isEditing = () => false }) {
        this.doc = doc;
        // Whether the user has input in a control that the server has not seen yet; a patch
        // then sets its attribute but leaves its live value alone.
        this.isEditing = isEditing;
        // DATA messages with HTML shown so far, and the last one that changed each element
        // (rendered it, patched its attributes, ids, widget data or children).
        this.batch = 0;
        this.changed = new WeakMap();
        this.root = root;
        this.P = protocol;
        this.widgetClasses = widgetClasses;
        this.makeShim = makeShim;

        this.nodes = new Map();
        this.ids = new WeakMap();
        this.kinds = new WeakMap();
        this.properties = new WeakMap();
        this.widgets = new Map();

        this.touched = [];
        this.detached = [];
        this.toSetup = [];
        this.toUpdate = new Set();
        this.inBatch = false;
        // Set while a reused tree renders (see `show`).
        this.keepUnchangedProperties = false;
        this.reusedCount = 0;
    }

    // Public API ------------------------------------------------------------------------------

    /** The DOM node with this lona node id; throws for an unknown id. */
    getNode(nodeId) {
        const node = this.nodes.get(String(nodeId));
        if (node === undefined) {
            throw new Error(`lona: unknown node id ${nodeId}`);
        }
        return node;
    }

    /** The number of the last batch that changed `element`, or 0. */
    changedIn(element) {
        return (element && this.changed.get(element)) || 0;
    }

    mark(element) {
        if (element) {
            this.changed.set(element, this.batch);
        }
    }

    /**
     * Takes over the HTML the server painted into the window before the client ran
     * (docs/protocol.md, "First paint"): its elements are known by their node ids, so that
     * the next tree, shown with `reuse`, reuses them instead of building new ones.
     */
    adoptPainted() {
        this.clearCache();
        walk(this.root, node => {
            if (node.nodeType !== ELEMENT_NODE || node === this.root || !node.hasAttribute(NODE_ID_ATTRIBUTE)) {
                return;
            }
            const namespace = node.namespaceURI === XHTML_NAMESPACE ? '' : (node.namespaceURI || '');
            this.kinds.set(node, `${namespace} ${node.localName}`);
            this.register(node.getAttribute(NODE_ID_ATTRIBUTE), node);
        });
    }

    /** Empties the window: destroys every widget and forgets every node. */
    clear() {
        this.clearCache();
        while (this.root.firstChild) {
            this.root.removeChild(this.root.firstChild);
        }
    }

    /**
     * Shows a DATA message's html `[DATA_TYPE, data]`. Returns the elements whose input-event
     * handlers need (re)attaching. Widget hooks run separately, in `runWidgetHooks`.
     *
     * With `reuse`, an HTML_TREE detaches the window's content instead of clearing it, so that
     * the nodes of the new tree reuse the DOM nodes of the same ids (as a batch of patches
     * does): a tree sent instead of a replay after a resume keeps typed text and focus. It
     * stands for the patches it replaces, which would not have touched a `value`, `checked`
     * or `selected` whose attribute stays the same: their live state stays the user's.
     */
    show(html, { reuse = false } = {}) {
        const D = this.P.DATA_TYPE;
        const [dataType, data] = html;
        this.touched = [];
        this.detached = [];
        this.batch += 1;
        if (dataType === D.HTML) {
            this.clear();
            this.root.innerHTML = data === null || data === undefined ? '' : String(data);
            walk(this.root, node => {
                if (node.nodeType === ELEMENT_NODE && node !== this.root) {
                    this.touched.push(node);
                    this.mark(node);
                }
            });
        } else if (dataType === D.HTML_TREE && reuse) {
            this.showTreeReusing(data);
        } else if (dataType === D.HTML_TREE) {
            this.clear();
            this.root.appendChild(this.render(data));
        } else if (dataType === D.HTML_UPDATE) {
            this.applyPatches(data);
        } else {
            throw new Error(`lona: unknown data type ${dataType}`);
        }
        const touched = [...new Set(this.touched)].filter(element => this.root.contains(element));
        this.touched = [];
        return touched;
    }

    showTreeReusing(tree) {
        const focused = this.focusedElement();
        const selection = focused === null ? null : saveSelection(focused);
        this.inBatch = true;
        this.keepUnchangedProperties = true;
        try {
            for (const child of [...this.root.childNodes]) {
                this.detach(child);
            }
            this.root.appendChild(this.render(tree));
        } finally {
            this.inBatch = false;
            this.keepUnchangedProperties = false;
            this.collectGarbage();
        }
        this.restoreFocus(focused, selection);
    }

    /** Applies a list of patches as one batch. */
    applyPatches(patches) {
        const focused = this.focusedElement();
        const selection = focused === null ? null : saveSelection(focused);
        this.inBatch = true;
        try {
            for (const patch of patches) {
                this.applyPatch(patch);
            }
        } finally {
            this.inBatch = false;
            this.collectGarbage();
        }
        this.restoreFocus(focused, selection);
    }

    restoreFocus(focused, selection) {
        if (focused !== null && this.doc.activeElement !== focused && this.root.contains(focused)) {
            // The element was moved (detached and reused); give it its focus back.
            if (typeof focused.focus === 'function') {
                focused.focus({ preventScroll: true });
                restoreSelection(focused, selection);
            }
        }
    }

    /** Constructs the widgets created by the last DATA message, then runs the update hooks. */
    runWidgetHooks() {
        const setup = this.toSetup;
        const update = this.toUpdate;
        this.toSetup = [];
        this.toUpdate = new Set();
        const setUp = new Set();
        for (const nodeId of setup) {
            const widget = this.widgets.get(nodeId);
            if (widget !== undefined && !widget.initialized) {
                widget.initialize();
                setUp.add(nodeId);
            }
        }
        for (const nodeId of update) {
            const widget = this.widgets.get(nodeId);
            if (widget !== undefined && !setUp.has(nodeId)) {
                widget.update();
            }
        }
    }

    // Node cache ------------------------------------------------------------------------------

    register(nodeId, node) {
        this.nodes.set(nodeId, node);
        this.ids.set(node, nodeId);
    }

    clearCache() {
        const widgets = [...this.widgets.values()];
        this.nodes.clear();
        this.widgets.clear();
        this.toSetup = [];
        this.toUpdate = new Set();
        for (const widget of widgets) {
            widget.destroy();
        }
    }

    // Forgets the ids of detached subtrees that were not reused, and destroys their widgets.
    collectGarbage() {
        const detached = this.detached;
        this.detached = [];
        for (const node of detached) {
            if (!this.root.contains(node)) {
                this.forget(node);
            }
        }
    }

    forget(subtree) {
        walk(subtree, node => {
            const nodeId = this.ids.get(node);
            if (nodeId === undefined || this.nodes.get(nodeId) !== node) {
                return;
            }
            this.nodes.delete(nodeId);
            const widget = this.widgets.get(nodeId);
            if (widget !== undefined && widget.element === node) {
                this.widgets.delete(nodeId);
                this.toUpdate.delete(nodeId);
                widget.destroy();
            }
        });
    }

    detach(node) {
        if (node.parentNode) {
            node.parentNode.removeChild(node);
        }
        this.detached.push(node);
    }

    // A node detached earlier in this batch with the same id and kind, or null.
    reusable(nodeId, kind) {
        if (!this.inBatch) {
            return null;
        }
        const node = this.nodes.get(nodeId);
        if (node === undefined || this.kinds.get(node) !== kind || this.root.contains(node)) {
            return null;
        }
        this.reusedCount += 1;
        return node;
    }

    focusedElement() {
        const active = this.doc.activeElement;
        if (!active || active === this.root || !this.root.contains(active)) {
            return null;
        }
        return active;
    }

    // Rendering -------------------------------------------------------------------------------

    /** Builds the DOM node of a node spec (or reuses a detached one with the same id). */
    render(spec) {
        const N = this.P.NODE_TYPE;
        const nodeType = spec[0];
        const nodeId = String(spec[1]);
        if (nodeType === N.TEXT_NODE) {
            const text = spec[2] === null || spec[2] === undefined ? '' : String(spec[2]);
            let node = this.reusable(nodeId, '#text');
            if (node === null) {
                node = this.doc.createTextNode(text);
                this.kinds.set(node, '#text');
            } else if (node.data !== text) {
                node.data = text;
            }
            this.register(nodeId, node);
            return node;
        }
        if (nodeType !== N.NODE) {
            throw new Error(`lona: unsupported node type ${nodeType}`);
        }
        const [, , namespace, tag, idList, classList, style, attributes, children, widgetName, widgetData] = spec;
        const kind = `${namespace || ''} ${tag}`;
        let element = this.reusable(nodeId, kind);
        const reused = element !== null;
        if (!reused) {
            element = namespace ? this.doc.createElementNS(namespace, tag) : this.doc.createElement(tag);
            this.kinds.set(element, kind);
            element.setAttribute(NODE_ID_ATTRIBUTE, nodeId);
        }
        this.register(nodeId, element);
        this.mark(element);

        setTokens(element, 'id', idList || []);
        setTokens(element, 'class', classList || []);
        if (reused) {
            element.removeAttribute('style');
        }
        for (const [name, value] of Object.entries(style || {})) {
            setStyle(element, name, value);
        }
        const properties = this.resetAttributes(element, attributes || {}, reused);
        const ownsContent = this.setWidget(nodeId, element, widgetName, widgetData, reused);
        const keepContent = ownsContent || (reused && element.hasAttribute(IGNORE_ATTRIBUTE));

        const childNodes = (children || []).map(child => this.render(child));
        if (!reused) {
            for (const child of childNodes) {
                element.appendChild(child);
            }
        } else if (!(keepContent && childNodes.length === 0)) {
            this.replaceChildren(element, childNodes);
        }
        // Properties go last: a select's value needs its options.
        for (const [name, value] of properties) {
            this.setProperty(element, name, value);
        }
        this.touched.push(element);
        return element;
    }

    replaceChildren(element, childNodes) {
        for (let i = 0; i < childNodes.length; i++) {
            const current = element.childNodes[i];
            if (current !== childNodes[i]) {
                element.insertBefore(childNodes[i], current || null);
            }
        }
        while (element.childNodes.length > childNodes.length) {
            this.detach(element.lastChild);
        }
    }

    // Sets the attributes of `attributes` and removes all others (except the kept ones).
    // Returns the properties to set once the children are in place.
    resetAttributes(element, attributes, existing) {
        const properties = [];
        const wanted = new Map();
        for (const [name, value] of Object.entries(attributes)) {
            if (PROPERTY_NAMES.has(name)) {
                properties.push([name, value]);
            } else if (!isAbsent(value)) {
                wanted.set(name, attributeText(value));
            }
        }
        if (existing) {
            for (const name of element.getAttributeNames()) {
                if (!KEPT_ATTRIBUTES.has(name) && !wanted.has(name) && !(PROPERTY_NAMES.has(name) && name in attributes)) {
                    element.removeAttribute(name);
                }
            }
            const applied = this.properties.get(element);
            if (applied !== undefined) {
                for (const name of applied) {
                    if (!(name in attributes)) {
                        this.removeProperty(element, name);
                    }
                }
            }
        }
        for (const [name, text] of wanted) {
            if (element.getAttribute(name) !== text) {
                element.setAttribute(name, text);
            }
        }
        return properties;
    }

    setAttribute(element, name, value) {
        if (PROPERTY_NAMES.has(name)) {
            this.setProperty(element, name, value);
        } else if (isAbsent(value)) {
            element.removeAttribute(name);
        } else {
            element.setAttribute(name, attributeText(value));
        }
    }

    removeAttribute(element, name) {
        if (PROPERTY_NAMES.has(name)) {
            this.removeProperty(element, name);
        } else {
            element.removeAttribute(name);
        }
    }

    setProperty(element, name, value) {
        let wanted;
        if (name === 'value') {
            wanted = isAbsent(value) ? '' : String(value);
        } else {
            wanted = !isAbsent(value);
        }
        const unchanged = isAbsent(value) ? !element.hasAttribute(name) : element.getAttribute(name) === attributeText(value);
        if (isAbsent(value)) {
            element.removeAttribute(name);
        } else if (!unchanged) {
            element.setAttribute(name, attributeText(value));
        }
        const keep = this.isEditing(element) || (this.keepUnchangedProperties && unchanged);
        // Writing an equal value would still move the cursor of a focused input.
        if (element[name] !== wanted && !keep) {
            element[name] = wanted;
        }
        let applied = this.properties.get(element);
        if (applied === undefined) {
            applied = new Set();
            this.properties.set(element, applied);
        }
        applied.add(name);
    }

    removeProperty(element, name) {
        const wanted = name === 'value' ? '' : false;
        element.removeAttribute(name);
        if (element[name] !== wanted && !this.isEditing(element)) {
            element[name] = wanted;
        }
        const applied = this.properties.get(element);
        if (applied !== undefined) {
            applied.delete(name);
        }
    }

    // Creates, keeps or replaces the widget of a node. Returns whether a kept widget owns the
    // element's content (so that an empty child list does not wipe it).
    setWidget(nodeId, element, widgetName, widgetData, reused) {
        const name = widgetName || '';
        const existing = this.widgets.get(nodeId);
        if (existing !== undefined && existing.element === element && reused && existing.name === name) {
            if (JSON.stringify(existing.raw) !== JSON.stringify(widgetData === undefined ? null : widgetData)) {
                existing.raw = widgetData === undefined ? null : widgetData;
                this.toUpdate.add(nodeId);
            }
            return true;
        }
        if (existing !== undefined) {
            this.widgets.delete(nodeId);
            this.toUpdate.delete(nodeId);
            existing.destroy();
        }
        if (name === '') {
            return false;
        }
        const widgetClass = this.widgetClasses[name];
        if (widgetClass === undefined) {
            throw new Error(`lona: unknown widget class ${name}`);
        }
        const widget = new WidgetHandle(name, widgetClass, this.makeShim(nodeId), element, widgetData);
        this.widgets.set(nodeId, widget);
        this.toSetup.push(nodeId);
        return false;
    }

    // Patches ---------------------------------------------------------------------------------

    /** Applies one patch `[node_id, PATCH_TYPE, OPERATION, ...args]`. */
    applyPatch(patch) {
        const T = this.P.PATCH_TYPE;
        const [nodeId, patchType, operation, ...args] = patch;
        if (patchType === T.NODES) {
            this.patchNodes(String(nodeId), operation, args);
        } else if (patchType === T.WIDGET_DATA) {
            this.patchWidgetData(String(nodeId), operation, args);
        } else {
            const element = this.getNode(nodeId);
            // Classes and style change how the element looks, not what it is: a press on a
            // button that turns "active" meanwhile still clicks it.
            if (patchType === T.ID_LIST || patchType === T.ATTRIBUTES) {
                this.mark(element);
            }
            if (patchType === T.ID_LIST) {
                this.patchList(element, 'id', operation, args);
            } else if (patchType === T.CLASS_LIST) {
                this.patchList(element, 'class', operation, args);
            } else if (patchType === T.STYLE) {
                this.patchStyle(element, operation, args);
            } else if (patchType === T.ATTRIBUTES) {
                this.patchAttributes(element, operation, args);
            } else {
                throw new Error(`lona: unknown patch type ${patchType}`);
            }
        }
    }

    patchList(element, name, operation, args) {
        const O = this.P.OPERATION;
        let list = tokens(element.getAttribute(name));
        if (operation === O.ADD) {
            if (!list.includes(String(args[0]))) {
                list.push(String(args[0]));
            }
        } else if (operation === O.REMOVE) {
            list = list.filter(value => value !== String(args[0]));
        } else if (operation === O.CLEAR) {
            list = [];
        } else if (operation === O.RESET) {
            list = (args[0] || []).map(String);
        } else {
            throw new Error(`lona: unknown list operation ${operation}`);
        }
        setTokens(element, name, list);
    }

    patchStyle(element, operation, args) {
        const O = this.P.OPERATION;
        if (operation === O.SET) {
            setStyle(element, args[0], args[1]);
        } else if (operation === O.REMOVE) {
            removeStyle(element, args[0]);
        } else if (operation === O.CLEAR) {
            element.removeAttribute('style');
        } else if (operation === O.RESET) {
            element.removeAttribute('style');
            for (const [name, value] of Object.entries(args[0] || {})) {
                setStyle(element, name, value);
            }
        } else {
            throw new Error(`lona: unknown style operation ${operation}`);
        }
    }

    patchAttributes(element, operation, args) {
        const O = this.P.OPERATION;
        if (operation === O.SET) {
            this.setAttribute(element, String(args[0]), args[1]);
        } else if (operation === O.REMOVE) {
            this.removeAttribute(element, String(args[0]));
        } else if (operation === O.CLEAR || operation === O.RESET) {
            const attributes = operation === O.RESET ? args[0] || {} : {};
            const properties = this.resetAttributes(element, attributes, true);
            for (const [name, value] of properties) {
                this.setProperty(element, name, value);
            }
        } else {
            throw new Error(`lona: unknown attribute operation ${operation}`);
        }
        const name = operation === O.SET || operation === O.REMOVE ? String(args[0]) : null;
        if (name === null || name === IGNORE_ATTRIBUTE) {
            // Ignoring covers the whole subtree: every element in it needs re-patching.
            walk(element, node => {
                if (node.nodeType === ELEMENT_NODE) {
                    this.touched.push(node);
                }
            });
        } else if (name === EVENTS_ATTRIBUTE) {
            this.touched.push(element);
        }
    }

    patchNodes(nodeId, operation, args) {
        const O = this.P.OPERATION;
        if (operation === O.REMOVE) {
            const removed = this.getNode(args[0]);
            this.mark(removed.parentNode);
            this.detach(removed);
            return;
        }
        const parent = this.getNode(nodeId);
        this.mark(parent);
        if (operation === O.INSERT) {
            const child = this.render(args[1]);
            parent.insertBefore(child, parent.childNodes[args[0]] || null);
        } else if (operation === O.SET) {
            const current = parent.childNodes[args[0]];
            if (current) {
                this.detach(current);
            }
            const child = this.render(args[1]);
            parent.insertBefore(child, parent.childNodes[args[0]] || null);
        } else if (operation === O.CLEAR) {
            while (parent.lastChild) {
                this.detach(parent.lastChild);
            }
        } else if (operation === O.RESET) {
            while (parent.lastChild) {
                this.detach(parent.lastChild);
            }
            for (const spec of args[0] || []) {
                parent.appendChild(this.render(spec));
            }
        } else {
            throw new Error(`lona: unknown nodes operation ${operation}`);
        }
    }

    patchWidgetData(nodeId, operation, args) {
        const widget = this.widgets.get(nodeId);
        if (widget === undefined) {
            throw new Error(`lona: node ${nodeId} has no widget`);
        }
        const [path, ...rest] = args;
        this.mark(widget.element);
        widget.raw = applyDataPatch(this.P.OPERATION, widget.raw, operation, path, rest);
        this.toUpdate.add(nodeId);
    }
}

function saveSelection(element) {
    try {
        if (typeof element.selectionStart === 'number') {
            return [element.selectionStart, element.selectionEnd, element.selectionDirection];
        }
    } catch {
        // Inputs without a selection throw in some browsers.
    }
    return null;
}

function restoreSelection(element, selection) {
    if (selection === null || typeof element.setSelectionRange !== 'function') {
        return;
    }
    try {
        element.setSelectionRange(selection[0], selection[1], selection[2] || undefined);
    } catch {
        // The input type changed to one without a selection.
    }
}
