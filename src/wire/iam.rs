//! The IAM listings the AWS backend's principals pane reads — ListUsers, ListRoles,
//! ListUserPolicies / ListRolePolicies (inline policies) and ListAttachedUserPolicies /
//! ListAttachedRolePolicies (managed policies) — served beside KMS over the Query protocol
//! (`query.rs`). IAM's users and roles are the world's principals of the caller's account,
//! at path `/`; each identity policy is listed by the listing of its kind, as on AWS. Each
//! call is authorized as IAM does, by the caller's identity policies (`iam:ListUsers`,
//! ...), and lists page with Marker/MaxItems/IsTruncated (100 items by default, at most
//! 1000).

use crate::kms::{ErrorCode, KmsError};
use crate::sim::authorize::authorize_identity;
use crate::sim::principals::ResolvedCaller;
use crate::sim::world::{IdentityPolicy, Principal};
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
        return Err(error_from(query::missing_action()));
    };
    let sim = sim.lock();
    let world = sim.world();
    let caller = world
        .resolve_caller(&Caller::new(caller))
        .map_err(error_from)?;
    use Listing::{Attached, Inline};
    let result = match action {
        "ListUsers" => list_principals(world, &caller, PrincipalKind::User, &params)?,
        "ListRoles" => list_principals(world, &caller, PrincipalKind::Role, &params)?,
        "ListUserPolicies" => list_policies(world, &caller, PrincipalKind::User, Inline, &params)?,
        "ListRolePolicies" => list_policies(world, &caller, PrincipalKind::Role, Inline, &params)?,
        "ListAttachedUserPolicies" => {
            list_policies(world, &caller, PrincipalKind::User, Attached, &params)?
        }
        "ListAttachedRolePolicies" => {
            list_policies(world, &caller, PrincipalKind::Role, Attached, &params)?
        }
        other => return Err(error_from(query::unknown_action(other, VERSION))),
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
    match e.code {
        ErrorCode::NotFoundException => QueryError::new(404, "NoSuchEntity", e.message),
        ErrorCode::KmsInternalException => QueryError::new(500, "ServiceFailure", e.message),
        _ => query::common_error(e),
    }
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

/// The `PathPrefix` a listing is limited to (`/`, all, by default).
fn path_prefix(params: &Params) -> Result<&str, QueryError> {
    let prefix = params.get("PathPrefix").unwrap_or(PATH);
    if !prefix.starts_with('/') || prefix.len() > 512 {
        return Err(validation(format!(
            "1 validation error detected: Value '{prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"
        )));
    }
    Ok(prefix)
}

/// ListUsers / ListRoles: the caller's account's users (roles), by name.
fn list_principals(
    world: &World,
    caller: &ResolvedCaller,
    kind: PrincipalKind,
    params: &Params,
) -> Result<String, QueryError> {
    let prefix = path_prefix(params)?;
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
        .filter(|p| p.kind == kind && &p.account == account && p.path().starts_with(prefix))
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
        "      <member>\n        <Path>{}</Path>\n        <{n}Name>{}</{n}Name>\n        <{n}Id>{}</{n}Id>\n        <Arn>{}</Arn>\n        <CreateDate>{}</CreateDate>\n      </member>\n",
        escape(p.path()),
        escape(&p.name),
        escape(&p.unique_id),
        escape(&p.arn),
        p.created.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// Which of a principal's identity policies a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// ListUserPolicies / ListRolePolicies: inline policies, by name.
    Inline,
    /// ListAttachedUserPolicies / ListAttachedRolePolicies: managed policies, by name
    /// and ARN.
    Attached,
}

impl Listing {
    fn action(self, kind: PrincipalKind) -> String {
        match self {
            Listing::Inline => format!("iam:List{}Policies", noun(kind)),
            Listing::Attached => format!("iam:ListAttached{}Policies", noun(kind)),
        }
    }

    fn shows(self, policy: &IdentityPolicy) -> bool {
        policy.is_managed() == (self == Listing::Attached)
    }

    /// The XML element the listing's members are in.
    fn element(self) -> &'static str {
        match self {
            Listing::Inline => "PolicyNames",
            Listing::Attached => "AttachedPolicies",
        }
    }

    /// One `<member>` of the listing.
    fn member(self, policy: &IdentityPolicy) -> String {
        match (self, &policy.managed_arn) {
            (Listing::Attached, Some(arn)) => format!(
                "      <member>\n        <PolicyName>{}</PolicyName>\n        <PolicyArn>{}</PolicyArn>\n      </member>\n",
                escape(&policy.name),
                escape(arn)
            ),
            _ => format!("      <member>{}</member>\n", escape(&policy.name)),
        }
    }
}

/// The path of a managed policy's ARN: `/` in `arn:aws:iam::aws:policy/AdministratorAccess`,
/// `/service-role/` in `arn:aws:iam::aws:policy/service-role/X`.
fn policy_path(arn: &str) -> &str {
    let rest = arn.split_once(":policy").map_or(PATH, |(_, r)| r);
    rest.rfind('/').map_or(PATH, |i| &rest[..=i])
}

/// A user's (role's) inline or attached policies, sorted by name: IAM's four policy
/// listings of a principal.
fn list_policies(
    world: &World,
    caller: &ResolvedCaller,
    kind: PrincipalKind,
    listing: Listing,
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
    // Only the attached listing takes a PathPrefix (inline policies have no path).
    let prefix = match listing {
        Listing::Attached => path_prefix(params)?,
        Listing::Inline => PATH,
    };
    let arn = format!("arn:aws:iam::{}:{}/{name}", caller.account, kind.as_str());
    authorize(world, caller, &listing.action(kind), &arn)?;
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
    let scope = format!("{}:{}:{prefix}", listing.action(kind), principal.unique_id);
    let range = page(world, params, &scope)?;
    let mut policies: Vec<&IdentityPolicy> = principal
        .policies
        .iter()
        .filter(|p| listing.shows(p))
        .filter(|p| {
            p.managed_arn
                .as_deref()
                .is_none_or(|arn| policy_path(arn).starts_with(prefix))
        })
        .collect();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let (members, next) = slice(world, &scope, &policies, range);
    let mut xml = format!("    <{}>\n", listing.element());
    for p in members {
        xml.push_str(&listing.member(p));
    }
    xml.push_str(&format!("    </{}>\n", listing.element()));
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

    const READ_KEYS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:List*","Resource":"*"}]}"#;

    /// The classroom, with an inline policy on the admin beside its AdministratorAccess.
    fn classroom_with_inline_policy() -> World {
        let mut world = classroom();
        world
            .put_identity_policy("admin", "read-keys", READ_KEYS)
            .unwrap();
        world
    }

    fn list(
        world: &World,
        who: &str,
        kind: PrincipalKind,
        listing: Listing,
        body: &str,
    ) -> Result<String, QueryError> {
        list_policies(world, &caller(world, who), kind, listing, &params(body))
    }

    fn marker_of(xml: &str) -> String {
        let marker = xml
            .split("<Marker>")
            .nth(1)
            .and_then(|r| r.split("</Marker>").next())
            .expect("a marker");
        form_urlencoded::byte_serialize(marker.as_bytes()).collect()
    }

    #[test]
    fn the_inline_listing_shows_inline_policies_only() {
        let world = classroom_with_inline_policy();
        let xml = list(
            &world,
            "admin",
            PrincipalKind::User,
            Listing::Inline,
            "UserName=admin",
        )
        .unwrap();
        assert_eq!(
            xml,
            "    <PolicyNames>\n      <member>read-keys</member>\n    </PolicyNames>\n    <IsTruncated>false</IsTruncated>\n"
        );
    }

    #[test]
    fn the_attached_listing_shows_managed_policies_with_their_arns() {
        let world = classroom_with_inline_policy();
        let xml = list(
            &world,
            "admin",
            PrincipalKind::User,
            Listing::Attached,
            "UserName=admin",
        )
        .unwrap();
        assert_eq!(
            xml,
            "    <AttachedPolicies>\n      <member>\n        <PolicyName>AdministratorAccess</PolicyName>\n        <PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn>\n      </member>\n    </AttachedPolicies>\n    <IsTruncated>false</IsTruncated>\n"
        );
        // A user with neither kind: both listings are empty, not errors.
        for listing in [Listing::Attached, Listing::Inline] {
            let xml = list(
                &world,
                "admin",
                PrincipalKind::User,
                listing,
                "UserName=granttestuser",
            )
            .unwrap();
            assert!(!xml.contains("<member>"), "{xml}");
        }
    }

    #[test]
    fn attached_policies_page_and_filter_by_path() {
        let mut world = classroom();
        for arn in [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
        ] {
            world
                .attach_managed_policy("admin", arn, READ_KEYS)
                .unwrap();
        }
        let user = |body: &str| {
            list(
                &world,
                "admin",
                PrincipalKind::User,
                Listing::Attached,
                &format!("UserName=admin&{body}"),
            )
        };
        let first = user("MaxItems=2").unwrap();
        assert!(first.contains("<PolicyName>AWSLambdaRole</PolicyName>"));
        assert!(first.contains("<PolicyName>AdministratorAccess</PolicyName>"));
        assert!(first.contains("<IsTruncated>true</IsTruncated>"), "{first}");
        let rest = user(&format!("MaxItems=2&Marker={}", marker_of(&first))).unwrap();
        assert!(
            rest.contains("<PolicyName>ReadOnlyAccess</PolicyName>"),
            "{rest}"
        );
        assert!(rest.contains("<IsTruncated>false</IsTruncated>"), "{rest}");

        // A marker belongs to its listing.
        let e = list(
            &world,
            "admin",
            PrincipalKind::User,
            Listing::Inline,
            &format!("UserName=admin&Marker={}", marker_of(&first)),
        )
        .unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (400, "Invalid Marker."));

        let service = user("PathPrefix=/service-role/").unwrap();
        assert!(service.contains("<PolicyName>AWSLambdaRole</PolicyName>"));
        assert_eq!(service.matches("<PolicyName>").count(), 1, "{service}");
        let e = user("PathPrefix=service-role").unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert_eq!(
            policy_path("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"),
            "/service-role/"
        );
        assert_eq!(
            policy_path("arn:aws:iam::aws:policy/AdministratorAccess"),
            "/"
        );
    }

    #[test]
    fn unknown_users_and_roles_are_no_such_entity_in_both_listings() {
        let world = classroom();
        for listing in [Listing::Inline, Listing::Attached] {
            let e = list(
                &world,
                "admin",
                PrincipalKind::User,
                listing,
                "UserName=nobody",
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
            // A user is not a role.
            let e = list(
                &world,
                "admin",
                PrincipalKind::Role,
                listing,
                "RoleName=admin",
            )
            .unwrap_err();
            assert_eq!(
                e.message, "The role with name admin cannot be found.",
                "{listing:?}"
            );
            let e = list(&world, "admin", PrincipalKind::Role, listing, "").unwrap_err();
            assert!(e.message.contains("'roleName'"), "{}", e.message);
        }
    }

    #[test]
    fn the_attached_listing_is_authorized_as_its_own_action() {
        let mut world = classroom();
        // Allowed the inline listing only.
        world
            .put_identity_policy(
                "granttestuser",
                "inline-only",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUserPolicies","Resource":"*"}]}"#,
            )
            .unwrap();
        let inline = list(
            &world,
            "granttestuser",
            PrincipalKind::User,
            Listing::Inline,
            "UserName=admin",
        );
        assert!(inline.is_ok(), "{inline:?}");
        let e = list(
            &world,
            "granttestuser",
            PrincipalKind::User,
            Listing::Attached,
            "UserName=admin",
        )
        .unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (403, "AccessDenied"));
        assert_eq!(
            e.message,
            "User: arn:aws:iam::111122223333:user/granttestuser is not authorized to perform: iam:ListAttachedUserPolicies on resource: arn:aws:iam::111122223333:user/admin because no identity-based policy allows the iam:ListAttachedUserPolicies action"
        );
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
