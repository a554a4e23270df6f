//! `IntoChildren`: what can stand for a node's children in one argument (a node, text, a
//! number, a tuple, an array, a `Vec`, an iterator, an `Option`), so a tree reads as one
//! expression: `div().with((h1().with("Counter"), &count, " ", &plus))`.
//!
//! The trait hands the children over one by one, in order; [`Node::with`],
//! [`Node::append_all`] and [`Node::set_content`] put them into the tree exactly as the same
//! number of [`Node::append`] calls would (or one [`Node::set_children`]), so a short tree
//! records the same patches as its long form.

use std::borrow::Cow;

use crate::Node;

/// Zero or more children in one value, for [`Node::with`], [`Node::append_all`] and
/// [`Node::set_content`].
///
/// | Shape | Children |
/// |---|---|
/// | `Node`, `&Node`, a form control | the node itself |
/// | `&str`, `String`, `&String`, `Cow<str>`, `char` | one text node (escaped, never parsed) |
/// | integers, floats | one text node with the number as `Display` writes it |
/// | `(a, b, ...)` up to 12 | the children of each part, in order |
/// | `[T; N]`, `Vec<T>`, `&[T]`, `&Vec<T>` | the children of each item, in order |
/// | `iter.map(..)`, `.filter(..)`, `.filter_map(..)`, `.flat_map(..)`, `.chain(..)`, ... | the children of each item, in order |
/// | any other iterator, wrapped in [`each`] | the children of each item, in order |
/// | `Option<T>` | nothing for `None` |
/// | `()` | nothing |
///
/// Anything that converts into a [`Node`] (`impl From<MyWidget> for Node`) is a child, so a
/// component type only has to say how it becomes a node.
///
/// A tuple of children:
///
/// ```
/// use lona_html::tags::{button, div, h1, span};
///
/// let count = span().with(0);
/// let plus = button().with("+1");
/// let root = div().with((h1().with("Counter"), &count, " ", &plus));
/// assert_eq!(
///     root.to_html(),
///     "<div><h1>Counter</h1><span>0</span> <button data-lona-events=\"301\">+1</button></div>",
/// );
/// ```
///
/// An array (all items of one type):
///
/// ```
/// use lona_html::tags::{li, ul};
///
/// let list = ul().with([li().with("one"), li().with("two")]);
/// assert_eq!(list.to_html(), "<ul><li>one</li><li>two</li></ul>");
/// ```
///
/// An iterator, straight from `map`:
///
/// ```
/// use lona_html::tags::{li, ul};
///
/// let todos = ["milk", "bread"];
/// let list = ul().with(todos.iter().map(|todo| li().with(*todo)));
/// assert_eq!(list.to_html(), "<ul><li>milk</li><li>bread</li></ul>");
/// ```
///
/// Text, numbers and mixed text: each part is its own text node, always escaped:
///
/// ```
/// use lona_html::tags::{b, p};
///
/// let unread = 3;
/// let line = p().with(("You have ", b().with(unread), " new <messages>"));
/// assert_eq!(line.to_html(), "<p>You have <b>3</b> new &lt;messages&gt;</p>");
/// ```
///
/// An `Option`: `None` adds nothing, so a part of a tree can be conditional in place:
///
/// ```
/// use lona_html::tags::{div, p};
///
/// let error: Option<&str> = None;
/// let form = div().with((p().with("Name"), error.map(|e| p().with_class("error").with(e))));
/// assert_eq!(form.to_html(), "<div><p>Name</p></div>");
/// ```
///
/// A type that is no child does not compile:
///
/// ```compile_fail
/// use lona_html::tags::div;
///
/// struct NotANode;
/// let _ = div().with(NotANode);
/// ```
pub trait IntoChildren {
    /// Hands each child to `add`, in order.
    fn for_each_child(self, add: &mut dyn FnMut(Node));
}

/// Wraps any iterator whose items are children, for iterators without their own
/// [`IntoChildren`] (the common adapters such as `map` and `filter` have one).
///
/// ```
/// use lona_html::each;
/// use lona_html::tags::{li, ul};
///
/// let words = "alpha beta".split(' ');
/// let list = ul().with(each(words.map(|w| li().with(w))));
/// assert_eq!(list.to_html(), "<ul><li>alpha</li><li>beta</li></ul>");
/// ```
pub fn each<I>(items: I) -> Each<I::IntoIter>
where
    I: IntoIterator,
    I::Item: IntoChildren,
{
    Each(items.into_iter())
}

/// Any iterator of children, made by [`each`].
#[derive(Debug, Clone)]
pub struct Each<I>(I);

impl<I> IntoChildren for Each<I>
where
    I: Iterator,
    I::Item: IntoChildren,
{
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        for item in self.0 {
            item.for_each_child(add);
        }
    }
}

impl<T: Into<Node>> IntoChildren for T {
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        add(self.into());
    }
}

impl IntoChildren for () {
    fn for_each_child(self, _add: &mut dyn FnMut(Node)) {}
}

impl<T: IntoChildren> IntoChildren for Option<T> {
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        if let Some(children) = self {
            children.for_each_child(add);
        }
    }
}

impl<T: IntoChildren> IntoChildren for Vec<T> {
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        for item in self {
            item.for_each_child(add);
        }
    }
}

impl<T: IntoChildren, const N: usize> IntoChildren for [T; N] {
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        for item in self {
            item.for_each_child(add);
        }
    }
}

impl<'a, T> IntoChildren for &'a [T]
where
    &'a T: IntoChildren,
{
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        for item in self {
            item.for_each_child(add);
        }
    }
}

impl<'a, T> IntoChildren for &'a Vec<T>
where
    &'a T: IntoChildren,
{
    fn for_each_child(self, add: &mut dyn FnMut(Node)) {
        self.as_slice().for_each_child(add);
    }
}

/// Text that is not already `Into<Node>`: each value is one text node.
macro_rules! text_children {
    ($($ty:ty),* $(,)?) => {
        $(
            impl IntoChildren for $ty {
                fn for_each_child(self, add: &mut dyn FnMut(Node)) {
                    add(Node::text(self.to_string()));
                }
            }
        )*
    };
}

text_children!(
    &String,
    Cow<'_, str>,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
);

/// A number given by reference, as `iter()` yields them.
macro_rules! text_children_by_ref {
    ($($ty:ty),* $(,)?) => {
        $(
            impl IntoChildren for &$ty {
                fn for_each_child(self, add: &mut dyn FnMut(Node)) {
                    add(Node::text(self.to_string()));
                }
            }
        )*
    };
}

text_children_by_ref!(
    &str, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64,
);

/// Tuples: the children of each part, in order.
macro_rules! tuple_children {
    ($($name:ident)+) => {
        impl<$($name: IntoChildren),+> IntoChildren for ($($name,)+) {
            #[allow(non_snake_case)]
            fn for_each_child(self, add: &mut dyn FnMut(Node)) {
                let ($($name,)+) = self;
                $($name.for_each_child(add);)+
            }
        }
    };
}

tuple_children!(A);
tuple_children!(A B);
tuple_children!(A B C);
tuple_children!(A B C D);
tuple_children!(A B C D E);
tuple_children!(A B C D E F);
tuple_children!(A B C D E F G);
tuple_children!(A B C D E F G H);
tuple_children!(A B C D E F G H I);
tuple_children!(A B C D E F G H I J);
tuple_children!(A B C D E F G H I J K);
tuple_children!(A B C D E F G H I J K L);

/// Iterator adapters whose items are children: the children of each item, in order.
macro_rules! iterator_children {
    ($([$($generics:tt)*] $ty:ty;)*) => {
        $(
            impl<$($generics)*> IntoChildren for $ty
            where
                $ty: Iterator,
                <$ty as Iterator>::Item: IntoChildren,
            {
                fn for_each_child(self, add: &mut dyn FnMut(Node)) {
                    for item in self {
                        item.for_each_child(add);
                    }
                }
            }
        )*
    };
}

use std::iter;

iterator_children! {
    [I, F] iter::Map<I, F>;
    [I, P] iter::Filter<I, P>;
    [I, F] iter::FilterMap<I, F>;
    [I, U: IntoIterator, F] iter::FlatMap<I, U, F>;
    [I: Iterator<Item: IntoIterator>] iter::Flatten<I>;
    [A, B] iter::Chain<A, B>;
    [I] iter::Take<I>;
    [I] iter::Skip<I>;
    [I, P] iter::TakeWhile<I, P>;
    [I, P] iter::SkipWhile<I, P>;
    [I] iter::StepBy<I>;
    [I] iter::Rev<I>;
    [I] iter::Cloned<I>;
    [I] iter::Copied<I>;
    [I: Iterator] iter::Peekable<I>;
    [T] iter::Once<T>;
    [T] iter::Empty<T>;
    [T] std::vec::IntoIter<T>;
    [T, const N: usize] std::array::IntoIter<T, N>;
    ['a, T] std::slice::Iter<'a, T>;
    ['a, T] std::collections::vec_deque::Iter<'a, T>;
    [T] std::collections::vec_deque::IntoIter<T>;
}
