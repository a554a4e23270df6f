//! The content of a node, shared by live nodes and snapshots, and the read-only walk over both.
//!
//! A live [`crate::Node`] keeps its children as node handles; a [`Snapshot`] (what a patch
//! carries for an inserted subtree) keeps them by value. Both store the same [`Element`], generic
//! over the child type, and both implement [`TreeNode`]. The HTML renderer and the protocol
//! encoder walk either one with the same code and no intermediate copy.

use std::borrow::Cow;

use std::fmt;

use crate::{AttrValue, Event, Namespace, NodeId, Value};

mod parts;

pub(crate) use parts::Slim;
use parts::{NsSlot, Rare};

/// The name of the `lona.RawHtmlWidget` widget that sets its element's inner HTML on the client.
pub const RAW_HTML_WIDGET: &str = "lona.RawHtmlWidget";

/// The key of the raw HTML string in the widget data of a raw HTML node.
pub const RAW_HTML_KEY: &str = "inner_html";

/// The attribute that carries a node's events to the client.
pub const EVENTS_ATTRIBUTE: &str = "data-lona-events";

/// The attribute that tells the client to leave a node alone (see [`crate::Node::ignore`]).
pub const IGNORE_ATTRIBUTE: &str = "data-lona-ignore";

/// The name of the custom input event by which a JavaScript widget changes its node's widget
/// data (see [`crate::Node::with_widget_sync`]); the client's `set_widget_data` sends it.
pub const WIDGET_DATA_EVENT: &str = "lona.widget_data";

/// What a node is: an element or a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Content<C> {
    /// An element with attributes and children.
    Element(Element<C>),
    /// A text node. Its text is always escaped when rendered.
    Text(String),
}

/// A frontend widget on an element: a JavaScript class name and its JSON-shaped data.
#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    pub(crate) name: String,
    pub(crate) data: Value,
}

impl Widget {
    /// The JavaScript class the client instantiates on the element.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The widget data.
    pub fn data(&self) -> &Value {
        &self.data
    }
}

/// An element: tag, namespace, id and class lists, style, attributes, events, widget, children.
///
/// Kept compact (see `content/parts.rs`): the parts most elements leave empty share one box.
#[derive(Clone)]
pub struct Element<C> {
    pub(crate) tag: Cow<'static, str>,
    pub(crate) ids: Slim<String>,
    pub(crate) classes: Slim<String>,
    pub(crate) children: Vec<C>,
    /// Style, attributes, events, widget and an uncommon namespace; `None` while all are empty.
    pub(crate) rare: Option<Box<Rare>>,
    /// `Inherit` takes the namespace of the nearest ancestor that has one, as in Lona,
    /// so the children of an `<svg>` are SVG without saying so.
    namespace: NsSlot,
}

impl<C> Element<C> {
    pub(crate) fn new(namespace: Option<Namespace>, tag: Cow<'static, str>) -> Element<C> {
        let mut element = Element {
            tag,
            ids: Slim::default(),
            classes: Slim::default(),
            children: Vec::new(),
            rare: None,
            namespace: NsSlot::Inherit,
        };
        element.set_namespace(namespace);
        element
    }

    /// Sets the element's own namespace (`None`: inherited).
    pub(crate) fn set_namespace(&mut self, namespace: Option<Namespace>) {
        self.namespace = NsSlot::of(namespace.as_ref());
        if self.namespace == NsSlot::Other {
            self.rare_mut().namespace = namespace;
        } else if let Some(rare) = &mut self.rare {
            rare.namespace = None;
        }
    }

    /// A copy of `other`'s own parts (not its children) with `children` and `namespace` as
    /// its own: a snapshot of a live element.
    pub(crate) fn copy_parts<D>(
        other: &Element<D>,
        namespace: Namespace,
        children: Vec<C>,
    ) -> Element<C> {
        let mut element = Element {
            tag: other.tag.clone(),
            ids: other.ids.clone(),
            classes: other.classes.clone(),
            children,
            rare: other.rare.clone(),
            namespace: NsSlot::Inherit,
        };
        element.set_namespace(Some(namespace));
        element
    }

    /// The rare parts, boxed on first use.
    pub(crate) fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    /// The rare parts to set a part in, boxed first unless the part is `empty`: a decoder
    /// passes every part, empty or not, and only what is there is boxed.
    fn rare_unless_empty(&mut self, empty: bool) -> Option<&mut Rare> {
        if empty && self.rare.is_none() {
            None
        } else {
            Some(self.rare_mut())
        }
    }

    /// The widget, mutable, if one is set.
    pub(crate) fn widget_mut(&mut self) -> Option<&mut Widget> {
        self.rare.as_deref_mut()?.widget.as_deref_mut()
    }

    /// An element as a decoder rebuilds it from the wire (for snapshots): the namespace it
    /// resolved to, its tag, and nothing else yet; the `with_` methods add the rest.
    pub fn resolved(namespace: Namespace, tag: impl Into<Cow<'static, str>>) -> Element<C> {
        Element::new(Some(namespace), tag.into())
    }

    /// The same element with this id list.
    #[must_use]
    pub fn with_ids(mut self, ids: Vec<String>) -> Element<C> {
        self.ids = ids.into();
        self
    }

    /// The same element with this class list.
    #[must_use]
    pub fn with_classes(mut self, classes: Vec<String>) -> Element<C> {
        self.classes = classes.into();
        self
    }

    /// The same element with these style properties.
    #[must_use]
    pub fn with_style(mut self, style: Vec<(String, String)>) -> Element<C> {
        if let Some(rare) = self.rare_unless_empty(style.is_empty()) {
            rare.style = style.into();
        }
        self
    }

    /// The same element with these attributes (not id, class, style or events: the caller
    /// keeps those apart, as [`Element::attributes`] does).
    #[must_use]
    pub fn with_attributes(mut self, attributes: Vec<(String, AttrValue)>) -> Element<C> {
        if let Some(rare) = self.rare_unless_empty(attributes.is_empty()) {
            rare.attributes = attributes.into();
        }
        self
    }

    /// The same element with these events.
    #[must_use]
    pub fn with_events(mut self, events: Vec<Event>) -> Element<C> {
        if let Some(rare) = self.rare_unless_empty(events.is_empty()) {
            rare.events = events.into();
        }
        self
    }

    /// The same element with a widget.
    #[must_use]
    pub fn with_widget(mut self, name: impl Into<String>, data: Value) -> Element<C> {
        self.rare_mut().widget = Some(Box::new(Widget {
            name: name.into(),
            data,
        }));
        self
    }

    /// The same element with these children.
    #[must_use]
    pub fn with_children(mut self, children: Vec<C>) -> Element<C> {
        self.children = children;
        self
    }

    /// The tag name as given (HTML tags are lowercase).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The namespace set on this element, `None` if it inherits its parent's.
    pub fn own_namespace(&self) -> Option<&Namespace> {
        self.namespace
            .common()
            .or_else(|| self.rare.as_deref()?.namespace.as_ref())
    }

    /// The namespace of this element given the namespace its parent resolved to.
    pub fn namespace_in<'a>(&'a self, inherited: &'a Namespace) -> &'a Namespace {
        self.own_namespace().unwrap_or(inherited)
    }

    /// The id list, in insertion order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The class list, in insertion order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Inline style properties, in insertion order.
    pub fn style(&self) -> &[(String, String)] {
        self.rare.as_deref().map_or(&[], |rare| &rare.style)
    }

    /// Attributes other than id, class, style and events, in insertion order.
    pub fn attributes(&self) -> &[(String, AttrValue)] {
        self.rare.as_deref().map_or(&[], |rare| &rare.attributes)
    }

    /// The events this element listens to.
    pub fn events(&self) -> &[Event] {
        self.rare.as_deref().map_or(&[], |rare| &rare.events)
    }

    /// The value of the `data-lona-events` attribute, `None` if no standard event is set.
    ///
    /// Lona's format: the codes joined by `;`, a debounced change event as `302:<ms>`.
    pub fn events_attribute(&self) -> Option<String> {
        let mut out = String::new();
        for event in self.events() {
            match event {
                Event::Custom(_) => continue,
                Event::Change { delay_ms } if *delay_ms > 0 => {
                    push_separator(&mut out);
                    out.push_str(&format!("{}:{delay_ms}", event.code()));
                }
                _ => {
                    push_separator(&mut out);
                    out.push_str(&event.code().to_string());
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The widget, if one is set.
    pub fn widget(&self) -> Option<&Widget> {
        self.rare.as_deref()?.widget.as_deref()
    }

    /// The raw inner HTML if this is a raw HTML node (see [`crate::Node::raw_html`]).
    pub fn raw_html(&self) -> Option<&str> {
        let widget = self.widget()?;
        if widget.name != RAW_HTML_WIDGET {
            return None;
        }
        widget.data.get(&RAW_HTML_KEY.into())?.as_str()
    }

    /// The children.
    pub fn children(&self) -> &[C] {
        &self.children
    }

    /// Whether the element is a void element in HTML (rendered without a closing tag).
    pub fn is_void(&self, namespace: &Namespace) -> bool {
        namespace.is_html() && crate::tags::is_void(&self.tag)
    }
}

// By the parts, not the fields: an element whose rare parts were set and emptied again equals
// one that never had them.
impl<C: PartialEq> PartialEq for Element<C> {
    fn eq(&self, other: &Element<C>) -> bool {
        self.own_namespace() == other.own_namespace()
            && self.tag == other.tag
            && self.ids == other.ids
            && self.classes == other.classes
            && self.style() == other.style()
            && self.attributes() == other.attributes()
            && self.events() == other.events()
            && self.widget() == other.widget()
            && self.children == other.children
    }
}

// The parts as they read, in the order the struct had before it was compacted.
impl<C: fmt::Debug> fmt::Debug for Element<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Element")
            .field("namespace", &self.own_namespace())
            .field("tag", &self.tag)
            .field("ids", &self.ids)
            .field("classes", &self.classes)
            .field("style", &self.style())
            .field("attributes", &self.attributes())
            .field("events", &self.events())
            .field("widget", &self.widget())
            .field("children", &self.children)
            .finish()
    }
}

/// Parses a `data-lona-events` value, the inverse of [`Element::events_attribute`]: codes
/// joined by `;`, a debounced change as `302:<ms>`. `None` if a part is not such a code.
pub fn parse_events_attribute(value: &str) -> Option<Vec<Event>> {
    let mut events = Vec::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, delay) = match part.split_once(':') {
            Some((code, delay)) => (code, Some(delay.trim())),
            None => (part, None),
        };
        let event = match (code.trim().parse::<u16>().ok()?, delay) {
            (Event::CLICK_CODE, None) => Event::Click,
            (Event::CHANGE_CODE, None) => Event::CHANGE,
            (Event::CHANGE_CODE, Some(delay)) => Event::Change {
                delay_ms: delay.parse().ok()?,
            },
            (Event::FOCUS_CODE, None) => Event::Focus,
            (Event::BLUR_CODE, None) => Event::Blur,
            (Event::SUBMIT_CODE, None) => Event::Submit,
            _ => return None,
        };
        events.push(event);
    }
    Some(events)
}

fn push_separator(out: &mut String) {
    if !out.is_empty() {
        out.push(';');
    }
}

/// A frozen copy of a subtree, with the ids and the namespaces the live nodes had when it was
/// taken. Patches that insert nodes carry one.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub(crate) id: NodeId,
    pub(crate) content: Content<Snapshot>,
}

impl Snapshot {
    /// The id of the snapshotted node.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Its content; element namespaces are resolved (never `None` for non-HTML elements).
    pub fn content(&self) -> &Content<Snapshot> {
        &self.content
    }

    /// A text snapshot, for decoders and tests.
    pub fn text(id: NodeId, text: impl Into<String>) -> Snapshot {
        Snapshot {
            id,
            content: Content::Text(text.into()),
        }
    }

    /// An element snapshot, for decoders and tests; build `element` with
    /// [`Element::resolved`].
    pub fn element(id: NodeId, element: Element<Snapshot>) -> Snapshot {
        Snapshot {
            id,
            content: Content::Element(element),
        }
    }
}

impl Drop for Snapshot {
    /// Drops deep snapshots without recursion, so a very deep tree cannot overflow the stack.
    fn drop(&mut self) {
        let Content::Element(element) = &mut self.content else {
            return;
        };
        let mut stack = std::mem::take(&mut element.children);
        while let Some(mut child) = stack.pop() {
            if let Content::Element(element) = &mut child.content {
                stack.append(&mut element.children);
            }
        }
    }
}

/// Read access to a node, live or snapshotted, for code that walks trees.
///
/// `visit` hands the node's id and content to `f`. For a live node this holds the node's lock
/// for the duration of `f`: walk children inside `f` (top-down, as all of `lona-html` locks),
/// and never call back into code that changes the tree.
pub trait TreeNode: Sized + sealed::Sealed {
    /// Calls `f` with the node's id and content.
    fn visit<R>(&self, f: impl FnOnce(NodeId, &Content<Self>) -> R) -> R;
}

impl TreeNode for Snapshot {
    fn visit<R>(&self, f: impl FnOnce(NodeId, &Content<Self>) -> R) -> R {
        f(self.id, &self.content)
    }
}

pub(crate) mod sealed {
    /// Only the node types of this crate can be walked.
    pub trait Sealed {}
    impl Sealed for crate::Snapshot {}
    impl Sealed for crate::Node {}
}
