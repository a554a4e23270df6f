//! The text controls: `TextInput`, `TextArea` and `NumberInput`, whose value is the `value`
//! attribute.

use crate::{AttrValue, Event, Node};

use super::{Kind, TEXT_INPUT_DELAY_MS, flag, kind, set_flag, set_text_value, text_attribute};

handle!(
    /// `<input type="text">` (Lona's `TextInput`): a string value in the `value` attribute,
    /// sent by the browser `300` ms after the user paused typing.
    TextInput
);
control!(TextInput);
text_control!(TextInput);

impl Default for TextInput {
    fn default() -> TextInput {
        TextInput::new()
    }
}

impl TextInput {
    /// An empty text input.
    pub fn new() -> TextInput {
        TextInput(
            Node::element("input")
                .with_attr("type", "text")
                .with_event(Event::Change {
                    delay_ms: TEXT_INPUT_DELAY_MS,
                }),
        )
    }

    /// The node as a text input, if it is an `input` with a text value (any type but
    /// checkbox, radio, file and the buttons).
    pub fn from_node(node: Node) -> Option<TextInput> {
        (kind(&node) == Some(Kind::Text)).then_some(TextInput(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: &str) -> TextInput {
        self.set_value(value);
        self
    }

    /// The value: what the user typed last, or what the server set last.
    pub fn value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value; the browser shows it.
    pub fn set_value(&self, value: &str) {
        set_text_value(&self.0, value);
    }
}

handle!(
    /// `<textarea>` (Lona's `TextArea`): like [`TextInput`], several lines.
    ///
    /// The value is the `value` attribute, which the client sets as the DOM property; a page
    /// rendered without the client (`Node::to_html`) shows an empty textarea.
    TextArea
);
control!(TextArea);
text_control!(TextArea);

impl Default for TextArea {
    fn default() -> TextArea {
        TextArea::new()
    }
}

impl TextArea {
    /// An empty textarea.
    pub fn new() -> TextArea {
        TextArea(Node::element("textarea").with_event(Event::Change {
            delay_ms: TEXT_INPUT_DELAY_MS,
        }))
    }

    /// The node as a textarea, if it is one.
    pub fn from_node(node: Node) -> Option<TextArea> {
        (kind(&node) == Some(Kind::TextArea)).then_some(TextArea(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: &str) -> TextArea {
        self.set_value(value);
        self
    }

    /// The value.
    pub fn value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value; the browser shows it.
    pub fn set_value(&self, value: &str) {
        set_text_value(&self.0, value);
    }
}

handle!(
    /// `<input type="number">` (Lona's `NumberInput`): a number or nothing, with optional
    /// `min`, `max` and `step` that [`NumberInput::is_valid`] checks.
    NumberInput
);
control!(NumberInput);
text_control!(NumberInput);

impl Default for NumberInput {
    fn default() -> NumberInput {
        NumberInput::new()
    }
}

/// A number as the `value`, `min`, `max` and `step` attributes hold it: the shortest form that
/// reads back the same (`2`, `0.1`, `-1.5`).
fn number_text(value: f64) -> String {
    format!("{value}")
}

impl NumberInput {
    /// An empty number input.
    pub fn new() -> NumberInput {
        NumberInput(
            Node::element("input")
                .with_attr("type", "number")
                .with_event(Event::Change {
                    delay_ms: TEXT_INPUT_DELAY_MS,
                }),
        )
    }

    /// The node as a number input, if it is an `input type="number"`.
    pub fn from_node(node: Node) -> Option<NumberInput> {
        let is_number = kind(&node) == Some(Kind::Text)
            && text_attribute(&node, "type").is_some_and(|t| t.eq_ignore_ascii_case("number"));
        is_number.then_some(NumberInput(node))
    }

    /// Sets the value.
    #[must_use]
    pub fn with_value(self, value: f64) -> NumberInput {
        self.set_value(Some(value));
        self
    }

    /// Sets the smallest valid value.
    #[must_use]
    pub fn with_min(self, min: f64) -> NumberInput {
        self.0.attributes().set("min", number_text(min));
        self
    }

    /// Sets the largest valid value.
    #[must_use]
    pub fn with_max(self, max: f64) -> NumberInput {
        self.0.attributes().set("max", number_text(max));
        self
    }

    /// Sets the step: valid values are `min` (or 0) plus a whole number of steps.
    #[must_use]
    pub fn with_step(self, step: f64) -> NumberInput {
        self.0.attributes().set("step", number_text(step));
        self
    }

    fn number_attribute(&self, name: &str) -> Option<f64> {
        text_attribute(&self.0, name)
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite())
    }

    /// The value as a number; `None` if the input is empty or does not hold a finite number
    /// (browsers send an empty value for input they cannot read as a number).
    pub fn value(&self) -> Option<f64> {
        self.number_attribute("value")
    }

    /// The value as text, as the browser sent it.
    pub fn raw_value(&self) -> String {
        text_attribute(&self.0, "value").unwrap_or_default()
    }

    /// Sets the value (`None` empties the input). A non-finite number empties it too.
    pub fn set_value(&self, value: Option<f64>) {
        let text = value
            .filter(|n| n.is_finite())
            .map(number_text)
            .unwrap_or_default();
        set_text_value(&self.0, &text);
    }

    /// The `min` attribute.
    pub fn min(&self) -> Option<f64> {
        self.number_attribute("min")
    }

    /// The `max` attribute.
    pub fn max(&self) -> Option<f64> {
        self.number_attribute("max")
    }

    /// The `step` attribute (`None` for `any` or none).
    pub fn step(&self) -> Option<f64> {
        self.number_attribute("step").filter(|s| *s > 0.0)
    }

    /// Whether the value is valid as HTML sees it: empty (unless `required`), or a number
    /// within `min` and `max` that is `min` (or 0) plus a whole number of `step`s.
    pub fn is_valid(&self) -> bool {
        let _lock = self.0.lock();
        let raw = self.raw_value();
        if raw.trim().is_empty() {
            return !flag(&self.0, "required");
        }
        let Some(value) = self.value() else {
            return false;
        };
        if self.min().is_some_and(|min| value < min) || self.max().is_some_and(|max| value > max) {
            return false;
        }
        self.step().is_none_or(|step| {
            let steps = (value - self.min().unwrap_or(0.0)) / step;
            (steps - steps.round()).abs() < 1e-9 * steps.abs().max(1.0)
        })
    }
}
