//! Constructors for every standard HTML element, plus `svg` and `math` roots, and [`text`].
//!
//! Give an element its children with [`Node::with`]: one child, text, or a tuple, array,
//! iterator or `Option` of them ([`crate::IntoChildren`]).
//!
//! ```
//! use lona_html::tags::*;
//!
//! let count = span().with_id("count").with(0);
//! let page = div().with((
//!     h1().with("Counter"),
//!     &count,
//!     " ",
//!     button().with_id("plus").with("+1"),
//! ));
//! assert_eq!(
//!     page.to_html(),
//!     "<div><h1>Counter</h1><span id=\"count\">0</span> \
//!      <button id=\"plus\" data-lona-events=\"301\">+1</button></div>",
//! );
//! ```
//!
//! `div()` is `Node::element("div")`. Children of [`svg`] and [`math`] inherit their namespace,
//! so `Node::element("circle")` inside an `svg()` is an SVG circle.

use crate::{Event, Namespace, Node};

/// The void elements of HTML: rendered without a closing tag and never with children.
const VOID_ELEMENTS: [&str; 15] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Whether `tag` is a void element in HTML.
pub fn is_void(tag: &str) -> bool {
    VOID_ELEMENTS.contains(&tag)
}

macro_rules! elements {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            #[doc = concat!("A new `<", stringify!($name), ">` element.")]
            pub fn $name() -> Node {
                Node::element(stringify!($name))
            }
        )*

        /// The tag names of all standard HTML elements this module has a constructor for.
        pub const HTML_ELEMENTS: &[&str] = &[$(stringify!($name)),*];
    };
}

elements!(
    // Main root, metadata and sectioning root.
    html, base, head, link, meta, style, title, body, // Content sectioning.
    address, article, aside, footer, header, h1, h2, h3, h4, h5, h6, hgroup, main, nav, section,
    search, // Text content.
    blockquote, dd, div, dl, dt, figcaption, figure, hr, li, menu, ol, p, pre, ul,
    // Inline text semantics.
    a, abbr, b, bdi, bdo, br, cite, code, data, dfn, em, i, kbd, mark, q, rp, rt, ruby, s, samp,
    small, span, strong, sub, sup, time, u, var, wbr,
    // Image and multimedia, embedded content.
    area, audio, img, map, track, video, embed, iframe, object, picture, source,
    // Scripting and demarcating edits.
    canvas, noscript, script, del, ins, // Table content.
    caption, col, colgroup, table, tbody, td, tfoot, th, thead, tr,
    // Forms; `button` is defined below because it listens to clicks.
    datalist, fieldset, form, input, label, legend, meter, optgroup, option, output, progress,
    select, textarea, // Interactive elements and web components.
    details, dialog, summary, slot, template,
);

/// A new `<button>` element that listens to clicks, as Lona's `Button` does.
pub fn button() -> Node {
    Node::element("button").with_event(Event::Click)
}

/// A new text node: `text("a < b")` shows `a < b`, escaped, never parsed as HTML.
///
/// Where a child is expected, a plain string does the same: `p().with("a < b")`.
pub fn text(text: impl Into<String>) -> Node {
    Node::text(text)
}

/// A new `<svg>` element in the SVG namespace; its descendants inherit the namespace.
pub fn svg() -> Node {
    Node::element_ns(Namespace::SVG, "svg")
}

/// A new `<math>` element in the MathML namespace; its descendants inherit the namespace.
pub fn math() -> Node {
    Node::element_ns(Namespace::MATHML, "math")
}
