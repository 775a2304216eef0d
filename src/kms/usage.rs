//! Usage evidence for one grant from CloudTrail (`crate::evidence` gathers it): whether its
//! grantee called its key with one of its operations within a window. Three answers and
//! never a guess: `Unused` (no such call: certain), `PossiblyUsed` (calls found: the grant
//! may have authorized them, CloudTrail does not say which grant did), `NotDetermined`
//! (and why).

use serde::{Deserialize, Serialize};

/// What CloudTrail says of a grant's use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "usage", rename_all = "kebab-case")]
pub enum UsageEvidence {
    /// No call by the grantee on the key with one of the grant's operations from `since`
    /// (epoch seconds) to the inventory.
    Unused {
        since: f64,
        window_days: u32,
        /// Where the evidence comes from ("CloudTrail LookupEvents").
        source: String,
    },
    /// The grantee's last such call: when and which operation.
    PossiblyUsed { last_seen: f64, operation: String },
    /// No answer, and why.
    NotDetermined { reason: Undetermined },
}

/// Why usage could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Undetermined {
    /// CloudTrail could not be read (AccessDenied, network...): its message.
    NotReadable { error: String },
    /// The page cap per key was reached before every grantee of the key was found.
    BudgetExhausted { pages: u32 },
    /// The window asked for is longer than CloudTrail keeps (90 days), and no call was
    /// found within what it keeps.
    BeyondRetention { window_days: u32, kept_days: u32 },
}

impl Undetermined {
    /// One sentence for people.
    pub fn sentence(&self) -> String {
        match self {
            Undetermined::NotReadable { error } => format!("CloudTrail not readable: {error}"),
            Undetermined::BudgetExhausted { pages } => format!(
                "look-up budget ran out: {pages} LookupEvents pages read for the key (raise --evidence-pages)"
            ),
            Undetermined::BeyondRetention {
                window_days,
                kept_days,
            } => format!(
                "no call in the {kept_days} days CloudTrail keeps; {window_days} days were asked"
            ),
        }
    }
}

impl UsageEvidence {
    /// The last call seen, when one was.
    pub fn last_seen(&self) -> Option<f64> {
        match self {
            UsageEvidence::PossiblyUsed { last_seen, .. } => Some(*last_seen),
            _ => None,
        }
    }
}

/// What is known of one grant's last use, as an audit keeps it for a screen: the time an
/// inventory gave (the simulator's `last_used`: per grant; see the inventory's
/// `UsageSource`), or CloudTrail's evidence. A grant with neither keeps nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum LastUse {
    /// Epoch seconds of the last use.
    At(f64),
    Evidence(UsageEvidence),
}

impl LastUse {
    /// Of an inventory's grant: its evidence when looked up, else its `last_used`.
    pub fn of(last_used: Option<f64>, evidence: Option<&UsageEvidence>) -> Option<Self> {
        match (evidence, last_used) {
            (Some(e), _) => Some(LastUse::Evidence(e.clone())),
            (None, Some(t)) => Some(LastUse::At(t)),
            (None, None) => None,
        }
    }
}
