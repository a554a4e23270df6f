// A tiny fake DOM, just enough for the rendering engine, the input-event handler and the
// notices to run in Node, plus an HTML serializer for assertions.
//
// Deliberate simplifications: `innerHTML` is stored as one raw node and serialized verbatim;
// the style attribute is derived from `style` ("name: value;" pairs joined by a space) and
// disappears when the last property is removed; events bubble through parentNode only.

export const XHTML = 'http://www.w3.org/1999/xhtml';
export const SVG = 'http://www.w3.org/2000/svg';

const VOID = new Set([
    'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr',
]);

class FakeNode {
    constructor(doc, nodeType) {
        this.ownerDocument = doc;
        this.nodeType = nodeType;
        this.parentNode = null;
        this.childNodes = [];
    }

    get firstChild() {
        return this.childNodes[0] ?? null;
    }

    get lastChild() {
        return this.childNodes[this.childNodes.length - 1] ?? null;
    }

    get nextSibling() {
        if (this.parentNode === null) {
            return null;
        }
        const siblings = this.parentNode.childNodes;
        return siblings[siblings.indexOf(this) + 1] ?? null;
    }

    get isConnected() {
        let node = this;
        while (node.parentNode !== null) {
            node = node.parentNode;
        }
        return node === this.ownerDocument;
    }

    appendChild(node) {
        return this.insertBefore(node, null);
    }

    insertBefore(node, reference) {
        if (reference === node) {
            reference = node.nextSibling;
        }
        if (reference !== null && reference !== undefined && reference.parentNode !== this) {
            throw new Error('NotFoundError: the reference is not a child of this node');
        }
        if (node.contains(this)) {
            throw new Error('HierarchyRequestError: a node cannot contain itself');
        }
        if (node.parentNode !== null) {
            node.parentNode.removeChild(node);
        }
        const index = reference === null || reference === undefined
            ? this.childNodes.length
            : this.childNodes.indexOf(reference);
        this.childNodes.splice(index, 0, node);
        node.parentNode = this;
        return node;
    }

    removeChild(node) {
        const index = this.childNodes.indexOf(node);
        if (index < 0) {
            throw new Error('NotFoundError: not a child of this node');
        }
        this.childNodes.splice(index, 1);
        node.parentNode = null;
        // As in browsers, a removed focused element loses focus.
        const doc = this.ownerDocument;
        if (doc && doc.activeElement && node.contains(doc.activeElement)) {
            doc.activeElement = doc.body;
        }
        return node;
    }

    replaceChild(node, old) {
        this.insertBefore(node, old);
        return this.removeChild(old);
    }

    remove() {
        if (this.parentNode !== null) {
            this.parentNode.removeChild(this);
        }
    }

    contains(node) {
        for (let current = node; current; current = current.parentNode) {
            if (current === this) {
                return true;
            }
        }
        return false;
    }

    get textContent() {
        return this.childNodes.map(child => child.textContent).join('');
    }

    set textContent(value) {
        while (this.firstChild) {
            this.removeChild(this.firstChild);
        }
        if (value !== '' && value !== null && value !== undefined) {
            this.appendChild(this.ownerDocument.createTextNode(String(value)));
        }
    }
}

class FakeText extends FakeNode {
    constructor(doc, data) {
        super(doc, 3);
        this.data = String(data);
    }

    get textContent() {
        return this.data;
    }

    set textContent(value) {
        this.data = String(value);
    }

    get nodeValue() {
        return this.data;
    }
}

// What `innerHTML = ...` leaves behind: serialized verbatim, never parsed.
class FakeRawHtml extends FakeNode {
    constructor(doc, html) {
        super(doc, 99);
        this.html = html;
    }

    get textContent() {
        return this.html;
    }
}

class FakeStyle {
    constructor(element) {
        this.element = element;
        this.properties = new Map();
    }

    setProperty(name, value, priority = '') {
        if (value === '' || value === null || value === undefined) {
            this.removeProperty(name);
            return;
        }
        this.properties.set(String(name), priority ? `${value} !important` : String(value));
        this.element.syncStyle();
    }

    removeProperty(name) {
        const previous = this.properties.get(String(name)) ?? '';
        this.properties.delete(String(name));
        this.element.syncStyle();
        return previous;
    }

    getPropertyValue(name) {
        return this.properties.get(String(name)) ?? '';
    }

    get cssText() {
        return [...this.properties].map(([name, value]) => `${name}: ${value};`).join(' ');
    }

    get length() {
        return this.properties.size;
    }

    parse(text) {
        this.properties.clear();
        for (const declaration of String(text).split(';')) {
            const colon = declaration.indexOf(':');
            if (colon > 0) {
                this.properties.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
            }
        }
    }
}

export class FakeEvent {
    constructor(type, init = {}) {
        this.type = type;
        this.bubbles = init.bubbles ?? true;
        Object.assign(this, init);
        this.defaultPrevented = false;
        this.propagationStopped = false;
        this.target = null;
        this.currentTarget = null;
    }

    preventDefault() {
        this.defaultPrevented = true;
    }

    stopPropagation() {
        this.propagationStopped = true;
    }
}

class FakeElement extends FakeNode {
    constructor(doc, namespace, name) {
        super(doc, 1);
        this.namespaceURI = namespace;
        this.localName = namespace === XHTML ? String(name).toLowerCase() : String(name);
        this.tagName = namespace === XHTML ? String(name).toUpperCase() : String(name);
        this.attributeMap = new Map();
        this.style = new FakeStyle(this);
        this.listeners = [];
    }

    syncStyle() {
        if (this.style.length === 0) {
            this.attributeMap.delete('style');
        } else {
            this.attributeMap.set('style', this.style.cssText);
        }
    }

    getAttribute(name) {
        return this.attributeMap.get(String(name)) ?? null;
    }

    setAttribute(name, value) {
        const key = String(name);
        if (key === 'style') {
            this.style.parse(value);
            this.attributeMap.set('style', String(value));
            return;
        }
        this.attributeMap.set(key, String(value));
    }

    removeAttribute(name) {
        const key = String(name);
        if (key === 'style') {
            this.style.properties.clear();
        }
        this.attributeMap.delete(key);
    }

    hasAttribute(name) {
        return this.attributeMap.has(String(name));
    }

    getAttributeNames() {
        return [...this.attributeMap.keys()];
    }

    get attributes() {
        return [...this.attributeMap].map(([name, value]) => ({ name, value }));
    }

    get id() {
        return this.getAttribute('id') ?? '';
    }

    set id(value) {
        this.setAttribute('id', value);
    }

    get className() {
        return this.getAttribute('class') ?? '';
    }

    set className(value) {
        this.setAttribute('class', value);
    }

    get children() {
        return this.childNodes.filter(node => node.nodeType === 1);
    }

    get innerHTML() {
        return this.childNodes.map(serialize).join('');
    }

    set innerHTML(html) {
        while (this.firstChild) {
            this.removeChild(this.firstChild);
        }
        if (html !== '') {
            this.appendChild(new FakeRawHtml(this.ownerDocument, String(html)));
        }
    }

    addEventListener(type, listener, options = {}) {
        const entry = { type, listener };
        if (options.signal) {
            if (options.signal.aborted) {
                return;
            }
            options.signal.addEventListener('abort', () => {
                this.listeners = this.listeners.filter(other => other !== entry);
            });
        }
        this.listeners.push(entry);
    }

    removeEventListener(type, listener) {
        this.listeners = this.listeners.filter(entry => entry.type !== type || entry.listener !== listener);
    }

    listenerCount(type) {
        return this.listeners.filter(entry => entry.type === type).length;
    }

    dispatchEvent(event) {
        event.target = this;
        for (let node = this; node; node = node.parentNode) {
            if (!node.listeners) {
                continue;
            }
            event.currentTarget = node;
            for (const entry of [...node.listeners]) {
                if (entry.type === event.type) {
                    entry.listener(event);
                }
            }
            if (event.propagationStopped || !event.bubbles) {
                break;
            }
        }
        return !event.defaultPrevented;
    }

    focus() {
        this.ownerDocument.activeElement = this;
    }

    blur() {
        if (this.ownerDocument.activeElement === this) {
            this.ownerDocument.activeElement = this.ownerDocument.body;
        }
    }
}

export class FakeDocument extends FakeNode {
    constructor() {
        super(null, 9);
        this.ownerDocument = this;
        this.title = '';
        this.documentElement = this.createElement('html');
        this.appendChild(this.documentElement);
        this.head = this.createElement('head');
        this.body = this.createElement('body');
        this.documentElement.appendChild(this.head);
        this.documentElement.appendChild(this.body);
        this.activeElement = this.body;
    }

    createElement(tag) {
        return new FakeElement(this, XHTML, tag);
    }

    createElementNS(namespace, tag) {
        return new FakeElement(this, namespace, tag);
    }

    createTextNode(text) {
        return new FakeText(this, text);
    }
}

function escapeText(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text) {
    return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Serializes a node to HTML the way a browser's outerHTML would (attributes in order). */
export function serialize(node) {
    if (node.nodeType === 3) {
        return escapeText(node.data);
    }
    if (node.nodeType === 99) {
        return node.html;
    }
    const tag = node.localName;
    const attributes = node.attributes.map(({ name, value }) => ` ${name}="${escapeAttribute(value)}"`).join('');
    const children = node.childNodes.map(serialize).join('');
    if (node.namespaceURI === XHTML && VOID.has(tag)) {
        return `<${tag}${attributes}>`;
    }
    return `<${tag}${attributes}>${children}</${tag}>`;
}

/** A fresh document with a `<div id="lona">` root in its body. */
export function makeRoot() {
    const doc = new FakeDocument();
    const root = doc.createElement('div');
    root.setAttribute('id', 'lona');
    doc.body.appendChild(root);
    return { doc, root };
}
