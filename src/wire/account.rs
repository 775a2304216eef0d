//! AWS Account `ListRegions` (`POST /listRegions`, REST JSON): the regions enabled for an
//! account, which `--regions all` asks for instead of a list compiled in.
//!
//! AWS's documentation: ListRegions lists "all the Regions for a given account and their
//! respective opt-in statuses", filtered by `RegionOptStatusContains` (ENABLED, ENABLING,
//! DISABLING, DISABLED, ENABLED_BY_DEFAULT); `AccountId` names another account of the
//! organization, which needs the management account (or a delegated administrator);
//! MaxResults is 1-50. Decisions: the simulator lists the organization's
//! `enabled_regions` (ENABLED_BY_DEFAULT) and no others (it has no opt-in regions to
//! list as DISABLED); without an organization, the world's region. No delegated
//! administrators: naming another account needs the management account.

use serde_json::{json, Value};

use crate::kms::AccountId;
use crate::sim::World;

use super::organizations::{caller_account, page_size, page_token, read_page_token, ServiceError};

const MAX_RESULTS: usize = 50;

/// The answer to ListRegions.
pub fn list_regions(world: &World, caller: &str, input: &Value) -> Result<Value, ServiceError> {
    let own = caller_account(world, caller)?;
    if let Some(asked) = input.get("AccountId").and_then(Value::as_str) {
        let asked = AccountId::parse(asked).ok_or_else(|| {
            ServiceError::new(
                400,
                "ValidationException",
                format!("{asked} is not an account id."),
            )
        })?;
        let is_management = world
            .organization
            .as_ref()
            .is_some_and(|o| o.management_account == own);
        if asked != own && !(is_management && world.account(asked.as_str()).is_some()) {
            return Err(ServiceError::access_denied());
        }
    }
    let regions: Vec<String> = match &world.organization {
        Some(org) => org.enabled_regions.clone(),
        None => vec![world.region.clone()],
    };
    let wanted: Option<Vec<&str>> = input
        .get("RegionOptStatusContains")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    const STATUS: &str = "ENABLED_BY_DEFAULT";
    let listed: Vec<&String> = regions
        .iter()
        .filter(|_| wanted.as_ref().is_none_or(|w| w.contains(&STATUS)))
        .collect();
    let size = page_size(input, MAX_RESULTS)?;
    let secret = world
        .organization
        .as_ref()
        .map_or(&world.token_secret, |o| &o.session_secret);
    let start = match input.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => read_page_token(secret, "ListRegions", t).ok_or_else(|| {
            ServiceError::new(400, "ValidationException", "The NextToken is not valid.")
        })?,
    };
    let page: Vec<Value> = listed
        .iter()
        .skip(start)
        .take(size)
        .map(|r| json!({ "RegionName": r, "RegionOptStatus": STATUS }))
        .collect();
    let mut out = json!({ "Regions": page });
    if start + size < listed.len() {
        out["NextToken"] = json!(page_token(secret, "ListRegions", start + size));
    }
    Ok(out)
}
