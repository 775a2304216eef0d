//! Every screen at the sizes people use: 80x24 (the smallest terminal), 100x30 (a
//! projector) and 160x45: the main screen, each dialog, help, the findings view and a
//! lesson step. Each snapshot holds the three sizes one under the other. Beside the
//! snapshots, checks that hold at every size: the list panes keep their rows, the
//! focused field of a dialog is on screen, the action bar is never cut.

mod tui_common;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use grantscope::backend::BackendError;
use grantscope::kms::ErrorCode;
use grantscope::tui::message::Work;
use grantscope::tui::pane::Pane;
use grantscope::tui::view::{action_bar, layout};
use ratatui::layout::Rect;
use tui_common::Harness;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

/// The three sizes of the screen, headed by their size.
fn screens(h: &Harness) -> String {
    SIZES
        .iter()
        .map(|&(w, hgt)| format!("── {w}x{hgt} ──\n{}", h.screen(w, hgt)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The screen with short grant ids (12 hex characters standing alone) masked: grants made
/// in a test get random ids.
fn masked(screen: &str) -> String {
    screen
        .split(' ')
        .map(|w| {
            if w.len() == 12
                && w.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                "############"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn main_screen_at_every_size() {
    let h = Harness::classroom_with_grants();
    let s = screens(&h);
    for line in ["alias/classroom", "granttestuser", "nightly-batch"] {
        assert!(s.matches(line).count() >= 3, "{line} at every size:\n{s}");
    }
    for (w, hgt) in SIZES {
        // The list panes keep their rows.
        let a = layout::areas(&h.app, Rect::new(0, 0, w, hgt));
        for pane in [a.keys, a.principals, a.grants] {
            assert!(
                pane.height >= layout::MIN_PANE_ROWS + layout::PANE_CHROME,
                "{w}x{hgt}: {a:?}"
            );
        }
        // The action bar is never cut: each of its pieces is a whole hint, and a hint
        // left out is owned up to by `? all keys`.
        let screen = h.screen(w, hgt);
        let bar_rows = action_bar::height(&h.app, w) as usize;
        let lines: Vec<&str> = screen.lines().collect();
        let bar = &lines[lines.len() - bar_rows..];
        let hints: Vec<String> = action_bar::current_hints(&h.app)
            .iter()
            .map(|(k, l)| format!("{k} {l}"))
            .collect();
        let mut shown = 0;
        for piece in bar.iter().flat_map(|l| l.split("  ")).map(str::trim) {
            if piece.is_empty() || piece == "? all keys" {
                continue;
            }
            assert!(
                hints.iter().any(|h| h == piece),
                "{w}x{hgt}: {piece:?} cut:\n{screen}"
            );
            shown += 1;
        }
        assert!(
            shown == hints.len() || bar.iter().any(|l| l.contains("? all keys")),
            "{w}x{hgt}: hints left out silently:\n{screen}"
        );
    }
    assert_snapshot!(s);
}

#[test]
fn create_grant_scrolls_to_the_focused_field() {
    let mut h = Harness::classroom_with_grants();
    h.press('c');
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    h.press(' ');
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.type_text("nightly-report");
    // The name field, below the operations, is on screen at every size, and so is the
    // command line that the form builds.
    for (w, hgt) in SIZES {
        let screen = h.screen(w, hgt);
        assert!(
            screen.contains("Name              nightly-report▏"),
            "{w}x{hgt}:\n{screen}"
        );
    }
    assert_snapshot!(screens(&h));
}

#[test]
fn create_grant_with_an_error_shows_the_error() {
    let mut h = Harness::classroom_with_grants();
    h.press('c');
    h.type_text("arn:aws:iam::111122223333:user/nobody");
    h.key(KeyCode::Tab);
    h.press(' ');
    h.key(KeyCode::Enter);
    for (w, hgt) in SIZES {
        let screen = h.screen(w, hgt);
        assert!(
            screen.contains("InvalidArnException"),
            "{w}x{hgt}:\n{screen}"
        );
    }
    assert_snapshot!(screens(&h));
}

#[test]
fn test_encrypt_denied_at_every_size() {
    let mut h = Harness::scenario("classroom", false);
    h.focus(Pane::Principals);
    h.key(KeyCode::End);
    h.press('e');
    h.key(KeyCode::Enter);
    for (w, hgt) in SIZES {
        let screen = h.screen(w, hgt);
        assert!(screen.contains("Encrypt: DENIED"), "{w}x{hgt}:\n{screen}");
    }
    assert_snapshot!(screens(&h));
}

#[test]
fn confirm_grant_created_and_new_key_at_every_size() {
    let mut h = Harness::classroom_with_grants();
    h.focus(Pane::Grants);
    h.press('x');
    let confirm = screens(&h);
    h.key(KeyCode::Esc);
    h.focus(Pane::Keys);
    h.press('c');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Down);
    h.press(' ');
    h.key(KeyCode::BackTab);
    h.type_text("granttestuser");
    h.key(KeyCode::Enter);
    // The created grant's id and token are random: not in the snapshot, but on screen.
    let created = screens(&h);
    for line in ["GrantId", "GrantToken", "Enter or Esc closes"] {
        assert!(created.matches(line).count() >= 3, "{line}:\n{created}");
    }
    h.key(KeyCode::Esc);
    h.press('n');
    let new_key = masked(&screens(&h));
    assert_snapshot!(format!("{confirm}\n{new_key}"));
}

#[test]
fn help_and_detail_scroll_at_every_size() {
    let mut h = Harness::classroom_with_grants();
    h.press('?');
    let top = screens(&h);
    // On an 80x24 terminal (the help is drawn there before the keys are pressed), Down
    // goes as far as the text's end and no further: one Up shows the row before it.
    h.screen(80, 24);
    for _ in 0..40 {
        h.key(KeyCode::Down);
    }
    let bottom = h.screen(80, 24);
    h.key(KeyCode::Up);
    let one_up = h.screen(80, 24);
    assert!(one_up.contains('▼') && one_up != bottom, "{one_up}");
    h.key(KeyCode::Down);
    assert!(
        bottom.contains("Simulator controls") && bottom.contains("clock +5m"),
        "the end of the help is reached at 80x24:\n{bottom}"
    );
    h.key(KeyCode::Esc);
    h.focus(Pane::Grants);
    h.press('j');
    h.key(KeyCode::Enter);
    let detail = screens(&h);
    assert_snapshot!(format!("{top}\n{detail}"));
}

#[test]
fn an_error_takes_the_rows_it_needs() {
    let mut h = Harness::classroom_with_grants();
    h.fail(
        Work::ListKeys,
        BackendError::aws(
            ErrorCode::AccessDeniedException,
            "User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:ListKeys on resource: *",
        ),
    );
    for (w, hgt) in SIZES {
        let screen = h.screen(w, hgt);
        let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("kms:ListKeys on resource: *"),
            "{w}x{hgt}:\n{screen}"
        );
    }
    assert_snapshot!(screens(&h));
}

#[test]
fn findings_view_at_every_size() {
    let mut h = Harness::scenario("stale-grants", false);
    h.press('f');
    assert_snapshot!(screens(&h));
}

#[test]
fn a_lesson_step_keeps_the_panes_readable() {
    let mut h = Harness::lesson("walkthrough");
    for _ in 0..3 {
        h.press('n');
    }
    for (w, hgt) in SIZES {
        let screen = h.screen(w, hgt);
        // The narration's subject, the user and the key, are on screen with the WHY.
        for text in ["granttestuser", "alias/classroom", "WHY", "DENIED"] {
            assert!(screen.contains(text), "{text} at {w}x{hgt}:\n{screen}");
        }
    }
    assert_snapshot!(screens(&h));
}

#[test]
fn the_lesson_findings_view_has_no_text_from_other_parts() {
    let mut h = Harness::lesson("stale-grant-hunt");
    h.press('n');
    h.press('n');
    let s = screens(&h);
    assert!(!s.contains("SevMS"), "{s}");
    assert_snapshot!(s);
}

/// The narration panel's rows of a screen (between its top and bottom frame lines).
fn narration_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .skip_while(|l| !l.starts_with("┏ Lesson:"))
        .skip(1)
        .take_while(|l| !l.starts_with('┗'))
        .collect()
}

/// Every step of every shipped lesson is read whole at 80x24 and on a projector: its
/// title, all of its narration and its CLI command, without scrolling (no `▼`), while
/// the panes below keep their rows.
#[test]
fn every_lesson_step_is_whole_at_80x24_and_100x30() {
    for name in grantscope::lesson::Lesson::builtin_names() {
        let mut h = Harness::lesson(name);
        let total = h
            .app
            .lesson
            .as_ref()
            .expect("lesson")
            .run
            .lesson()
            .steps
            .len();
        for i in 0..=total {
            let run = &h.app.lesson.as_ref().expect("lesson").run;
            let last_word = match run.current_step() {
                Some(step) => match run.cli(i) {
                    Some(cli) => cli.split(' ').next_back().unwrap_or_default().to_string(),
                    None => step
                        .narration
                        .split_whitespace()
                        .next_back()
                        .unwrap_or_default()
                        .into(),
                },
                None => run
                    .lesson()
                    .summary
                    .split_whitespace()
                    .next_back()
                    .unwrap_or_default()
                    .into(),
            };
            for (w, hgt) in [(80, 24), (100, 30)] {
                let screen = h.screen(w, hgt);
                let rows = narration_rows(&screen);
                let text = rows.join("\n");
                assert!(
                    !text.contains('▼'),
                    "{name} step {}: cut at {w}x{hgt}:\n{screen}",
                    i + 1
                );
                let head = if i < total {
                    format!("Step {}/{total}", i + 1)
                } else {
                    format!("The lesson is over ({total} steps)")
                };
                assert!(
                    text.contains(&head),
                    "{name} {head} at {w}x{hgt}:\n{screen}"
                );
                if last_word.chars().count() < 40 {
                    assert!(
                        text.contains(&last_word),
                        "{name} step {}: {last_word:?} missing at {w}x{hgt}:\n{screen}",
                        i + 1
                    );
                }
                // The panes, or the findings view an audit step opened in their place.
                assert!(
                    h.app.findings.view_open
                        || screen.contains("Keys (")
                            && screen.contains("Grants")
                            && screen.contains("Principals ("),
                    "{name} step {}: the panes at {w}x{hgt}:\n{screen}",
                    i + 1
                );
            }
            if i < total {
                h.press('n');
            }
        }
    }
}

/// A lesson written with more to say than 80x24 holds: its narration shows `▼` where it
/// is cut, the wheel over it scrolls to the rest (`▲` above), and the next step starts
/// at its top again. The panes keep their rows all along.
#[test]
fn a_long_narration_scrolls_with_the_wheel() {
    use grantscope::tui::message::Msg;
    let mut lesson = grantscope::lesson::Lesson::load("walkthrough").expect("lesson");
    let words: Vec<String> = (1..=120).map(|i| format!("word{i}")).collect();
    lesson.steps[0].narration = words.join(" ");
    let mut h = Harness::lesson_from(lesson);
    h.send(Msg::Resize(80, 24));
    let screen = h.screen(80, 24);
    let text = narration_rows(&screen).join("\n");
    assert!(text.contains("word1 ") && text.contains('▼'), "{screen}");
    assert!(!text.contains("word120"), "{screen}");
    assert!(screen.contains("Keys (1)"), "{screen}");
    let row = screen
        .lines()
        .position(|l| l.contains("word1 "))
        .expect("narration row") as u16;
    for _ in 0..10 {
        h.send(Msg::Wheel {
            column: 10,
            row,
            down: true,
        });
    }
    let screen = h.screen(80, 24);
    let text = narration_rows(&screen).join("\n");
    assert!(text.contains("word120") && text.contains('▲'), "{screen}");
    assert!(
        !text.contains('▼'),
        "the end of the text, not beyond:\n{screen}"
    );
    // One notch up from the end shows the rows just before it.
    h.send(Msg::Wheel {
        column: 10,
        row,
        down: false,
    });
    let text = narration_rows(&h.screen(80, 24)).join("\n");
    assert!(text.contains('▼') && !text.contains("word120"), "{text}");
    h.press('n');
    let screen = h.screen(80, 24);
    let text = narration_rows(&screen).join("\n");
    assert!(
        text.contains("Step 2/14") && !text.contains('▲'),
        "{screen}"
    );
}

/// The test-a-grant dialog for each family of operations, at every size, with its result
/// (answers chosen so that nothing random shows: a Decrypt's plaintext, DryRuns, a
/// DescribeKey, a denial): Decrypt of the sample, a data key, ReEncrypt, DescribeKey, and
/// the grant operations, which are DryRuns unless turned off.
#[test]
fn test_a_grant_per_operation_family_at_every_size() {
    use grantscope::kms::GrantOperation as Op;
    use grantscope::tui::dialogs::TestField;
    let families = [
        ("decrypt", Op::Decrypt, false, None),
        ("data_key_dry_run", Op::GenerateDataKey, true, None),
        ("re_encrypt_dry_run", Op::ReEncryptTo, true, None),
        ("describe_key", Op::DescribeKey, false, None),
        ("create_grant_dry_run", Op::CreateGrant, false, None),
        (
            "retire_grant_denied",
            Op::RetireGrant,
            false,
            Some("outsider"),
        ),
    ];
    for (name, op, toggle_dry_run, actor) in families {
        let mut h = Harness::classroom_for_grant_tests();
        h.open_grant_test("all-ops", op);
        if toggle_dry_run {
            h.tab_to(TestField::DryRun);
            h.press(' ');
        }
        if let Some(who) = actor {
            h.tab_to(TestField::ActAs);
            h.key_with(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
            h.type_text(who);
        }
        h.key(KeyCode::Enter);
        assert!(h.grant_test().result.is_some(), "{name}");
        for (w, hgt) in SIZES {
            let screen = h.screen(w, hgt);
            assert!(
                screen.contains("Test a grant on alias/classroom"),
                "{name} {w}x{hgt}:\n{screen}"
            );
        }
        assert_snapshot!(format!("test_a_grant_{name}"), screens(&h));
    }
}
