//! App state: values an app registers once and every view reaches (`cx.state::<T>()`), and the
//! process's shared, lock-protected map (Lona's `server.state`).
//!
//! Both are per process: several processes behind a load balancer each have their own.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use lona_html::Value;
use parking_lot::{Mutex, MutexGuard};

/// Typed values, one per type, shared by every view of a runtime.
#[derive(Clone, Default)]
pub struct AppState {
    values: Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("values", &self.values.len())
            .finish()
    }
}

impl AppState {
    /// Adds (or replaces) the value of type `T`.
    ///
    /// An `Arc<T>` is found as `T` too: `get::<T>()` hands out that same `Arc`, so an app that
    /// keeps a clone of what it registered shares it with its views.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lona_runtime::AppState;
    ///
    /// struct Pool(&'static str);
    ///
    /// let pool = Arc::new(Pool("db"));
    /// let state = AppState::default().with(Arc::clone(&pool));
    /// let found = state.get::<Pool>().expect("an Arc<Pool> is found as Pool");
    /// assert!(Arc::ptr_eq(&found, &pool));
    /// ```
    #[must_use]
    pub fn with<T: Send + Sync + 'static>(self, value: T) -> AppState {
        let mut values = (*self.values).clone();
        values.insert(TypeId::of::<T>(), Arc::new(value));
        AppState {
            values: Arc::new(values),
        }
    }

    /// The value of type `T`, if the app registered one: a `T`, or else an `Arc<T>`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        if let Some(value) = self.values.get(&TypeId::of::<T>()) {
            return Arc::clone(value).downcast::<T>().ok();
        }
        // `with(Arc::new(x))` stored an `Arc<T>`: no generic `with` can tell it from any other
        // `T` on stable Rust (see `App::state`), so the lookup unwraps it instead.
        let shared = Arc::clone(self.values.get(&TypeId::of::<Arc<T>>())?);
        shared
            .downcast::<Arc<T>>()
            .ok()
            .map(|arc| Arc::clone(&*arc))
    }
}

/// The process's shared map of JSON-shaped values, behind one lock (Lona's `server.state`).
/// Every view sees the same map; hold [`ServerState::lock`] across a read-modify-write.
#[derive(Debug, Default)]
pub struct ServerState {
    map: Mutex<Vec<(String, Value)>>,
}

/// The locked map; it unlocks when dropped, so keep it in a named variable
/// (`let mut map = state.lock();`) for the reads and changes that must be atomic together.
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// let state = lona_runtime::ServerState::default();
/// state.lock(); // error: unused `ServerStateGuard` that must be used
/// ```
#[must_use = "the lock is released at once unless the guard is kept: `let mut map = state.lock();`"]
#[derive(Debug)]
pub struct ServerStateGuard<'a> {
    map: MutexGuard<'a, Vec<(String, Value)>>,
}

impl ServerState {
    /// A state seeded with `initial` (Lona's `INITIAL_SERVER_STATE`).
    pub fn new(initial: Vec<(String, Value)>) -> ServerState {
        ServerState {
            map: Mutex::new(initial),
        }
    }

    /// Locks the map, for reads and changes that must be atomic together.
    pub fn lock(&self) -> ServerStateGuard<'_> {
        ServerStateGuard {
            map: self.map.lock(),
        }
    }

    /// A copy of the value under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.lock().get(key).cloned()
    }

    /// Sets `key` to `value`.
    pub fn set(&self, key: &str, value: impl Into<Value>) {
        self.lock().set(key, value);
    }
}

impl ServerStateGuard<'_> {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.map.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.get_mut(key) {
            Some(slot) => *slot = value,
            None => self.map.push((key.to_owned(), value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.map.iter().position(|(k, _)| k == key)?;
        Some(self.map.remove(index).1)
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> Vec<String> {
        self.map.iter().map(|(k, _)| k.clone()).collect()
    }
}

#[cfg(test)]
mod tests;
