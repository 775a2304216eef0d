//! The pure decision: CloudTrail events on one key, newest first, against the key's grants.
//! A grant is accounted for at its grantee's newest call on the key with one of the grant's
//! operations (`PossiblyUsed`); a key is settled once every grant is; grants never found
//! by the end of the window are `Unused`, or `NotDetermined` when the look-up stopped
//! early.
//!
//! Who counts as the grantee (AWS's CloudTrail userIdentity element: "type: IAMUser,
//! AssumedRole, Root, AWSService"; for an assumed role, sessionContext.sessionIssuer is
//! "the details about the role that issued the session"):
//! - a user: the event's `userIdentity.arn` is the user's ARN;
//! - a role: any of its sessions (`sessionIssuer.arn` is the role, or the assumed-role ARN
//!   names it);
//! - an assumed-role session: that session's ARN exactly;
//! - an account (`:root`): decision: any identity of that account, since a grant to an
//!   account is used by the account's users and roles;
//! - a service principal: `userIdentity.invokedBy` (a service acting for someone) or an
//!   `AWSService` identity of that service.
//!
//! Decision where AWS is silent: a call that failed with AccessDenied was not authorized by
//! any grant, so it is not evidence of use; a call that failed later (a bad ciphertext, a
//! key state) passed authorization and counts. Operations: ReEncryptFrom and ReEncryptTo
//! are both recorded as `ReEncrypt`.

use serde_json::Value;

use crate::kms::ids::PrincipalArn;
use crate::kms::usage::{Undetermined, UsageEvidence};
use crate::kms::GrantOperation;

/// One CloudTrail event, reduced to what the decision needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEvent {
    /// Epoch seconds.
    pub time: f64,
    pub name: String,
    pub identity_type: String,
    pub arn: String,
    pub account: String,
    /// `sessionContext.sessionIssuer.arn` of an assumed role.
    pub issuer: Option<String>,
    pub invoked_by: Option<String>,
    pub error_code: Option<String>,
}

impl TrailEvent {
    /// From LookupEvents' `EventTime` and `CloudTrailEvent` (the record as JSON text).
    pub fn parse(time: f64, record: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(record).ok()?;
        let id = &v["userIdentity"];
        let text = |v: &Value| v.as_str().map(str::to_string);
        Some(TrailEvent {
            time,
            name: text(&v["eventName"])?,
            identity_type: text(&id["type"]).unwrap_or_default(),
            arn: text(&id["arn"]).unwrap_or_default(),
            account: text(&id["accountId"]).unwrap_or_default(),
            issuer: text(&id["sessionContext"]["sessionIssuer"]["arn"]),
            invoked_by: text(&id["invokedBy"]),
            error_code: text(&v["errorCode"]),
        })
    }

    fn denied(&self) -> bool {
        self.error_code
            .as_deref()
            .is_some_and(|c| c.starts_with("AccessDenied"))
    }
}

/// Is the event's caller the grantee (as the module comment says)?
pub fn is_grantee(grantee: &str, e: &TrailEvent) -> bool {
    match PrincipalArn::parse(grantee) {
        Some(PrincipalArn::User { .. }) | Some(PrincipalArn::AssumedRole { .. }) => {
            e.arn == grantee
        }
        Some(PrincipalArn::Role { account, name }) => {
            if e.issuer.as_deref() == Some(grantee) || e.arn == grantee {
                return true;
            }
            // The assumed-role ARN names the role without its path.
            let bare = name.rsplit('/').next().unwrap_or(&name);
            matches!(PrincipalArn::parse(&e.arn),
                Some(PrincipalArn::AssumedRole { account: a, role, .. }) if a == account && role == bare)
        }
        Some(PrincipalArn::Root { account }) => e.account == account,
        Some(PrincipalArn::Service(service)) => {
            e.invoked_by.as_deref() == Some(service.as_str())
                || (e.identity_type == "AWSService" && e.arn == service)
        }
        None => false,
    }
}

/// Is the event one of the grant's operations?
pub fn is_operation(ops: &[GrantOperation], event_name: &str) -> bool {
    ops.iter().any(|op| match op {
        GrantOperation::ReEncryptFrom | GrantOperation::ReEncryptTo => event_name == "ReEncrypt",
        op => op.as_str() == event_name,
    })
}

/// One grant as the decision sees it.
#[derive(Debug, Clone)]
pub struct GrantUse {
    pub grantee: String,
    pub operations: Vec<GrantOperation>,
    /// The newest matching call: time and operation.
    found: Option<(f64, String)>,
}

impl GrantUse {
    pub fn new(grantee: &str, operations: &[GrantOperation]) -> Self {
        Self {
            grantee: grantee.to_string(),
            operations: operations.to_vec(),
            found: None,
        }
    }
}

/// How the look-up of a key ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// Every grant was accounted for, or the window was read to its start.
    Complete,
    /// The page cap was reached first.
    Capped { pages: u32 },
    /// CloudTrail could not be read.
    Failed { error: String },
}

/// The state of one key's look-up.
#[derive(Debug, Clone)]
pub struct KeyUses {
    pub grants: Vec<GrantUse>,
}

impl KeyUses {
    pub fn new(grants: Vec<GrantUse>) -> Self {
        Self { grants }
    }

    /// Take in one event (events come newest first: the first match is the last use).
    pub fn observe(&mut self, e: &TrailEvent) {
        if e.denied() {
            return;
        }
        for g in self.grants.iter_mut().filter(|g| g.found.is_none()) {
            if is_operation(&g.operations, &e.name) && is_grantee(&g.grantee, e) {
                g.found = Some((e.time, e.name.clone()));
            }
        }
    }

    /// Is every grant accounted for (no need to read further)?
    pub fn settled(&self) -> bool {
        self.grants.iter().all(|g| g.found.is_some())
    }

    /// Each grant's evidence, in order, for a window starting at `since` of `window_days`
    /// (`asked_days`: the window the caller asked for, which may exceed what CloudTrail
    /// keeps).
    pub fn finish(
        &self,
        ending: &Ending,
        since: f64,
        window_days: u32,
        asked_days: u32,
    ) -> Vec<UsageEvidence> {
        self.grants
            .iter()
            .map(|g| match (&g.found, ending) {
                (Some((t, op)), _) => UsageEvidence::PossiblyUsed {
                    last_seen: *t,
                    operation: op.clone(),
                },
                (None, Ending::Failed { error }) => UsageEvidence::NotDetermined {
                    reason: Undetermined::NotReadable {
                        error: error.clone(),
                    },
                },
                (None, Ending::Capped { pages }) => UsageEvidence::NotDetermined {
                    reason: Undetermined::BudgetExhausted { pages: *pages },
                },
                (None, Ending::Complete) if asked_days > window_days => {
                    UsageEvidence::NotDetermined {
                        reason: Undetermined::BeyondRetention {
                            window_days: asked_days,
                            kept_days: window_days,
                        },
                    }
                }
                (None, Ending::Complete) => UsageEvidence::Unused {
                    since,
                    window_days,
                    source: super::SOURCE.to_string(),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str, identity: &str) -> TrailEvent {
        TrailEvent::parse(
            100.0,
            &format!(r#"{{"eventName":"{name}","userIdentity":{identity}}}"#),
        )
        .unwrap()
    }

    #[test]
    fn a_role_is_matched_through_its_sessions_and_a_user_by_arn() {
        let session = ev(
            "Decrypt",
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/app"}}}"#,
        );
        assert!(is_grantee("arn:aws:iam::111122223333:role/app", &session));
        assert!(is_grantee("arn:aws:iam::111122223333:root", &session));
        assert!(!is_grantee(
            "arn:aws:iam::111122223333:role/other",
            &session
        ));
        assert!(!is_grantee("arn:aws:iam::111122223333:user/app", &session));
        let service = ev(
            "Decrypt",
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s1","invokedBy":"ec2.amazonaws.com"}"#,
        );
        assert!(is_grantee("ec2.amazonaws.com", &service));
    }

    #[test]
    fn the_newest_matching_call_decides_and_denied_calls_do_not_count() {
        let alice = r#"{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"}"#;
        let mut uses = KeyUses::new(vec![
            GrantUse::new(
                "arn:aws:iam::111122223333:user/alice",
                &[GrantOperation::Encrypt],
            ),
            GrantUse::new(
                "arn:aws:iam::111122223333:user/alice",
                &[GrantOperation::ReEncryptFrom],
            ),
        ]);
        let mut denied = ev("Encrypt", alice);
        denied.error_code = Some("AccessDenied".into());
        uses.observe(&denied);
        assert!(!uses.settled());
        uses.observe(&ev("Encrypt", alice));
        uses.observe(&ev("Decrypt", alice));
        let out = uses.finish(&Ending::Complete, 0.0, 30, 30);
        assert!(
            matches!(&out[0], UsageEvidence::PossiblyUsed { operation, .. } if operation == "Encrypt")
        );
        assert!(matches!(
            out[1],
            UsageEvidence::Unused {
                window_days: 30,
                ..
            }
        ));
        let capped = uses.finish(&Ending::Capped { pages: 3 }, 0.0, 30, 30);
        assert!(matches!(capped[1], UsageEvidence::NotDetermined { .. }));
        let beyond = uses.finish(&Ending::Complete, 0.0, 90, 180);
        assert!(matches!(
            beyond[1],
            UsageEvidence::NotDetermined {
                reason: Undetermined::BeyondRetention { .. }
            }
        ));
        uses.observe(&ev("ReEncrypt", alice));
        assert!(uses.settled());
    }
}
