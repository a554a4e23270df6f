//! Broadcast views through the test kit: two sessions watch one scoreboard, a goal from either
//! reaches both, a late third session gets the current score, and the server counts one
//! instance with its watchers.

use lona_test::TestServer;

#[test]
fn two_sessions_watch_one_broadcast_view_and_a_late_third_gets_the_current_score() {
    let server = TestServer::start(examples::scoreboard::app());
    let mut alice = server.open("/score/live").expect("alice watches");
    let mut bob = server.open("/score/live").expect("bob watches");
    assert_ne!(
        alice.session().cookie(),
        bob.session().cookie(),
        "two sessions"
    );

    bob.click("#home-goal").expect("bob scores");
    alice
        .wait_for_node_text("#home", "1")
        .expect("alice sees it");
    bob.wait_for_node_text("#home", "1").expect("bob sees it");
    alice.click("#away-goal").expect("alice scores");
    bob.wait_for_node_text("#away", "1").expect("bob sees it");
    alice
        .wait_for_node_text("#away", "1")
        .expect("alice sees it");

    let mut carol = server.open("/score/live").expect("carol watches, late");
    carol
        .wait_for_node_text("#home", "1")
        .expect("carol gets the score");
    assert_eq!(carol.text("#away").as_deref(), Some("1"));

    let metrics = server.server().metrics().broadcast;
    assert_eq!((metrics.instances, metrics.watchers), (1, 3), "{metrics:?}");
    assert!(metrics.frames_shared >= 2, "{metrics:?}");
}
