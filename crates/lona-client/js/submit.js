// Forms submitted in the view (our extension, INPUT_EVENT_TYPE.SUBMIT): the server marks a
// form that a view handles with the code in its `data-lona-events`, and the client then sends
// the form's fields as a SUBMIT input event instead of navigating. Lona's own client does not
// know the code and navigates, as for any form. Pure functions, tested in Node.

const NODE_ID_ATTRIBUTE = 'data-lona-node-id';
const ELEMENT_NODE = 1;
const BUTTON_TYPES = new Set(['submit', 'button', 'reset', 'image']);

function upperTag(node) {
    return String(node.tagName || '').toUpperCase();
}

function inputType(node) {
    const type = typeof node.type === 'string' ? node.type : node.getAttribute('type');
    return String(type || '').toLowerCase();
}

function isDisabled(element) {
    if (typeof element.matches === 'function') {
        // Also inside a disabled fieldset.
        return element.matches(':disabled');
    }
    return element.disabled === true || element.hasAttribute('disabled');
}

/** The form's controls in document order: `form.elements`, or a walk where there is none. */
export function formControls(form) {
    if (form.elements) {
        return Array.from(form.elements);
    }
    const found = [];
    const stack = [...form.childNodes].reverse();
    while (stack.length > 0) {
        const node = stack.pop();
        if (node.nodeType !== ELEMENT_NODE) {
            continue;
        }
        found.push(node);
        stack.push(...[...node.childNodes].reverse());
    }
    return found;
}

/**
 * The SUBMIT data of `form`: `[name, node_id|null, value]` for each control, in document
 * order, `value` as a change of it would carry it (`valueOf`: a string, a bool for checkboxes
 * and radios, option indexes for selects). Disabled controls, files and buttons are left out,
 * except the `submitter`, whose name and value come as a browser's form data has them.
 */
export function submitFields(form, submitter, valueOf) {
    const fields = [];
    for (const element of formControls(form)) {
        const tag = upperTag(element);
        if ((tag !== 'INPUT' && tag !== 'SELECT' && tag !== 'TEXTAREA' && tag !== 'BUTTON') || isDisabled(element)) {
            continue;
        }
        const name = element.getAttribute('name') || '';
        const nodeId = element.getAttribute(NODE_ID_ATTRIBUTE);
        const type = inputType(element);
        if (tag === 'BUTTON' || (tag === 'INPUT' && BUTTON_TYPES.has(type))) {
            if (element === submitter && name !== '') {
                const value = element.value ?? element.getAttribute('value') ?? '';
                fields.push([name, nodeId, String(value)]);
            }
            continue;
        }
        if (tag === 'INPUT' && type === 'file') {
            continue;
        }
        fields.push([name, nodeId, valueOf(element)]);
    }
    return fields;
}
