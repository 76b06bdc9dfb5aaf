//! What may differ between two correct servers, taken out before comparing: server addresses,
//! uids, timestamps, resourceVersions, generated name suffixes and hashes, ages, IP addresses,
//! node names, column padding. Also splits kubectl's `-v=6` stderr into the requests it made (method, path,
//! HTTP status) and what a user sees.

use std::sync::OnceLock;

use regex::Regex;

/// (pattern, replacement), applied in order.
const RULES: &[(&str, &str)] = &[
    (r"https?://127\.0\.0\.1:\d+", "SERVER"),
    // kubectl diff's temporary directories
    (r"/(LIVE|MERGED)-\d+/", "/${1}/"),
    (
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ [+-]\d{4}",
        "TIME",
    ),
    // CA bundles (kube-root-ca.crt), JSON-escaped on one line
    (
        r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
        "CERTIFICATE",
    ),
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "UID",
    ),
    (
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "TIME",
    ),
    (r#"(resourceVersion"?:\s*"?)\d+"#, "${1}RV"),
    (r"(resourceVersion=)\d+", "${1}RV"),
    // generateName suffixes and pod-template hashes (the apiserver's vowel-free alphabet)
    (r"-[bcdfghjklmnpqrstvwxz2456789]{5,10}\b", "-HASH"),
    (
        r"(pod-template-hash[=:]\s*)[bcdfghjklmnpqrstvwxz2456789]{5,10}",
        "${1}HASH",
    ),
    (r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", "IP"),
    // the nodes Pods run on: kwok's fake nodes, the embedded server's pretend one
    (r"\b(kwok-node-\d+|flightdeck-demo-node)\b", "NODE"),
    // ages in tables and durations in messages (`5s`, `2m3s`, `4h`)
    (r"(^|\s)\d+(s|m|h|d)(\d+(s|m|h))?(\s|$)", "${1}AGE${5}"),
    (r"(^|\s)<invalid>(\s|$)", "${1}AGE${2}"),
    // tables pad columns to their widest value
    (r"[ \t]+", " "),
];

fn rules() -> &'static [(Regex, &'static str)] {
    static COMPILED: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES
            .iter()
            .map(|(pattern, with)| (Regex::new(pattern).expect("rule"), *with))
            .collect()
    })
}

/// `text` with everything a second correct server may answer differently replaced.
pub fn normalise(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut line = line.to_string();
            for (pattern, with) in rules() {
                // twice: adjacent matches share the whitespace that delimits them
                for _ in 0..2 {
                    line = pattern.replace_all(&line, *with).into_owned();
                }
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// kubectl's stderr at `-v=6`, split: the requests it made, and the lines a user sees.
pub struct Stderr {
    /// `METHOD PATH?QUERY STATUS`, discovery and OpenAPI requests left out.
    pub requests: Vec<String>,
    pub said: String,
}

pub fn split_stderr(stderr: &str) -> Stderr {
    static REQUEST: OnceLock<Regex> = OnceLock::new();
    static KLOG: OnceLock<Regex> = OnceLock::new();
    let request = REQUEST.get_or_init(|| {
        // two formats, as kubectl logs them over HTTPS and over plain HTTP
        Regex::new(concat!(
            r"round_trippers\.go:\d+\] (?:(GET|POST|PUT|PATCH|DELETE) (\S+) (\d{3})?",
            r#"|"Response" verb="(\w+)" url="([^"]+)" status="(\d{3})?)"#
        ))
        .expect("request")
    });
    let klog = KLOG.get_or_init(|| Regex::new(r"^[IWEF]\d{4} ").expect("klog"));
    let mut requests = Vec::new();
    let mut said = Vec::new();
    // the end of a multi-line log message being skipped (a body kubectl logged)
    let mut skipping_to: Option<&str> = None;
    for line in stderr.lines() {
        if let Some(end) = skipping_to {
            if line.trim() == end {
                skipping_to = None;
            }
        } else if let Some(found) = request.captures(line) {
            let group = |a: usize, b: usize| found.get(a).or(found.get(b)).map(|m| m.as_str());
            let path = request_path(group(2, 5).unwrap_or_default());
            if !is_discovery(&path) {
                let verb = group(1, 4).unwrap_or_default();
                let status = group(3, 6).unwrap_or("-");
                requests.push(normalise(&format!("{verb} {path} {status}")));
            }
        } else if klog.is_match(line) {
            skipping_to = if line.ends_with("[{") {
                Some("}]")
            } else if line.ends_with('<') {
                Some(">")
            } else {
                None
            };
        } else {
            said.push(line);
        }
    }
    Stderr {
        requests,
        said: normalise(&said.join("\n")),
    }
}

/// The path and the query parameters that say what was asked, sorted; the values of those that
/// only name a point in time (`resourceVersion`, `continue`, timeouts) dropped.
fn request_path(url: &str) -> String {
    let without_server = url
        .find("://")
        .and_then(|scheme| url[scheme + 3..].find('/').map(|p| &url[scheme + 3 + p..]))
        .unwrap_or(url);
    let (path, query) = without_server
        .split_once('?')
        .unwrap_or((without_server, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or(pair);
            match key {
                "resourceVersion" | "continue" | "timeout" | "timeoutSeconds" => key.to_string(),
                _ => pair.to_string(),
            }
        })
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// Discovery and schema requests (`/api`, `/apis/G/V`, `/openapi/…`, `/version`): how often a
/// client asks depends on its cache, not on the server's answers.
fn is_discovery(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.first() {
        Some(&"api") => parts.len() <= 2,
        Some(&"apis") => parts.len() <= 3,
        Some(&"openapi") | Some(&"version") => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_servers_differences_are_taken_out() {
        let a = normalise(
            "web-7d4b9c8f5-x2k4q   1/1   Running   0   5s   10.0.0.7\n\"resourceVersion\": \"812\",",
        );
        let b = normalise(
            "web-6c8d7b5f4-zz9kq 1/1 Running 0 2m3s 10.244.1.12\n\"resourceVersion\": \"1764523\",",
        );
        assert_eq!(a, b);
        assert_ne!(normalise("replicas: 2"), normalise("replicas: 3"));
    }

    #[test]
    fn requests_are_read_from_the_verbose_log() {
        let stderr = "I1130 18:01:06.133941    4043 loader.go:402] Config loaded\n\
            I1130 18:01:06.141167    4043 round_trippers.go:560] GET https://127.0.0.1:4/apis/apps/v1 200 OK in 6 milliseconds\n\
            I1130 18:01:06.141167    4043 round_trippers.go:560] POST https://127.0.0.1:4/api/v1/namespaces?fieldValidation=Strict&fieldManager=kubectl-create 201 Created in 6 milliseconds\n\
            I1130 18:05:46.816410    7225 round_trippers.go:632] \"Response\" verb=\"PATCH\" url=\"http://127.0.0.1:3/api/v1/namespaces/x\" status=\"404 Not Found\" milliseconds=1\n\
            I1130 18:05:46.817008    7225 helpers.go:246] server response object: %s[{\n  \"code\": 404\n}]\n\
            Error from server (NotFound): namespaces \"x\" not found";
        let split = split_stderr(stderr);
        assert_eq!(
            split.requests,
            [
                "POST /api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict 201",
                "PATCH /api/v1/namespaces/x 404"
            ]
        );
        assert_eq!(
            split.said,
            "Error from server (NotFound): namespaces \"x\" not found"
        );
    }
}
