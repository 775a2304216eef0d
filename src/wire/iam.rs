//! The IAM listings the AWS backend's principals pane reads — ListUsers, ListRoles,
//! ListUserPolicies, ListRolePolicies — served beside KMS over the Query protocol
//! (`query.rs`). IAM's users and roles are the world's principals of the caller's account,
//! at path `/`; their identity policies are served as inline policies. Each call is
//! authorized as IAM does, by the caller's identity policies (`iam:ListUsers`, ...), and
//! lists page with Marker/MaxItems/IsTruncated (100 items by default, at most 1000).

use crate::kms::{ErrorCode, KmsError};
use crate::sim::authorize::authorize_identity;
use crate::sim::principals::ResolvedCaller;
use crate::sim::world::Principal;
use crate::sim::{crypto, Caller, PrincipalKind, SharedSimulator, World};

use super::query::{self, escape, Params, QueryError};

pub const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const VERSION: &str = "2010-05-08";
/// Every user and role lives at this path in the simulator.
const PATH: &str = "/";
const DEFAULT_MAX_ITEMS: usize = 100;
const MAX_ITEMS: usize = 1000;

/// Answer one IAM request: check its signature, authorize and run its action; the XML
/// result or the error IAM answers with.
pub fn process(
    sim: &SharedSimulator,
    parts: &axum::http::request::Parts,
    body: &[u8],
    request_id: &str,
) -> Result<String, QueryError> {
    let caller = query::verify_global(sim, "iam", parts, body).map_err(error_from)?;
    let params = Params::parse(body);
    let Some(action) = params.action() else {
        return Err(error_from(KmsError::new(
            ErrorCode::MissingAction,
            "Missing Action",
        )));
    };
    let sim = sim.lock();
    let world = sim.world();
    let caller = world
        .resolve_caller(&Caller::new(caller))
        .map_err(error_from)?;
    let result = match action {
        "ListUsers" => list_principals(world, &caller, PrincipalKind::User, &params)?,
        "ListRoles" => list_principals(world, &caller, PrincipalKind::Role, &params)?,
        "ListUserPolicies" => list_policies(world, &caller, PrincipalKind::User, &params)?,
        "ListRolePolicies" => list_policies(world, &caller, PrincipalKind::Role, &params)?,
        other => {
            return Err(error_from(KmsError::new(
                ErrorCode::InvalidAction,
                format!("Could not find operation {other} for version {VERSION}"),
            )))
        }
    };
    Ok(query::response_xml(NAMESPACE, action, &result, request_id))
}

/// An IAM error body.
pub fn error_xml(e: &QueryError, request_id: &str) -> String {
    query::error_xml(NAMESPACE, e, request_id)
}

/// An error of the wire layer (signature, protocol, authorization) with the code and
/// status IAM uses for it.
pub fn error_from(e: KmsError) -> QueryError {
    use ErrorCode::*;
    let (status, code) = match e.code {
        AccessDeniedException => (403, "AccessDenied"),
        MissingAuthenticationTokenException => (403, "MissingAuthenticationToken"),
        UnrecognizedClientException | InvalidClientTokenId => (403, "InvalidClientTokenId"),
        InvalidSignatureException => (403, "SignatureDoesNotMatch"),
        IncompleteSignatureException => (400, "IncompleteSignature"),
        ValidationException => (400, "ValidationError"),
        NotFoundException => (404, "NoSuchEntity"),
        KmsInternalException => (500, "ServiceFailure"),
        _ => (e.http_status(), e.code.as_str()),
    };
    QueryError::new(status, code, e.message)
}

fn validation(message: impl Into<String>) -> QueryError {
    QueryError::new(400, "ValidationError", message)
}

fn noun(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "User",
        PrincipalKind::Role => "Role",
    }
}

/// Decide `action` on `resource` by the caller's identity policies.
fn authorize(
    world: &World,
    caller: &ResolvedCaller,
    action: &str,
    resource: &str,
) -> Result<(), QueryError> {
    let decision = authorize_identity(world, caller, action, resource);
    if decision.allowed {
        Ok(())
    } else {
        Err(error_from(decision.denial(&caller.arn, action, resource)))
    }
}

/// Where a page starts and how long it may be (`Marker`, `MaxItems`); markers belong to
/// the listing named `scope`.
fn page(world: &World, params: &Params, scope: &str) -> Result<(usize, usize), QueryError> {
    let size = match params.get("MaxItems") {
        None => DEFAULT_MAX_ITEMS,
        Some(text) => {
            let n: i64 = text.trim().parse().map_err(|_| {
                validation(format!(
                    "1 validation error detected: Value '{text}' at 'maxItems' failed to satisfy constraint: Member must be an integer"
                ))
            })?;
            if n < 1 {
                return Err(validation(format!(
                    "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )));
            }
            if n > MAX_ITEMS as i64 {
                return Err(validation(format!(
                    "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to {MAX_ITEMS}"
                )));
            }
            n as usize
        }
    };
    let start = match params.get("Marker") {
        None => 0,
        Some(m) => crypto::read_marker(&world.token_secret, scope, m)
            .ok_or_else(|| validation("Invalid Marker."))? as usize,
    };
    Ok((start, size))
}

/// `items[start..start + size]`, and the marker of the next page when more follow.
fn slice<'a, T>(
    world: &World,
    scope: &str,
    items: &'a [T],
    (start, size): (usize, usize),
) -> (&'a [T], Option<String>) {
    let from = start.min(items.len());
    let to = from.saturating_add(size).min(items.len());
    let next =
        (to < items.len()).then(|| crypto::issue_marker(&world.token_secret, scope, to as u64));
    (&items[from..to], next)
}

/// `<IsTruncated>` and, when truncated, `<Marker>`.
fn paging_xml(next: Option<String>) -> String {
    match next {
        Some(m) => format!(
            "    <IsTruncated>true</IsTruncated>\n    <Marker>{}</Marker>\n",
            escape(&m)
        ),
        None => "    <IsTruncated>false</IsTruncated>\n".to_string(),
    }
}

/// ListUsers / ListRoles: the caller's account's users (roles), by name.
fn list_principals(
    world: &World,
    caller: &ResolvedCaller,
    kind: PrincipalKind,
    params: &Params,
) -> Result<String, QueryError> {
    let prefix = params.get("PathPrefix").unwrap_or(PATH);
    if !prefix.starts_with('/') || prefix.len() > 512 {
        return Err(validation(format!(
            "1 validation error detected: Value '{prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"
        )));
    }
    let account = &caller.account;
    let action = format!("iam:List{}s", noun(kind));
    authorize(
        world,
        caller,
        &action,
        &format!("arn:aws:iam::{account}:{}{prefix}", kind.as_str()),
    )?;
    let scope = format!("iam:{}s:{account}:{prefix}", kind.as_str());
    let range = page(world, params, &scope)?;
    let mut all: Vec<&Principal> = world
        .principals
        .values()
        .filter(|p| p.kind == kind && &p.account == account && PATH.starts_with(prefix))
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let (members, next) = slice(world, &scope, &all, range);
    let mut xml = format!("    <{}s>\n", noun(kind));
    for p in members {
        xml.push_str(&principal_member(p));
    }
    xml.push_str(&format!("    </{}s>\n", noun(kind)));
    xml.push_str(&paging_xml(next));
    Ok(xml)
}

/// One `<member>` of ListUsers or ListRoles.
fn principal_member(p: &Principal) -> String {
    let n = noun(p.kind);
    format!(
        "      <member>\n        <Path>{PATH}</Path>\n        <{n}Name>{}</{n}Name>\n        <{n}Id>{}</{n}Id>\n        <Arn>{}</Arn>\n        <CreateDate>{}</CreateDate>\n      </member>\n",
        escape(&p.name),
        escape(&p.unique_id),
        escape(&p.arn),
        p.created.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// ListUserPolicies / ListRolePolicies: the names of a user's (role's) policies, sorted.
fn list_policies(
    world: &World,
    caller: &ResolvedCaller,
    kind: PrincipalKind,
    params: &Params,
) -> Result<String, QueryError> {
    let field = format!("{}Name", kind.as_str());
    let Some(name) = params.get(&format!("{}Name", noun(kind))) else {
        return Err(validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        )));
    };
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !valid {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        )));
    }
    let arn = format!("arn:aws:iam::{}:{}/{name}", caller.account, kind.as_str());
    authorize(
        world,
        caller,
        &format!("iam:List{}Policies", noun(kind)),
        &arn,
    )?;
    let principal = world
        .find_principal(&arn)
        .ok()
        .filter(|p| p.kind == kind)
        .ok_or_else(|| {
            QueryError::new(
                404,
                "NoSuchEntity",
                format!("The {} with name {name} cannot be found.", kind.as_str()),
            )
        })?;
    let scope = format!("iam:policies:{}", principal.unique_id);
    let range = page(world, params, &scope)?;
    let mut names: Vec<&str> = principal.policies.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    let (members, next) = slice(world, &scope, &names, range);
    let mut xml = String::from("    <PolicyNames>\n");
    for n in members {
        xml.push_str(&format!("      <member>{}</member>\n", escape(n)));
    }
    xml.push_str("    </PolicyNames>\n");
    xml.push_str(&paging_xml(next));
    Ok(xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classroom() -> World {
        crate::sim::Scenario::load("classroom")
            .unwrap()
            .build()
            .unwrap()
    }

    fn caller(world: &World, who: &str) -> ResolvedCaller {
        world.resolve_caller(&Caller::new(who)).unwrap()
    }

    fn params(body: &str) -> Params {
        Params::parse(body.as_bytes())
    }

    #[test]
    fn a_user_member_has_the_fields_the_sdks_require_and_escapes_them() {
        let world = classroom();
        let mut p = world.find_principal("admin").unwrap().clone();
        p.name = "a&b<c>".into();
        p.arn = "arn:aws:iam::111122223333:user/a&b<c>".into();
        let xml = principal_member(&p);
        assert!(xml.contains("<Path>/</Path>"), "{xml}");
        assert!(
            xml.contains("<UserName>a&amp;b&lt;c&gt;</UserName>"),
            "{xml}"
        );
        assert!(
            xml.contains("<UserId>AIDAJQABLZS4A3QDU576Q</UserId>"),
            "{xml}"
        );
        assert!(
            xml.contains("<Arn>arn:aws:iam::111122223333:user/a&amp;b&lt;c&gt;</Arn>"),
            "{xml}"
        );
        let date = p.created.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        assert!(
            xml.contains(&format!("<CreateDate>{date}</CreateDate>")),
            "{xml}"
        );
    }

    #[test]
    fn a_role_member_names_the_role() {
        let mut world = classroom();
        let account = world.home_account().unwrap().clone();
        let role = world
            .create_principal(&account, PrincipalKind::Role, "app", None)
            .unwrap()
            .clone();
        let xml = principal_member(&role);
        assert!(xml.contains("<RoleName>app</RoleName>"), "{xml}");
        assert!(
            xml.contains(&format!("<RoleId>{}</RoleId>", role.unique_id)),
            "{xml}"
        );
    }

    #[test]
    fn list_users_lists_the_callers_account_and_pages() {
        let world = classroom();
        let admin = caller(&world, "admin");
        let xml =
            list_principals(&world, &admin, PrincipalKind::User, &params("MaxItems=1")).unwrap();
        assert!(xml.contains("<UserName>admin</UserName>"), "{xml}");
        assert!(!xml.contains("granttestuser"), "{xml}");
        assert!(xml.contains("<IsTruncated>true</IsTruncated>"), "{xml}");
        let marker = xml
            .split("<Marker>")
            .nth(1)
            .and_then(|r| r.split("</Marker>").next())
            .unwrap()
            .to_string();
        let body = format!(
            "MaxItems=1&Marker={}",
            form_urlencoded::byte_serialize(marker.as_bytes()).collect::<String>()
        );
        let xml = list_principals(&world, &admin, PrincipalKind::User, &params(&body)).unwrap();
        assert!(xml.contains("<UserName>granttestuser</UserName>"), "{xml}");
        assert!(xml.contains("<IsTruncated>false</IsTruncated>"), "{xml}");
        assert!(!xml.contains("<Marker>"), "{xml}");
    }

    #[test]
    fn paging_parameters_are_validated() {
        let world = classroom();
        let admin = caller(&world, "admin");
        for bad in [
            "MaxItems=0",
            "MaxItems=1001",
            "MaxItems=x",
            "Marker=garbage",
        ] {
            let e = list_principals(&world, &admin, PrincipalKind::User, &params(bad)).unwrap_err();
            assert_eq!(
                (e.status, e.code.as_str()),
                (400, "ValidationError"),
                "{bad}"
            );
        }
    }

    #[test]
    fn policy_names_are_listed_and_unknown_users_are_no_such_entity() {
        let world = classroom();
        let admin = caller(&world, "admin");
        let xml = list_policies(
            &world,
            &admin,
            PrincipalKind::User,
            &params("UserName=admin"),
        )
        .unwrap();
        assert!(
            xml.contains("<member>AdministratorAccess</member>"),
            "{xml}"
        );
        let e = list_policies(
            &world,
            &admin,
            PrincipalKind::User,
            &params("UserName=nobody"),
        )
        .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str(), e.message.as_str()),
            (
                404,
                "NoSuchEntity",
                "The user with name nobody cannot be found."
            )
        );
        let e = list_policies(&world, &admin, PrincipalKind::Role, &params("")).unwrap_err();
        assert!(e.message.contains("'roleName'"), "{}", e.message);
    }

    #[test]
    fn a_caller_without_identity_policies_is_denied_in_iams_words() {
        let world = classroom();
        let user = caller(&world, "granttestuser");
        let e = list_principals(&world, &user, PrincipalKind::User, &params("")).unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (403, "AccessDenied"));
        assert_eq!(
            e.message,
            "User: arn:aws:iam::111122223333:user/granttestuser is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/ because no identity-based policy allows the iam:ListUsers action"
        );
        let xml = error_xml(&e, "rid-1");
        assert!(xml.contains("<Code>AccessDenied</Code>"), "{xml}");
        assert!(xml.contains("<RequestId>rid-1</RequestId>"), "{xml}");
        assert!(xml.starts_with(&format!("<ErrorResponse xmlns=\"{NAMESPACE}\">")));
    }
}
