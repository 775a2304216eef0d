//! Placeholders in lesson text: `{grant_token}`, `{key}`, `{orders.grant_id}`. A placeholder
//! is `{` NAME `}` where NAME is letters, digits, `_` and `.` (starting with a letter or
//! `_`); any other braces (the AWS CLI's shorthand `EncryptionContextSubset={app=orders}`)
//! are left as written.

use std::collections::BTreeMap;

/// The placeholder names in `text`, in order of appearance (with repeats).
pub fn scan(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                out.push(after[..close].to_string());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// `text` with every placeholder that `vars` knows replaced; unknown ones stay as written.
pub fn fill(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fill `text`, or name the first placeholder `vars` does not know.
pub fn fill_all(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    match scan(text).into_iter().find(|n| !vars.contains_key(n)) {
        Some(missing) => Err(missing),
        None => Ok(fill(text, vars)),
    }
}

/// Is `s` a placeholder name?
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// The variables a create-grant step captures (with `save_as`, also under that prefix).
pub fn captured_by(save_as: Option<&str>) -> Vec<String> {
    let mut names = vec!["grant_id".to_string(), "grant_token".to_string()];
    if let Some(prefix) = save_as {
        names.push(format!("{prefix}.grant_id"));
        names.push(format!("{prefix}.grant_token"));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_names_and_leaves_cli_shorthand_alone() {
        let cli = "aws kms create-grant --key-id {key} --constraints \
                   EncryptionContextSubset={app=orders} --grant-tokens {orders.grant_token}";
        assert_eq!(scan(cli), vec!["key", "orders.grant_token"]);
        let vars = BTreeMap::from([("key".to_string(), "arn:k".to_string())]);
        assert_eq!(
            fill(cli, &vars),
            "aws kms create-grant --key-id arn:k --constraints \
             EncryptionContextSubset={app=orders} --grant-tokens {orders.grant_token}"
        );
        assert_eq!(fill_all(cli, &vars), Err("orders.grant_token".to_string()));
    }
}
