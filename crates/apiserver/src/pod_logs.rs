//! Container logs of the simulated pods. The demo world appends lines (as a kubelet would);
//! readers get a snapshot, and followers get new lines as they come until the container ends.

use std::collections::HashMap;

use tokio::sync::broadcast;

/// A log line: (Unix time in nanoseconds, text without the newline).
pub type LogLine = (u128, String);
/// New lines of a running container; `None` marks its end.
pub type LogFollower = broadcast::Receiver<Option<LogLine>>;

/// One container's log.
#[derive(Debug)]
struct ContainerLog {
    lines: Vec<LogLine>,
    finished: bool,
    updates: broadcast::Sender<Option<LogLine>>,
}

/// Every container log, by (namespace, pod, container).
#[derive(Debug, Default)]
pub struct PodLogs {
    logs: HashMap<(String, String, String), ContainerLog>,
}

type Key = (String, String, String);

fn key(namespace: &str, pod: &str, container: &str) -> Key {
    (
        namespace.to_string(),
        pod.to_string(),
        container.to_string(),
    )
}

impl PodLogs {
    fn entry(&mut self, key: Key) -> &mut ContainerLog {
        self.logs.entry(key).or_insert_with(|| ContainerLog {
            lines: Vec::new(),
            finished: false,
            updates: broadcast::channel(1024).0,
        })
    }

    /// Appends a line (a trailing newline is not needed).
    pub fn append(&mut self, namespace: &str, pod: &str, container: &str, line: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let log = self.entry(key(namespace, pod, container));
        log.lines
            .push((now, line.trim_end_matches('\n').to_string()));
        let _ = log
            .updates
            .send(Some((now, line.trim_end_matches('\n').to_string())));
    }

    /// Marks the container as terminated: followers reach the end of the stream.
    pub fn finish(&mut self, namespace: &str, pod: &str, container: &str) {
        let log = self.entry(key(namespace, pod, container));
        log.finished = true;
        let _ = log.updates.send(None);
    }

    /// The lines so far, whether the container has finished, and (when it has not) a receiver of
    /// later lines (`None` marks the end).
    pub fn read(
        &mut self,
        namespace: &str,
        pod: &str,
        container: &str,
    ) -> (Vec<LogLine>, Option<LogFollower>) {
        let log = self.entry(key(namespace, pod, container));
        let receiver = (!log.finished).then(|| log.updates.subscribe());
        (log.lines.clone(), receiver)
    }

    /// Forgets the logs of a deleted pod.
    pub fn remove_pod(&mut self, namespace: &str, pod: &str) {
        self.logs
            .retain(|(ns, name, _), _| !(ns == namespace && name == pod));
    }
}
