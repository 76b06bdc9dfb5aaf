//! The request log: every request's method, path with query, content type and body, kept in
//! memory for tests to assert the exact writes a client made, and optionally appended to a file.

use std::io::Write;
use std::sync::Mutex;

/// One logged request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query exactly as received.
    pub uri: String,
    pub content_type: Option<String>,
    /// The body as text (lossy for binary bodies such as protobuf).
    pub body: String,
    /// The identity the request was made as.
    pub user: String,
}

/// All requests so far.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<Vec<LoggedRequest>>,
    file: Mutex<Option<std::fs::File>>,
}

impl RequestLog {
    /// Also append each request as a JSON line to `path`.
    pub fn to_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        *self.file.lock().unwrap_or_else(|e| e.into_inner()) = Some(file);
        Ok(())
    }

    pub fn record(&self, entry: LoggedRequest) {
        if let Some(file) = self.file.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let line = serde_json::json!({"method": entry.method, "uri": entry.uri, "contentType": entry.content_type, "body": entry.body, "user": entry.user});
            let _ = writeln!(file, "{line}");
        }
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }

    /// A copy of every request so far.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Requests other than GET (the writes).
    pub fn writes(&self) -> Vec<LoggedRequest> {
        self.entries()
            .into_iter()
            .filter(|e| e.method != "GET")
            .collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
