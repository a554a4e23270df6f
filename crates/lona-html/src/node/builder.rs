//! Builder methods: `with_*` calls that change a node and return it, for building trees in
//! one expression.

use crate::content::{WIDGET_DATA_EVENT, Widget};
use crate::{AttrValue, Event, IntoChildren, Value};

use super::Node;

/// Builder methods: each changes the node (recording patches if it is in a document) and
/// returns it, for building trees in one expression.
impl Node {
    /// Appends children: a node, text, a number, or a tuple, array, `Vec`, iterator or
    /// `Option` of them (see [`IntoChildren`]). Text becomes a text node, escaped as always.
    ///
    /// ```
    /// use lona_html::tags::{button, div, h1, span};
    ///
    /// let count = span().with(0);
    /// let plus = button().with("+1");
    /// let root = div().with((h1().with("Counter"), &count, " ", &plus));
    /// assert_eq!(root.text_content(), "Counter0 +1");
    /// ```
    ///
    /// It is [`Node::append_all`] in builder form, and records what one
    /// [`Node::with_child`] per child would.
    ///
    /// # Panics
    ///
    /// If this is a text node, or if a child is this node or one of its ancestors.
    pub fn with(self, children: impl IntoChildren) -> Node {
        self.append_all(children);
        self
    }

    /// Adds ids; a string with spaces adds each word.
    pub fn with_id(self, ids: &str) -> Node {
        for id in ids.split_whitespace() {
            self.id_list().add(id);
        }
        self
    }

    /// Adds classes; a string with spaces adds each word.
    pub fn with_class(self, classes: &str) -> Node {
        for class in classes.split_whitespace() {
            self.class_list().add(class);
        }
        self
    }

    /// Sets a style property.
    pub fn with_style(self, name: &str, value: &str) -> Node {
        self.style().set(name, value);
        self
    }

    /// Sets an attribute (see [`Attributes::set`] for `id`, `class` and `style`).
    ///
    /// [`Attributes::set`]: crate::Attributes::set
    pub fn with_attr(self, name: &str, value: impl Into<AttrValue>) -> Node {
        self.attributes().set(name, value);
        self
    }

    /// Adds an event the node listens to.
    pub fn with_event(self, event: Event) -> Node {
        self.events().add(event);
        self
    }

    /// Appends a child; a string becomes a text node.
    pub fn with_child(self, child: impl Into<Node>) -> Node {
        self.append(child);
        self
    }

    /// Appends children.
    pub fn with_children<C: Into<Node>>(self, children: impl IntoIterator<Item = C>) -> Node {
        self.extend(children);
        self
    }

    /// Replaces the children with a text node.
    pub fn with_text(self, text: impl Into<String>) -> Node {
        self.set_text(text);
        self
    }

    /// Sets the key that [`crate::diff`] matches children by.
    pub fn with_key(self, key: impl Into<String>) -> Node {
        self.set_key(key);
        self
    }

    /// Marks the node as ignored by the browser client; see [`Node::ignore`].
    pub fn with_ignore(self) -> Node {
        self.ignore();
        self
    }

    /// Lets the node's JavaScript widget change the node's widget data: the node accepts the
    /// custom event [`WIDGET_DATA_EVENT`] (`{"path": [...], "value": ...}`), which the widget
    /// sends with `lona_window.set_widget_data(path, value)`, and the runtime applies it with
    /// [`WidgetData::apply_client_change`] before the event goes to handlers and waits.
    /// Without this call the browser cannot change a node's widget data.
    ///
    /// [`WidgetData::apply_client_change`]: crate::WidgetData::apply_client_change
    pub fn with_widget_sync(self) -> Node {
        self.events()
            .add(Event::Custom(WIDGET_DATA_EVENT.to_owned()));
        self
    }

    /// Sets a frontend widget: the JavaScript class the client instantiates on this element,
    /// and its data.
    ///
    /// The widget class reaches the browser with the node's next full serialization (when it
    /// is inserted or the tree is sent); set it while building the node. Later changes of the
    /// data go through [`Node::widget_data`] and are sent as patches.
    pub fn with_widget(self, name: &str, data: Value) -> Node {
        self.edit(|e| {
            e.element().rare_mut().widget = Some(Box::new(Widget {
                name: name.to_owned(),
                data,
            }));
        });
        self
    }
}
