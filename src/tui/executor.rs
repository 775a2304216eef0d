//! The command executor: runs one `Command` against the backend and answers with the
//! `Msg` that carries its result. The runtime spawns it as a task per command; tests
//! await it directly. Terminal effects (the clipboard) are the runtime's, not this.

use std::sync::Arc;

use crate::backend::Backend;

use super::audit_state::{analyse, AuditOutcome};
use super::message::{Command, Msg, WorldCommand};

/// Run `cmd`; `None` for commands that are not backend work.
pub async fn execute(backend: Arc<dyn Backend>, cmd: Command) -> Option<Msg> {
    let b = backend.as_ref();
    Some(match cmd {
        Command::LoadKeys => Msg::KeysLoaded(b.list_keys().await),
        Command::DescribeKeys {
            key_ids,
            generation,
        } => Msg::KeysDescribed {
            generation,
            result: b.describe_keys(key_ids).await,
        },
        Command::LoadGrants {
            key_id,
            marker,
            generation,
        } => {
            let first_page = marker.is_none();
            Msg::GrantsLoaded {
                generation,
                first_page,
                result: b.list_grants(&key_id, marker).await,
            }
        }
        Command::LoadPrincipalGrants { arn, generation } => Msg::PrincipalGrantsLoaded {
            generation,
            result: b.grants_of_principal(&arn).await,
        },
        Command::LoadPrincipals => Msg::PrincipalsLoaded(b.list_principals().await),
        Command::LoadActivity { since } => Msg::ActivityLoaded(b.activity_since(since).await),
        Command::CreateGrant(input) => {
            let key_id = input
                .key_id
                .rsplit('/')
                .next()
                .unwrap_or(&input.key_id)
                .to_string();
            Msg::GrantCreated {
                key_id,
                result: b.create_grant(input).await,
            }
        }
        Command::RevokeGrant { key_id, grant_id } => Msg::GrantRemoved {
            verb: "Revoked",
            result: b.revoke_grant(&key_id, &grant_id).await,
        },
        Command::RetireGrant {
            key_id,
            grant_id,
            as_principal,
        } => Msg::GrantRemoved {
            verb: "Retired",
            result: b.retire_grant(&key_id, &grant_id, as_principal).await,
        },
        Command::TestEncrypt(input) => Msg::EncryptTested(b.test_encrypt(input).await),
        Command::World(w) => world(b, w).await,
        Command::RunAudit { generation, config } => Msg::AuditDone {
            generation,
            result: run_audit(b, config).await,
        },
        Command::LessonStep {
            ticket,
            request,
            since,
            sim,
        } => Msg::LessonStepDone {
            ticket,
            performed: crate::lesson::perform(b, Some(&sim.0), &request, since).await,
        },
        Command::LessonReset { sim, world } => {
            let world = Arc::unwrap_or_clone(world.0);
            sim.0
                .with(move |s| *s = crate::sim::Simulator::new(world))
                .await;
            Msg::LessonReset(Ok(()))
        }
        Command::CopyToClipboard(_) => return None,
    })
}

/// The inventory from the backend, then the audit on a blocking thread (it is pure CPU
/// work over tens of thousands of grants and must not hold a runtime worker).
async fn run_audit(
    b: &dyn Backend,
    config: crate::audit::AuditConfig,
) -> crate::backend::BackendResult<Arc<AuditOutcome>> {
    let inventory = b.inventory().await?;
    tokio::task::spawn_blocking(move || Arc::new(analyse(&inventory, &config)))
        .await
        .map_err(|e| {
            crate::backend::BackendError::new(
                "InternalError",
                format!("the audit stopped unexpectedly: {e}"),
            )
        })
}

async fn world(b: &dyn Backend, cmd: WorldCommand) -> Msg {
    match cmd {
        WorldCommand::CreatePrincipal { user, name } => Msg::WorldChanged {
            what: format!("Created {} {name}", if user { "user" } else { "role" }),
            result: b.create_principal(user, &name).await,
        },
        WorldCommand::DeletePrincipal { arn } => Msg::WorldChanged {
            what: format!("Deleted {arn}"),
            result: b.delete_principal(&arn).await.map(|()| String::new()),
        },
        WorldCommand::CreateKey { description, alias } => Msg::WorldChanged {
            what: "Created key".into(),
            result: b.create_key(&description, alias).await,
        },
        WorldCommand::KeyState { key_id, change } => Msg::WorldChanged {
            what: format!("{change:?} {key_id}"),
            result: b
                .change_key_state(&key_id, change)
                .await
                .map(|()| String::new()),
        },
        WorldCommand::AdvanceClock(by) => Msg::WorldChanged {
            what: format!(
                "Advanced the simulator's clock by {}",
                humantime::format_duration(by)
            ),
            result: b.advance_clock(by).await.map(|()| String::new()),
        },
    }
}

/// The message that reports `cmd` as failed (a task that panicked or was cancelled), so
/// the UI shows the error and stops waiting for it.
pub fn failed(cmd: &Command, why: &str) -> Option<Msg> {
    let e = || crate::backend::BackendError::new("KMSInternalException", why);
    Some(match cmd {
        Command::LoadKeys => Msg::KeysLoaded(Err(e())),
        Command::DescribeKeys { generation, .. } => Msg::KeysDescribed {
            generation: *generation,
            result: Err(e()),
        },
        Command::LoadGrants {
            generation, marker, ..
        } => Msg::GrantsLoaded {
            generation: *generation,
            first_page: marker.is_none(),
            result: Err(e()),
        },
        Command::LoadPrincipalGrants { generation, .. } => Msg::PrincipalGrantsLoaded {
            generation: *generation,
            result: Err(e()),
        },
        Command::LoadPrincipals => Msg::PrincipalsLoaded(Err(e())),
        Command::LoadActivity { .. } => Msg::ActivityLoaded(Err(e())),
        Command::CreateGrant(input) => Msg::GrantCreated {
            key_id: input.key_id.clone(),
            result: Err(e()),
        },
        Command::RevokeGrant { .. } => Msg::GrantRemoved {
            verb: "Revoked",
            result: Err(e()),
        },
        Command::RetireGrant { .. } => Msg::GrantRemoved {
            verb: "Retired",
            result: Err(e()),
        },
        Command::TestEncrypt(_) => Msg::EncryptTested(Err(e())),
        Command::RunAudit { generation, .. } => Msg::AuditDone {
            generation: *generation,
            result: Err(e()),
        },
        Command::World(_) => Msg::WorldChanged {
            what: "The simulator control".into(),
            result: Err(e()),
        },
        Command::LessonStep { ticket, .. } => Msg::LessonStepDone {
            ticket: *ticket,
            performed: crate::lesson::Performed {
                result: crate::lesson::LessonResult::Done(Err(e())),
                last_seq: 0,
            },
        },
        Command::LessonReset { .. } => Msg::LessonReset(Err(e())),
        Command::CopyToClipboard(_) => return None,
    })
}
