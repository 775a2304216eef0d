//! grantscope's command line: parse arguments, wire the parts together, nothing else.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use grantscope::sim::{Scenario, Simulator};
use grantscope::tui::theme::{Theme, ThemeName};

// mimalloc: an audit of a million grants allocates millions of small strings, where
// glibc's allocator spends most of the time (see benches/audit.rs); its settings in
// `grantscope::allocator`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Offer no action that changes keys, grants or the simulator's world.
    #[arg(long)]
    read_only: bool,
    /// Act as this principal (ARN or name) instead of the scenario's administrator.
    #[arg(long = "as", value_name = "PRINCIPAL")]
    operator: Option<String>,
    /// Colours: `default`, or `high-contrast` (bold white on black, for a projector).
    #[arg(long, default_value = "default", value_name = "default|high-contrast")]
    theme: ThemeName,
    /// Show the last keys pressed in a corner (for presenting).
    #[arg(long)]
    show_keys: bool,
    /// How long grant changes take to propagate (e.g. 30s, 0s), overriding the scenario
    /// (simulator). `p` in the UI freezes time, to show a change before it propagates.
    #[arg(long, value_name = "DURATION")]
    propagation_delay: Option<String>,
    #[command(flatten)]
    aws: AwsArgs,
    #[command(flatten)]
    audit: AuditArgs,
    /// Accounts and regions (`--accounts`, `--regions`, ...; `[scope]` of --config): the
    /// UI across an organization, with a scope selector.
    #[command(flatten)]
    scope: grantscope::cli::scoped::ScopeFlagArgs,
    #[command(flatten)]
    evidence: EvidenceArgs,
}

/// The stale-grant audit's thresholds: `report` and the UI take the same flags.
#[derive(clap::Args, Clone, Default)]
struct AuditArgs {
    /// `old`: grants older than this (default 90d).
    #[arg(long, value_name = "DURATION")]
    older_than: Option<String>,
    /// `unused`: grants not used for this long (default 30d).
    #[arg(long, value_name = "DURATION")]
    unused_for: Option<String>,
    /// An account whose principals may hold grants without a cross-account finding.
    #[arg(long = "trusted-account", value_name = "ID")]
    trusted_accounts: Vec<String>,
    /// A TOML file with older_than, unused_for, trusted_accounts, near_quota, orphan_grace.
    #[arg(long, visible_alias = "audit-config", value_name = "FILE")]
    config: Option<std::path::PathBuf>,
}

impl AuditArgs {
    fn config(&self) -> Result<grantscope::audit::AuditConfig> {
        grantscope::cli::report::audit_config(
            self.config.as_deref(),
            self.older_than.as_deref(),
            self.unused_for.as_deref(),
            &self.trusted_accounts,
        )
        .map_err(anyhow::Error::msg)
    }
}

/// CloudTrail's evidence of use for the `unused` rule on AWS (`inventory`, `report`, the
/// UI).
#[derive(clap::Args, Clone, Default)]
struct EvidenceArgs {
    /// `cloudtrail`: look up in CloudTrail (LookupEvents, the last 90 days) whether each
    /// grant's grantee called its key with the grant's operations within --unused-for.
    #[arg(long, value_enum, default_value = "none")]
    evidence: grantscope::cli::evidence::EvidenceSource,
    /// LookupEvents pages (50 events each) read per key at most; grants not found by then
    /// are "not determined".
    #[arg(long, value_name = "N", default_value_t = grantscope::evidence::DEFAULT_PAGES,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    evidence_pages: u32,
}

/// The history store (`inventory`, `report`).
#[derive(clap::Args, Clone, Default)]
struct StoreArgs {
    /// Save this run in the history store (grants' first and last seen, CloudTrail's
    /// evidence, findings) for `grantscope history` and `grantscope diff`.
    #[arg(long)]
    save: bool,
    /// The history store (SQLite); default: history.sqlite3 in the platform's data
    /// directory for grantscope.
    #[arg(long, value_name = "PATH")]
    store: Option<std::path::PathBuf>,
    /// On AWS: list again only the keys CloudTrail shows changed (grants, state, policy)
    /// since the last saved run of the account and region; the rest from the store.
    #[arg(long)]
    refresh: bool,
    /// List every key (overrides --refresh).
    #[arg(long)]
    full: bool,
}

impl StoreArgs {
    fn persist(self) -> grantscope::cli::history::Persist {
        grantscope::cli::history::Persist {
            save: self.save,
            store: self.store,
            refresh: self.refresh && !self.full,
        }
    }
}

/// Real AWS (or a KMS-compatible endpoint) instead of the simulator. Credentials and region
/// resolve as the AWS CLI resolves them; any of these flags implies --aws.
#[derive(clap::Args, Clone, Default)]
struct AwsArgs {
    /// Use AWS instead of the bundled simulator.
    #[arg(long)]
    aws: bool,
    /// A profile of the shared config/credentials files.
    #[arg(long)]
    profile: Option<String>,
    #[arg(long)]
    region: Option<String>,
    /// A KMS endpoint, e.g. http://127.0.0.1:4599 for `grantscope serve`.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
}

impl AwsArgs {
    /// The AWS connection these flags ask for, if any (any flag implies --aws).
    fn options(&self) -> Option<grantscope::backend::aws::AwsOptions> {
        (self.aws || self.profile.is_some() || self.region.is_some() || self.endpoint_url.is_some())
            .then(|| grantscope::backend::aws::AwsOptions {
                profile: self.profile.clone(),
                region: self.region.clone(),
                endpoint_url: self.endpoint_url.clone(),
            })
    }

    /// The inventory source these flags (and the scenario) name.
    fn source(&self, scenario: &str) -> grantscope::cli::inventory::Source {
        match self.options() {
            Some(opts) => grantscope::cli::inventory::Source::Aws(opts),
            None => grantscope::cli::inventory::Source::Scenario(scenario.to_string()),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the bundled scenarios.
    Scenarios,
    /// Serve the simulator on the KMS wire protocol, for the AWS CLI and SDKs.
    Serve {
        /// Scenario to start from (a bundled name or a path).
        #[arg(long, default_value = "classroom")]
        scenario: String,
        /// Address to listen on (default 127.0.0.1:4599; non-loopback addresses warn).
        #[arg(long)]
        bind: Option<String>,
        /// Keep the world in FILE: loaded from it when it exists, every change saved to it.
        #[arg(long, value_name = "FILE")]
        state: Option<std::path::PathBuf>,
        /// How long grant changes take to propagate (e.g. 5s, 0s), overriding the scenario.
        #[arg(long, value_name = "DURATION")]
        propagation_delay: Option<String>,
        /// Refuse requests above a rate with ThrottlingException: `aws` for AWS's request
        /// quotas, or N requests per second per operation.
        #[arg(long, value_name = "aws|N")]
        throttle: Option<String>,
        /// Answer every request this much later (e.g. 20ms), as a distant AWS region
        /// would: shows the UI's progressive loading, and how concurrency hides latency.
        #[arg(long, value_name = "DURATION")]
        latency: Option<String>,
        /// The request log on stdout, one line per request (time, caller, operation, key,
        /// verdict, WHY, status, latency; never a body or a secret): `text`, `json`, or
        /// `off`.
        #[arg(long, value_name = "text|json|off", default_value = "text")]
        log_format: String,
        /// Close a connection that has no request in progress after this long (between
        /// keep-alive requests, or a client that connects and sends nothing).
        #[arg(long, value_name = "DURATION",
              default_value = grantscope::cli::serve::IDLE_TIMEOUT_DEFAULT)]
        idle_timeout: String,
        /// Close a connection whose request headers are not complete this long after
        /// their first byte (a client trickling a header).
        #[arg(long, value_name = "DURATION",
              default_value = grantscope::cli::serve::HEADER_TIMEOUT_DEFAULT)]
        header_timeout: String,
        /// Answer 408 RequestTimeoutException to a request whose body is not complete this
        /// long after its headers, and close its connection.
        #[arg(long, value_name = "DURATION",
              default_value = grantscope::cli::serve::BODY_TIMEOUT_DEFAULT)]
        body_timeout: String,
        /// Serve at most N connections at once (lowered to fit the open-file limit). At the
        /// cap, the connection waiting longest without a request is closed to make room.
        #[arg(long, value_name = "N", default_value_t = grantscope::wire::server::DEFAULT_MAX_CONNECTIONS as u32,
              value_parser = clap::value_parser!(u32)
                  .range(1..=grantscope::wire::server::MAX_CONNECTIONS_CEILING as i64))]
        max_connections: u32,
        /// Compact the --state journal once it is larger than BYTES and than the state
        /// file (default 1 MiB). For tests.
        #[arg(long, value_name = "BYTES", hide = true)]
        journal_compact_at: Option<u64>,
        /// Keep the last N calls in the activity log (default 10,000), which CloudTrail's
        /// LookupEvents answers from.
        #[arg(long, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        activity_capacity: Option<u32>,
    },
    /// Every key with its aliases, state and grants, headless (JSON, CSV or a table).
    Inventory {
        /// Scenario to inventory (a bundled name or a path).
        #[arg(long, default_value = "classroom")]
        scenario: String,
        #[command(flatten)]
        aws: AwsArgs,
        /// `scenario`: a scenario file for the simulator (keys, key policies, grants and
        /// the principals they name; no key material, no secrets), to rehearse changes.
        #[arg(long, value_enum, default_value = "table")]
        format: grantscope::cli::inventory::InventoryFormat,
        #[command(flatten)]
        evidence: EvidenceArgs,
        /// The window of --evidence cloudtrail (default 30d).
        #[arg(long, value_name = "DURATION")]
        unused_for: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        scope: grantscope::cli::scoped::ScopeArgs,
        /// A config file whose [scope] section says which accounts and regions to read
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
    },
    /// Stale and risky grants, headless, with an exit status for pipelines
    /// (0: nothing at or above --fail-on, 1: findings at or above it, 2: error).
    Report {
        /// Scenario to audit (a bundled name or a path).
        #[arg(long, default_value = "classroom")]
        scenario: String,
        #[command(flatten)]
        aws: AwsArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: grantscope::cli::inventory::Format,
        /// Lowest severity that makes the exit status 1: info, low, medium or high.
        #[arg(long, default_value = "high")]
        fail_on: String,
        #[command(flatten)]
        audit: AuditArgs,
        #[command(flatten)]
        evidence: EvidenceArgs,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        scope: grantscope::cli::scoped::ScopeArgs,
    },
    /// The runs saved in the history store (`inventory --save`, `report --save`).
    History {
        /// The history store; default: history.sqlite3 in the platform's data directory.
        #[arg(long, value_name = "PATH")]
        store: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: grantscope::cli::inventory::Format,
    },
    /// Grants created, removed and changed between two saved runs (default: the two
    /// latest), and the findings new since; exit status 1 when a new finding reaches
    /// --fail-on (0: none, 2: error).
    Diff {
        /// The earlier run (`grantscope history` lists them).
        run_a: Option<i64>,
        /// The later run (default: the latest).
        run_b: Option<i64>,
        /// The history store; default: history.sqlite3 in the platform's data directory.
        #[arg(long, value_name = "PATH")]
        store: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: grantscope::cli::inventory::Format,
        /// Lowest severity of a new finding that makes the exit status 1.
        #[arg(long, default_value = "high")]
        fail_on: String,
    },
    /// Classroom lessons: list the shipped ones, or check/run one (a name or a path).
    Lesson {
        /// A shipped lesson's name or a lesson file; none lists the shipped lessons.
        name: Option<String>,
        /// Validate the lesson and play it headless, printing each step and its outcome
        /// (exit 1 when a step does not go as the lesson expects).
        #[arg(long)]
        check: bool,
        /// Colours: `high-contrast` (the default here, for a projector) or `default`.
        #[arg(
            long,
            default_value = "high-contrast",
            value_name = "default|high-contrast"
        )]
        theme: ThemeName,
        /// Do not show the keys pressed (shown by default in a lesson).
        #[arg(long)]
        hide_keys: bool,
    },
    /// Print the shell completions for grantscope (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print an AWS shared-credentials file with a profile per principal of the world.
    Credentials {
        /// Scenario whose principals to print (a bundled name or a path).
        #[arg(long, default_value = "classroom")]
        scenario: String,
        /// A state file of `grantscope serve` to read the principals from instead.
        #[arg(long, value_name = "FILE")]
        state: Option<std::path::PathBuf>,
        /// The endpoint written into each profile.
        #[arg(long, default_value = "http://127.0.0.1:4599")]
        endpoint_url: String,
        /// Write the file here, readable by you only (mode 0600), instead of printing it.
        /// An existing file is replaced (its old mode is not kept).
        #[arg(long, short, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    use grantscope::tui::signals::Stopped;
    grantscope::allocator::tune();
    // Errors are for people: one line with the causes, no debug dump or backtrace.
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => match e.downcast_ref::<Stopped>() {
            // The UI ended on a signal, the terminal restored: 128 + its number, silently.
            Some(stopped) => ExitCode::from(stopped.exit_status()),
            None => {
                eprintln!("grantscope: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Run a command; its exit status (errors are 1, unless a command says otherwise).
fn run(cli: Cli) -> Result<ExitCode> {
    let done = |r: Result<()>| r.map(|()| ExitCode::SUCCESS);
    match cli.command {
        Some(Command::Scenarios) => {
            let mut text = String::new();
            for name in Scenario::builtin_names() {
                let s = Scenario::load(name)?;
                text.push_str(&format!("{name:<14} {}\n", s.description));
            }
            grantscope::cli::emit(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Serve {
            scenario,
            bind,
            state,
            propagation_delay,
            throttle,
            latency,
            log_format,
            idle_timeout,
            header_timeout,
            body_timeout,
            max_connections,
            journal_compact_at,
            activity_capacity,
        }) => {
            let runtime = tokio::runtime::Runtime::new()?;
            done(runtime.block_on(grantscope::cli::serve::run(
                grantscope::cli::serve::ServeOptions {
                    scenario,
                    bind,
                    state,
                    propagation_delay,
                    throttle,
                    latency,
                    log_format,
                    idle_timeout,
                    header_timeout,
                    body_timeout,
                    max_connections,
                    journal_compact_at,
                    activity_capacity: activity_capacity.map(|n| n as usize),
                },
            )))
        }
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "grantscope", &mut out);
            grantscope::cli::emit(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Credentials {
            scenario,
            state,
            endpoint_url,
            output,
        }) => {
            use grantscope::cli::credentials;
            let world = match state {
                Some(path) => grantscope::sim::snapshot::load(&path)?,
                None => Scenario::load(&scenario)?.build()?,
            };
            let text = credentials::render(&world, &scenario, &endpoint_url);
            match output {
                Some(path) => credentials::write_file(&path, &text)?,
                None => credentials::print(&text)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Inventory {
            scenario,
            aws,
            format,
            evidence,
            unused_for,
            store,
            scope,
            config,
        }) => {
            if let Some(spec) = scope.spec(config.as_deref())? {
                let format = scoped_format(format, &evidence, &store)?;
                let opts = aws.options().unwrap_or_default();
                let code = grantscope::cli::scoped::run_inventory(opts, spec, &scope, format);
                return Ok(ExitCode::from(code));
            }
            let request = evidence_request(&evidence, unused_for.as_deref(), scope.quiet)?;
            grantscope::cli::inventory::command(
                &aws.source(&scenario),
                format,
                request,
                &store.persist(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::History { store, format }) => {
            grantscope::cli::emit(&grantscope::cli::history::run(store.as_deref(), format)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Diff {
            run_a,
            run_b,
            store,
            format,
            fail_on,
        }) => Ok(ExitCode::from(grantscope::cli::diff::run(
            grantscope::cli::diff::DiffOptions {
                from: run_a,
                to: run_b,
                store,
                format,
                fail_on,
            },
        ))),
        Some(Command::Report {
            scenario,
            aws,
            format,
            fail_on,
            audit,
            evidence,
            store,
            scope,
        }) => {
            let spec = match grantscope::cli::scoped::report_spec(&scope, audit.config.as_deref()) {
                Ok(spec) => spec,
                Err(code) => return Ok(ExitCode::from(code)),
            };
            if let Some(spec) = spec {
                if let Err(e) = only_one_scope_for(&evidence, &store) {
                    eprintln!("grantscope: {e}");
                    return Ok(ExitCode::from(2));
                }
                let code =
                    grantscope::cli::scoped::run_report(grantscope::cli::scoped::ScopedReport {
                        aws: aws.options().unwrap_or_default(),
                        spec,
                        args: &scope,
                        format,
                        fail_on: &fail_on,
                        older_than: audit.older_than.as_deref(),
                        unused_for: audit.unused_for.as_deref(),
                        trusted_accounts: &audit.trusted_accounts,
                        config: audit.config.as_deref(),
                    });
                return Ok(ExitCode::from(code));
            }
            // Errors exit 2, so a pipeline tells them from findings (1).
            let code = grantscope::cli::report::run(grantscope::cli::report::ReportOptions {
                source: aws.source(&scenario),
                format,
                fail_on,
                older_than: audit.older_than,
                unused_for: audit.unused_for,
                trusted_accounts: audit.trusted_accounts,
                config: audit.config,
                evidence: evidence.evidence,
                evidence_pages: evidence.evidence_pages,
                quiet: scope.quiet,
                persist: store.persist(),
            });
            Ok(ExitCode::from(code))
        }
        Some(Command::Lesson {
            name,
            check,
            theme,
            hide_keys,
        }) => run_lesson(name, check, theme, !hide_keys),
        None => done(run_ui(cli.ui)),
    }
}

/// Across scopes (`--accounts`, `--regions`), CloudTrail's evidence and the history
/// store are not read or written yet: say so rather than drop the flags.
fn only_one_scope_for(evidence: &EvidenceArgs, store: &StoreArgs) -> Result<()> {
    if evidence.evidence != grantscope::cli::evidence::EvidenceSource::None {
        anyhow::bail!(
            "--evidence works on one account and region; drop --accounts/--regions to use it"
        );
    }
    if store.save || store.refresh {
        anyhow::bail!(
            "--save and --refresh work on one account and region; drop --accounts/--regions to use them"
        );
    }
    Ok(())
}

/// The output format of an inventory across scopes (a scenario file holds one account).
fn scoped_format(
    format: grantscope::cli::inventory::InventoryFormat,
    evidence: &EvidenceArgs,
    store: &StoreArgs,
) -> Result<grantscope::cli::inventory::Format> {
    use grantscope::cli::inventory::{Format, InventoryFormat};
    only_one_scope_for(evidence, store)?;
    Ok(match format {
        InventoryFormat::Json => Format::Json,
        InventoryFormat::Csv => Format::Csv,
        InventoryFormat::Table => Format::Table,
        InventoryFormat::Scenario => anyhow::bail!(
            "--format scenario writes one account and region; drop --accounts/--regions to use it"
        ),
    })
}

/// The evidence look-up `inventory --evidence cloudtrail` asks for, over `--unused-for`.
fn evidence_request(
    args: &EvidenceArgs,
    unused_for: Option<&str>,
    quiet: bool,
) -> Result<Option<grantscope::cli::evidence::EvidenceRequest>> {
    if args.evidence == grantscope::cli::evidence::EvidenceSource::None {
        return Ok(None);
    }
    let cfg = grantscope::cli::report::audit_config(None, None, unused_for, &[])
        .map_err(anyhow::Error::msg)?;
    Ok(Some(grantscope::cli::evidence::EvidenceRequest {
        window: cfg.unused_for,
        max_pages: args.evidence_pages,
        quiet,
    }))
}

/// `grantscope lesson [NAME|PATH] [--check]`: the list, the headless check, or the UI on
/// the lesson's world with its narration panel.
fn run_lesson(
    name: Option<String>,
    check: bool,
    theme: ThemeName,
    show_keys: bool,
) -> Result<ExitCode> {
    use grantscope::cli::lesson;
    let Some(name) = name else {
        grantscope::cli::emit(&lesson::list()?)?;
        return Ok(ExitCode::SUCCESS);
    };
    if check {
        let (text, ok) = lesson::check(&name)?;
        grantscope::cli::emit(&text)?;
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let l = lesson::prepare(&name)?;
    let (run, world) = l.start()?;
    let backend = grantscope::lesson::backend_for(world, &l.scenario.name)
        .map_err(|e| anyhow::anyhow!("{}: {e}", l.file))?;
    let options = grantscope::tui::UiOptions {
        theme: Theme::named(theme),
        show_keys,
        lesson: Some(grantscope::tui::lesson::LessonUi::new(run)),
        ..Default::default()
    };
    grantscope::tui::run(std::sync::Arc::new(backend), options)?;
    Ok(ExitCode::SUCCESS)
}

/// The interactive UI on AWS (with --aws or any AWS flag), else on the simulator.
fn run_ui(args: UiArgs) -> Result<()> {
    let audit = args.audit.config()?;
    // Over --unused-for, as `report` looks it up; the simulator needs no look-up.
    let evidence = (args.evidence.evidence
        == grantscope::cli::evidence::EvidenceSource::Cloudtrail)
        .then(|| {
            grantscope::evidence::EvidenceOptions::for_window(
                audit.unused_for,
                args.evidence.evidence_pages,
            )
        });
    let options = grantscope::tui::UiOptions {
        read_only: args.read_only,
        audit,
        theme: Theme::named(args.theme),
        show_keys: args.show_keys,
        lesson: None,
        evidence,
    };
    if let Some(spec) = args.scope.spec(args.audit.config.as_deref())? {
        anyhow::ensure!(
            !args.summary && args.operator.is_none() && args.propagation_delay.is_none(),
            "--summary, --as and --propagation-delay are for the simulator; --accounts and --regions read AWS (or an endpoint such as grantscope serve)"
        );
        let opts = args.aws.options().unwrap_or_default();
        return grantscope::tui::run_connecting(
            async move {
                let backend = grantscope::scope::backend::ScopedBackend::connect(
                    opts,
                    Default::default(),
                    spec,
                )
                .await?;
                Ok(std::sync::Arc::new(backend)
                    as std::sync::Arc<dyn grantscope::backend::Backend>)
            },
            options,
        );
    }
    if let Some(opts) = args.aws.options() {
        anyhow::ensure!(
            !args.summary && args.operator.is_none() && args.propagation_delay.is_none(),
            "--summary, --as and --propagation-delay are for the simulator; on AWS, --profile chooses who you are"
        );
        return grantscope::tui::run_connecting(
            async move {
                let backend = grantscope::backend::AwsBackend::connect(opts).await?;
                Ok(std::sync::Arc::new(backend)
                    as std::sync::Arc<dyn grantscope::backend::Backend>)
            },
            options,
        );
    }
    let mut world = Scenario::load(&args.scenario)?.build()?;
    if let Some(d) = &args.propagation_delay {
        world.propagation_delay = grantscope::sim::scenario::parse_duration(d)
            .map_err(|e| anyhow::anyhow!("--propagation-delay {d:?}: {e}"))?;
    }
    let sim = Simulator::new(world);
    if args.summary {
        grantscope::cli::emit(&grantscope::cli::summary::describe(sim.world()))?;
        return Ok(());
    }
    let backend = grantscope::backend::SimBackend::new(
        grantscope::sim::SharedSimulator::new(sim),
        &args.scenario,
        args.operator.as_deref(),
    )?;
    grantscope::tui::run(std::sync::Arc::new(backend), options)
}
