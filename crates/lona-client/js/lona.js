// The entry module of the lona browser client: exports `Lona` and sets `window.Lona`.
//
// The page does:
//   import { Lona } from "<prefix>/lona.js";
//   Lona.setProtocol(<codes>);
//   Lona.setSettings({...});
//   const context = new Lona.LonaContext({target: "#lona", ...});
//   window.lona_context = context;
//   context.setup();

import {
    MESSAGE_PREFIX, DEFAULT_SETTINGS, setProtocol, peekProtocol, setSettings, getSettings,
} from './protocol.js';
import { LonaContext } from './context.js';
import { LonaWindow } from './window.js';
import { widgetClasses, registerWidgetClass, RawHtmlWidget } from './widgets.js';

export const Lona = {
    MESSAGE_PREFIX,
    DEFAULT_SETTINGS,

    setProtocol,
    setSettings,
    registerWidgetClass,

    // Lona's own names.
    set_protocol: setProtocol,
    set_settings: setSettings,
    register_widget_class: registerWidgetClass,

    /** The protocol codes given to `setProtocol`, or null. */
    get protocol() {
        return peekProtocol();
    },

    /** The client settings. */
    get settings() {
        return getSettings();
    },

    widget_classes: widgetClasses,
    LonaContext,
    LonaWindow,
    RawHtmlWidget,
};

if (typeof window !== 'undefined') {
    window.Lona = Lona;
}

export { LonaContext };
export default Lona;
