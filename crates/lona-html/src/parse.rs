//! Parsing an HTML string into nodes, with html5ever, the HTML5 parser of the Servo project.
//!
//! Parsing is always explicit and named so: no function of this crate treats a string argument
//! as markup except [`parse_html`]. (Lona's `HTML("...")` parses strings implicitly, which turns
//! user input into markup: its issue #268.)
//!
//! html5ever builds into a [`TreeSink`]; ours is a small arena (`Sink`) rather than
//! `markup5ever_rcdom`, which would pull serde into this crate through its features.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::interface::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{
    Attribute, LocalName, Namespace as Ns, ParseOpts, QualName, local_name, ns, parse_fragment,
};

use crate::content::{Element, Slim};
use crate::node::{is_valid_attribute_name, parse_declarations};
use crate::{AttrValue, Namespace, Node};

/// Elements nested deeper than this are attached at this depth instead, as browsers do (Blink
/// caps its parser's tree depth at 512), so that no input can make later tree walks recurse
/// without bound.
pub const MAX_PARSE_DEPTH: usize = 512;

/// Parses an HTML fragment, as the body of a page would be parsed, into top-level nodes.
///
/// - Malformed markup is repaired the way browsers repair it (HTML5 parsing never fails).
/// - `id`, `class` and `style` become the typed lists and style; attributes the framework owns
///   (`data-lona-events`, `data-lona-node-id`) and names that could not be rendered safely
///   are dropped, so parsed markup can never make a node listen to events.
/// - Comments and doctypes are dropped. Whitespace-only text that contains a line break
///   (indentation) is dropped outside `<pre>` and `<textarea>`; a plain space between inline
///   elements is kept.
/// - SVG and MathML elements carry their namespace.
/// - Elements nested deeper than [`MAX_PARSE_DEPTH`] are flattened into their ancestor at
///   that depth.
pub fn parse_html(html: &str) -> Vec<Node> {
    let context = QualName::new(None, ns!(html), local_name!("body"));
    let sink = parse_fragment(
        Sink::default(),
        ParseOpts::default(),
        context,
        Vec::new(),
        false,
    )
    .one(html);
    let arena = sink.nodes.into_inner();
    let mut roots = Vec::new();
    // A parsed fragment is the children of a synthetic <html> root under the document.
    // The walk uses its own stack: input depth must not become call depth.
    let mut stack: Vec<Pending> = Vec::new();
    for &root in &arena[DOCUMENT].children {
        push_children(&mut stack, &arena, root, None, &Namespace::HTML, false, 0);
    }
    while let Some(pending) = stack.pop() {
        let attach = |node: Node, roots: &mut Vec<Node>| match &pending.target {
            Some(parent) => parent.push_fresh_child(node),
            None => roots.push(node),
        };
        match &arena[pending.index].kind {
            Kind::Text(text) => {
                let indentation = text.trim().is_empty() && text.contains('\n');
                if pending.keep_whitespace || !indentation {
                    attach(Node::text(text.to_string()), &mut roots);
                }
            }
            Kind::Element { name, attrs, .. } => {
                let ns = namespace_of(&name.ns);
                let depth = pending.depth;
                if depth >= MAX_PARSE_DEPTH {
                    let (target, keep) = (pending.target.clone(), pending.keep_whitespace);
                    push_children(&mut stack, &arena, pending.index, target, &ns, keep, depth);
                    continue;
                }
                let tag = intern_tag(&name.local);
                let keep = pending.keep_whitespace
                    || (ns.is_html() && matches!(&*tag, "pre" | "textarea"));
                let own_ns = (ns != pending.parent_ns).then(|| ns.clone());
                let mut element = Element::new(own_ns, tag);
                for attr in attrs {
                    add_attribute(&mut element, attr);
                }
                let node = Node::from_element(element);
                attach(node.clone(), &mut roots);
                push_children(
                    &mut stack,
                    &arena,
                    pending.index,
                    Some(node),
                    &ns,
                    keep,
                    depth + 1,
                );
            }
            Kind::Document | Kind::Comment => {}
        }
    }
    roots
}

/// A parsed node waiting to be converted, and where its result goes.
struct Pending {
    index: usize,
    target: Option<Node>,
    parent_ns: Namespace,
    keep_whitespace: bool,
    depth: usize,
}

/// Queues the children (then the template contents) of a node so that they pop in order.
fn push_children(
    stack: &mut Vec<Pending>,
    arena: &[ArenaNode],
    index: usize,
    target: Option<Node>,
    parent_ns: &Namespace,
    keep_whitespace: bool,
    depth: usize,
) {
    let node = &arena[index];
    let template = match &node.kind {
        Kind::Element {
            template_contents: Some(contents),
            ..
        } => arena[*contents].children.as_slice(),
        _ => &[],
    };
    for &child in node.children.iter().chain(template).rev() {
        stack.push(Pending {
            index: child,
            target: target.clone(),
            parent_ns: parent_ns.clone(),
            keep_whitespace,
            depth,
        });
    }
}

/// Standard tag names as static strings, so that parsed trees share them with built ones and
/// comparing or copying a tag allocates nothing.
fn intern_tag(local: &str) -> Cow<'static, str> {
    match crate::tags::HTML_ELEMENTS.iter().find(|t| **t == local) {
        Some(tag) => Cow::Borrowed(tag),
        None if local == "button" => Cow::Borrowed("button"),
        None => Cow::Owned(local.to_owned()),
    }
}

fn add_attribute(element: &mut Element<Node>, attr: &Attribute) {
    let local = &*attr.name.local;
    let name = match &attr.name.prefix {
        Some(prefix) => format!("{}:{local}", &**prefix),
        None => local.to_owned(),
    };
    let value = attr.value.to_string();
    match name.as_str() {
        "id" => {
            for id in value.split_whitespace() {
                push_unique(&mut element.ids, id);
            }
        }
        "class" => {
            for class in value.split_whitespace() {
                push_unique(&mut element.classes, class);
            }
        }
        "style" => {
            for (k, v) in parse_declarations(&value) {
                let style = &mut element.rare_mut().style;
                style.retain(|(name, _)| name != k);
                style.push((k.to_owned(), v.to_owned()));
            }
        }
        "data-lona-events" | "data-lona-node-id" => {}
        _ if !is_valid_attribute_name(&name) => {}
        _ => element
            .rare_mut()
            .attributes
            .push((name, AttrValue::Str(value))),
    }
}

fn push_unique(list: &mut Slim<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

fn namespace_of(ns: &Ns) -> Namespace {
    if *ns == ns!(svg) {
        Namespace::SVG
    } else if *ns == ns!(mathml) {
        Namespace::MATHML
    } else if *ns == ns!(html) || ns.is_empty() {
        Namespace::HTML
    } else {
        Namespace::new(ns.to_string())
    }
}

/// The arena html5ever builds into. Handles are indexes; node 0 is the document.
#[derive(Default)]
struct Sink {
    nodes: RefCell<Vec<ArenaNode>>,
}

const DOCUMENT: usize = 0;

struct ArenaNode {
    parent: Option<usize>,
    children: Vec<usize>,
    kind: Kind,
}

enum Kind {
    /// The document, and the content fragment of a `<template>`.
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
        template_contents: Option<usize>,
        mathml_annotation_xml_integration_point: bool,
    },
    Text(StrTendril),
    /// Comments and processing instructions: kept in the arena, dropped from the result.
    Comment,
}

/// An element's name, owned: html5ever asks for it by reference, but ours live in a `RefCell`.
#[derive(Debug)]
struct Name {
    ns: Ns,
    local: LocalName,
}

impl ElemName for Name {
    fn ns(&self) -> &Ns {
        &self.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.local
    }
}

impl Sink {
    fn push(&self, kind: Kind) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        if nodes.is_empty() {
            nodes.push(ArenaNode {
                parent: None,
                children: Vec::new(),
                kind: Kind::Document,
            });
        }
        nodes.push(ArenaNode {
            parent: None,
            children: Vec::new(),
            kind,
        });
        nodes.len() - 1
    }

    fn ensure_document(&self) {
        if self.nodes.borrow().is_empty() {
            self.nodes.borrow_mut().push(ArenaNode {
                parent: None,
                children: Vec::new(),
                kind: Kind::Document,
            });
        }
    }

    fn detach(nodes: &mut [ArenaNode], child: usize) {
        if let Some(parent) = nodes[child].parent.take() {
            nodes[parent].children.retain(|&c| c != child);
        }
    }

    /// Inserts `new` into `parent` at `position`, merging text into a text node before it,
    /// as the HTML tree builder expects of a sink.
    fn insert(&self, parent: usize, position: usize, new: NodeOrText<usize>) {
        let mut nodes = self.nodes.borrow_mut();
        match new {
            NodeOrText::AppendText(text) => {
                if let Some(&previous) = position
                    .checked_sub(1)
                    .and_then(|p| nodes[parent].children.get(p))
                    && let Kind::Text(existing) = &mut nodes[previous].kind
                {
                    existing.push_tendril(&text);
                    return;
                }
                nodes.push(ArenaNode {
                    parent: Some(parent),
                    children: Vec::new(),
                    kind: Kind::Text(text),
                });
                let child = nodes.len() - 1;
                nodes[parent].children.insert(position, child);
            }
            NodeOrText::AppendNode(child) => {
                Self::detach(&mut nodes, child);
                let position = position.min(nodes[parent].children.len());
                nodes[child].parent = Some(parent);
                nodes[parent].children.insert(position, child);
            }
        }
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Sink;
    type ElemName<'a> = Name;

    fn finish(self) -> Sink {
        self
    }

    fn parse_error(&self, _message: Cow<'static, str>) {
        // HTML5 defines a repair for every error; browsers do not report them either.
    }

    fn get_document(&self) -> usize {
        self.ensure_document();
        DOCUMENT
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Name {
        match &self.nodes.borrow()[*target].kind {
            Kind::Element { name, .. } => Name {
                ns: name.ns.clone(),
                local: name.local.clone(),
            },
            // The tree builder only asks for names of elements it created.
            _ => Name {
                ns: ns!(html),
                local: local_name!(""),
            },
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let template_contents = flags.template.then(|| self.push(Kind::Document));
        self.push(Kind::Element {
            name,
            attrs,
            template_contents,
            mathml_annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        })
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.push(Kind::Comment)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.push(Kind::Comment)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        let position = self.nodes.borrow()[*parent].children.len();
        self.insert(*parent, position, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        match &self.nodes.borrow()[*target].kind {
            Kind::Element {
                template_contents: Some(contents),
                ..
            } => *contents,
            // Only asked of templates, which always get contents in `create_element`.
            _ => *target,
        }
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, new_node: NodeOrText<usize>) {
        let Some(parent) = self.nodes.borrow()[*sibling].parent else {
            return;
        };
        let position = self.nodes.borrow()[parent]
            .children
            .iter()
            .position(|c| c == sibling)
            .unwrap_or(0);
        self.insert(parent, position, new_node);
    }

    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        if let Kind::Element {
            attrs: existing, ..
        } = &mut self.nodes.borrow_mut()[*target].kind
        {
            for attr in attrs {
                if !existing.iter().any(|a| a.name == attr.name) {
                    existing.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let mut nodes = self.nodes.borrow_mut();
        let children = std::mem::take(&mut nodes[*node].children);
        for &child in &children {
            nodes[child].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(children);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &usize) -> bool {
        matches!(
            self.nodes.borrow()[*handle].kind,
            Kind::Element {
                mathml_annotation_xml_integration_point: true,
                ..
            }
        )
    }
}
