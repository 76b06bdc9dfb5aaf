//! The cockpit's host for the event loop: ctrl-z suspends to the shell; the cluster session
//! (client and watchers), object fetches for the YAML and detail views and the followed pod log
//! run as background tasks, answering with messages.

use std::io;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::event_loop::Host;
use super::msg::{Effect, Msg};
use crate::kube::session::ClientSlot;
use crate::model::{Kind, ObjectKey};

/// The real terminal and cluster.
pub struct CockpitHost {
    client: ClientSlot,
    /// Who the current session acts as (for the actor fields of operations).
    user: crate::kube::identity::UserSlot,
    sender: mpsc::Sender<Msg>,
    /// The cluster session's task (client and watchers).
    session: Option<AbortHandle>,
    /// The open log stream's task.
    logs: Option<AbortHandle>,
    /// The GitOps repository (path or URL) and where flightdeck keeps its clone.
    gitops: Option<(String, std::path::PathBuf)>,
    /// What the Prometheus poller asks about.
    pub metric_targets:
        Option<tokio::sync::watch::Sender<Vec<crate::metrics::queries::MetricTarget>>>,
    /// The Prometheus server, in Prometheus mode.
    pub prometheus: Option<crate::metrics::prometheus::Prometheus>,
    /// What to watch where, as the UI last asked.
    plan: tokio::sync::watch::Sender<crate::store::WatchPlan>,
}

impl CockpitHost {
    /// A host using `client` (none until `connect` makes one).
    pub fn new(client: Option<kube::Client>, sender: mpsc::Sender<Msg>) -> CockpitHost {
        CockpitHost {
            client: Arc::new(Mutex::new(client)),
            user: Arc::default(),
            sender,
            session: None,
            logs: None,
            gitops: None,
            metric_targets: None,
            prometheus: None,
            plan: tokio::sync::watch::Sender::new(Default::default()),
        }
    }

    /// Makes Git changes in `repository` (a path or URL), cloning into `cache` when needed.
    pub fn with_gitops(mut self, repository: Option<String>, cache: std::path::PathBuf) -> Self {
        self.gitops = repository.map(|repository| (repository, cache));
        self
    }

    /// The GitOps repository, or why there is none.
    fn gitops(&self) -> crate::git::GitResult<(String, std::path::PathBuf)> {
        self.gitops
            .clone()
            .ok_or(crate::git::GitError::NotConfigured)
    }

    /// Where the current session's client is (for tasks that outlive a context switch).
    pub fn client_slot(&self) -> ClientSlot {
        self.client.clone()
    }

    fn client(&self) -> Option<kube::Client> {
        self.client.lock().ok().and_then(|client| client.clone())
    }
}

impl Drop for CockpitHost {
    fn drop(&mut self) {
        self.stop_logs();
        if let Some(session) = self.session.take() {
            session.abort();
        }
    }
}

impl Host for CockpitHost {
    fn suspend(&mut self) -> io::Result<()> {
        super::terminal::suspend_to_shell()
    }

    fn handle(&mut self, effect: Effect) {
        match effect {
            Effect::Fetch(kind, key) => self.fetch(kind, key),
            Effect::FollowLogs { pod, container } => self.follow_logs(pod, container),
            Effect::StopLogs => self.stop_logs(),
            Effect::Connect {
                settings,
                connection,
            } => self.connect(*settings, connection),
            Effect::Prepare(intent) => self.prepare(intent),
            Effect::Execute { plan, read_only } => self.execute(*plan, read_only),
            Effect::GitLog(application) => self.git_log(application),
            Effect::MetricTargets(targets) => self.metric_targets(targets),
            Effect::Watch(plan) => {
                self.plan.send_replace(plan);
            }
            Effect::QueryAnalysis(run, queries) => self.query_analysis(run, queries),
            // The loop's own.
            Effect::Quit | Effect::Redraw | Effect::Suspend => {}
        }
    }
}

/// The background work of each effect.
impl CockpitHost {
    /// Starts fetching a whole object; the answer arrives as `Msg::Object`.
    pub fn fetch(&mut self, kind: Kind, key: ObjectKey) {
        let sender = self.sender.clone();
        let Some(client) = self.client() else {
            let _ = sender.try_send(Msg::Object(key, Err("not connected to a cluster".into())));
            return;
        };
        tokio::spawn(async move {
            let answer = crate::kube::fetch::object(client, kind, &key).await;
            let _ = sender.send(Msg::Object(key, answer)).await;
        });
    }

    /// Streams a pod container's log (closing any open stream); lines arrive as
    /// `Msg::LogLines`, the end as `Msg::LogEnded`.
    pub fn follow_logs(&mut self, pod: ObjectKey, container: String) {
        self.stop_logs();
        let sender = self.sender.clone();
        let Some(client) = self.client() else {
            let _ = sender.try_send(Msg::LogEnded(pod, Err("not connected to a cluster".into())));
            return;
        };
        let task = tokio::spawn(async move {
            let ended = crate::kube::logs::follow(client, &pod, container, &sender).await;
            let _ = sender.send(Msg::LogEnded(pod, ended)).await;
        });
        self.logs = Some(task.abort_handle());
    }

    /// Closes the log stream, if one is open.
    pub fn stop_logs(&mut self) {
        if let Some(task) = self.logs.take() {
            task.abort();
        }
    }

    /// Reads and plans `intent`; the answer arrives as `Msg::Prepared`.
    pub fn prepare(&mut self, intent: crate::intent::Intent) {
        let sender = self.sender.clone();
        if intent.is_git() {
            let gitops = self.gitops();
            tokio::task::spawn_blocking(move || {
                let plan = gitops.and_then(|(repository, cache)| {
                    crate::git::intents::prepare(&repository, &cache, &intent)
                });
                let plan = plan.map(Box::new).map_err(crate::intent::Refusal::from);
                let _ = sender.blocking_send(Msg::Prepared(intent, plan));
            });
            return;
        }
        let Some(client) = self.client() else {
            let _ = sender.try_send(Msg::Prepared(
                intent,
                Err("not connected to a cluster".into()),
            ));
            return;
        };
        let user = self.user.lock().ok().and_then(|user| user.clone());
        tokio::spawn(async move {
            let context = crate::intent::Context {
                user,
                ..crate::kube::execute::context_now()
            };
            let plan = crate::kube::execute::prepare(&client, &intent, &context).await;
            let _ = sender.send(Msg::Prepared(intent, plan.map(Box::new))).await;
        });
    }

    /// Sends a confirmed plan (refused in a read-only session); the outcome arrives as
    /// `Msg::Executed`.
    pub fn execute(&mut self, plan: crate::intent::Plan, read_only: bool) {
        let sender = self.sender.clone();
        if plan.git.is_some() {
            let gitops = self.gitops();
            tokio::task::spawn_blocking(move || {
                let result = gitops
                    .map_err(|error| crate::kube::execute::Failure::Failed {
                        message: error.to_string(),
                        done: 0,
                    })
                    .and_then(|(repository, cache)| {
                        crate::git::intents::execute(&repository, &cache, &plan, read_only)
                    })
                    .map(|()| Vec::new());
                let _ = sender.blocking_send(Msg::Executed(Box::new(plan), result));
            });
            return;
        }
        let Some(client) = self.client() else {
            let failure = crate::kube::execute::Failure::Failed {
                message: "not connected to a cluster".into(),
                done: 0,
            };
            let _ = sender.try_send(Msg::Executed(Box::new(plan), Err(failure)));
            return;
        };
        tokio::spawn(async move {
            let result = crate::kube::execute::execute(&client, &plan, read_only).await;
            let _ = sender.send(Msg::Executed(Box::new(plan), result)).await;
        });
    }

    /// Reads the GitOps repository's log; it arrives as `Msg::GitLog`.
    pub fn git_log(&mut self, application: ObjectKey) {
        let sender = self.sender.clone();
        let gitops = self.gitops();
        tokio::task::spawn_blocking(move || {
            let log = gitops
                .and_then(|(repository, cache)| crate::git::intents::log(&repository, &cache, 30))
                .map_err(|error| error.to_string());
            let _ = sender.blocking_send(Msg::GitLog(application, log));
        });
    }

    /// The (app, namespace) pairs to ask Prometheus about.
    pub fn metric_targets(&mut self, targets: Vec<crate::metrics::queries::MetricTarget>) {
        if let Some(sender) = &self.metric_targets {
            sender.send_replace(targets);
        }
    }

    /// Runs an AnalysisRun's queries (metric, query, start); answers arrive as
    /// `Msg::AnalysisSeries`.
    pub fn query_analysis(&mut self, run: ObjectKey, queries: Vec<(String, String, f64)>) {
        let Some(prometheus) = self.prometheus.clone() else {
            return;
        };
        let sender = self.sender.clone();
        tokio::spawn(async move {
            let end = crate::model::time::now_precise();
            for (metric, query, start) in queries {
                let step = crate::metrics::math::step_seconds((end - start).max(60.0) as u64, 120);
                let series = prometheus
                    .query_range(&query, start, end, step)
                    .await
                    .map(|series| {
                        series
                            .into_iter()
                            .next()
                            .map(|s| s.points)
                            .unwrap_or_default()
                    });
                if sender
                    .send(Msg::AnalysisSeries(
                        run.clone(),
                        metric,
                        series.map_err(|e| e.to_string()),
                    ))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }

    /// Replaces the cluster connection (watchers, client) with one made from `settings`; the
    /// outcome arrives as `Msg::Connected(connection, …)`.
    pub fn connect(&mut self, settings: crate::settings::Settings, connection: u64) {
        self.stop_logs();
        if let Some(session) = self.session.take() {
            session.abort();
        }
        if let Ok(mut client) = self.client.lock() {
            *client = None;
        }
        if let Ok(mut user) = self.user.lock() {
            *user = None;
        }
        let task = tokio::spawn(crate::kube::session::run(
            settings,
            connection,
            self.sender.clone(),
            (self.client.clone(), self.user.clone()),
            self.plan.subscribe(),
        ));
        self.session = Some(task.abort_handle());
    }
}
