//! Argo CD sync windows (`AppProject.spec.syncWindows`): which windows apply to an Application
//! (`SyncWindows.Matches`: application, cluster and namespace globs, OR or `andOperator`) and
//! whether a manual sync may start now (`CanSync(true, nil)`: an active deny window blocks
//! unless every active deny window allows `manualSync`; outside every allow window a sync is
//! blocked unless they all allow `manualSync`) — pkg/apis/application/v1alpha1/types.go,
//! v3.5.1. The API server refuses a blocked sync; a written operation would sit "blocked by
//! sync window" holding the Application's operation slot. Pure: the time-zone offsets come in.

use serde_json::Value;

use super::cron::Schedule;
use super::json::{At, flag, string, strings};
use super::time::parse_go_duration;

/// One window of an AppProject.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncWindow {
    pub kind: String,
    pub schedule: String,
    pub duration: String,
    pub applications: Vec<String>,
    pub namespaces: Vec<String>,
    pub clusters: Vec<String>,
    pub manual_sync: bool,
    pub time_zone: String,
    pub and_operator: bool,
    pub description: String,
}

/// The Application fields windows match on.
pub struct Destination<'a> {
    pub application: &'a str,
    pub name: &'a str,
    pub server: &'a str,
    pub namespace: &'a str,
}

impl SyncWindow {
    /// The windows of an AppProject object.
    pub fn of_project(project: &Value) -> Vec<SyncWindow> {
        project
            .at("/spec/syncWindows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|w| SyncWindow {
                kind: string(w, "/kind"),
                schedule: string(w, "/schedule"),
                duration: string(w, "/duration"),
                applications: strings(w, "/applications"),
                namespaces: strings(w, "/namespaces"),
                clusters: strings(w, "/clusters"),
                manual_sync: flag(w, "/manualSync"),
                time_zone: string(w, "/timeZone"),
                and_operator: flag(w, "/andOperator"),
                description: string(w, "/description"),
            })
            .collect()
    }

    /// `SyncWindows.Matches` for one window.
    fn matches(&self, to: &Destination<'_>) -> bool {
        let any = |patterns: &[String], value: &str| patterns.iter().any(|p| glob(p, value));
        let application =
            (!self.applications.is_empty()).then(|| any(&self.applications, to.application));
        let cluster = (!self.clusters.is_empty()).then(|| {
            self.clusters.iter().any(|c| {
                (!to.name.is_empty() && glob(c, to.name))
                    || (!to.server.is_empty() && glob(c, to.server))
            })
        });
        let namespace = (!self.namespaces.is_empty()).then(|| any(&self.namespaces, to.namespace));
        if self.and_operator {
            // Every list that is set must match, and at least one must be set and match.
            let set: Vec<bool> = [application, cluster, namespace]
                .into_iter()
                .flatten()
                .collect();
            !set.is_empty() && set.iter().all(|m| *m)
        } else {
            [application, cluster, namespace]
                .into_iter()
                .flatten()
                .any(|m| m)
        }
    }

    /// Whether the window is open at `now` (`SyncWindow.active`): it started less than its
    /// duration ago, in the wall time of its zone (at the zone's offset now, as upstream).
    fn is_active(&self, now: i64, zone_offset: &dyn Fn(&str) -> i64) -> Result<bool, String> {
        let schedule = Schedule::parse(&self.schedule)
            .map_err(|e| format!("cannot parse schedule '{}': {e}", self.schedule))?;
        let duration = parse_go_duration(&self.duration)
            .ok_or_else(|| format!("cannot parse duration '{}'", self.duration))?;
        let wall = now + zone_offset(&self.time_zone);
        Ok(schedule.fires_between(wall - duration, wall))
    }

    /// "deny 0 22 * * * for 8h (Europe/Berlin): release freeze".
    pub fn describe(&self) -> String {
        let zone = if self.time_zone.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.time_zone)
        };
        let mut text = format!(
            "{} {} for {}{zone}",
            self.kind, self.schedule, self.duration
        );
        if !self.description.is_empty() {
            text.push_str(": ");
            text.push_str(&self.description);
        }
        text
    }
}

/// Whether a manual sync of the Application at `to` may start at `now`; when it may not,
/// upstream's words with the windows that block it.
pub fn manual_sync_allowed(
    windows: &[SyncWindow],
    to: &Destination<'_>,
    now: i64,
    zone_offset: &dyn Fn(&str) -> i64,
) -> Result<(), String> {
    let matching: Vec<&SyncWindow> = windows.iter().filter(|w| w.matches(to)).collect();
    if matching.is_empty() {
        return Ok(());
    }
    let mut active = Vec::new();
    let mut inactive_allows = Vec::new();
    for window in matching {
        match window.is_active(now, zone_offset) {
            Ok(true) => active.push(window),
            Ok(false) if window.kind == "allow" => inactive_allows.push(window),
            Ok(false) => {}
            Err(e) => return Err(format!("cannot sync: invalid sync window: {e}")),
        }
    }
    let denies: Vec<&&SyncWindow> = active.iter().filter(|w| w.kind == "deny").collect();
    let list = |windows: &[&SyncWindow]| {
        windows
            .iter()
            .map(|w| w.describe())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !denies.is_empty() {
        if denies.iter().all(|w| w.manual_sync) {
            return Ok(());
        }
        let blocking: Vec<&SyncWindow> = denies
            .into_iter()
            .filter(|w| !w.manual_sync)
            .copied()
            .collect();
        return Err(format!(
            "cannot sync: blocked by sync window ({})",
            list(&blocking)
        ));
    }
    if active.iter().any(|w| w.kind == "allow") || inactive_allows.is_empty() {
        return Ok(());
    }
    if inactive_allows.iter().all(|w| w.manual_sync) {
        return Ok(());
    }
    Err(format!(
        "cannot sync: blocked by sync window (outside the allow window: {})",
        list(&inactive_allows)
    ))
}

/// gobwas/glob without separators, as Argo CD's `globMatch` uses it: `*` any text, `?` one
/// character, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}` alternatives; anything else literally.
pub fn glob(pattern: &str, value: &str) -> bool {
    if let Some(open) = pattern.find('{')
        && let Some(close) = pattern[open..].find('}').map(|c| open + c)
    {
        return pattern[open + 1..close].split(',').any(|alternative| {
            glob(
                &format!("{}{alternative}{}", &pattern[..open], &pattern[close + 1..]),
                value,
            )
        });
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let value: Vec<char> = value.chars().collect();
    glob_chars(&pattern, &value)
}

fn glob_chars(pattern: &[char], value: &[char]) -> bool {
    match pattern.first() {
        None => value.is_empty(),
        Some('*') => (0..=value.len()).any(|skip| glob_chars(&pattern[1..], &value[skip..])),
        Some('?') => !value.is_empty() && glob_chars(&pattern[1..], &value[1..]),
        Some('[') => {
            let Some(end) = pattern.iter().position(|c| *c == ']') else {
                return value.first() == Some(&'[') && glob_chars(&pattern[1..], &value[1..]);
            };
            let Some(first) = value.first() else {
                return false;
            };
            let (negated, class) = match pattern[1..end].split_first() {
                Some(('!', rest)) => (true, rest),
                _ => (false, &pattern[1..end]),
            };
            let mut matched = false;
            let mut index = 0;
            while index < class.len() {
                if index + 2 < class.len() && class[index + 1] == '-' {
                    matched |= (class[index]..=class[index + 2]).contains(first);
                    index += 3;
                } else {
                    matched |= class[index] == *first;
                    index += 1;
                }
            }
            matched != negated && glob_chars(&pattern[end + 1..], &value[1..])
        }
        Some(c) => value.first() == Some(c) && glob_chars(&pattern[1..], &value[1..]),
    }
}

#[cfg(test)]
#[path = "sync_windows_tests.rs"]
mod tests;
