//! The terminal UI, in the Elm architecture: `app` (the model), `message` (what happens
//! and what to do), `update` (the pure state machine, with `dialog_update` for dialogs and
//! `key_details` for key details that arrive after the key list),
//! `view` (drawing, one file per pane or dialog), `input` (keys to messages), `actions`
//! (what each pane offers, feeding the action bar and the key map), `executor` (commands
//! to backend calls) and `runtime` (the terminal, the event loop, the tasks). The
//! stale-grant audit lives in `audit_state` (its data) and `audit_update` (its messages).
//! A classroom lesson (`grantscope lesson`) adds `lesson_state` (the runner in the model)
//! and `lesson_update` (the step key, replay, reset, and noticing the presenter's actions).
//! Nothing but `runtime` touches the terminal, and nothing but `executor` calls the backend.

pub mod act;
pub mod actions;
pub mod app;
pub mod audit_state;
pub mod audit_update;
pub mod dialog_update;
pub mod executor;
pub mod forms;
pub mod input;
pub mod key_details;
pub mod lesson_state;
pub mod lesson_update;
pub mod message;
pub mod runtime;
pub mod update;
pub mod view;

pub use app::App;
pub use message::{Command, Msg};
pub use runtime::{run, run_connecting, UiOptions};
