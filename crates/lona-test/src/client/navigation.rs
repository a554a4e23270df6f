//! What a browser makes of forms and links outside the view: the fields a form posts, their
//! URL encoding, the target of a link and URL resolution against the window's URL.

use lona_html::forms::Select;
use lona_html::{AttrValue, Node};
use lona_protocol::client::PostValue;

/// The fields of `form` in document order, as a browser's `FormData` has them and the client
/// sends them: named controls that are not disabled; checkboxes and radios only when checked
/// (with their value, `on` without one); the selected options of a select (a multiple select's
/// as a list, if any); no buttons and no files. A name given more than once becomes a list.
pub(crate) fn form_fields(form: &Node) -> Vec<(String, PostValue)> {
    let mut fields: Vec<(String, PostValue)> = Vec::new();
    let mut add = |name: String, value: PostValue| match fields.iter_mut().find(|(n, _)| *n == name)
    {
        Some((_, existing)) => {
            let mut list = match std::mem::replace(existing, PostValue::List(Vec::new())) {
                PostValue::Text(text) => vec![text],
                PostValue::List(list) => list,
            };
            match value {
                PostValue::Text(text) => list.push(text),
                PostValue::List(more) => list.extend(more),
            }
            *existing = PostValue::List(list);
        }
        None => fields.push((name, value)),
    };
    let attribute = |node: &Node, name: &str| node.attributes().get(name).map(|v| v.to_string());
    let mut stack: Vec<Node> = form.children().into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        stack.extend(node.children().into_iter().rev());
        if !node.is_element() {
            continue;
        }
        let Some(name) = attribute(&node, "name").filter(|n| !n.is_empty()) else {
            continue;
        };
        let flag = |name: &str| {
            node.attributes()
                .get(name)
                .is_some_and(|v| v != AttrValue::Bool(false))
        };
        if flag("disabled") {
            continue;
        }
        match node.tag().unwrap_or_default().to_ascii_lowercase().as_str() {
            "input" => {
                let kind = attribute(&node, "type")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let value = attribute(&node, "value");
                match kind.as_str() {
                    "checkbox" | "radio" if flag("checked") => {
                        add(
                            name,
                            PostValue::Text(value.unwrap_or_else(|| "on".to_owned())),
                        );
                    }
                    "checkbox" | "radio" | "submit" | "button" | "reset" | "image" | "file" => {}
                    _ => add(name, PostValue::Text(value.unwrap_or_default())),
                }
            }
            "textarea" => add(
                name,
                PostValue::Text(attribute(&node, "value").unwrap_or_default()),
            ),
            "select" => {
                if let Some(select) = Select::from_node(node.clone()) {
                    let values = select.values();
                    // A multiple select with nothing selected sends nothing, as in FormData.
                    if select.is_multiple() {
                        if !values.is_empty() {
                            add(name, PostValue::List(values));
                        }
                    } else if let Some(value) = values.into_iter().next() {
                        add(name, PostValue::Text(value));
                    }
                }
            }
            _ => {}
        }
    }
    fields
}

/// `application/x-www-form-urlencoded`, as `URLSearchParams` writes it.
pub(crate) fn form_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                encoded.push(char::from(byte));
            }
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// The `href` of the link `node` is in, if any.
pub(crate) fn link(node: &Node) -> Option<String> {
    let link = node.closest("a[href]").ok().flatten()?;
    link.attributes().get("href").map(|href| href.to_string())
}

/// Resolves `target` against the absolute URL `base`: absolute URLs stay, `/path` keeps the
/// origin, `?query` keeps the path, and anything else replaces the last path segment.
pub(crate) fn resolve(base: &str, target: &str) -> String {
    if target.contains("://") {
        return target.to_owned();
    }
    let (origin, path) = match base.split_once("://") {
        Some((scheme, rest)) => {
            let slash = rest.find('/').unwrap_or(rest.len());
            (
                format!("{scheme}://{}", &rest[..slash]),
                rest[slash..].to_owned(),
            )
        }
        None => (String::new(), base.to_owned()),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if target.starts_with('/') {
        format!("{origin}{target}")
    } else if target.starts_with('?') || target.starts_with('#') {
        format!("{origin}{path}{target}")
    } else {
        let directory = path.rfind('/').map_or("/", |i| &path[..=i]);
        format!("{origin}{directory}{target}")
    }
}
