//! The profiles configured on this machine (the shared config and credentials files), and
//! acting as one of them: a KMS client with that profile's own credentials, in the
//! operator's region and endpoint, and the caller it resolves to (STS GetCallerIdentity).
//! The test-a-grant dialog offers these profiles as the principals to act as.

use std::path::{Path, PathBuf};

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use futures::StreamExt;

use crate::backend::{Actor, BackendError, BackendResult};
use crate::kms::ids::PrincipalArn;

use super::backend::AwsBackend;
use super::connection::{AwsConnection, AwsOptions, CallerIdentity, CONCURRENCY};

/// Where the shared config and credentials files are. `None`: where the AWS CLI looks
/// (`AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and
/// `~/.aws/credentials`). Explicit paths let a caller (a test) avoid process-wide
/// environment variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSources {
    pub config_file: Option<PathBuf>,
    pub credentials_file: Option<PathBuf>,
}

impl ProfileSources {
    /// The profile files for aws-config, when any path is explicit.
    pub fn files(&self) -> Option<EnvConfigFiles> {
        if self.config_file.is_none() && self.credentials_file.is_none() {
            return None;
        }
        let mut b = EnvConfigFiles::builder()
            .include_default_config_file(self.config_file.is_none())
            .include_default_credentials_file(self.credentials_file.is_none());
        // A file that does not exist holds no profiles (as for the AWS CLI), not an error.
        if let Some(p) = self.config_file.as_ref().filter(|p| p.exists()) {
            b = b.with_file(EnvConfigFileKind::Config, p);
        }
        if let Some(p) = self.credentials_file.as_ref().filter(|p| p.exists()) {
            b = b.with_file(EnvConfigFileKind::Credentials, p);
        }
        Some(b.build())
    }

    fn path(explicit: &Option<PathBuf>, env: &str, default: &str) -> Option<PathBuf> {
        explicit
            .clone()
            .or_else(|| std::env::var_os(env).map(PathBuf::from))
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".aws").join(default)))
    }

    /// The profile names of both files, `default` first, then sorted. Unreadable or
    /// missing files contribute nothing.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let read = |p: Option<PathBuf>| p.and_then(|p| std::fs::read_to_string(p).ok());
        if let Some(text) = read(Self::path(&self.config_file, "AWS_CONFIG_FILE", "config")) {
            names.extend(sections(&text).filter_map(|s| {
                if s == "default" {
                    Some(s.to_string())
                } else {
                    s.strip_prefix("profile ").map(|n| n.trim().to_string())
                }
            }));
        }
        if let Some(text) = read(Self::path(
            &self.credentials_file,
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
        )) {
            names.extend(sections(&text).map(str::to_string));
        }
        names.sort_by(|a, b| (a != "default", a).cmp(&(b != "default", b)));
        names.dedup();
        names.retain(|n| !n.is_empty());
        names
    }
}

/// The `[section]` names of an INI-style profile file.
fn sections(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(str::trim)
    })
}

/// A profile to act as: its KMS client and who it is.
#[derive(Clone)]
pub struct ActingProfile {
    pub kms: aws_sdk_kms::Client,
    pub identity: CallerIdentity,
}

/// Connect as `profile` in the operator's region and endpoint, and resolve who it is.
pub async fn act_as(
    profile: &str,
    operator: &AwsOptions,
    region: &str,
    sources: &ProfileSources,
) -> BackendResult<ActingProfile> {
    let opts = AwsOptions {
        profile: Some(profile.to_string()),
        region: Some(region.to_string()),
        endpoint_url: operator.endpoint_url.clone(),
    };
    let conn = AwsConnection::connect_with(opts, sources).await?;
    let identity = conn.caller_identity().await?;
    Ok(ActingProfile {
        kms: conn.kms,
        identity,
    })
}

/// Does a profile that resolved to `identity` act as `who`? The same ARN, or `who` is a
/// role (`arn:aws:iam::A:role/[PATH/]R`, as grants and policies name it) and the profile
/// assumes it (`arn:aws:sts::A:assumed-role/R/SESSION`, as STS names the caller).
pub fn acts_as(identity: &str, who: &str) -> bool {
    if identity == who {
        return true;
    }
    match (PrincipalArn::parse(identity), PrincipalArn::parse(who)) {
        (Some(session), Some(role)) => session.is_session_of(&role),
        _ => false,
    }
}

impl AwsBackend {
    /// The profile to act as: one by name, or the one that resolves to a principal.
    pub(super) async fn actor(&self, actor: &Actor) -> BackendResult<ActingProfile> {
        let who = match actor {
            Actor::Principal(p) => p.as_str(),
            Actor::Profile(name) => name.as_str(),
        };
        let by_name = matches!(actor, Actor::Profile(_));
        let mut actors = self.actors.lock().await;
        if let Some(a) = actors.get(who) {
            return Ok(a.clone());
        }
        // Profiles in their order (the default first), as they are resolved below.
        let known = self.profiles.iter().filter_map(|p| actors.get(p));
        if let Some(a) = known
            .chain(actors.values())
            .find(|a| acts_as(&a.identity.arn, who))
        {
            return Ok(a.clone());
        }
        if by_name {
            let a = act_as(who, &self.conn.options, &self.conn.region, &self.sources).await?;
            actors.insert(who.to_string(), a.clone());
            return Ok(a);
        }
        // An ARN: resolve the profiles not tried yet (together, a few at a time; a profile
        // that cannot connect is skipped) until one is it.
        let untried: Vec<String> = self
            .profiles
            .iter()
            .filter(|p| !actors.contains_key(*p))
            .cloned()
            .collect();
        let (options, region, sources) = (&self.conn.options, &self.conn.region, &self.sources);
        let resolve = |p: String| {
            let (options, region, sources) = (options.clone(), region.clone(), sources.clone());
            async move {
                let a = act_as(&p, &options, &region, &sources).await;
                (p, a)
            }
        };
        let mut resolving =
            // In the profiles' order: when several resolve to `who`, the first one is used,
            // whichever answered first.
            futures::stream::iter(untried.into_iter().map(resolve)).buffered(CONCURRENCY);
        while let Some((p, resolved)) = resolving.next().await {
            if let Ok(a) = resolved {
                actors.insert(p, a.clone());
                if acts_as(&a.identity.arn, who) {
                    return Ok(a);
                }
            }
        }
        Err(BackendError::configuration(format!(
            "No profile configured on this machine resolves to {who}; acting as it needs its credentials."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_that_assumes_a_role_acts_as_that_role() {
        let session = "arn:aws:sts::111122223333:assumed-role/app/botocore-session-1";
        assert!(acts_as(session, "arn:aws:iam::111122223333:role/app"));
        assert!(acts_as(session, "arn:aws:iam::111122223333:role/team/app"));
        assert!(acts_as(session, session));
        assert!(!acts_as(session, "arn:aws:iam::444455556666:role/app"));
        assert!(!acts_as(session, "arn:aws:iam::111122223333:role/other"));
        assert!(!acts_as(session, "arn:aws:iam::111122223333:user/app"));
        let user = "arn:aws:iam::111122223333:user/bob";
        assert!(acts_as(user, user));
        assert!(!acts_as(user, "arn:aws:iam::111122223333:user/alice"));
    }

    #[test]
    fn profile_names_come_from_both_files_default_first() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let creds = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = eu-west-1\n[profile dev]\n[sso-session corp]\n",
        )
        .unwrap();
        std::fs::write(&creds, "[admin]\n[dev]\n# [commented]\n").unwrap();
        let sources = ProfileSources {
            config_file: Some(config),
            credentials_file: Some(creds),
        };
        assert_eq!(sources.profile_names(), ["default", "admin", "dev"]);
    }
}
