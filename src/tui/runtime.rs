//! The runtime: sets the terminal up with ratatui's `try_init` (raw mode, alternate screen,
//! a panic hook that restores it) plus bracketed paste and the mouse, and always puts it
//! back (on a quit, an error, a panic, or a terminating signal: see `signals`); runs the
//! event loop, which waits in one `select!` for a terminal event (crossterm's
//! `EventStream`), a job's answer, a tick or a signal, drains everything pending, then
//! renders once inside a synchronized update; and runs each job as a tokio task that
//! reports back as a message. Input handling never awaits the backend.

use std::io::{self, Write};
use std::sync::{Arc, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossterm::clipboard::CopyToClipboard;
use crossterm::cursor;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use crate::audit::AuditConfig;
use crate::backend::{Backend, BackendError};
use crate::kms::Timestamp;

use super::app::App;
use super::executor::execute_reporting as run_work;
use super::input::messages;
use super::keys_overlay::KeyTrail;
use super::lesson::LessonUi;
use super::message::{Command, Msg};
use super::signals::Signals;
use super::theme::Theme;
use super::{update, view};

/// How the UI runs: read-only or not, the stale-grant audit's thresholds, the theme, the
/// keys-pressed overlay, and the lesson being presented.
#[derive(Debug, Clone, Default)]
pub struct UiOptions {
    pub read_only: bool,
    pub audit: AuditConfig,
    pub theme: Theme,
    pub show_keys: bool,
    pub lesson: Option<LessonUi>,
    /// Look up CloudTrail's evidence of use in every audit (`--evidence cloudtrail`; on a
    /// backend with CloudTrail).
    pub evidence: Option<crate::evidence::EvidenceOptions>,
}

/// The model at the start, for `backend` and these options (the tests start from it too).
pub fn new_app(backend: &dyn Backend, options: UiOptions) -> App {
    let mut app = App::new(backend.info(), options.read_only, backend.now());
    app.world_controls = backend.world().is_some();
    app.time_frozen = backend.world().is_some_and(|w| w.clock_frozen());
    app.acting_profiles = backend.acting_profiles();
    app.scopes.spans = backend.spans_scopes();
    app.findings.config = options.audit;
    app.findings.evidence = options.evidence;
    app.theme = options.theme;
    app.keys_trail = KeyTrail::new(options.show_keys);
    app.lesson = options.lesson;
    app
}

/// Run the UI until the person quits. Blocks; builds its own tokio runtime.
pub fn run(backend: Arc<dyn Backend>, options: UiOptions) -> Result<()> {
    run_connecting(async move { Ok(backend) }, options)
}

/// Connect (e.g. to AWS) on the UI's own runtime, so the backend's network clients live
/// where they are used, then run the UI. A failed connection is reported before the
/// terminal is touched. A terminating signal ends the UI with a
/// [`Stopped`](super::signals::Stopped) error, after the terminal is restored.
pub fn run_connecting<F>(connect: F, options: UiOptions) -> Result<()>
where
    F: std::future::Future<Output = Result<Arc<dyn Backend>>>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let backend = rt.block_on(connect)?;
    let mut signals = {
        let _in_runtime = rt.enter();
        Signals::catch().context("catching signals")?
    };
    let mut terminal = setup().context("setting up the terminal")?;
    let result = rt.block_on(event_loop(&mut terminal, &mut signals, backend, options));
    restore();
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// ratatui's set-up, then bracketed paste. ratatui's panic hook restores the terminal
/// whichever thread panics; ours hands a panic of another thread (a backend task, which
/// the runtime reports as a failed job) straight to the hook before it, so the screen
/// stays up.
fn setup() -> Result<DefaultTerminal> {
    let _ = UI_THREAD.set(std::thread::current().id());
    let before: Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> =
        Arc::from(std::panic::take_hook());
    let plain = before.clone();
    std::panic::set_hook(Box::new(move |info| plain(info)));
    let terminal = ratatui::try_init()?;
    let restoring = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if UI_THREAD.get() == Some(&std::thread::current().id()) {
            let _ = execute!(
                io::stdout(),
                DisableMouseCapture,
                DisableBracketedPaste,
                cursor::Show
            );
            restoring(info);
        } else {
            before(info);
        }
    }));
    if let Err(e) = execute!(io::stdout(), EnableBracketedPaste, EnableMouseCapture) {
        restore();
        return Err(e.into());
    }
    Ok(terminal)
}

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        cursor::Show
    );
    ratatui::restore();
}

/// What wakes the event loop besides the terminal.
#[allow(clippy::large_enum_variant)] // one at a time, moved once
enum Wake {
    Msg(Msg),
    Tick,
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    signals: &mut Signals,
    backend: Arc<dyn Backend>,
    options: UiOptions,
) -> Result<()> {
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut app = new_app(backend.as_ref(), options);
    let started = Instant::now();
    if let Ok(size) = terminal.size() {
        handle(
            &mut app,
            &backend,
            &tx,
            Msg::Resize(size.width, size.height),
        );
    }
    let cmds = update::init(&mut app);
    dispatch(&backend, &tx, cmds);
    draw(terminal, &app)?;
    let clock = spawn_clock(backend.clone(), app.now);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut ticks = 0u64;
    let result = loop {
        let wake = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    // The overlay stamps a key with the wall clock: bring it up to date first.
                    let mut msgs = vec![Msg::WallClock(started.elapsed())];
                    msgs.extend(messages(&app, event));
                    for msg in msgs {
                        handle(&mut app, &backend, &tx, msg);
                    }
                    None
                }
                Some(Err(e)) => break Err(anyhow::Error::new(e).context("reading the terminal")),
                None => break Ok(()),
            },
            msg = rx.recv() => msg.map(Wake::Msg),
            _ = tick.tick() => Some(Wake::Tick),
            stopped = signals.next() => break Err(stopped.into()),
        };
        match wake {
            Some(Wake::Msg(msg)) => handle(&mut app, &backend, &tx, msg),
            Some(Wake::Tick) => {
                ticks += 1;
                // The spinner turns every tick; the clock and the activity poll every second.
                if app.is_busy() || ticks.is_multiple_of(4) {
                    let now = *clock.now.lock().unwrap_or_else(|p| p.into_inner());
                    handle(&mut app, &backend, &tx, Msg::Tick(now));
                } else if !app.keys_trail.is_empty() {
                    handle(&mut app, &backend, &tx, Msg::WallClock(started.elapsed()));
                } else {
                    continue;
                }
            }
            None => {}
        }
        // Drain what else is pending, then draw once.
        while let Ok(msg) = rx.try_recv() {
            handle(&mut app, &backend, &tx, msg);
        }
        if app.should_quit {
            break Ok(());
        }
        if let Err(e) = draw(terminal, &app) {
            break Err(e);
        }
    };
    clock.task.abort();
    result
}

fn handle(app: &mut App, backend: &Arc<dyn Backend>, tx: &UnboundedSender<Msg>, msg: Msg) {
    let cmds = update::update(app, msg);
    dispatch(backend, tx, cmds);
}

fn draw(terminal: &mut DefaultTerminal, app: &App) -> Result<()> {
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(|f| view::render(f, app));
    execute!(io::stdout(), EndSynchronizedUpdate)?;
    drawn?;
    Ok(())
}

/// Run each job as a task; its answer comes back as a message. A task that panics or is
/// cancelled answers with an error, so the UI says so and the spinner stops.
fn dispatch(backend: &Arc<dyn Backend>, tx: &UnboundedSender<Msg>, cmds: Vec<Command>) {
    for cmd in cmds {
        match cmd {
            Command::Copy(text) => {
                let mut out = io::stdout();
                let _ = execute!(out, CopyToClipboard::to_clipboard_from(text.as_bytes()));
                let _ = out.flush();
            }
            Command::Run { job, work } => {
                let progress_tx = tx.clone();
                let progress = Arc::new(move |done, total| {
                    let _ = progress_tx.send(Msg::EvidenceProgress { job, done, total });
                });
                let task = tokio::spawn(run_work(backend.clone(), work.clone(), progress));
                let tx = tx.clone();
                tokio::spawn(async move {
                    let result = task.await.unwrap_or_else(|e| {
                        Err(BackendError::internal(format!(
                            "the backend task failed: {e}"
                        )))
                    });
                    let _ = tx.send(Msg::Done { job, work, result });
                });
            }
        }
    }
}

/// The backend's clock, read by a task every 250 ms so the event loop never waits for it
/// (the simulator's clock sits behind the simulator's lock, which an inventory of tens of
/// thousands of grants holds for a while).
struct SharedClock {
    now: Arc<std::sync::Mutex<Timestamp>>,
    task: tokio::task::JoinHandle<()>,
}

fn spawn_clock(backend: Arc<dyn Backend>, start: Timestamp) -> SharedClock {
    let now = Arc::new(std::sync::Mutex::new(start));
    let shared = now.clone();
    let task = tokio::spawn(async move {
        loop {
            let b = backend.clone();
            if let Ok(t) = tokio::task::spawn_blocking(move || b.now()).await {
                *shared.lock().unwrap_or_else(|p| p.into_inner()) = t;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    SharedClock { now, task }
}
