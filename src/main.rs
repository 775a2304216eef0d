//! grantscope's command line: parse arguments, wire the parts together, nothing else.

use anyhow::Result;
use clap::Parser;

use grantscope::sim::{Scenario, Simulator};

#[derive(Parser)]
#[command(
    name = "grantscope",
    version,
    about = "Explore and operate AWS KMS grants"
)]
struct Cli {
    /// The simulator scenario to load (a bundled name or a path).
    #[arg(long, default_value = "classroom")]
    scenario: String,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let world = Scenario::load(&cli.scenario)?.build()?;
    let sim = Simulator::new(world);
    print!("{}", grantscope::cli::summary::describe(sim.world()));
    Ok(())
}
