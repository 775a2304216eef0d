//! The runtime: sets the terminal up (raw mode, alternate screen) and always puts it back
//! (on exit, on error, and from a panic hook); runs the event loop, which waits for a key,
//! a backend result or a tick, drains everything pending, then renders once inside a
//! synchronized update; and runs each backend command as a tokio task that reports back
//! as a message. Input handling never awaits the backend.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::ThreadId;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine;
use crossterm::event::{self, Event};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, BeginSynchronizedUpdate, EndSynchronizedUpdate,
    EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use crate::backend::Backend;

use super::app::App;
use super::executor::{execute as run_command, failed};
use super::input::key_messages;
use super::message::{Command, Msg};
use super::{update, view};

type Term = Terminal<CrosstermBackend<Stdout>>;

/// What wakes the event loop.
enum Incoming {
    Terminal(Event),
    Msg(Msg),
}

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// How the UI runs: read-only or not, the stale-grant audit's thresholds, the theme, the
/// keys-pressed overlay, and the lesson being presented (on the lesson's simulator).
#[derive(Debug, Clone, Default)]
pub struct UiOptions {
    pub read_only: bool,
    pub audit: crate::audit::AuditConfig,
    pub theme: super::view::theme::Theme,
    pub show_keys: bool,
    pub lesson: Option<super::lesson_state::LessonUi>,
}

/// Run the UI until the person quits. Blocks; builds its own tokio runtime.
pub fn run(backend: Arc<dyn Backend>, options: UiOptions) -> Result<()> {
    run_connecting(async move { Ok(backend) }, options)
}

/// Connect (e.g. to AWS) on the UI's own runtime, so the backend's network clients live
/// where they are used, then run the UI. A failed connection is reported before the
/// terminal is touched.
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
    let _ = UI_THREAD.set(std::thread::current().id());
    install_panic_hook();
    let mut terminal = setup().context("setting up the terminal")?;
    let result = rt.block_on(event_loop(&mut terminal, backend, options));
    restore();
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}

fn setup() -> Result<Term> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = execute!(out, EnterAlternateScreen, cursor::Hide) {
        restore();
        return Err(e.into());
    }
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()));
    match terminal {
        Ok(t) => Ok(t),
        Err(e) => {
            restore();
            Err(e.into())
        }
    }
}

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// A panic on the UI thread restores the terminal before the message is printed.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if UI_THREAD.get() == Some(&std::thread::current().id()) {
            restore();
        }
        previous(info);
    }));
}

async fn event_loop(
    terminal: &mut Term,
    backend: Arc<dyn Backend>,
    options: UiOptions,
) -> Result<()> {
    let (tx, mut rx) = unbounded_channel::<Incoming>();
    let stop = Arc::new(AtomicBool::new(false));
    let input = spawn_input_thread(tx.clone(), stop.clone());
    let mut app = App::new(backend.info(), options.read_only, backend.now());
    app.acting_profiles = backend.acting_profiles();
    app.audit.config = options.audit;
    app.theme = options.theme;
    app.keys_trail = super::lesson_state::KeyTrail::new(options.show_keys);
    app.lesson = options.lesson;
    let started = std::time::Instant::now();
    let cmds = update::init(&mut app);
    dispatch(&backend, &tx, cmds);
    draw(terminal, &app)?;
    let clock = spawn_clock(backend.clone(), app.now);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut ticks = 0u64;
    let result = loop {
        let first = tokio::select! {
            incoming = rx.recv() => incoming,
            _ = tick.tick() => {
                ticks += 1;
                // The spinner turns every tick; the clock and the activity poll every second.
                if app.is_busy() || ticks % 4 == 0 {
                    let now = *clock.now.lock().unwrap_or_else(|p| p.into_inner());
                    Some(Incoming::Msg(Msg::Tick(now)))
                } else if !app.keys_trail.is_empty() {
                    Some(Incoming::Msg(Msg::WallClock(started.elapsed())))
                } else {
                    continue;
                }
            }
        };
        let Some(first) = first else { break Ok(()) };
        handle(&mut app, &backend, &tx, first, started);
        while let Ok(more) = rx.try_recv() {
            handle(&mut app, &backend, &tx, more, started);
        }
        if app.should_quit {
            break Ok(());
        }
        if let Err(e) = draw(terminal, &app) {
            break Err(e);
        }
    };
    clock.task.abort();
    stop.store(true, Ordering::Relaxed);
    let _ = input.join();
    result
}

fn handle(
    app: &mut App,
    backend: &Arc<dyn Backend>,
    tx: &UnboundedSender<Incoming>,
    incoming: Incoming,
    started: std::time::Instant,
) {
    let msgs = match incoming {
        Incoming::Msg(m) => vec![m],
        Incoming::Terminal(Event::Key(k)) => {
            // The overlay stamps the key with the wall clock: bring it up to date first.
            let mut v = vec![Msg::WallClock(started.elapsed())];
            v.extend(key_messages(app, k));
            v
        }
        // Resizes need nothing but the redraw that follows.
        Incoming::Terminal(_) => vec![],
    };
    for msg in msgs {
        let cmds = update::update(app, msg);
        dispatch(backend, tx, cmds);
    }
}

fn draw(terminal: &mut Term, app: &App) -> Result<()> {
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(|f| view::render(f, app));
    execute!(io::stdout(), EndSynchronizedUpdate)?;
    drawn?;
    Ok(())
}

/// Run each command as a task; its result comes back as a message. A task that panics
/// reports an error message instead of leaving the spinner turning.
fn dispatch(backend: &Arc<dyn Backend>, tx: &UnboundedSender<Incoming>, cmds: Vec<Command>) {
    for cmd in cmds {
        if let Command::CopyToClipboard(text) = &cmd {
            copy_osc52(text);
            continue;
        }
        let b = backend.clone();
        let tx = tx.clone();
        let for_failure = cmd.clone();
        let task = tokio::spawn(run_command(b, cmd));
        tokio::spawn(async move {
            let msg = match task.await {
                Ok(m) => m,
                Err(e) => failed(&for_failure, &format!("the backend task failed: {e}")),
            };
            if let Some(m) = msg {
                let _ = tx.send(Incoming::Msg(m));
            }
        });
    }
}

/// The backend's clock, read by a task every 250 ms so the event loop never waits for it
/// (the simulator's clock sits behind the simulator's lock, which an inventory of tens of
/// thousands of grants holds for a while).
struct SharedClock {
    now: Arc<std::sync::Mutex<crate::sim::Timestamp>>,
    task: tokio::task::JoinHandle<()>,
}

fn spawn_clock(backend: Arc<dyn Backend>, start: crate::sim::Timestamp) -> SharedClock {
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

/// OSC 52: ask the terminal to put `text` on the system clipboard.
fn copy_osc52(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = io::stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

fn spawn_input_thread(
    tx: UnboundedSender<Incoming>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => match event::read() {
                    Ok(ev) => {
                        if tx.send(Incoming::Terminal(ev)).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                },
                Ok(false) => {}
                Err(_) => break,
            }
        }
    })
}
