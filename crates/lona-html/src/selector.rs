//! CSS selectors for finding nodes: tag, `*`, `#id`, `.class`, `[attr]`, `[attr=value]`, the
//! descendant (space) and child (`>`) combinators, and `,` lists.
//!
//! That is Lona's selector set plus the two combinators; anything else is a [`SelectorError`]
//! that says what was found where, never a silent mismatch.

use std::fmt;
use std::str::FromStr;

use crate::content::Content;
use crate::{AttrValue, Node, TreeNode};

/// A parsed selector list.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    alternatives: Vec<Complex>,
}

/// Compounds joined by combinators, left to right: `combinators[i]` joins `compounds[i]` and
/// `compounds[i + 1]`.
#[derive(Debug, Clone, PartialEq)]
struct Complex {
    compounds: Vec<Compound>,
    combinators: Vec<Combinator>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Compound {
    tag: Option<String>,
    ids: Vec<String>,
    classes: Vec<String>,
    attributes: Vec<(String, Option<String>)>,
}

/// A selector that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// Byte offset in the selector where the problem is.
    pub position: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid selector: expected {} at byte {}",
            self.expected, self.position
        )
    }
}

impl std::error::Error for SelectorError {}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Selector, SelectorError> {
        Selector::parse(s)
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    fn skip_whitespace(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
        self.pos != start
    }

    fn error(&self, expected: &'static str) -> SelectorError {
        SelectorError {
            position: self.pos,
            expected,
        }
    }

    fn ident(&mut self, expected: &'static str) -> Result<String, SelectorError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_') || !c.is_ascii())
        {
            self.bump();
        }
        if self.pos == start {
            return Err(self.error(expected));
        }
        Ok(self.input[start..self.pos].to_owned())
    }

    fn compound(&mut self) -> Result<Compound, SelectorError> {
        let mut compound = Compound::default();
        let start = self.pos;
        match self.peek() {
            Some('*') => self.bump(),
            Some(c) if c.is_alphanumeric() => compound.tag = Some(self.ident("a tag name")?),
            _ => {}
        }
        loop {
            match self.peek() {
                Some('#') => {
                    self.bump();
                    compound.ids.push(self.ident("an id after '#'")?);
                }
                Some('.') => {
                    self.bump();
                    compound.classes.push(self.ident("a class after '.'")?);
                }
                Some('[') => {
                    self.bump();
                    self.skip_whitespace();
                    let name = self.ident("an attribute name after '['")?;
                    self.skip_whitespace();
                    let value = if self.peek() == Some('=') {
                        self.bump();
                        self.skip_whitespace();
                        Some(self.value()?)
                    } else {
                        None
                    };
                    self.skip_whitespace();
                    if self.peek() != Some(']') {
                        return Err(self.error("']' or '=value]'"));
                    }
                    self.bump();
                    compound.attributes.push((name, value));
                }
                _ => break,
            }
        }
        if self.pos == start {
            return Err(self.error("a tag, '*', '#id', '.class' or '[attribute]'"));
        }
        Ok(compound)
    }

    fn value(&mut self) -> Result<String, SelectorError> {
        match self.peek() {
            Some(quote @ ('"' | '\'')) => {
                self.bump();
                let start = self.pos;
                while self.peek().is_some_and(|c| c != quote) {
                    self.bump();
                }
                if self.peek().is_none() {
                    return Err(self.error("a closing quote"));
                }
                let value = self.input[start..self.pos].to_owned();
                self.bump();
                Ok(value)
            }
            _ => self.ident("an attribute value"),
        }
    }

    fn complex(&mut self) -> Result<Complex, SelectorError> {
        let mut complex = Complex {
            compounds: vec![self.compound()?],
            combinators: Vec::new(),
        };
        loop {
            let had_space = self.skip_whitespace();
            let combinator = match self.peek() {
                None | Some(',') => return Ok(complex),
                Some('>') => {
                    self.bump();
                    self.skip_whitespace();
                    Combinator::Child
                }
                Some(_) if had_space => Combinator::Descendant,
                Some(_) => return Err(self.error("a combinator (' ' or '>'), ',' or the end")),
            };
            complex.combinators.push(combinator);
            complex.compounds.push(self.compound()?);
        }
    }
}

impl Selector {
    /// Parses a selector list.
    ///
    /// # Errors
    ///
    /// A [`SelectorError`] for syntax outside the supported set (`+`, `~`, pseudo-classes...).
    pub fn parse(input: &str) -> Result<Selector, SelectorError> {
        let mut parser = Parser { input, pos: 0 };
        let mut alternatives = Vec::new();
        loop {
            parser.skip_whitespace();
            alternatives.push(parser.complex()?);
            parser.skip_whitespace();
            match parser.peek() {
                None => return Ok(Selector { alternatives }),
                Some(',') => parser.bump(),
                Some(_) => return Err(parser.error("',' or the end")),
            }
        }
    }

    /// Whether `node` matches. Ancestors are looked at up to the root of its tree.
    pub fn matches(&self, node: &Node) -> bool {
        self.alternatives
            .iter()
            .any(|complex| matches_from(complex, complex.compounds.len() - 1, node))
    }
}

fn matches_from(complex: &Complex, index: usize, node: &Node) -> bool {
    if !compound_matches(&complex.compounds[index], node) {
        return false;
    }
    if index == 0 {
        return true;
    }
    match complex.combinators[index - 1] {
        Combinator::Child => node
            .parent()
            .is_some_and(|parent| matches_from(complex, index - 1, &parent)),
        Combinator::Descendant => {
            // Try every ancestor, not only the nearest match: `a > b c` may need a farther `b`.
            let mut current = node.parent();
            while let Some(ancestor) = current {
                if matches_from(complex, index - 1, &ancestor) {
                    return true;
                }
                current = ancestor.parent();
            }
            false
        }
    }
}

fn compound_matches(compound: &Compound, node: &Node) -> bool {
    node.visit(|_, content| {
        let Content::Element(element) = content else {
            return false;
        };
        if compound
            .tag
            .as_ref()
            .is_some_and(|tag| !tag.eq_ignore_ascii_case(&element.tag))
        {
            return false;
        }
        let has_all = |wanted: &[String], have: &[String]| wanted.iter().all(|w| have.contains(w));
        if !has_all(&compound.ids, element.ids()) || !has_all(&compound.classes, element.classes())
        {
            return false;
        }
        compound.attributes.iter().all(|(name, wanted)| {
            let value = match name.as_str() {
                "id" if !element.ids().is_empty() => Some(element.ids().join(" ")),
                "class" if !element.classes().is_empty() => Some(element.classes().join(" ")),
                _ => element
                    .attributes()
                    .iter()
                    .find(|(k, v)| k == name && *v != AttrValue::Bool(false))
                    .map(|(_, v)| match v {
                        AttrValue::Bool(true) => String::new(),
                        other => other.to_string(),
                    }),
            };
            match (value, wanted) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(value), Some(wanted)) => value == *wanted,
            }
        })
    })
}

/// Finding nodes.
impl Node {
    /// The first descendant (depth first, not this node) that matches `selector`.
    pub fn select_first(&self, selector: &Selector) -> Option<Node> {
        let _lock = self.lock();
        let mut stack: Vec<Node> = self.children().into_iter().rev().collect();
        while let Some(node) = stack.pop() {
            if selector.matches(&node) {
                return Some(node);
            }
            stack.extend(node.children().into_iter().rev());
        }
        None
    }

    /// All descendants (depth first, not this node) that match `selector`.
    pub fn select_all(&self, selector: &Selector) -> Vec<Node> {
        let _lock = self.lock();
        let mut found = Vec::new();
        let mut stack: Vec<Node> = self.children().into_iter().rev().collect();
        while let Some(node) = stack.pop() {
            if selector.matches(&node) {
                found.push(node.clone());
            }
            stack.extend(node.children().into_iter().rev());
        }
        found
    }

    /// The first descendant that matches the selector string.
    ///
    /// # Errors
    ///
    /// A [`SelectorError`] if the selector does not parse.
    pub fn query_selector(&self, selector: &str) -> Result<Option<Node>, SelectorError> {
        Ok(self.select_first(&Selector::parse(selector)?))
    }

    /// All descendants that match the selector string.
    ///
    /// # Errors
    ///
    /// A [`SelectorError`] if the selector does not parse.
    pub fn query_selector_all(&self, selector: &str) -> Result<Vec<Node>, SelectorError> {
        Ok(self.select_all(&Selector::parse(selector)?))
    }

    /// This node or its nearest ancestor that matches the selector string.
    ///
    /// # Errors
    ///
    /// A [`SelectorError`] if the selector does not parse.
    pub fn closest(&self, selector: &str) -> Result<Option<Node>, SelectorError> {
        let selector = Selector::parse(selector)?;
        let _lock = self.lock();
        let mut current = Some(self.clone());
        while let Some(node) = current {
            if selector.matches(&node) {
                return Ok(Some(node));
            }
            current = node.parent();
        }
        Ok(None)
    }
}
