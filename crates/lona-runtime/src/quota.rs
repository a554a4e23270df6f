//! How much of the runtime each visitor holds: views per session and per client address, and
//! blocking views per session on the runtime pool; the checks behind `max_views_per_session`,
//! `max_views_per_ip` and `max_runtime_share`.
//!
//! Every map holds only keys with something counted: an entry goes when its count reaches
//! zero, so the maps are never larger than the number of views.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;

use parking_lot::Mutex;

use crate::connection::SessionId;
use crate::limits::Limit;

/// The counts, behind one lock so that a check and its increment are one step.
#[derive(Default)]
pub(crate) struct Quotas(Mutex<Counts>);

#[derive(Default)]
struct Counts {
    /// Views per session (running, attached, or stopped and not yet cleaned up).
    views: HashMap<SessionId, usize>,
    /// Views per client address.
    addresses: HashMap<IpAddr, usize>,
    /// Blocking views per session that run or wait on the runtime pool and are not stopped.
    runtime: HashMap<SessionId, usize>,
}

impl Quotas {
    /// Counts a new view of `session` from `address`, or says which limit refuses it.
    pub(crate) fn admit_view(
        &self,
        session: &SessionId,
        address: Option<IpAddr>,
        max_per_session: usize,
        max_per_address: usize,
    ) -> Result<(), Limit> {
        let mut counts = self.0.lock();
        if counts.views.get(session).copied().unwrap_or(0) >= max_per_session {
            return Err(Limit::ViewsPerSession);
        }
        if let Some(address) = address
            && counts.addresses.get(&address).copied().unwrap_or(0) >= max_per_address
        {
            return Err(Limit::ViewsPerIp);
        }
        *counts.views.entry(session.clone()).or_default() += 1;
        if let Some(address) = address {
            *counts.addresses.entry(address).or_default() += 1;
        }
        Ok(())
    }

    /// Whether `session` holds a counted view: one that holds none has no daemon to re-attach
    /// to, so starting its view needs no look through every view.
    pub(crate) fn holds_views(&self, session: &SessionId) -> bool {
        self.0.lock().views.contains_key(session)
    }

    /// Forgets a view counted by [`Quotas::admit_view`].
    pub(crate) fn release_view(&self, session: &SessionId, address: Option<IpAddr>) {
        let mut counts = self.0.lock();
        decrement(&mut counts.views, session);
        if let Some(address) = address {
            decrement(&mut counts.addresses, &address);
        }
    }

    /// Counts a blocking view of `session` on the runtime pool; `false` if the session holds
    /// `share` of them already.
    pub(crate) fn admit_runtime(&self, session: &SessionId, share: usize) -> bool {
        let mut counts = self.0.lock();
        let held = counts.runtime.entry(session.clone()).or_default();
        if *held >= share {
            if *held == 0 {
                counts.runtime.remove(session);
            }
            return false;
        }
        *held += 1;
        true
    }

    /// Forgets a blocking view counted by [`Quotas::admit_runtime`].
    pub(crate) fn release_runtime(&self, session: &SessionId) {
        decrement(&mut self.0.lock().runtime, session);
    }

    /// The keys the maps hold now (sessions with views, addresses, sessions on the pool): for
    /// tests that check the maps empty out.
    #[cfg(test)]
    pub(crate) fn sizes(&self) -> (usize, usize, usize) {
        let counts = self.0.lock();
        (
            counts.views.len(),
            counts.addresses.len(),
            counts.runtime.len(),
        )
    }
}

fn decrement<K: Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(count) = map.get_mut(key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            map.remove(key);
        }
    }
}
