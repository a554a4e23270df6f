//! Strategies for property tests of server messages: snapshots and patches as the server
//! could send them, every patch type and operation.

use lona_html::{
    AttrValue, Element, Event, Key, ListOp, MapOp, Namespace, NodeId, NodesOp, PatchOp, Snapshot,
    Value, WidgetDataOp,
};
use proptest::prelude::*;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z]{1,6}", any::<String>()]
}

/// Mostly small ids, so that random patches often name a node of a random tree.
pub(crate) fn any_id() -> impl Strategy<Value = NodeId> {
    prop_oneof![4 => 1u64..12, 1 => any::<u64>()].prop_map(NodeId::from_raw)
}

fn any_key() -> impl Strategy<Value = Key> {
    prop_oneof![
        "[a-z]{0,4}".prop_map(Key::Name),
        (0usize..1000).prop_map(Key::Index)
    ]
}

/// Widget data: finite floats (a non-finite one is written as `null`), unique map keys.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (-1e300f64..1e300).prop_map(Value::Float),
        any_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::btree_map("[a-z]{0,3}", inner, 0..4)
                .prop_map(|map| Value::Map(map.into_iter().collect())),
        ]
    })
}

fn any_attr_value() -> impl Strategy<Value = AttrValue> {
    prop_oneof![
        any_text().prop_map(AttrValue::Str),
        any::<bool>().prop_map(AttrValue::Bool),
        any::<i64>().prop_map(AttrValue::Int),
        (-1e300f64..1e300).prop_map(AttrValue::Float),
    ]
}

fn attribute_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title".to_owned()),
        Just("data-x".to_owned()),
        "[a-z]{1,5}"
    ]
}

fn any_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Click),
        (0u32..1000).prop_map(|delay_ms| Event::Change { delay_ms }),
        Just(Event::Focus),
        Just(Event::Blur),
        Just(Event::Submit),
    ]
}

fn any_namespace() -> impl Strategy<Value = Namespace> {
    prop_oneof![
        Just(Namespace::HTML),
        Just(Namespace::SVG),
        Just(Namespace::MATHML),
        Just(Namespace::new("urn:x")),
    ]
}

/// Snapshots as the server could send them: no custom events (they stay on the server), and a
/// widget only with a name.
pub(crate) fn any_snapshot() -> impl Strategy<Value = Snapshot> {
    let text = (any_id(), any_text()).prop_map(|(id, text)| Snapshot::text(id, text));
    text.prop_recursive(3, 24, 4, |inner| {
        (
            any_id(),
            any_namespace(),
            prop_oneof![Just("div"), Just("svg"), Just("x-y")],
            prop::collection::vec("[a-z]{1,4}", 0..3),
            prop::collection::btree_map("[a-z]{1,5}", "[a-z0-9 ]{0,5}", 0..3),
            prop::collection::btree_map(attribute_name(), any_attr_value(), 0..3),
            prop::collection::vec(any_event(), 0..3),
            prop::option::of(("[A-Za-z.]{1,8}", any_value())),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(
                |(id, ns, tag, classes, style, attributes, mut events, widget, children)| {
                    events.dedup_by(|a, b| a.same_type(b));
                    let mut element = Element::resolved(ns, tag)
                        .with_ids(vec!["i".to_owned()])
                        .with_classes(classes)
                        .with_style(style.into_iter().collect())
                        .with_attributes(attributes.into_iter().collect())
                        .with_events(events)
                        .with_children(children);
                    if let Some((name, data)) = widget {
                        element = element.with_widget(name, data);
                    }
                    Snapshot::element(id, element)
                },
            )
    })
}

fn any_list_op() -> impl Strategy<Value = ListOp> {
    prop_oneof![
        any_text().prop_map(ListOp::Add),
        any_text().prop_map(ListOp::Remove),
        Just(ListOp::Clear),
        prop::collection::vec(any_text(), 0..3).prop_map(ListOp::Reset),
    ]
}

pub(crate) fn any_patch_op() -> impl Strategy<Value = PatchOp> {
    let style = prop_oneof![
        (any_text(), any_text()).prop_map(|(k, v)| MapOp::Set(k, v)),
        any_text().prop_map(MapOp::Remove),
        Just(MapOp::Clear),
        prop::collection::btree_map(any_text(), any_text(), 0..3)
            .prop_map(|m| MapOp::Reset(m.into_iter().collect())),
    ];
    let attributes = prop_oneof![
        (attribute_name(), any_attr_value()).prop_map(|(k, v)| MapOp::Set(k, v)),
        Just(MapOp::Set(
            lona_html::EVENTS_ATTRIBUTE.to_owned(),
            AttrValue::Str("301;302:30".to_owned())
        )),
        any_text().prop_map(MapOp::Remove),
        Just(MapOp::Clear),
        prop::collection::btree_map(attribute_name(), any_attr_value(), 0..3)
            .prop_map(|m| MapOp::Reset(m.into_iter().collect())),
    ];
    let nodes = prop_oneof![
        (0usize..100, any_snapshot()).prop_map(|(i, s)| NodesOp::Insert(i, s)),
        (0usize..100, any_snapshot()).prop_map(|(i, s)| NodesOp::Set(i, s)),
        any_id().prop_map(NodesOp::Remove),
        Just(NodesOp::Clear),
        prop::collection::vec(any_snapshot(), 0..3).prop_map(NodesOp::Reset),
    ];
    let path = || prop::collection::vec(any_key(), 0..3);
    let widget_data = prop_oneof![
        (path(), any_key(), any_value()).prop_map(|(path, key, value)| WidgetDataOp::Set {
            path,
            key,
            value
        }),
        (path(), 0usize..100, any_value())
            .prop_map(|(path, index, value)| { WidgetDataOp::Insert { path, index, value } }),
        (path(), any_key()).prop_map(|(path, key)| WidgetDataOp::Remove { path, key }),
        path().prop_map(|path| WidgetDataOp::Clear { path }),
        any_value().prop_map(WidgetDataOp::Reset),
    ];
    prop_oneof![
        any_list_op().prop_map(PatchOp::IdList),
        any_list_op().prop_map(PatchOp::ClassList),
        style.prop_map(PatchOp::Style),
        attributes.prop_map(PatchOp::Attributes),
        nodes.prop_map(PatchOp::Nodes),
        widget_data.prop_map(PatchOp::WidgetData),
    ]
}
