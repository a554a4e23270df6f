//! Broadcast views in real browsers: two visitors (two Chromiums, two cookie jars, two
//! sessions) watch one scoreboard, a goal from either shows in both, a third who comes later
//! gets the current score, and a page of one window holds the board as a second window beside
//! its own per-window state (`examples/scoreboard.rs`).

use examples::scoreboard;

use super::support::run;

#[test]
fn two_sessions_watch_one_broadcast_view_and_a_late_third_gets_the_current_tree() {
    run(scoreboard::app(), async |alice| {
        alice.open("/score/live").await?;
        alice.wait_text("#home", "0").await?;
        let bob = alice.other_browser().await?;
        bob.open("/score/live").await?;
        bob.wait_text("#home", "0").await?;

        // Bob scores: both see it. Then Alice: both again.
        bob.click("#home-goal").await?;
        bob.wait_text("#home", "1").await?;
        alice.wait_text("#home", "1").await?;
        alice.click("#away-goal").await?;
        alice.wait_text("#away", "1").await?;
        bob.wait_text("#away", "1").await?;

        // Two sessions, one view: the server runs one broadcast view with two watchers.
        let metrics = alice.server().metrics().broadcast;
        if (metrics.instances, metrics.watchers) != (1, 2) {
            return Err(super::support::fail(format!(
                "one instance, two watchers, not {metrics:?}"
            )));
        }

        // Carol comes late, to her own page: the board in its second window shows the
        // current score, and her pause hides it for her alone.
        let carol = alice.other_browser().await?;
        carol.open("/").await?;
        carol.wait_text("#board #home", "1").await?;
        carol.wait_text("#board #away", "1").await?;
        carol.click("#pause").await?;
        carol.wait_text("#state", "paused").await?;
        bob.click("#home-goal").await?;
        alice.wait_text("#home", "2").await?;
        bob.wait_text("#home", "2").await?;
        Ok(())
    });
}
