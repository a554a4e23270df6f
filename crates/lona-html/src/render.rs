//! Rendering a tree to an HTML string, with every text and attribute value escaped.
//!
//! There is no way to put unescaped markup into the output except a node made by
//! [`crate::Node::raw_html`], whose name says what it is. Inside `<script>` and `<style>`, where
//! HTML entities do not apply, text is written as is except that `</` becomes `<\/`, so that no
//! text can close the element early.

use crate::content::{Content, EVENTS_ATTRIBUTE};
use crate::{AttrValue, Namespace, TreeNode};

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Write `data-lona-node-id` on every element, as Lona's `str(node)` does.
    pub node_ids: bool,
}

impl crate::Node {
    /// Renders this subtree to HTML, without node ids.
    pub fn to_html(&self) -> String {
        self.to_html_with(RenderOptions::default())
    }

    /// Renders this subtree to HTML with the given options.
    pub fn to_html_with(&self, options: RenderOptions) -> String {
        let _lock = self.lock();
        let inherited = self.parent().map_or(Namespace::HTML, |p| p.namespace());
        let raw_text = self.parent().is_some_and(|p| {
            inherited.is_html() && matches!(p.tag().as_deref(), Some("script" | "style"))
        });
        let mut out = String::new();
        render_node(self, &inherited, raw_text, options, &mut out);
        out
    }
}

impl crate::Snapshot {
    /// Renders this snapshot to HTML with the given options.
    pub fn to_html_with(&self, options: RenderOptions) -> String {
        let mut out = String::new();
        render_node(self, &Namespace::HTML, false, options, &mut out);
        out
    }
}

fn render_node<N: TreeNode>(
    node: &N,
    inherited: &Namespace,
    raw_text: bool,
    options: RenderOptions,
    out: &mut String,
) {
    node.visit(|id, content| match content {
        Content::Text(text) if raw_text => push_raw_text(out, text),
        Content::Text(text) => escape_text_into(out, text),
        Content::Element(element) => {
            let ns = element.namespace_in(inherited);
            out.push('<');
            out.push_str(&element.tag);
            if options.node_ids {
                out.push_str(" data-lona-node-id=\"");
                out.push_str(&id.to_string());
                out.push('"');
            }
            push_joined_attribute(out, "id", element.ids());
            push_joined_attribute(out, "class", element.classes());
            if !element.style().is_empty() {
                out.push_str(" style=\"");
                for (i, (name, value)) in element.style().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    escape_attribute_into(out, name);
                    out.push_str(": ");
                    escape_attribute_into(out, value);
                    out.push(';');
                }
                out.push('"');
            }
            for (name, value) in element.attributes() {
                push_attribute(out, name, value);
            }
            if let Some(events) = element.events_attribute() {
                push_attribute(out, EVENTS_ATTRIBUTE, &AttrValue::Str(events));
            }
            if element.is_void(ns) {
                out.push('>');
                return;
            }
            if !ns.is_html() && element.children().is_empty() && element.raw_html().is_none() {
                out.push_str("/>");
                return;
            }
            out.push('>');
            if let Some(html) = element.raw_html() {
                out.push_str(html);
            } else {
                let raw_text = ns.is_html() && matches!(&*element.tag, "script" | "style");
                for child in element.children() {
                    render_node(child, ns, raw_text, options, out);
                }
            }
            out.push_str("</");
            out.push_str(&element.tag);
            out.push('>');
        }
    });
}

fn push_joined_attribute(out: &mut String, name: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        escape_attribute_into(out, value);
    }
    out.push('"');
}

fn push_attribute(out: &mut String, name: &str, value: &AttrValue) {
    // Names are checked when set; this guard keeps the output well-formed whatever happens.
    if !crate::node::is_valid_attribute_name(name) {
        return;
    }
    match value {
        AttrValue::Bool(false) => {}
        AttrValue::Bool(true) => {
            out.push(' ');
            out.push_str(name);
        }
        AttrValue::Str(s) => {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape_attribute_into(out, s);
            out.push('"');
        }
        AttrValue::Int(_) | AttrValue::Float(_) => {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            out.push_str(&value.to_string());
            out.push('"');
        }
    }
}

/// Escapes text content: `&`, `<` and `>`.
pub fn escape_text_into(out: &mut String, text: &str) {
    escape_into(out, text, |b| matches!(b, b'&' | b'<' | b'>'));
}

/// Escapes an attribute value for a double-quoted attribute: `&`, `<`, `>`, `"` and `'`.
pub fn escape_attribute_into(out: &mut String, value: &str) {
    escape_into(out, value, |b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
    });
}

fn escape_into(out: &mut String, text: &str, special: impl Fn(u8) -> bool) {
    let bytes = text.as_bytes();
    let mut start = 0;
    // Every special character is ASCII, so slicing at its index is always a char boundary.
    for (i, &b) in bytes.iter().enumerate() {
        if !special(b) {
            continue;
        }
        out.push_str(&text[start..i]);
        out.push_str(match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Text inside `<script>` and `<style>`: entities do not apply there, so only the sequences that
/// could end the element early (`</`) or make the parser skip its end (`<!--`) are defused, as
/// `<\/` and `<\!--`, which mean the same in JS strings and in CSS.
fn push_raw_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.starts_with('/') || rest.starts_with("!--") {
            out.push('\\');
        }
    }
    out.push_str(rest);
}
