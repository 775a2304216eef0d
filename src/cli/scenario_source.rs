//! What `inventory --format scenario` reads before `scenario_export.rs` writes the file:
//! the inventory, each key's policy (GetKeyPolicy) and, on AWS, the caller and the managed
//! policies attached to the users and roles the grants name (IAM's
//! ListAttachedUserPolicies / ListAttachedRolePolicies), a few requests at once.

use std::collections::HashMap;

use crate::kms::inventory::Inventory;

use super::scenario_export::{named_principals, render, IamFacts, Policies};

/// Take the inventory and the key policies from `source`, and render the scenario.
pub async fn export(source: &super::inventory::Source) -> anyhow::Result<String> {
    use super::inventory::Source;
    let (inv, policies, iam) = match source {
        Source::Scenario(name) => {
            let world = crate::sim::Scenario::load(name)?.build()?;
            let policies = world
                .keys
                .values()
                .map(|k| (k.arn.clone(), Ok(k.policy.clone())))
                .collect();
            (
                crate::sim::inventory::inventory(&world),
                policies,
                IamFacts::default(),
            )
        }
        Source::Aws(opts) => {
            let conn = crate::backend::aws::AwsConnection::connect(opts.clone()).await?;
            let inv = conn.inventory(&|_, _| {}).await?;
            let policies = key_policies(&conn, &inv).await;
            let caller = conn.caller_identity().await.ok().map(|c| c.arn);
            let iam = IamFacts {
                attached: attached_policies(&conn, &named_principals(&inv, caller.as_deref()))
                    .await,
                caller,
            };
            (inv, policies, iam)
        }
    };
    render(&inv, &policies, &iam)
}

/// Every key's policy (GetKeyPolicy, a few at once), or AWS's reason it could not be read.
async fn key_policies(conn: &crate::backend::aws::AwsConnection, inv: &Inventory) -> Policies {
    use futures::StreamExt;
    futures::stream::iter(inv.keys.iter().map(|k| async move {
        let result = conn
            .kms
            .get_key_policy()
            .key_id(&k.arn)
            .policy_name("default")
            .send()
            .await
            .map_err(|e| {
                let e = crate::backend::aws::sdk_error(e);
                format!("{}: {}", e.label(), e.message)
            })
            .map(|out| out.policy().unwrap_or_default().to_string());
        (k.arn.clone(), result)
    }))
    .buffer_unordered(crate::backend::aws::CONCURRENCY)
    .collect()
    .await
}

/// Each principal's attached managed policies (their ARNs), or why they could not be listed.
async fn attached_policies(
    conn: &crate::backend::aws::AwsConnection,
    principals: &[(&'static str, String)],
) -> HashMap<(&'static str, String), Result<Vec<String>, String>> {
    use futures::StreamExt;
    let iam = aws_sdk_iam::Client::new(&conn.config);
    let iam = &iam;
    let message = |e: crate::backend::BackendError| format!("{}: {}", e.label(), e.message);
    futures::stream::iter(principals.iter().cloned().map(|(kind, name)| async move {
        let arns = |ps: &[aws_sdk_iam::types::AttachedPolicy]| -> Vec<String> {
            ps.iter()
                .filter_map(|p| p.policy_arn().map(str::to_string))
                .collect()
        };
        let result = if kind == "role" {
            iam.list_attached_role_policies()
                .role_name(&name)
                .send()
                .await
                .map(|o| arns(o.attached_policies()))
                .map_err(|e| message(crate::backend::aws::sdk_error(e)))
        } else {
            iam.list_attached_user_policies()
                .user_name(&name)
                .send()
                .await
                .map(|o| arns(o.attached_policies()))
                .map_err(|e| message(crate::backend::aws::sdk_error(e)))
        };
        ((kind, name), result)
    }))
    .buffer_unordered(crate::backend::aws::CONCURRENCY)
    .collect()
    .await
}
