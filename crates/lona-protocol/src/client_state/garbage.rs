//! Property tests: a client state takes any frame, decodable or not, and any patch list, valid
//! or not for its window, without panicking; what it cannot take is an error.

use lona_html::Patch;
use proptest::prelude::*;

use super::ClientState;
use crate::server::decode::strategies::{any_id, any_patch_op, any_snapshot};
use crate::{Html, RuntimeId, ServerMessage, WindowId};

const W1: WindowId = WindowId(1);
const R1: RuntimeId = RuntimeId(1);

fn started(tree: &str) -> ClientState {
    let mut state = ClientState::new();
    state.view(W1, "http://127.0.0.1/");
    let start = ServerMessage::ViewStart {
        window: W1,
        runtime: R1,
        resume: None,
    };
    state.receive(&start.encode()).expect("VIEW_START");
    let _ = state.receive(tree);
    state
}

fn data(html: Html<'_>) -> String {
    ServerMessage::Data {
        window: W1,
        runtime: R1,
        title: "",
        html: Some(html),
    }
    .encode()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_patches_on_a_random_tree_apply_or_fail(
        tree in any_snapshot(),
        ops in prop::collection::vec((any_id(), any_patch_op()), 1..8),
    ) {
        let patches: Vec<Patch> = ops.into_iter().map(|(id, op)| Patch::new(id, op)).collect();
        let mut state = started(&data(Html::Snapshot(&tree)));
        for patch in patches {
            let _ = state.receive(&data(Html::Update(std::slice::from_ref(&patch))));
            let window = state.window(W1).expect("window 1");
            let _ = (window.html(), window.text(), window.node_count());
        }
    }

    #[test]
    fn broken_frames_are_errors(
        tree in any_snapshot(),
        ops in prop::collection::vec((any_id(), any_patch_op()), 0..4),
        at in any::<prop::sample::Index>(),
        with in prop::sample::select(&b"[]{}\",:0129an-"[..]),
    ) {
        let patches: Vec<Patch> = ops.into_iter().map(|(id, op)| Patch::new(id, op)).collect();
        let tree_frame = data(Html::Snapshot(&tree));
        for frame in [tree_frame.clone(), data(Html::Update(&patches))] {
            let mut bytes = frame.into_bytes();
            let i = at.index(bytes.len());
            let mut cut = bytes.clone();
            cut.truncate(i);
            bytes[i] = with;
            for broken in [cut, bytes] {
                let broken = String::from_utf8_lossy(&broken);
                let _ = crate::decode_server(&broken);
                let mut state = started(&tree_frame);
                let _ = state.receive(&broken);
            }
        }
    }
}
