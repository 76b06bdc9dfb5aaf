//! One connection to a cluster: the client built from the kubeconfig and context in the
//! settings, and a watcher per kind, held until the session is aborted (a context switch or
//! quitting), which stops them all.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::settings::Settings;
use crate::ui::msg::Msg;

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

/// Connects, says so as `Msg::Connected(connection, …)` and who it acts as as `Msg::Identity`,
/// and watches every kind until aborted.
pub async fn run(
    settings: Settings,
    connection: u64,
    sender: mpsc::Sender<Msg>,
    slot: ClientSlot,
    user_slot: super::identity::UserSlot,
) {
    let client = match super::client::connect(&settings).await {
        Ok(client) => client,
        Err(problem) => {
            let _ = sender.send(Msg::Connected(connection, Err(problem))).await;
            return;
        }
    };
    if let Ok(mut current) = slot.lock() {
        *current = Some(client.clone());
    }
    if sender
        .send(Msg::Connected(connection, Ok(())))
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
        let _ = sender.send(Msg::Identity(connection, user)).await;
    }
    let _watchers = AbortOnDrop(super::watch::watch_all(client, sender));
    std::future::pending::<()>().await;
}
