//! Messages into the UI loop and effects out of it. Everything that happens (a key, a resize, a
//! signal, later watch events and job results) arrives as a `Msg` on one bounded channel.

use crossterm::event::KeyEvent;

/// Something that happened; the UI loop applies it to the app state.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// The process got a signal asking it to end (SIGTERM, SIGHUP, SIGINT).
    Signal(&'static str),
    /// Reading terminal input failed (the terminal went away).
    InputClosed(String),
    /// A batch of changes from the cluster watchers.
    Kube(Vec<crate::store::Delta>),
    /// Connection number `n` to a cluster has its client (`Ok`), or cannot have one: why.
    Connected(u64, Result<(), crate::kube::client::ConnectError>),
    /// The user connection N acts as (SelfSubjectReview, else the kubeconfig user).
    Identity(u64, String),
    /// A fetched object (without managedFields), or why it could not be fetched.
    Object(crate::model::ObjectKey, Result<serde_json::Value, String>),
    /// New lines of the followed pod's log.
    LogLines(crate::model::ObjectKey, Vec<String>),
    /// The followed log stream closed (`Ok`) or failed.
    LogEnded(crate::model::ObjectKey, Result<(), String>),
    /// A round of direct scrapes at (seconds): the totals got, and what failed.
    Scraped(
        f64,
        Vec<crate::metrics::history::SeriesTotals>,
        Option<String>,
    ),
    /// The live series of one AnalysisRun metric's query (or why there is none).
    AnalysisSeries(
        crate::model::ObjectKey,
        String,
        Result<Vec<(f64, f64)>, String>,
    ),
    /// Prometheus's answers for a namespace (rate, error %, p95), or why there are none.
    Queried(
        String,
        Result<crate::metrics::queried::Answers, crate::metrics::prometheus::PrometheusError>,
    ),
    /// An intent was read and planned (or could not be: why, and what would help).
    Prepared(
        crate::intent::Intent,
        Result<Box<crate::intent::Plan>, crate::intent::Refusal>,
    ),
    /// The GitOps repository's newest commits (to revert one for an Application), or why not.
    GitLog(
        crate::model::ObjectKey,
        Result<Vec<crate::git::LoggedCommit>, String>,
    ),
    /// A confirmed plan was sent (or failed part-way); the names of the objects it created.
    Executed(
        Box<crate::intent::Plan>,
        Result<Vec<String>, crate::kube::execute::Failure>,
    ),
}

// The background tasks' own events, as messages of the loop.
impl From<crate::kube::watch::Changes> for Msg {
    fn from(changes: crate::kube::watch::Changes) -> Msg {
        Msg::Kube(changes.0)
    }
}

impl From<crate::kube::session::SessionEvent> for Msg {
    fn from(event: crate::kube::session::SessionEvent) -> Msg {
        match event {
            crate::kube::session::SessionEvent::Connected(n, result) => Msg::Connected(n, result),
            crate::kube::session::SessionEvent::Identity(n, user) => Msg::Identity(n, user),
        }
    }
}

impl From<crate::kube::logs::LogLines> for Msg {
    fn from(crate::kube::logs::LogLines(pod, lines): crate::kube::logs::LogLines) -> Msg {
        Msg::LogLines(pod, lines)
    }
}

impl From<crate::metrics::poller::Queried> for Msg {
    fn from(
        crate::metrics::poller::Queried(namespace, answers): crate::metrics::poller::Queried,
    ) -> Msg {
        Msg::Queried(namespace, answers)
    }
}

impl From<crate::metrics::scraper::Scraped> for Msg {
    fn from(
        crate::metrics::scraper::Scraped(at, totals, problem): crate::metrics::scraper::Scraped,
    ) -> Msg {
        Msg::Scraped(at, totals, problem)
    }
}

/// Something the loop must do outside the app state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Leave the loop and restore the terminal.
    Quit,
    /// Restore the terminal, stop the process (ctrl-z), and take the terminal back on `fg`.
    Suspend,
    /// Clear the screen and draw everything again.
    Redraw,
    /// Fetch the whole object (for the YAML and detail views); the answer arrives as
    /// `Msg::Object`.
    Fetch(crate::model::Kind, crate::model::ObjectKey),
    /// Stream a pod container's log (the last lines, then new ones as they come) as
    /// `Msg::LogLines`, replacing any stream already open.
    FollowLogs {
        pod: crate::model::ObjectKey,
        container: String,
    },
    /// Close the log stream.
    StopLogs,
    /// Read what the intent depends on, plan it and check permissions; the answer arrives as
    /// `Msg::Prepared`.
    Prepare(crate::intent::Intent),
    /// Send a confirmed plan (refused by the executor in a read-only session); the outcome
    /// arrives as `Msg::Executed`.
    Execute {
        plan: Box<crate::intent::Plan>,
        read_only: bool,
    },
    /// Run an AnalysisRun's queries over (metric, query, start) on Prometheus; answers arrive as
    /// `Msg::AnalysisSeries`.
    QueryAnalysis(crate::model::ObjectKey, Vec<(String, String, f64)>),
    /// Ask Prometheus about these (app, namespace) pairs from now on.
    MetricTargets(Vec<crate::metrics::queries::MetricTarget>),
    /// Read the GitOps repository's log; it arrives as `Msg::GitLog`.
    GitLog(crate::model::ObjectKey),
    /// Drop the current cluster connection (its watchers, fetches and log stream) and connect
    /// as `settings` say; the outcome arrives as `Msg::Connected(connection, …)`.
    Connect {
        settings: Box<crate::settings::Settings>,
        connection: u64,
    },
    /// Watch as this plan says (the namespaces for kinds the user may not watch cluster-wide,
    /// and where the on-demand kinds are needed).
    Watch(crate::store::WatchPlan),
}
