//! Classroom lessons in the terminal UI (issue #7), driven through the update function
//! with the runtime's own executor: every shipped lesson runs to its end by the step key,
//! each step's outcome as the lesson says (denied steps show DENIED in the event log and
//! the WHY banner); steps done through the normal UI are noticed; replay and reset; the
//! keys overlay records keys and fades. Snapshots of a lesson's screens at the end.

mod tui_common;

use std::time::Duration;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::backend::EventOutcome;
use grantscope::lesson::{Completion, Lesson, LessonRun, StepStatus, Verdict};
use grantscope::tui::actions::Action;
use grantscope::tui::dialogs::Dialog;
use grantscope::tui::keymap::available;
use grantscope::tui::message::Msg;
use grantscope::tui::pane::Pane;
use grantscope::tui::theme::Theme;
use tui_common::Harness;

const W: u16 = 120;
const H: u16 = 36;

fn run(h: &Harness) -> &LessonRun {
    &h.app.lesson.as_ref().expect("lesson mode").run
}

fn index_of(h: &Harness, id: &str) -> usize {
    run(h)
        .lesson()
        .steps
        .iter()
        .position(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

/// Press the step key until step `id` is current.
fn step_until(h: &mut Harness, id: &str) {
    let target = index_of(h, id);
    step_to(h, target);
}

/// Press the step key until step `target` (0-based) is current; a lesson that does not
/// get there in as many presses as it has steps fails the test (rather than hanging it).
fn step_to(h: &mut Harness, target: usize) {
    let most = run(h).lesson().steps.len() + 1;
    for _ in 0..most {
        if run(h).current_index() >= target {
            return;
        }
        h.press('n');
    }
    panic!(
        "step {} not reached; at {}",
        target + 1,
        run(h).current_index() + 1
    );
}

/// The latest event of `operation` in the event log.
fn last_event(h: &Harness, operation: &str) -> Option<EventOutcome> {
    h.app
        .events
        .all()
        .iter()
        .rev()
        .find(|e| e.operation == operation)
        .map(|e| e.outcome.clone())
}

#[test]
fn every_shipped_lesson_runs_to_its_end_through_the_step_key() {
    for name in Lesson::builtin_names() {
        let mut h = Harness::lesson(name);
        let steps = run(&h).lesson().steps.clone();
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(run(&h).current_index(), i, "{name}: step {}", step.id);
            h.press('n');
            match run(&h).status(i) {
                Some(StepStatus::Done {
                    how: Completion::StepKey,
                    ..
                }) => {}
                other => panic!("{name}: step {} ended {other:?}", step.id),
            }
            let screen = h.screen(W, H);
            assert!(
                screen.contains(&format!("✓ Step {} done by the step key", i + 1)),
                "{name}: step {} not reported:\n{screen}",
                step.id
            );
            // A KMS call's verdict is in the event log and the WHY banner, as expected.
            if let Some(op) = step.action.observed_operation() {
                let want = match step.expect.outcome {
                    Some(Verdict::Denied) => EventOutcome::Denied,
                    _ if step.expect.error.is_some() => continue,
                    _ => EventOutcome::Allowed,
                };
                assert_eq!(
                    last_event(&h, op).as_ref(),
                    Some(&want),
                    "{name}: step {}",
                    step.id
                );
                // The banner shows the step's last call: the round trip's Decrypt, if any.
                let (op, want) = match step.expect.decrypt {
                    Some(Verdict::Denied) => ("Decrypt", EventOutcome::Denied),
                    Some(Verdict::Allowed) => ("Decrypt", EventOutcome::Allowed),
                    None => (op, want),
                };
                let verdict = if want == EventOutcome::Denied {
                    " DENIED "
                } else {
                    " ALLOWED "
                };
                let banner = format!("{verdict}  {op}");
                assert!(
                    screen.contains(&banner),
                    "{name}: {}: no {banner:?}:\n{screen}",
                    step.id
                );
                assert!(screen.contains("WHY "), "{name}: {}", step.id);
            }
        }
        assert!(run(&h).is_finished(), "{name} ends");
        h.press('n');
        assert!(h.screen(W, H).contains("The lesson is over"), "{name}");
    }
}

#[test]
fn the_walkthrough_step_key_moves_the_panes() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "denied");
    // The select step selected the key and granttestuser.
    assert_eq!(
        h.app.selected_principal().map(|p| p.name.as_str()),
        Some("granttestuser")
    );
    step_until(&mut h, "not-yet");
    assert_eq!(
        h.app.grants.len(),
        1,
        "the grants pane reloaded after the grant"
    );
    let token = run(&h).vars().get("grant_token").cloned().expect("token");
    let with_token = index_of(&h, "with-token");
    assert!(run(&h).cli(with_token).is_some_and(|c| c.contains(&token)));
    assert!(
        h.app.tokens.iter().any(|t| t.token == token),
        "a grant test offers the lesson's token"
    );
    step_until(&mut h, "still-works");
    assert_eq!(h.app.grants.len(), 0, "revoked: gone from the list at once");
}

/// The presenter does the walkthrough's first steps with the normal UI; the lesson notices.
#[test]
fn steps_done_through_the_ui_are_noticed() {
    let mut h = Harness::lesson("walkthrough");
    h.press('n'); // the intro
                  // Select granttestuser in the principals pane (the key is already selected).
    h.select_principal("granttestuser");
    assert!(matches!(
        run(&h).status(1),
        Some(StepStatus::Done {
            how: Completion::Observed,
            ..
        })
    ));
    // Test Encrypt as granttestuser through the test-a-grant dialog: denied, as the step expects.
    h.press('e');
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert!(
        matches!(
            run(&h).status(2),
            Some(StepStatus::Done {
                how: Completion::Observed,
                ..
            })
        ),
        "{:?}",
        run(&h).status(2)
    );
    // Create the grant through the create-grant dialog.
    h.press('c');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    h.press(' ');
    h.key(KeyCode::Enter);
    let created = match &h.app.dialog {
        Some(Dialog::GrantCreated(d)) => d.grant_token.clone(),
        other => panic!("expected the created grant, got {other:?}"),
    };
    h.key(KeyCode::Esc);
    assert_eq!(run(&h).current_index(), index_of(&h, "not-yet"));
    assert_eq!(run(&h).vars().get("grant_token"), Some(&created));
    // The rest by the step key, with the token the UI's grant captured; `+` for the wait.
    step_until(&mut h, "wait");
    h.press('+');
    assert!(matches!(
        run(&h).status(index_of(&h, "wait")),
        Some(StepStatus::Done {
            how: Completion::Observed,
            ..
        })
    ));
    h.press('n');
    assert_eq!(last_event(&h, "Encrypt"), Some(EventOutcome::Allowed));
}

/// Lesson 3's audit step, done by opening the findings view (`f`): noticed, findings
/// checked; the step key's select step then closes the view and selects the key.
#[test]
fn the_audit_on_screen_completes_an_audit_step() {
    let mut h = Harness::lesson("stale-grant-hunt");
    h.press('n'); // the intro
    assert_eq!(run(&h).current_index(), index_of(&h, "audit"));
    h.press('f');
    assert!(h.app.findings.view_open);
    assert!(matches!(
        run(&h).status(index_of(&h, "audit")),
        Some(StepStatus::Done {
            how: Completion::Observed,
            ..
        })
    ));
    h.press('n'); // select alias/app-data
    assert!(!h.app.findings.view_open);
    assert_eq!(
        h.app
            .selected_key()
            .and_then(|k| k.aliases.first().cloned()),
        Some("alias/app-data".to_string())
    );
    assert_eq!(h.app.grants.total(), 12);
}

#[test]
fn an_unexpected_outcome_is_flagged_and_the_step_stays() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "wait");
    // The presenter skips the wait: the grant has not propagated, so the next encrypt is
    // denied where the lesson expects allowed.
    h.app.lesson.as_mut().expect("lesson").run.skip();
    h.press('n');
    let here = index_of(&h, "propagated");
    assert!(matches!(
        run(&h).status(here),
        Some(StepStatus::Unexpected { .. })
    ));
    assert_eq!(run(&h).current_index(), here);
    let screen = h.screen(W, H);
    assert!(screen.contains("UNEXPECTED"), "{screen}");
    assert_eq!(last_event(&h, "Encrypt"), Some(EventOutcome::Denied));
}

#[test]
fn back_replays_a_step_and_reset_restores_the_start() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "not-yet");
    assert_eq!(h.app.grants.len(), 1);
    h.press('b');
    assert_eq!(run(&h).current_index(), index_of(&h, "create-grant"));
    h.press('n'); // a second grant: the world is not reset by a replay
    assert_eq!(h.app.grants.len(), 2);

    // The presenter lets time run (p); the reset brings back the lesson's stopped clock.
    h.press('p');
    assert!(!h.app.time_frozen);

    // Reset asks first; the default is Cancel.
    h.press('R');
    assert!(matches!(h.app.dialog, Some(Dialog::Confirm(_))));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.grants.len(), 2, "cancelled");
    h.press('R');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(run(&h).current_index(), 0);
    assert!(h.app.time_frozen && h.sim.lock().world().clock.is_frozen());
    assert!(run(&h).statuses().iter().all(|s| *s == StepStatus::Pending));
    assert!(run(&h).vars().get("grant_token").is_none());
    assert_eq!(h.app.grants.len(), 0, "the lesson's grants are gone");
    assert_eq!(h.app.keys.len(), 1);
    assert!(h.app.tokens.is_empty());
    assert!(
        h.app
            .events
            .all()
            .iter()
            .all(|e| e.operation != "CreateGrant"),
        "the event log starts over"
    );
    // The lesson runs again from its start on the fresh world.
    step_until(&mut h, "not-yet");
    assert_eq!(last_event(&h, "Encrypt"), Some(EventOutcome::Denied));
    assert_eq!(h.app.grants.len(), 1);
}

#[test]
fn lesson_keys_are_in_the_action_table_only_in_lesson_mode() {
    let h = Harness::lesson("walkthrough");
    let actions = available(&h.app);
    assert_eq!(
        &actions[..3],
        &[Action::LessonStep, Action::LessonBack, Action::LessonReset]
    );
    assert!(!actions.contains(&Action::NewKey), "n is the step key here");
    let plain = Harness::scenario("classroom", false);
    let actions = available(&plain.app);
    assert!(!actions.contains(&Action::LessonStep));
    assert!(actions.contains(&Action::NewKey));
}

#[test]
fn the_keys_overlay_records_keys_and_fades() {
    let mut h = Harness::lesson("walkthrough");
    h.send(Msg::WallClock(Duration::from_secs(10)));
    h.press('n');
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let keys: Vec<&str> = h.app.keys_trail.visible().iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["n", "↓", "↓", "Enter"]);
    assert!(h.screen(W, H).contains("n  ↓  ↓  Enter"));
    h.send(Msg::WallClock(Duration::from_secs(13)));
    assert!(h.app.keys_trail.visible().iter().all(|(_, fading)| *fading));
    h.send(Msg::WallClock(Duration::from_secs(15)));
    assert!(h.app.keys_trail.is_empty());
    assert!(!h.screen(W, H).contains("n  ↓  ↓  Enter"));
}

#[test]
fn the_keys_overlay_keeps_its_title_with_one_key() {
    let mut h = Harness::lesson("walkthrough");
    h.send(Msg::WallClock(Duration::from_secs(1)));
    h.press('n');
    let screen = h.screen(W, H);
    let lines: Vec<&str> = screen.lines().collect();
    let title = lines
        .iter()
        .position(|l| l.ends_with("┏ keys ┓"))
        .unwrap_or_else(|| panic!("no titled keys box:\n{screen}"));
    assert!(lines[title + 1].ends_with("┃n     ┃"), "{screen}");
}

// ---- snapshots

/// Grant ids and tokens are random: mask every long run of letters mixed with digits.
/// The screen with random ids and tokens masked: long mixed words, and any piece of a
/// captured secret (a token wrapped over two lines leaves a short tail on the second).
fn masked(screen: &str, secrets: &[&str]) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let mixed = word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_alphabetic());
        // A secret wrapped over lines leaves a head and a tail, maybe short; a short word
        // elsewhere in a secret is chance (ordinary words like "1111" occur in random hex).
        let secret_piece = secrets.iter().any(|s| {
            (word.len() >= 4 && (s.starts_with(word.as_str()) || s.ends_with(word.as_str())))
                || (word.len() >= 8 && s.contains(word.as_str()))
        });
        if (word.chars().count() >= 12 && mixed) || secret_piece {
            out.extend(std::iter::repeat_n('#', word.chars().count()));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in screen.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[test]
fn snapshot_lesson_start() {
    let h = Harness::lesson("walkthrough");
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_denied_step() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "create-grant");
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_after_create_grant_with_the_token_command() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "with-token");
    let vars = h
        .app
        .lesson
        .as_ref()
        .expect("lesson mode")
        .run
        .vars()
        .clone();
    let secrets: Vec<&str> = ["grant_token", "grant_id"]
        .iter()
        .filter_map(|k| vars.get(*k).map(String::as_str))
        .collect();
    assert!(vars.contains_key("grant_token"), "{vars:?}");
    assert_snapshot!(masked(&h.screen(W, H), &secrets));
}

#[test]
fn snapshot_high_contrast_theme() {
    let mut h = Harness::lesson("walkthrough");
    h.app.theme = Theme::high_contrast();
    step_until(&mut h, "create-grant");
    let buffer = h.buffer(W, H);
    // No dark grey anywhere, and every cell on black.
    for cell in buffer.content() {
        assert_ne!(cell.fg, ratatui::style::Color::DarkGray);
        assert_ne!(cell.bg, ratatui::style::Color::Reset, "cell {cell:?}");
    }
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn snapshot_keys_overlay() {
    let mut h = Harness::lesson("walkthrough");
    h.send(Msg::WallClock(Duration::from_secs(1)));
    h.press('n');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    assert_snapshot!(h.screen(W, H));
}

#[test]
fn a_wrong_grant_made_in_the_ui_is_flagged_at_once_with_what_to_do() {
    let mut h = Harness::lesson("walkthrough");
    step_until(&mut h, "create-grant");
    let i = run(&h).current_index();
    // The presenter opens create-grant from the principals pane and ticks Decrypt.
    h.select_principal("granttestuser");
    h.press('c');
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert_eq!(run(&h).current_index(), i, "the step stays");
    let status = h.app.status.clone().unwrap();
    assert!(status.error, "{status:?}");
    assert!(
        status
            .text
            .contains("it allows Decrypt, the step asks for Encrypt"),
        "{}",
        status.text
    );
    let screen = h.screen(W, H);
    assert!(screen.contains("UNEXPECTED"), "{screen}");
}

/// A select step that names a grant selects it: stale-grant-hunt's "Select alias/app-data"
/// talks about bob-export's grantee, so bob-export is the selected row and its detail
/// (the grantee as IAM's unique id) is on screen; the re-delegation step selects
/// alice-delegate the same way; a listing step shows the key's grants.
#[test]
fn a_select_step_naming_a_grant_selects_it() {
    let mut h = Harness::lesson("stale-grant-hunt");
    let select = index_of(&h, "select");
    step_to(&mut h, select + 1);
    let selected = h.app.grants.selected().expect("a grant selected");
    assert_eq!(selected.name, "bob-export");
    assert_eq!(h.app.focus, Pane::Grants);
    let screen = h.screen(W, H);
    assert!(screen.contains("AIDASTALEBOB000000001"), "{screen}");

    let delegation = index_of(&h, "re-delegation");
    step_to(&mut h, delegation + 1);
    let selected = h.app.grants.selected().expect("a grant selected");
    assert_eq!(selected.name, "alice-delegate");
    let screen = h.screen(W, H);
    assert!(screen.contains("CreateGrant"), "{screen}");

    // The audit again opens the findings view; the listing step after it shows the list
    // it talks about in its place.
    let audit = index_of(&h, "audit-again");
    step_to(&mut h, audit + 1);
    assert!(h.app.findings.view_open);
    h.press('n');
    assert!(!h.app.findings.view_open);
    let screen = h.screen(W, H);
    assert!(screen.contains("Grants of alias/app-data (10)"), "{screen}");
}
