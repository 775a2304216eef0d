//! Dialogs float over the main screen, one at a time. Each lives in its own file with its
//! state, its keys (answered with `Effect`s), its hints for the action bar and its
//! drawing; `Dialog` only routes to the open one. To add a dialog: a file here, a variant
//! below, and the action that opens it (`actions.rs`, routed in `update.rs`).

pub mod confirm;
pub mod create_grant;
pub mod detail;
pub mod grant_created;
pub mod help;
pub mod simple_form;
pub mod test_grant;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::kms::Principal;

use super::effect::Effect;
use super::message::Key;
use super::text_field::TextField;

pub use confirm::Confirm;
pub use create_grant::{CreateGrant, GrantField};
pub use detail::Detail;
pub use grant_created::GrantCreated;
pub use help::Help;
pub use simple_form::SimpleForm;
pub use test_grant::{Acting, SelectedGrant, TestField, TestGrant, TestSetup};

/// A value a field offers with Up/Down: its label and the value it puts in.
pub type Choice = (String, String);

/// How the equivalent AWS CLI commands reach what this session works on: on AWS the
/// profile (when not the default), region and endpoint the session uses; on the simulator
/// nothing (the credentials file of `grantscope credentials` has the endpoint, and its
/// `[default]` profile is the administrator the UI acts as).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliSession {
    pub aws: bool,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

impl CliSession {
    /// The flags of a command made as the operator, or as `acting` (a principal on the
    /// simulator, whose credentials profile bears its name; a profile on AWS).
    pub fn flags(&self, acting: Option<&str>) -> String {
        let mut out = String::new();
        match acting {
            // On AWS a principal's ARN is no profile: the person fills in one that has
            // its credentials.
            Some(who) if self.aws && who.starts_with("arn:") => out.push_str(&format!(
                " --profile <profile of {}>",
                crate::kms::display_name(who)
            )),
            Some(who) if self.aws => out.push_str(&format!(" --profile {who}")),
            Some(who) => out.push_str(&format!(" --profile {}", crate::kms::display_name(who))),
            None => {
                if let Some(p) = &self.profile {
                    out.push_str(&format!(" --profile {p}"));
                }
            }
        }
        if let Some(r) = &self.region {
            out.push_str(&format!(" --region {r}"));
        }
        if let Some(e) = &self.endpoint {
            out.push_str(&format!(" --endpoint-url {e}"));
        }
        out
    }
}

/// The open dialog.
// One exists at a time: boxing the biggest (the grant test's form) would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Help(Help),
    Detail(Detail),
    CreateGrant(CreateGrant),
    GrantCreated(GrantCreated),
    Confirm(Confirm),
    TestGrant(TestGrant),
    Simple(SimpleForm),
}

impl Dialog {
    pub fn on_key(&mut self, key: Key) -> Vec<Effect> {
        match self {
            Dialog::Help(d) => d.on_key(key),
            Dialog::Detail(d) => d.on_key(key),
            Dialog::CreateGrant(d) => d.on_key(key),
            Dialog::GrantCreated(d) => d.on_key(key),
            Dialog::Confirm(d) => d.on_key(key),
            Dialog::TestGrant(d) => d.on_key(key),
            Dialog::Simple(d) => d.on_key(key),
        }
    }

    /// Pasted text goes to the focused text field, if the dialog has one.
    pub fn on_paste(&mut self, text: &str) {
        match self {
            Dialog::CreateGrant(d) => d.on_paste(text),
            Dialog::TestGrant(d) => d.on_paste(text),
            Dialog::Simple(d) => d.on_paste(text),
            Dialog::Help(_) | Dialog::Detail(_) | Dialog::GrantCreated(_) | Dialog::Confirm(_) => {}
        }
    }

    /// The (key, what it does) pairs the action bar shows.
    pub fn hints(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Dialog::Help(_) => Help::HINTS,
            Dialog::Detail(_) => Detail::HINTS,
            Dialog::CreateGrant(_) => CreateGrant::HINTS,
            Dialog::GrantCreated(_) => GrantCreated::HINTS,
            Dialog::Confirm(_) => Confirm::HINTS,
            Dialog::TestGrant(_) => TestGrant::HINTS,
            Dialog::Simple(_) => SimpleForm::HINTS,
        }
    }

    /// Draw the dialog over `area`; `detail` gives the selection's lines (read only when
    /// the detail dialog is open).
    pub fn render(
        &self,
        frame: &mut Frame,
        area: Rect,
        detail: impl FnOnce() -> (String, Vec<Line<'static>>),
    ) {
        match self {
            Dialog::Help(d) => d.render(frame, area),
            Dialog::Detail(d) => {
                let (what, lines) = detail();
                d.render(frame, area, &what, lines);
            }
            Dialog::CreateGrant(d) => d.render(frame, area),
            Dialog::GrantCreated(d) => d.render(frame, area),
            Dialog::Confirm(d) => d.render(frame, area),
            Dialog::TestGrant(d) => d.render(frame, area),
            Dialog::Simple(d) => d.render(frame, area),
        }
    }
}

/// Tab and Shift-Tab move a form's focus round its `len` fields; true when `key` did.
fn cycle_focus(focus: &mut usize, len: usize, key: Key) -> bool {
    match key {
        Key::Next => *focus = (*focus + 1) % len,
        Key::Prev => *focus = (*focus + len - 1) % len,
        _ => return false,
    }
    true
}

/// The principal a field names: an ARN, a service principal or a unique id as typed, or
/// the name of one of the field's choices (`granttestuser` for the user of that name).
fn principal_from(field: &TextField, what: &str) -> Result<Principal, String> {
    let text = field.value().trim();
    if let Some(p) = Principal::parse(text) {
        return Ok(p);
    }
    field
        .choices
        .iter()
        .find(|(label, _)| label.rsplit(' ').next() == Some(text))
        .and_then(|(_, value)| Principal::parse(value))
        .ok_or_else(|| {
            format!(
                "The {what} \"{text}\" is not an IAM ARN, a service principal or a principal's name."
            )
        })
}

#[cfg(test)]
mod tests {
    use super::CliSession;

    #[test]
    fn cli_flags_name_a_profile_never_an_arn() {
        let aws = CliSession {
            aws: true,
            profile: Some("ops".into()),
            region: Some("eu-west-1".into()),
            endpoint: None,
        };
        assert_eq!(aws.flags(None), " --profile ops --region eu-west-1");
        assert_eq!(aws.flags(Some("dev")), " --profile dev --region eu-west-1");
        assert_eq!(
            aws.flags(Some("arn:aws:iam::111122223333:user/admin")),
            " --profile <profile of admin> --region eu-west-1"
        );
        let sim = CliSession::default();
        assert_eq!(
            sim.flags(Some("arn:aws:iam::111122223333:user/granttestuser")),
            " --profile granttestuser"
        );
        assert_eq!(sim.flags(None), "");
    }
}
