//! Background work, one mechanism for all of it. Each kind of work has a slot; a new job
//! in a slot supersedes the one before ("latest request wins"): answers of superseded
//! jobs are dropped when they arrive. A job may go on in steps (the next page of grants,
//! the next batch of key details) without being superseded. The spinner turns while any
//! job but the activity poll is in flight. The audit slot coalesces: a request while one
//! runs asks for one more run after it, however many requests came.
//!
//! Every answer of the `Change` slot counts: each is something the person asked for (a
//! grant created, a grant revoked, a test call), and none supersedes another.

/// The kinds of background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The key list.
    Keys,
    /// Details of the keys a quick key list left as placeholders (AWS).
    KeyDetails,
    /// The grants pane's listing.
    Grants,
    /// The principals pane's listing.
    Principals,
    /// The event log's poll (no spinner: it runs every second).
    Activity,
    /// The stale-grant audit.
    Audit,
    /// Which grants of a long grants list pass the stale-only filter.
    Mask,
    /// A lesson's step.
    Lesson,
    /// The world being replaced by a fresh one (a lesson's reset).
    Reset,
    /// Changes and test calls the person asked for.
    Change,
}

impl Slot {
    const ALL: [Slot; 10] = [
        Slot::Keys,
        Slot::KeyDetails,
        Slot::Grants,
        Slot::Principals,
        Slot::Activity,
        Slot::Audit,
        Slot::Mask,
        Slot::Lesson,
        Slot::Reset,
        Slot::Change,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn turns_spinner(self) -> bool {
        self != Slot::Activity
    }
}

/// One job: its slot and its place in the slot's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub slot: Slot,
    generation: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct SlotState {
    generation: u64,
    /// Answers still to come (superseded jobs' included: the spinner waits for them too).
    in_flight: usize,
    /// The latest job has not answered yet.
    running: bool,
    /// Asked for again while running (the audit runs once more after).
    again: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Jobs {
    slots: [SlotState; Slot::ALL.len()],
}

impl Jobs {
    fn state(&mut self, slot: Slot) -> &mut SlotState {
        &mut self.slots[slot.index()]
    }

    /// A new job in `slot`; answers still coming for earlier ones will be dropped.
    pub fn start(&mut self, slot: Slot) -> Job {
        let s = self.state(slot);
        s.generation += 1;
        s.in_flight += 1;
        s.running = true;
        Job {
            slot,
            generation: s.generation,
        }
    }

    /// The next step of `job` (another page, another batch): the same job goes on.
    pub fn follow_up(&mut self, job: Job) -> Job {
        let s = self.state(job.slot);
        s.in_flight += 1;
        s.running = true;
        job
    }

    /// Start a job in `slot` unless one is running; then it is asked for once more after
    /// (see `take_again`).
    pub fn request(&mut self, slot: Slot) -> Option<Job> {
        if self.running(slot) {
            self.state(slot).again = true;
            return None;
        }
        self.state(slot).again = false;
        Some(self.start(slot))
    }

    /// Was the slot asked for again while its job ran? (Clears the request.)
    pub fn take_again(&mut self, slot: Slot) -> bool {
        std::mem::take(&mut self.state(slot).again)
    }

    /// Drop whatever `slot` has in flight: its answers will not be taken.
    pub fn cancel(&mut self, slot: Slot) {
        let s = self.state(slot);
        s.generation += 1;
        s.running = false;
        s.again = false;
    }

    /// An answer of `job` arrived: should it be taken? (The latest job's answer is; in
    /// the `Change` slot every answer is.)
    pub fn finish(&mut self, job: Job) -> bool {
        let s = self.state(job.slot);
        s.in_flight = s.in_flight.saturating_sub(1);
        let latest = job.generation == s.generation;
        if job.slot == Slot::Change {
            s.running = s.in_flight > 0;
            return true;
        }
        if latest {
            s.running = false;
        }
        latest
    }

    /// Is `job` the latest of its slot, still to answer (its progress counts)?
    pub fn is_current(&self, job: Job) -> bool {
        let s = &self.slots[job.slot.index()];
        s.running && s.generation == job.generation
    }

    /// Is the latest job of `slot` still to answer?
    pub fn running(&self, slot: Slot) -> bool {
        self.slots[slot.index()].running
    }

    /// Does the spinner turn? (Some job other than the activity poll is in flight.)
    pub fn busy(&self) -> bool {
        Slot::ALL
            .iter()
            .any(|s| s.turns_spinner() && self.slots[s.index()].in_flight > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_request_wins_and_the_spinner_waits_for_every_answer() {
        let mut jobs = Jobs::default();
        let old = jobs.start(Slot::Grants);
        let new = jobs.start(Slot::Grants);
        assert!(jobs.busy() && jobs.running(Slot::Grants));
        assert!(!jobs.finish(old), "a superseded answer is dropped");
        assert!(jobs.running(Slot::Grants));
        assert!(jobs.finish(new));
        assert!(!jobs.running(Slot::Grants) && !jobs.busy());
    }

    #[test]
    fn a_job_goes_on_in_steps_until_its_last_answer() {
        let mut jobs = Jobs::default();
        let page1 = jobs.start(Slot::Grants);
        assert!(jobs.finish(page1));
        let page2 = jobs.follow_up(page1);
        assert!(jobs.running(Slot::Grants));
        assert!(jobs.finish(page2));
        assert!(!jobs.running(Slot::Grants));
    }

    #[test]
    fn cancelled_work_is_dropped() {
        let mut jobs = Jobs::default();
        let poll = jobs.start(Slot::Activity);
        assert!(!jobs.busy(), "the activity poll turns no spinner");
        jobs.cancel(Slot::Activity);
        assert!(!jobs.running(Slot::Activity));
        assert!(!jobs.finish(poll));
    }

    #[test]
    fn audit_requests_while_running_coalesce_into_one_more_run() {
        let mut jobs = Jobs::default();
        let first = jobs.request(Slot::Audit).expect("starts");
        assert_eq!(jobs.request(Slot::Audit), None);
        assert_eq!(jobs.request(Slot::Audit), None);
        assert!(jobs.finish(first));
        assert!(jobs.take_again(Slot::Audit));
        assert!(!jobs.take_again(Slot::Audit), "once");
    }

    #[test]
    fn every_change_answer_counts() {
        let mut jobs = Jobs::default();
        let a = jobs.start(Slot::Change);
        let b = jobs.start(Slot::Change);
        assert!(jobs.finish(a));
        assert!(jobs.running(Slot::Change));
        assert!(jobs.finish(b));
        assert!(!jobs.running(Slot::Change) && !jobs.busy());
    }
}
