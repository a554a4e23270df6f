//! The replay check of the property tests, on top of the one patch applier ([`Mirror`]):
//! replaying what a tree recorded (or what `diff` produced) must give the tree as it is now.

use crate::content::Content;
use crate::{Event, Mirror, Patch, Snapshot};

/// A tree as a browser window holds it; compare with [`Dom::normalized`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dom(Option<Snapshot>);

impl Dom {
    pub(crate) fn from_snapshot(snapshot: &Snapshot) -> Dom {
        Dom(Some(snapshot.clone()))
    }

    /// The same tree as the wire can tell it, with attributes sorted by name: attribute order
    /// means nothing (docs/protocol.md, "Map order"), and custom events never leave the server.
    pub(crate) fn normalized(self) -> Dom {
        Dom(self.0.map(normalize))
    }

    /// Applies patches in order with [`Mirror`]; panics on a patch the client could not apply
    /// (an unknown node id, a widget-data path that does not exist).
    pub(crate) fn apply(&mut self, patches: &[Patch]) {
        let Some(tree) = &self.0 else {
            panic!("patches for an empty window: {patches:?}");
        };
        let mut mirror =
            Mirror::from_snapshot(tree).unwrap_or_else(|error| panic!("{error}: {tree:?}"));
        for patch in patches {
            mirror
                .apply(patch)
                .unwrap_or_else(|error| panic!("{error}: {patch:?}"));
        }
        self.0 = mirror.snapshot();
    }
}

fn normalize(mut snapshot: Snapshot) -> Snapshot {
    if let Content::Element(element) = &mut snapshot.content {
        if let Some(rare) = element.rare.as_deref_mut() {
            rare.attributes.sort_by(|a, b| a.0.cmp(&b.0));
            rare.events
                .retain(|event| !matches!(event, Event::Custom(_)));
        }
        element.children = std::mem::take(&mut element.children)
            .into_iter()
            .map(normalize)
            .collect();
    }
    snapshot
}
