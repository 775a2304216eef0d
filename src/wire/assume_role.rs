//! STS `AssumeRole` for the organization's roles: temporary credentials (`sessions.rs`)
//! that KMS then honours as `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, with the role's
//! policies.
//!
//! AWS's documentation, followed here: "The duration, in seconds, of the role session. The
//! value specified can range from 900 seconds (15 minutes) up to the maximum session
//! duration set for the role. [...] By default, the value is set to 3600 seconds." The
//! simulator's roles keep IAM's default maximum session duration of one hour, so a longer
//! DurationSeconds fails with a ValidationError. RoleSessionName is 2-64 characters of
//! `[\w+=,.@-]`. "Role chaining limits your [...] role session to a maximum of one hour":
//! the one-hour cap covers it.
//!
//! Who may assume which role is the simulator's decision (`sim::organization`): the
//! access role from the management account, any role from its own account; with the
//! organization's external id set, the access role requires it. Without an organization
//! in the scenario, AssumeRole is refused as AWS refuses an untrusted caller.

use crate::kms::AccountId;
use crate::sim::{Caller, PrincipalKind, World};

use super::query::{self, escape, Params, QueryError};
use super::sessions;
use super::sts::NAMESPACE;

/// The default and the largest session, in seconds.
pub const DEFAULT_DURATION: i64 = 3600;
/// The shortest session AWS allows.
pub const MIN_DURATION: i64 = 900;

fn validation(message: String) -> QueryError {
    QueryError::new(400, "ValidationError", message)
}

fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Answer AssumeRole for `caller` (a verified ARN).
pub fn assume_role(
    world: &World,
    caller: &str,
    params: &Params,
    request_id: &str,
) -> Result<String, QueryError> {
    let role_arn = params
        .get("RoleArn")
        .ok_or_else(|| validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null".into()))?;
    let session_name = params.get("RoleSessionName").ok_or_else(|| {
        validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null".into())
    })?;
    if !is_session_name(session_name) {
        return Err(validation(format!(
            "1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let duration = match params.get("DurationSeconds") {
        None => DEFAULT_DURATION,
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| *d >= MIN_DURATION)
            .ok_or_else(|| validation(format!(
                "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
            )))?,
    };
    if duration > DEFAULT_DURATION {
        return Err(validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into(),
        ));
    }
    let denied = || {
        QueryError::new(
            403,
            "AccessDenied",
            format!("User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"),
        )
    };
    let who = world
        .resolve_caller(&Caller::new(caller))
        .map_err(|_| denied())?;
    let org = world.organization.as_ref().ok_or_else(denied)?;
    let role = world
        .find_principal(role_arn)
        .ok()
        .filter(|p| p.kind == PrincipalKind::Role && p.arn == role_arn)
        .ok_or_else(denied)?;
    let target: &AccountId = &role.account;
    if !org.may_assume(&who.account, target, &role.name) {
        return Err(denied());
    }
    if role.name == org.access_role
        && org.external_id.is_some()
        && org.external_id.as_deref() != params.get("ExternalId")
    {
        return Err(denied());
    }
    let session_arn = format!(
        "arn:aws:sts::{}:assumed-role/{}/{session_name}",
        role.account, role.name
    );
    let expiration = chrono::Utc::now().timestamp() + duration;
    let creds = sessions::issue(&org.session_secret, &session_arn, expiration);
    let expires = chrono::DateTime::from_timestamp(expiration, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ");
    let result = format!(
        "    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{expires}</Expiration>\n    </Credentials>\n    <AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>{}:{}</AssumedRoleId>\n    </AssumedRoleUser>\n",
        creds.access_key_id,
        escape(&creds.secret_access_key),
        escape(&creds.session_token),
        escape(&session_arn),
        escape(&role.unique_id),
        escape(session_name),
    );
    Ok(query::response_xml(
        NAMESPACE,
        "AssumeRole",
        &result,
        request_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org_world() -> World {
        let scenario: crate::sim::Scenario = toml::from_str(
            r#"
name = "org"
region = "us-east-1"
[[accounts]]
id = "111111111111"
[[accounts]]
id = "222222222222"
[[principals]]
name = "ops"
account = "111111111111"
[[principals]]
name = "dev"
account = "222222222222"
[organization]
management_account = "111111111111"
external_id = "ext-42"
"#,
        )
        .expect("a scenario");
        scenario.build().expect("builds")
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Params::parse(body.as_bytes())
    }

    const ROLE: &str = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole";
    const OPS: &str = "arn:aws:iam::111111111111:user/ops";

    #[test]
    fn the_management_account_gets_a_session_of_the_members_access_role() {
        let world = org_world();
        let p = params(&[
            ("RoleArn", ROLE),
            ("RoleSessionName", "audit"),
            ("ExternalId", "ext-42"),
        ]);
        let xml = assume_role(&world, OPS, &p, "rid").expect("assumed");
        assert!(xml.contains("<Arn>arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/audit</Arn>"), "{xml}");
        assert!(xml.contains("<AccessKeyId>ASIA"), "{xml}");
        assert!(xml.contains("<SessionToken>"));
    }

    #[test]
    fn a_member_may_not_assume_into_another_and_the_external_id_is_required() {
        let world = org_world();
        let back = params(&[
            (
                "RoleArn",
                "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
            ),
            ("RoleSessionName", "x1"),
        ]);
        let e = assume_role(&world, "arn:aws:iam::222222222222:user/dev", &back, "rid")
            .expect_err("refused");
        assert_eq!((e.status, e.code.as_str()), (403, "AccessDenied"));
        let no_ext = params(&[("RoleArn", ROLE), ("RoleSessionName", "audit")]);
        let e = assume_role(&world, OPS, &no_ext, "rid").expect_err("refused");
        assert!(e.message.contains("sts:AssumeRole on resource: arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"), "{}", e.message);
    }

    #[test]
    fn session_names_and_durations_are_validated() {
        let world = org_world();
        for (name, dur) in [
            ("a", "3600"),
            ("bad name", "3600"),
            ("ok", "899"),
            ("ok", "3601"),
            ("ok", "x"),
        ] {
            let p = params(&[
                ("RoleArn", ROLE),
                ("RoleSessionName", name),
                ("DurationSeconds", dur),
                ("ExternalId", "ext-42"),
            ]);
            let e = assume_role(&world, OPS, &p, "rid").expect_err("refused");
            assert_eq!(e.code, "ValidationError", "{name} {dur}: {}", e.message);
        }
    }
}
