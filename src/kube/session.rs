//! One connection to a cluster: the client built from the kubeconfig and context in the
//! settings, and a watcher per kind, held until the session is aborted (a context switch or
//! quitting), which stops them all.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::settings::Settings;

/// Where the current session leaves its client for fetches and log streams.
pub type ClientSlot = Arc<Mutex<Option<kube::Client>>>;

/// Aborts the tasks when dropped.
struct AbortOnDrop(Vec<JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// What a session tells whoever listens (the UI makes each a `Msg`).
#[derive(Debug, Clone)]
pub enum SessionEvent {
    /// Connection number `n` has its client (`Ok`), or cannot have one: why.
    Connected(u64, Result<(), super::client::ConnectError>),
    /// The user connection `n` acts as (SelfSubjectReview, else the kubeconfig user).
    Identity(u64, String),
}

/// Connects, says so (`SessionEvent::Connected`) and who it acts as (`Identity`), and watches
/// every kind until aborted, as `plan` says: cluster-wide where the user may, else in each of
/// its namespaces; the on-demand kinds only where needed.
pub async fn run<M: From<SessionEvent> + From<super::watch::Changes> + Send + 'static>(
    settings: Settings,
    connection: u64,
    sender: mpsc::Sender<M>,
    (slot, user_slot): (ClientSlot, super::identity::UserSlot),
    plan: super::scope::Plan,
) {
    let client = match super::client::connect(&settings).await {
        Ok(client) => client,
        Err(problem) => {
            let _ = sender
                .send(SessionEvent::Connected(connection, Err(problem)).into())
                .await;
            return;
        }
    };
    if let Ok(mut current) = slot.lock() {
        *current = Some(client.clone());
    }
    if sender
        .send(SessionEvent::Connected(connection, Ok(())).into())
        .await
        .is_err()
    {
        return;
    }
    let user = match super::identity::who_am_i(&client).await {
        Some(user) => Some(user),
        None => super::target::ClusterTarget::from_settings(&settings).user,
    };
    if let Ok(mut current) = user_slot.lock() {
        current.clone_from(&user);
    }
    if let Some(user) = user {
        let _ = sender
            .send(SessionEvent::Identity(connection, user).into())
            .await;
    }
    let watchers = crate::model::Kind::ALL.iter().map(|kind| {
        let (client, plan, sender) = (client.clone(), plan.clone(), sender.clone());
        if kind.on_demand() {
            let kind = (*kind, super::demand::LINGER);
            tokio::spawn(super::demand::watch_on_demand(client, kind, plan, sender))
        } else {
            tokio::spawn(super::scope::watch_where_allowed(
                client, *kind, plan, sender,
            ))
        }
    });
    let _watchers = AbortOnDrop(watchers.collect());
    std::future::pending::<()>().await;
}
