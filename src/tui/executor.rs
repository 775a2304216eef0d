//! The executor: runs one `Work` against the backend and answers with what came back.
//! The runtime spawns it as a task per job; tests await it directly. Nothing but this
//! calls the backend, and only through `Backend` and its `WorldControls`.

use std::sync::Arc;

use crate::backend::{Backend, BackendError, BackendResult, WorldControls};

use super::audit_job::{self, Progress};
use super::message::{Answer, Work, WorldChange};

/// Run `work` on `backend`.
pub async fn execute(backend: Arc<dyn Backend>, work: Work) -> BackendResult<Answer> {
    execute_reporting(backend, work, Arc::new(|_, _| {})).await
}

/// Run `work` on `backend`, telling `progress` how a long job goes (the audit's CloudTrail
/// look-up: keys done of all).
pub async fn execute_reporting(
    backend: Arc<dyn Backend>,
    work: Work,
    progress: Progress,
) -> BackendResult<Answer> {
    let b = backend.as_ref();
    Ok(match work {
        Work::ListKeys => Answer::Keys(b.list_keys().await?),
        Work::ListScopes => Answer::Scopes(b.scopes().await?),
        Work::ListKeysIn(scope) => Answer::Keys(b.list_keys_in(&scope).await?),
        Work::DescribeKeys(key_ids) => Answer::KeyDetails(b.describe_keys(key_ids).await?),
        Work::ListGrants { key, marker } => Answer::GrantPage(b.list_grants(&key, marker).await?),
        Work::GrantsOf { principal } => Answer::Grants(b.grants_of_principal(&principal).await?),
        Work::ListPrincipals => Answer::Principals(b.list_principals().await?),
        Work::Activity { since } => Answer::Activity(b.activity_since(since).await?),
        Work::CreateGrant(input) => Answer::Created(b.create_grant(input).await?),
        Work::RevokeGrant { key, grant } => {
            b.revoke_grant(&key, &grant).await?;
            Answer::Done(String::new())
        }
        Work::RetireGrant { key, grant, actor } => {
            b.retire_grant(&key, &grant, actor.as_ref()).await?;
            Answer::Done(String::new())
        }
        Work::TestGrant(call) => Answer::Tested(b.test_operation(call).await?),
        Work::World(change) => Answer::Done(change_world(world(b)?, change).await?),
        Work::Audit(request) => {
            Answer::Audited(Arc::new(audit_job::audit(b, request, progress).await?))
        }
        Work::GrantMask(request) => {
            let revision = request.revision;
            let passes = tokio::task::spawn_blocking(move || request.compute())
                .await
                .map_err(|e| BackendError::internal(format!("the grants filter stopped: {e}")))?;
            Answer::Mask { revision, passes }
        }
        Work::LessonStep {
            request,
            since,
            audit,
            ..
        } => Answer::LessonStep(crate::lesson::perform(b, &request, since, &audit).await),
        Work::ReplaceWorld(fresh) => {
            world(b)?
                .replace_world(Arc::unwrap_or_clone(fresh.0))
                .await?;
            Answer::Done(String::new())
        }
    })
}

fn world(b: &dyn Backend) -> BackendResult<&dyn WorldControls> {
    b.world().ok_or_else(|| {
        BackendError::configuration("This backend has no world controls (the simulator has).")
    })
}

async fn change_world(w: &dyn WorldControls, change: WorldChange) -> BackendResult<String> {
    match change {
        WorldChange::CreatePrincipal { user, name } => w.create_principal(user, &name).await,
        WorldChange::DeletePrincipal { arn } => {
            w.delete_principal(&arn).await.map(|()| String::new())
        }
        WorldChange::CreateKey { description, alias } => w.create_key(&description, alias).await,
        WorldChange::KeyState { key, change } => w
            .change_key_state(&key, change)
            .await
            .map(|()| String::new()),
        WorldChange::AdvanceClock(by) => w.advance_clock(by).await.map(|()| String::new()),
        WorldChange::FreezeClock(frozen) => w.freeze_clock(frozen).await.map(|()| String::new()),
    }
}
