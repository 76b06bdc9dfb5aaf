//! The command line (clap derive). Every option can also be set with a `FLIGHTDECK_*`
//! environment variable; the flag wins over the variable, which wins over the config file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A terminal cockpit for GitOps: Argo Workflows, Argo CD, Argo Rollouts and Kargo, live.
#[derive(Debug, Parser)]
#[command(
    name = "flightdeck",
    version,
    about = "A terminal cockpit for GitOps: Argo Workflows, Argo CD, Argo Rollouts and Kargo, live",
    long_about = "A terminal cockpit for GitOps: watches Argo Workflows, Argo CD Applications, \
Argo Rollouts and Kargo live through the Kubernetes API, joins them into one commit-to-production \
pipeline, and acts on them.\n\nRun without a subcommand to open the cockpit on the current \
kubeconfig context. Every option can also be set with the FLIGHTDECK_* variable shown, or in \
$XDG_CONFIG_HOME/flightdeck/config.toml.",
    after_help = "Keys: press ? inside flightdeck, or run `flightdeck keys`."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by the cockpit and every subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct Options {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, like kubectl)
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_KUBECONFIG",
        value_name = "PATH",
        hide_env_values = true,
        help_heading = "Cluster"
    )]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: its current-context)
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_CONTEXT",
        value_name = "NAME",
        hide_env_values = true,
        help_heading = "Cluster"
    )]
    pub context: Option<String>,

    /// Namespace to show (default: the context's namespace)
    #[arg(
        short = 'n',
        long,
        global = true,
        env = "FLIGHTDECK_NAMESPACE",
        value_name = "NAME",
        hide_env_values = true,
        help_heading = "Cluster"
    )]
    pub namespace: Option<String>,

    /// Show every namespace
    #[arg(
        short = 'A',
        long,
        global = true,
        env = "FLIGHTDECK_ALL_NAMESPACES",
        hide_env_values = true,
        help_heading = "Cluster"
    )]
    pub all_namespaces: bool,

    /// Refuse every write to the cluster and to Git
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_READ_ONLY",
        hide_env_values = true,
        help_heading = "Cluster"
    )]
    pub read_only: bool,

    /// Prometheus base URL for the metric sparklines
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_PROMETHEUS_URL",
        value_name = "URL",
        hide_env_values = true,
        help_heading = "Sources"
    )]
    pub prometheus_url: Option<String>,

    /// Scrape these /metrics endpoints directly (comma-separated URLs) instead of asking a
    /// Prometheus server
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_METRICS_SCRAPE",
        value_name = "URL[,URL]",
        hide_env_values = true,
        help_heading = "Sources"
    )]
    pub metrics_scrape: Option<String>,

    /// GitOps repository: a local path or a remote URL
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_GITOPS_REPO",
        value_name = "PATH|URL",
        hide_env_values = true,
        help_heading = "Sources"
    )]
    pub gitops_repo: Option<String>,

    /// Theme name (see `flightdeck themes`) or path to a theme file
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_THEME",
        value_name = "NAME|PATH",
        hide_env_values = true,
        help_heading = "Look and keys"
    )]
    pub theme: Option<String>,

    /// Keymap name (default, vim, emacs, or one in the config dir) or path to a keymap file
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_KEYMAP",
        value_name = "NAME|PATH",
        hide_env_values = true,
        help_heading = "Look and keys"
    )]
    pub keymap: Option<String>,

    /// Config file (default: $XDG_CONFIG_HOME/flightdeck/config.toml)
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_CONFIG",
        value_name = "PATH",
        hide_env_values = true,
        help_heading = "Files"
    )]
    pub config: Option<PathBuf>,

    /// Log file (default: $XDG_STATE_HOME/flightdeck/flightdeck.log); logs never go to the screen
    #[arg(
        long,
        global = true,
        env = "FLIGHTDECK_LOG_FILE",
        value_name = "PATH",
        hide_env_values = true,
        help_heading = "Files"
    )]
    pub log_file: Option<PathBuf>,
}

/// What to do instead of opening the cockpit.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the cockpit against a simulated GitOps world (or only the world, with --serve-only)
    Demo(DemoArgs),
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the effective key bindings, per view
    Keys {
        /// Only this view (global, pipeline, help, warnings, palette, filter)
        view: Option<String>,
        /// Also list the actions that have no key, with their descriptions
        #[arg(long)]
        all: bool,
    },
    /// List the available themes
    Themes,
    /// Check configuration files
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Measure the cockpit against a preloaded API server, or against an existing cluster
    /// (`--write-fixtures`); prints the figures
    Bench {
        /// Objects to preload, spread over the watched kinds
        #[arg(long, default_value_t = 30_000)]
        objects: usize,
        /// Seconds to stay idle at the end (bytes and CPU while idle)
        #[arg(long, default_value_t = 10)]
        idle_seconds: u64,
        /// Watch events a second the server makes during the load phase (above the 10,000 a
        /// second the cockpit must keep up with, so the figure shows whether it does)
        #[arg(long, default_value_t = 12_000)]
        load_rate: u64,
        /// Seconds the load phase lasts
        #[arg(long, default_value_t = 10)]
        load_seconds: u64,
        /// Print JSON (default: a table)
        #[arg(long)]
        json: bool,
        /// Measure against the cluster `--kubeconfig` (and `--context`) names instead: write the
        /// fixtures into it (namespaces bench-0…49, what is missing of N objects) and change them
        /// during the load phase. Never on a cluster you care about.
        #[arg(long)]
        write_fixtures: bool,
    },
    /// The benchmark's API server, preloaded (run by `bench`)
    #[command(hide = true)]
    BenchServer {
        #[arg(long)]
        objects: usize,
        /// The fixtures written into the cluster `--kubeconfig` names instead
        #[arg(long)]
        cluster: bool,
    },
}

/// `flightdeck demo …`
#[derive(Debug, Clone, Default, Args)]
pub struct DemoArgs {
    /// Run only the simulated world (no cockpit) and print its kubeconfig, metrics URL and repos
    #[arg(long)]
    pub serve_only: bool,
    /// Port for the API server on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where to write the kubeconfig (default: $XDG_STATE_HOME/flightdeck/demo/kubeconfig)
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Also append every request the server receives to this file (JSON lines)
    #[arg(long, value_name = "PATH")]
    pub request_log: Option<PathBuf>,
    /// World seconds per real second (the default takes a commit to prod in a few minutes)
    #[arg(long, default_value_t = 10.0)]
    pub speed: f64,
    /// World seconds between the simulated developer's commits (0: no automatic commits)
    #[arg(long, default_value_t = 600)]
    pub commit_every: u64,
    /// Every n-th automatic commit is a bad build whose canary fails (0: never)
    #[arg(long, default_value_t = 2)]
    pub bad_every: u32,
    /// Port of the demo application's /metrics endpoint on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub metrics_port: u16,
    /// Seed of the world's random choices (traffic noise, developer commits)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for the world's Git repositories and kubeconfig (default: a new temporary one)
    #[arg(long, value_name = "PATH")]
    pub state_dir: Option<PathBuf>,
}

/// `flightdeck config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config file, the chosen theme and keymap, and every user theme and keymap;
    /// print each problem as file:line: message (exit code 1 if there is any)
    Check,
}
