//! The terminal UI, in the Elm architecture, by feature.
//!
//! - The model and its vocabulary: `app` (the model), `rows` (every list), `pane` (focus
//!   order), `message` (`Msg` in, `Command` and `Work` out), `jobs` (background work:
//!   latest request wins, the spinner), `actions` (every action's key and label), `effect`
//!   (what a feature asks of the rest), `theme`, `widgets`, `text_field`, `list_view`
//!   (a list pane's table: columns by priority, only the visible rows built).
//! - Features, each in one home with its state, keys, hints and drawing: `dialogs/` (a
//!   file per dialog), `findings` (the audit's view), `last_seen` (what is known of a
//!   grant's use), `lesson/` (a classroom lesson and its narration), `keys_overlay`,
//!   `panes/` (a file per pane: its rows, its answers, its confirmations) and `scopes` (an
//!   organization's scopes: the selector, what the panes show, each scope's keys as they
//!   arrive). Features answer with `Effect`s; none imports another's update code.
//! - Below the features that use them: `effects` (reload, follow the selection, ask for an
//!   audit, go to a grant, apply an `Effect`) and `keymap` (what is offered now).
//! - The dispatcher: `update` routes each message to its owner; it is pure (no terminal,
//!   no tokio), so tests drive it with messages and key presses.
//! - The edges: `input` (terminal events to messages), `mouse` (clicks and the wheel, by
//!   the same layout the view draws with), `executor` (work to backend calls, the only
//!   caller of the backend; `audit_job`: the audit with CloudTrail's evidence), `runtime`
//!   (the terminal, the event loop, the tasks), `signals` (a terminating signal ends the
//!   UI like a quit, terminal restored) and `view` (where each part is drawn).
//!
//! To add a dialog: a file in `dialogs/`, a variant of `Dialog`, an `Action` with its key,
//! and its line in `update::act`. A pane: a file in `panes/` and its place in `view`. An
//! action key: `actions.rs`, where `keymap` offers it, and its line in `update::act`.

pub mod actions;
pub mod app;
pub mod audit_job;
pub mod dialogs;
pub mod effect;
pub mod effects;
pub mod executor;
pub mod findings;
pub mod input;
pub mod jobs;
pub mod keymap;
pub mod keys_overlay;
pub mod last_seen;
pub mod lesson;
pub mod list_view;
pub mod message;
pub mod mouse;
pub mod pane;
pub mod panes;
pub mod rows;
pub mod runtime;
pub mod scopes;
pub mod signals;
pub mod text_field;
pub mod theme;
pub mod update;
pub mod view;
pub mod widgets;

pub use app::App;
pub use message::{Command, Msg};
pub use runtime::{new_app, run, run_connecting, UiOptions};
