//! flightdeck: a terminal cockpit for GitOps (Argo Workflows, Argo CD, Argo Rollouts, Kargo).
//!
//! Module map (see ARCHITECTURE.md for the data flow and the rules):
//! - `cli`: the command line; `settings`: config file, layering, warnings; `theme`, `keymap`:
//!   data files and their validation.
//! - `kube`: which cluster to target (and, later, the watchers).
//! - `ui`: app state + update (single writer), event loop, terminal guard, drawing.
//! - `commands`: subcommands that print and exit.

pub mod audit;
pub mod bench;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod git;
pub mod intent;
pub mod keymap;
pub mod kube;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod settings;
pub mod store;
pub mod theme;
pub mod ui;
pub mod view;

use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::mpsc;

use cli::{Cli, Command, ConfigCommand};
use settings::{Environment, Loaded};
use ui::app::App;

/// Runs the command line `cli`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let environment = Environment::from_process();
    let loaded = settings::load(&cli.options, &environment, settings::paths::config_dir());
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Some(Command::Completions { shell }) => {
            commands::completions(shell, &mut stdout);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Keys { view, all }) => {
            let view = match view.as_deref().map(commands::keys::parse_view).transpose() {
                Ok(view) => view,
                Err(message) => {
                    eprintln!("flightdeck keys: {message}");
                    return Ok(ExitCode::from(2));
                }
            };
            print_warnings(&loaded);
            write!(
                stdout,
                "{}",
                commands::keys::render(&loaded.keymap, view, all)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Themes) => {
            print_warnings(&loaded);
            let catalog = theme::Theme::catalog(loaded.config_dir.clone());
            write!(
                stdout,
                "{}",
                commands::themes::render(&catalog, &loaded.theme.name)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config {
            command: ConfigCommand::Check,
        }) => {
            let problems = commands::config_check::problems(&loaded);
            write!(
                stdout,
                "{}",
                commands::config_check::render(&loaded, &problems)
            )?;
            Ok(if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Bench {
            objects,
            idle_seconds,
            load_rate,
            load_seconds,
            json,
            write_fixtures,
        }) => {
            // Only when asked for in so many words: the fixtures are written into the cluster.
            let cluster = match (write_fixtures, &cli.options.kubeconfig) {
                (false, _) => None,
                (true, Some(kubeconfig)) => Some(bench::cluster::Cluster {
                    kubeconfig: kubeconfig.clone(),
                    context: cli.options.context.clone(),
                }),
                (true, None) => {
                    eprintln!("flightdeck bench: --write-fixtures needs --kubeconfig FILE");
                    return Ok(ExitCode::from(2));
                }
            };
            let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the runtime")?;
            let options = bench::run::Options {
                objects,
                load: bench::load::Load {
                    rate: load_rate,
                    seconds: load_seconds,
                },
                idle_seconds,
                cluster,
            };
            let report = runtime
                .block_on(bench::run::run(options))
                .map_err(|e| color_eyre::eyre::eyre!(e))?;
            if json {
                writeln!(stdout, "{report}")?;
            } else {
                for (name, value) in report.as_object().into_iter().flatten() {
                    writeln!(stdout, "{name:<24} {value}")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::BenchServer { objects, cluster }) => {
            drop(stdout);
            let runtime = tokio::runtime::Runtime::new().wrap_err("cannot start the runtime")?;
            let serving = async {
                match (cluster, &cli.options.kubeconfig) {
                    (true, Some(kubeconfig)) => {
                        let cluster = bench::cluster::Cluster {
                            kubeconfig: kubeconfig.clone(),
                            context: cli.options.context.clone(),
                        };
                        bench::cluster::serve(cluster.config().await?, objects).await
                    }
                    (true, None) => Err("--cluster needs --kubeconfig".to_string()),
                    (false, _) => bench::server::serve(objects).await,
                }
            };
            runtime
                .block_on(serving)
                .map_err(|e| color_eyre::eyre::eyre!(e))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo(args)) => {
            drop(stdout);
            commands::demo::run(&args, loaded)
        }
        None => {
            drop(stdout);
            run_cockpit(loaded)
        }
    }
}

/// Settings problems go to stderr for the printing subcommands.
fn print_warnings(loaded: &Loaded) {
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
}

/// Starts logging to the configured (or default) log file; a failure becomes a warning.
pub fn start_logging(loaded: &mut Loaded) {
    if let Some(path) = loaded
        .settings
        .log_file
        .clone()
        .or_else(settings::paths::default_log_file)
        && let Err(warning) = logging::init(&path)
    {
        loaded.warnings.push(warning);
    }
}

/// Opens the cockpit on the real terminal.
fn run_cockpit(mut loaded: Loaded) -> Result<ExitCode> {
    start_logging(&mut loaded);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(cockpit(loaded))
}

/// Runs the cockpit on the real terminal until the user quits (needs a tokio runtime).
pub async fn cockpit(loaded: Loaded) -> Result<ExitCode> {
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "flightdeck starting");
    let target = kube::target::ClusterTarget::from_settings(&loaded.settings);
    let mut app = App::new(loaded, target);
    let mut guard = ui::terminal::TerminalGuard::enter()
        .wrap_err("cannot take over the terminal (is this an interactive terminal?)")?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    let (sender, mut receiver) = mpsc::channel(ui::event_loop::CHANNEL_CAPACITY);
    let input = tokio::spawn(ui::event_loop::forward_terminal_input(sender.clone()));
    let signals = tokio::spawn(ui::event_loop::forward_signals(sender.clone()));
    let git_cache = settings::paths::state_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("gitops");
    let mut host = ui::host::CockpitHost::new(None, sender.clone())
        .with_gitops(app.settings.gitops_repo.clone(), git_cache);
    if app.target.problem.is_none() {
        host.connect(app.settings.clone(), app.connection);
    }
    // Prometheus mode: a poller asks about what the pipeline shows.
    let poller = match (&app.settings.prometheus_url, &app.settings.metrics_scrape) {
        (Some(url), None) => {
            let config =
                metrics::prometheus::PrometheusConfig::from_settings(url, &app.settings.prometheus);
            match metrics::prometheus::Prometheus::new(config) {
                Ok(prometheus) => {
                    let (targets, receiver) = tokio::sync::watch::channel(Vec::new());
                    host.metric_targets = Some(targets);
                    host.prometheus = Some(prometheus.clone());
                    Some(tokio::spawn(metrics::poller::run(
                        prometheus,
                        app.settings.queries.clone(),
                        receiver,
                        sender.clone(),
                    )))
                }
                Err(problem) => {
                    app.notify(ui::app::ToastLevel::Error, problem.to_string());
                    None
                }
            }
        }
        _ => None,
    };
    let scraper = app.settings.metrics_scrape.clone().map(|urls| {
        let urls = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        tokio::spawn(metrics::scraper::run(
            urls,
            host.client_slot(),
            sender.clone(),
        ))
    });
    let result = ui::event_loop::run(&mut guard.terminal, &mut app, &mut receiver, &mut host).await;
    for task in [scraper, poller].into_iter().flatten() {
        task.abort();
    }
    drop(host);
    input.abort();
    signals.abort();
    drop(guard);
    result.wrap_err("the terminal failed")?;
    tracing::info!("flightdeck stopped");
    Ok(ExitCode::SUCCESS)
}
