//! A classroom lesson as the UI holds it (issue #7): the lesson runner, a handle to the
//! simulator it runs on (the audit step reads it, a reset replaces its world), the request
//! in flight, and the bookkeeping that keeps a reset clean. Also the presenter's
//! keys-pressed trail, which fades with the wall clock the runtime reports.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::lesson::{LessonRequest, LessonRun};
use crate::sim::{SharedSimulator, World};

/// The lesson's simulator, carried by lesson commands to the executor. There is one per
/// UI, so any two compare equal (commands are compared in tests by what they ask).
#[derive(Debug, Clone)]
pub struct LessonSim(pub SharedSimulator);

impl PartialEq for LessonSim {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A fresh lesson world on its way to the simulator (after a reset).
#[derive(Clone)]
pub struct LessonWorld(pub Arc<World>);

impl std::fmt::Debug for LessonWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LessonWorld(..)")
    }
}

impl PartialEq for LessonWorld {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The lesson in the UI.
#[derive(Debug, Clone)]
pub struct LessonUi {
    pub run: LessonRun,
    pub sim: LessonSim,
    /// The step key's request being performed (for what its result needs to know).
    pub request: Option<(crate::lesson::Ticket, LessonRequest)>,
    /// A reset is replacing the world: activity of the old world is dropped meanwhile.
    pub resetting: bool,
    /// Activity polls issued before a reset whose answers must be dropped.
    pub stale_polls: u32,
}

impl LessonUi {
    pub fn new(run: LessonRun, sim: SharedSimulator) -> Self {
        Self {
            run,
            sim: LessonSim(sim),
            request: None,
            resetting: false,
            stale_polls: 0,
        }
    }
}

/// How many keys the overlay shows.
pub const KEYS_SHOWN: usize = 8;
/// A key is drawn dim after this long...
pub const KEY_FADES_AFTER: Duration = Duration::from_secs(2);
/// ...and gone after this long.
pub const KEY_GONE_AFTER: Duration = Duration::from_secs(4);

/// The keys the presenter pressed, newest last, each with the wall time it was pressed.
#[derive(Debug, Clone, Default)]
pub struct KeyTrail {
    pub enabled: bool,
    /// Wall time since the UI started, as the runtime last reported it.
    pub now: Duration,
    entries: VecDeque<(String, Duration)>,
}

impl KeyTrail {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            ..Self::default()
        }
    }

    pub fn record(&mut self, label: String) {
        if !self.enabled {
            return;
        }
        self.entries.push_back((label, self.now));
        while self.entries.len() > KEYS_SHOWN {
            self.entries.pop_front();
        }
    }

    /// The wall clock moved: keys older than `KEY_GONE_AFTER` go.
    pub fn tick(&mut self, now: Duration) {
        self.now = now;
        while self
            .entries
            .front()
            .is_some_and(|(_, at)| now.saturating_sub(*at) >= KEY_GONE_AFTER)
        {
            self.entries.pop_front();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys to draw, oldest first, and whether each is fading.
    pub fn visible(&self) -> Vec<(&str, bool)> {
        self.entries
            .iter()
            .map(|(k, at)| (k.as_str(), self.now.saturating_sub(*at) >= KEY_FADES_AFTER))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fade_then_go() {
        let mut t = KeyTrail::new(true);
        t.record("n".into());
        t.tick(Duration::from_secs(1));
        t.record("↓".into());
        assert_eq!(t.visible(), vec![("n", false), ("↓", false)]);
        t.tick(Duration::from_millis(2500));
        assert_eq!(t.visible(), vec![("n", true), ("↓", false)]);
        t.tick(Duration::from_secs(5));
        assert!(t.is_empty());
    }

    #[test]
    fn a_disabled_trail_records_nothing() {
        let mut t = KeyTrail::new(false);
        t.record("n".into());
        assert!(t.is_empty());
    }
}
