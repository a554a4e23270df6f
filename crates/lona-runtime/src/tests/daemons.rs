//! Daemon views: they outlive their browser, and windows of the same session re-attach to
//! them.

use lona_protocol::DecodedServerMessage;

use crate::ViewFactory;

use super::support::{
    Counter, Probe, Read, W1, browser, click_on, message, patches, read, session, small_runtime,
    start, texts, tree, until_data, until_stop,
};

#[test]
fn a_daemon_outlives_its_browser_and_the_same_session_reattaches_to_the_full_tree() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Counter {
            probe: probe.clone(),
        })
    };
    let me = session("me");
    let first = browser(&me);
    let id = start(&runtime, &factory, &first, "http://localhost/counter");
    until_stop(&first);
    runtime.input_event(&first, W1, id, click_on(&probe.node(0), 1));
    until_data(&first);
    runtime.connection_closed(&first);
    assert_eq!(
        runtime.view_count(),
        1,
        "a daemon keeps running with nobody attached"
    );

    // The same session on the same URL gets the same view, with the whole current tree.
    let again = browser(&me);
    assert_eq!(
        start(&runtime, &factory, &again, "http://localhost/counter"),
        id
    );
    assert!(matches!(
        message(&again),
        DecodedServerMessage::ViewStart { .. }
    ));
    let shown = message(&again);
    tree(&shown);
    assert!(texts(&shown).contains(&"1"), "{shown:?}");

    // Another session gets its own view.
    let other = browser(&session("other"));
    assert_ne!(
        start(&runtime, &factory, &other, "http://localhost/counter"),
        id
    );
    runtime.shutdown();
}

#[test]
fn two_tabs_on_one_daemon_both_receive_its_patches() {
    let runtime = small_runtime();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        ViewFactory::blocking(move |_| Counter {
            probe: probe.clone(),
        })
    };
    let me = session("me");
    let (tab1, tab2) = (browser(&me), browser(&me));
    let id = start(&runtime, &factory, &tab1, "http://localhost/counter");
    until_stop(&tab1);
    assert_eq!(
        start(&runtime, &factory, &tab2, "http://localhost/counter"),
        id
    );
    until_data(&tab2);
    runtime.input_event(&tab2, W1, id, click_on(&probe.node(0), 1));
    for tab in [&tab1, &tab2] {
        let update = until_data(tab);
        patches(&update);
        assert!(texts(&update).contains(&"1"), "{update:?}");
    }
    // The ACK went to the tab that clicked only.
    assert!(std::iter::from_fn(|| tab1.try_next()).all(|m| !matches!(
        read(&m),
        Some(Read::Lona(DecodedServerMessage::InputEventAck { .. }))
    )));
    runtime.shutdown();
}
