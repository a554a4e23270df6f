// Frontend widgets: the registry, the wrapper that drives a widget's lifecycle, the widget
// data operations, and the built-in `lona.RawHtmlWidget`.
//
// The widget API (`Lona.register_widget_class(name, Class)`):
//
//   class Counter {
//       constructor(lona_window, root_node, widget_data) {
//           // widget_data.data: a deep copy of the data the server sent.
//       }
//       onDataUpdated(widget_data) {}   // the server changed the data
//       destroy() {}                    // the node left the page
//   }
//
// `lona_window` is the widget's shim (`WindowShim` in window.js): `fire_input_event(node,
// event_type, data, target_node)` sends an input event (a custom one when `event_type` is a
// name), and `set_widget_data(path, value)` changes the widget's data on both sides: here at
// once, and on the server, which applies it if the node allows it (`Node::with_widget_sync`)
// and sends it to the view's other windows, not back to this one. Lona's legacy hooks
// (`setup()`, `data_updated()`, `deconstruct()`, and the fields `data`, `root_node`, `nodes`)
// work too.

/** The registered widget classes by name. */
export const widgetClasses = Object.create(null);

/** Registers a widget class under the name a node's `widget` refers to. */
export function registerWidgetClass(name, widgetClass) {
    if (typeof widgetClass !== 'function') {
        throw new TypeError(`lona: widget class ${name} is not a class`);
    }
    widgetClasses[name] = widgetClass;
}

function deepCopy(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** What a widget sees of its data: `data` is a copy, refreshed before every hook. */
export class WidgetData {
    constructor(raw) {
        this._data = raw === undefined ? null : raw;
        this.data = deepCopy(this._data);
    }

    _refresh() {
        this.data = deepCopy(this._data);
    }
}

/**
 * Applies one WIDGET_DATA operation to `data` in place and returns the new data (a RESET of
 * the whole data replaces it). `O` is the protocol's OPERATION group; `path` is the key path
 * of the container the operation works on.
 */
export function applyDataPatch(O, data, operation, path, args) {
    const keys = Array.isArray(path) ? path : [];
    if (operation === O.RESET && keys.length === 0) {
        return args[0] === undefined ? null : args[0];
    }
    let parent = null;
    let target = data;
    for (const key of keys) {
        if (target === null || typeof target !== 'object') {
            throw new Error(`lona: widget data path ${JSON.stringify(keys)} does not exist`);
        }
        parent = target;
        target = target[key];
    }
    if (operation === O.RESET) {
        parent[keys[keys.length - 1]] = args[0];
        return data;
    }
    if (target === null || typeof target !== 'object') {
        throw new Error(`lona: widget data at ${JSON.stringify(keys)} is not a list or a dict`);
    }
    if (operation === O.SET) {
        target[args[0]] = args[1];
    } else if (operation === O.INSERT) {
        if (!Array.isArray(target)) {
            throw new Error(`lona: widget data at ${JSON.stringify(keys)} is not a list`);
        }
        target.splice(args[0], 0, args[1]);
    } else if (operation === O.REMOVE) {
        if (Array.isArray(target)) {
            target.splice(args[0], 1);
        } else {
            delete target[args[0]];
        }
    } else if (operation === O.CLEAR) {
        if (Array.isArray(target)) {
            target.length = 0;
        } else {
            for (const key of Object.keys(target)) {
                delete target[key];
            }
        }
    } else {
        throw new Error(`lona: unknown widget data operation ${operation}`);
    }
    return data;
}

/**
 * The name of the custom input event that carries a widget's own data change,
 * `{path, value}`, to the server (`lona_html::WIDGET_DATA_EVENT`). A convention on top of
 * custom events, not a protocol code.
 */
export const WIDGET_DATA_EVENT = 'lona.widget_data';

/**
 * Replaces the value at `path` in `data`, as the server's `WidgetData::replace` does: the
 * whole data for an empty path, else entry `path[last]` of the container at the rest of the
 * path; a dict entry may be new, a list item must exist. Returns the new data; throws for a
 * path that leads nowhere, so that the widget learns of its mistake before the server refuses
 * the change.
 */
export function replaceData(data, path, value) {
    if (path.length === 0) {
        return value;
    }
    let container = data;
    for (const key of path.slice(0, -1)) {
        container = container !== null && typeof container === 'object' ? container[key] : undefined;
    }
    const key = path[path.length - 1];
    const fits = Array.isArray(container)
        ? Number.isInteger(key) && key >= 0 && key < container.length
        : container !== null && typeof container === 'object' && typeof key === 'string';
    if (!fits) {
        throw new Error(`lona: widget data has no place at ${JSON.stringify(path)}`);
    }
    container[key] = value;
    return data;
}

function setLegacyField(object, name, value) {
    try {
        object[name] = value;
    } catch {
        // A class may define the field as a getter; the new API does not need it.
    }
}

/** One widget on one element: constructed after the DATA message that created it. */
export class WidgetHandle {
    constructor(name, widgetClass, shim, element, rawData) {
        this.name = name;
        this.widgetClass = widgetClass;
        this.shim = shim;
        this.element = element;
        this.widgetData = new WidgetData(rawData);
        this.object = null;
    }

    get initialized() {
        return this.object !== null;
    }

    /** The data as the server has it (the widget sees a copy). */
    get raw() {
        return this.widgetData._data;
    }

    set raw(value) {
        this.widgetData._data = value;
    }

    initialize() {
        this.widgetData._refresh();
        const object = new this.widgetClass(this.shim, this.element, this.widgetData);
        this.object = object;
        setLegacyField(object, 'data', this.widgetData.data);
        setLegacyField(object, 'root_node', this.element);
        setLegacyField(object, 'nodes', [this.element]);
        if (typeof object.setup === 'function') {
            object.setup();
        }
    }

    /**
     * Changes the data as the widget itself asked: the copy the server's patches apply to,
     * and the widget's `widget_data.data`. No hook runs: the widget knows.
     */
    replace(path, value) {
        this.raw = replaceData(this.raw, path, deepCopy(value));
        try {
            this.widgetData.data = replaceData(this.widgetData.data, path, deepCopy(value));
        } catch {
            // The widget reshaped its copy: give it the data as it is now.
            this.widgetData._refresh();
        }
    }

    update() {
        if (this.object === null) {
            return;
        }
        this.widgetData._refresh();
        if (typeof this.object.onDataUpdated === 'function') {
            this.object.onDataUpdated(this.widgetData);
            return;
        }
        setLegacyField(this.object, 'data', this.widgetData.data);
        if (typeof this.object.data_updated === 'function') {
            this.object.data_updated();
        }
    }

    destroy() {
        const object = this.object;
        if (object === null) {
            return;
        }
        this.object = null;
        if (typeof object.destroy === 'function') {
            object.destroy();
        }
        if (typeof object.deconstruct === 'function') {
            object.deconstruct();
        }
    }
}

/** `lona.RawHtmlWidget`: sets its element's inner HTML to `data.inner_html`. */
export class RawHtmlWidget {
    constructor(shim, rootNode, widgetData) {
        this.rootNode = rootNode;
        this.render(widgetData.data);
    }

    onDataUpdated(widgetData) {
        this.render(widgetData.data);
    }

    render(data) {
        const html = data !== null && typeof data === 'object' ? data.inner_html : undefined;
        this.rootNode.innerHTML = html === undefined || html === null ? '' : String(html);
    }
}

/** The name of the built-in raw HTML widget. */
export const RAW_HTML_WIDGET = 'lona.RawHtmlWidget';

registerWidgetClass(RAW_HTML_WIDGET, RawHtmlWidget);
