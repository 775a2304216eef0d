//! The test call the "test a grant" form makes (`TestGrant::build`, the strings parsed
//! here, at the edge), and what a test's outcome asks of the rest of the UI
//! (`effects_of`).

use crate::backend::{api_name, Actor, NewGrant, TestAnswer, TestCall, TestOutcome};
use crate::kms::{GrantOperation, KeyRef};
use crate::tui::effect::{Effect, KnownToken};

use super::super::create_grant::parse_pairs;
use super::super::principal_from;
use super::TestGrant;

impl TestGrant {
    fn actor(&self) -> Result<Actor, String> {
        let who = self.act_as.value().trim();
        if who.is_empty() {
            return Err("Choose the principal to act as (Up/Down, or type an ARN).".into());
        }
        // On AWS a profile is named, or a principal's ARN given (the profile that
        // resolves to it acts).
        Ok(if self.by_profile && !who.starts_with("arn:") {
            Actor::Profile(who.to_string())
        } else {
            Actor::Principal(principal_from(&self.act_as, "principal to act as")?)
        })
    }

    pub fn build(&self) -> Result<TestCall, String> {
        use GrantOperation as Op;
        let actor = self.actor()?;
        let mut call = TestCall::new(self.key.clone(), actor, self.operation)
            .on_key_of(self.key_spec, self.key_usage);
        call.dry_run = self.is_dry_run();
        call.grant_tokens = self.token_list();
        if self.operation.takes_encryption_context() {
            call.encryption_context = parse_pairs(self.context.value())?;
        }
        call.plaintext = self.plaintext.value().to_string();
        if matches!(
            self.operation,
            Op::Encrypt | Op::Decrypt | Op::ReEncryptFrom | Op::ReEncryptTo
        ) && call.plaintext.is_empty()
        {
            return Err("Type a plaintext to encrypt.".into());
        }
        if matches!(
            self.operation,
            Op::Sign | Op::Verify | Op::GenerateMac | Op::VerifyMac
        ) && call.plaintext.is_empty()
        {
            return Err("Type a message to sign or MAC.".into());
        }
        match self.operation {
            Op::ReEncryptFrom | Op::ReEncryptTo => {
                let other = self.other_key.value().trim();
                call.other_key = (!other.is_empty()).then(|| KeyRef::parse(other));
            }
            Op::CreateGrant => {
                let grantee = if self.grantee.value().trim().is_empty() {
                    match &call.actor {
                        Actor::Principal(p) => p.clone(),
                        Actor::Profile(_) => {
                            return Err("Type the new grant's grantee (an ARN).".into())
                        }
                    }
                } else {
                    principal_from(&self.grantee, "grantee")?
                };
                let operations = self
                    .grant_operations
                    .value()
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.parse::<GrantOperation>()
                            .map_err(|()| format!("\"{s}\" is not a grant operation."))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if operations.is_empty() {
                    return Err("Type the new grant's operations (e.g. Encrypt Decrypt).".into());
                }
                call.new_grant = Some(NewGrant {
                    grantee,
                    operations,
                    constraints: self.grant.as_ref().and_then(|g| g.constraints.clone()),
                });
            }
            Op::RetireGrant => match &self.grant {
                Some(g) => call.grant = Some(g.id.clone()),
                None => {
                    return Err(
                        "Select a grant in the grants pane to test RetireGrant on it.".into(),
                    )
                }
            },
            _ => {}
        }
        Ok(call)
    }
}

/// What the rest of the UI does with a test's outcome: the status line says what it did;
/// a grant created or retired for real reloads the panes, and a new grant's token is
/// remembered for the next tests.
pub fn effects_of(call: &TestCall, out: &TestOutcome) -> Vec<Effect> {
    let api = api_name(out.operation);
    let what = if out.dry_run {
        format!("DryRun {api}")
    } else {
        api.to_string()
    };
    let mut effects = vec![match &out.result {
        Ok(_) if out.dry_run => Effect::Info(format!("{what}: would be allowed")),
        Ok(_) => Effect::Info(format!("Performed {api}: allowed")),
        Err(e) if e.is_access_denied() => Effect::Error(format!("{what}: denied")),
        Err(e) => Effect::Error(format!("{what}: {}", e.label())),
    }];
    if !out.changed_world() {
        return effects;
    }
    if let Ok(TestAnswer::GrantCreated {
        grant_id,
        grant_token,
    }) = &out.result
    {
        effects.push(Effect::Token(KnownToken {
            key_id: call.key.key_id().unwrap_or_default().to_string(),
            grant_id: grant_id.clone(),
            token: grant_token.clone(),
        }));
    }
    effects.push(Effect::Reload);
    effects
}
