//! Tests of app state and the server state map.

use std::sync::Arc;

use lona_html::Value;

use super::{AppState, ServerState};

#[derive(Debug, PartialEq)]
struct Database(&'static str);

#[test]
fn app_state_holds_one_value_per_type() {
    let state = AppState::default().with(Database("postgres")).with(42u32);
    assert_eq!(
        state.get::<Database>().as_deref(),
        Some(&Database("postgres"))
    );
    assert_eq!(state.get::<u32>().as_deref(), Some(&42));
    assert!(state.get::<String>().is_none());
}

#[test]
fn a_value_registered_in_an_arc_is_found_by_its_own_type() {
    let database = Arc::new(Database("postgres"));
    let state = AppState::default().with(Arc::clone(&database));
    let found = state.get::<Database>().expect("found as Database");
    assert!(Arc::ptr_eq(&found, &database), "the same Arc, not a copy");
    // Asked for as what it was registered as, it is there too.
    assert!(state.get::<Arc<Database>>().is_some());
    // A plain value of the type comes first.
    let state = state.with(Database("sqlite"));
    assert_eq!(
        state.get::<Database>().as_deref(),
        Some(&Database("sqlite"))
    );
}

#[test]
fn the_server_state_map_is_shared_and_atomic_under_its_lock() {
    let state = Arc::new(ServerState::new(vec![("count".to_owned(), Value::Int(0))]));
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let state = Arc::clone(&state);
            std::thread::Builder::new()
                .name(format!("state-{n}"))
                .spawn(move || {
                    for _ in 0..250 {
                        let mut map = state.lock();
                        let n = map.get("count").and_then(Value::as_i64).unwrap_or(0);
                        map.set("count", n + 1);
                    }
                })
                .expect("spawns")
        })
        .collect();
    for thread in threads {
        thread.join().expect("joins");
    }
    assert_eq!(state.get("count"), Some(Value::Int(1000)));
    assert_eq!(state.lock().remove("count"), Some(Value::Int(1000)));
    assert!(state.lock().keys().is_empty());
}
