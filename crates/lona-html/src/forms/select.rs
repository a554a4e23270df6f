//! `Select`, single or multiple: the value is the selected options' values.

use crate::{AttrValue, Event, Node};

use super::{Kind, descendants, flag, is_tag, kind, set_flag, text_attribute};

handle!(
    /// `<select>`, single or `multiple` (Lona's `Select2` with `Option2`): options with string
    /// values; the value is the selected options' values.
    ///
    /// As in a browser, a single select with no selected option shows, and submits, its first
    /// option: [`Select::value`] says so too.
    Select
);
control!(Select);

impl Default for Select {
    fn default() -> Select {
        Select::new()
    }
}

/// The value of an option: its `value` attribute, or its text without one, as in HTML.
fn option_value(option: &Node) -> String {
    text_attribute(option, "value").unwrap_or_else(|| option.text_content().trim().to_owned())
}

impl Select {
    /// A select of one option at a time.
    pub fn new() -> Select {
        Select(Node::element("select").with_event(Event::CHANGE))
    }

    /// A select of any number of options (`multiple`).
    pub fn multiple() -> Select {
        Select(
            Node::element("select")
                .with_attr("multiple", true)
                .with_event(Event::CHANGE),
        )
    }

    /// The node as a select, if it is one.
    pub fn from_node(node: Node) -> Option<Select> {
        (kind(&node) == Some(Kind::Select)).then_some(Select(node))
    }

    /// Whether any number of options can be selected.
    pub fn is_multiple(&self) -> bool {
        flag(&self.0, "multiple")
    }

    /// Appends an option `<option value="value">label</option>` and returns it.
    pub fn add_option(&self, value: &str, label: &str) -> Node {
        let option = Node::element("option")
            .with_attr("value", value)
            .with_text(label);
        self.0.append(&option);
        option
    }

    /// Appends an option.
    #[must_use]
    pub fn with_option(self, value: &str, label: &str) -> Select {
        self.add_option(value, label);
        self
    }

    /// Appends options from `(value, label)` pairs.
    #[must_use]
    pub fn with_options<'a>(self, options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Select {
        {
            let _lock = self.0.lock();
            for (value, label) in options {
                self.add_option(value, label);
            }
        }
        self
    }

    /// The options, in order (also those inside an `optgroup`): the order of the indexes a
    /// browser sends.
    pub fn options(&self) -> Vec<Node> {
        descendants(&self.0)
            .into_iter()
            .filter(|node| is_tag(node, "option"))
            .collect()
    }

    /// The values of the options, in order.
    pub fn option_values(&self) -> Vec<String> {
        let _lock = self.0.lock();
        self.options().iter().map(option_value).collect()
    }

    /// Removes the options with this value; `false` if there is none.
    pub fn remove_option(&self, value: &str) -> bool {
        let _lock = self.0.lock();
        let mut removed = false;
        for option in self.options() {
            if option_value(&option) == value {
                removed |= option.remove();
            }
        }
        removed
    }

    /// Removes every child.
    pub fn clear_options(&self) {
        self.0.clear();
    }

    /// The selected options, in order. A single select with none selected gives its first
    /// option, which is what the browser shows.
    pub fn selected_options(&self) -> Vec<Node> {
        let _lock = self.0.lock();
        let options = self.options();
        let selected: Vec<Node> = options
            .iter()
            .filter(|option| flag(option, "selected"))
            .cloned()
            .collect();
        match (self.is_multiple(), selected.is_empty()) {
            (false, true) => options.into_iter().take(1).collect(),
            // A browser keeps the last of several selected options of a single select.
            (false, false) => selected.into_iter().last().into_iter().collect(),
            (true, _) => selected,
        }
    }

    /// The value of the selected option (the first one of a multiple select); `None` without
    /// options, or for a multiple select with none selected.
    pub fn value(&self) -> Option<String> {
        self.selected_options().first().map(option_value)
    }

    /// The values of the selected options, in order.
    pub fn values(&self) -> Vec<String> {
        self.selected_options().iter().map(option_value).collect()
    }

    /// Selects the option with this value (a single select: only it) or, with `None`, none.
    /// Returns `false`, changing nothing, if no option has the value.
    pub fn set_value(&self, value: Option<&str>) -> bool {
        let _lock = self.0.lock();
        let values = self.option_values();
        let index = match value {
            Some(value) => match values.iter().position(|v| v == value) {
                Some(index) => Some(index),
                None => return false,
            },
            None => None,
        };
        self.select_indexes(&index.into_iter().collect::<Vec<_>>());
        true
    }

    /// Selects exactly the options with these values (a single select: the first of them
    /// that exists). Values without an option are skipped.
    pub fn set_values<'a>(&self, values: impl IntoIterator<Item = &'a str>) {
        let _lock = self.0.lock();
        let wanted: Vec<&str> = values.into_iter().collect();
        let mut indexes: Vec<usize> = self
            .option_values()
            .iter()
            .enumerate()
            .filter(|(_, value)| wanted.contains(&value.as_str()))
            .map(|(index, _)| index)
            .collect();
        if !self.is_multiple() {
            indexes.truncate(1);
        }
        self.select_indexes(&indexes);
    }

    /// Selects every option (of a multiple select; a single select selects its first).
    pub fn select_all(&self) {
        let _lock = self.0.lock();
        let count = self.options().len();
        let all: Vec<usize> = (0..count).collect();
        let indexes = if self.is_multiple() {
            &all[..]
        } else {
            &all[..count.min(1)]
        };
        self.select_indexes(indexes);
    }

    /// Selects no option.
    pub fn select_none(&self) {
        self.select_indexes(&[]);
    }

    /// The indexes of the selected options (see [`Select::selected_options`]).
    pub fn selected_indexes(&self) -> Vec<usize> {
        let _lock = self.0.lock();
        let selected = self.selected_options();
        self.options()
            .iter()
            .enumerate()
            .filter(|(_, option)| selected.contains(option))
            .map(|(index, _)| index)
            .collect()
    }

    /// Selects exactly the options at `indexes`; other indexes are ignored.
    pub(super) fn select_indexes(&self, indexes: &[usize]) {
        let _lock = self.0.lock();
        for (index, option) in self.options().iter().enumerate() {
            set_flag(option, "selected", indexes.contains(&index));
        }
    }
}
