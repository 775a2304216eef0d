//! grantscope's command line: parse arguments, wire the parts together, nothing else.

use anyhow::Result;
use clap::{Parser, Subcommand};

use grantscope::sim::{Scenario, Simulator};

#[derive(Parser)]
#[command(
    name = "grantscope",
    version,
    about = "Explore and operate AWS KMS grants (on the bundled KMS simulator by default)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    ui: UiArgs,
}

/// Options of the interactive UI (the default command).
#[derive(clap::Args)]
struct UiArgs {
    /// The simulator scenario to load: a bundled name (classroom, stale-grants) or a path.
    #[arg(long, default_value = "classroom")]
    scenario: String,
    /// Print a summary of the world and exit, instead of opening the UI.
    #[arg(long)]
    summary: bool,
}

#[derive(Subcommand)]
enum Command {
    /// List the bundled scenarios.
    Scenarios,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Scenarios) => {
            for name in Scenario::builtin_names() {
                let s = Scenario::load(name)?;
                println!("{name:<14} {}", s.description);
            }
            Ok(())
        }
        None => run_ui(cli.ui),
    }
}

/// The interactive UI on the simulator.
fn run_ui(args: UiArgs) -> Result<()> {
    let world = Scenario::load(&args.scenario)?.build()?;
    let sim = Simulator::new(world);
    let _ = args.summary;
    print!("{}", grantscope::cli::summary::describe(sim.world()));
    Ok(())
}
