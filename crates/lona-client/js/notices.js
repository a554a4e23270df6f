// Visible, non-blocking notices at the top of the page ("Connection lost, reconnecting...",
// "Waiting for server..."). Never `alert()`: it would block the page and the socket.
//
// A notice of one kind is shown while at least one owner holds it, so that several pending
// input events share one notice that goes away with the last ACK.

export class Notices {
    /** `getDocument()` returns the document to show notices in (called lazily). */
    constructor(getDocument) {
        this.getDocument = getDocument;
        this.container = null;
        this.active = new Map();
    }

    /** Shows (or updates) the notice of `kind`, held by `owner`. */
    show(kind, text, owner = '') {
        let entry = this.active.get(kind);
        if (entry === undefined) {
            const doc = this.getDocument();
            if (!doc || !doc.body) {
                return;
            }
            const element = doc.createElement('div');
            element.setAttribute('class', `lona-notice lona-notice-${kind}`);
            element.setAttribute('role', kind === 'disconnected' ? 'alert' : 'status');
            this.ensureContainer(doc).appendChild(element);
            entry = { element, owners: new Set() };
            this.active.set(kind, entry);
        }
        if (entry.element.textContent !== text) {
            entry.element.textContent = text;
        }
        entry.owners.add(owner);
    }

    /** Releases `owner`'s hold on the notice of `kind`; `owner === null` releases all. */
    hide(kind, owner = '') {
        const entry = this.active.get(kind);
        if (entry === undefined) {
            return;
        }
        if (owner === null) {
            entry.owners.clear();
        } else {
            entry.owners.delete(owner);
        }
        if (entry.owners.size === 0) {
            if (entry.element.parentNode) {
                entry.element.parentNode.removeChild(entry.element);
            }
            this.active.delete(kind);
        }
    }

    /** Whether the notice of `kind` is shown. */
    isShown(kind) {
        return this.active.has(kind);
    }

    ensureContainer(doc) {
        if (this.container === null || !doc.body.contains(this.container)) {
            const container = doc.createElement('div');
            container.setAttribute('class', 'lona-notices');
            container.setAttribute('aria-live', 'polite');
            doc.body.appendChild(container);
            this.container = container;
        }
        return this.container;
    }
}
