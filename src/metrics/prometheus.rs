//! The Prometheus HTTP API client: `query_range` (with `step` chosen from the sparkline's width)
//! and instant `query`, with an optional bearer token, basic auth and a timeout. Answers are
//! checked: HTML, non-JSON, HTTP errors and Prometheus's own `status: error` each become a clear
//! message; `NaN` and `±Inf` samples stay as such (the views say so rather than drawing zero).

use std::time::Duration;

use serde_json::Value;

/// How a Prometheus server is reached.
#[derive(Debug, Clone, Default)]
pub struct PrometheusConfig {
    /// `http://prometheus:9090` (without `/api/v1`).
    pub url: String,
    pub bearer_token: Option<String>,
    /// (user, password).
    pub basic_auth: Option<(String, String)>,
    /// Extra headers on every request (a tenant id, say).
    pub headers: Vec<(String, String)>,
    /// A PEM file with the CA that signed Prometheus's certificate.
    pub ca_file: Option<std::path::PathBuf>,
    /// Accept any certificate (a test setup's self-signed one).
    pub insecure: bool,
    pub timeout: Option<Duration>,
}

impl PrometheusConfig {
    /// From the settings (the password and token from the environment, never from files).
    pub fn from_settings(url: &str, access: &crate::settings::config::PrometheusAccess) -> Self {
        let password = std::env::var("FLIGHTDECK_PROMETHEUS_PASSWORD").unwrap_or_default();
        PrometheusConfig {
            url: url.to_string(),
            bearer_token: std::env::var("FLIGHTDECK_PROMETHEUS_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
            basic_auth: access.user.clone().map(|user| (user, password)),
            headers: access
                .headers
                .as_deref()
                .unwrap_or_default()
                .split(';')
                .filter_map(|header| header.split_once(':'))
                .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
                .filter(|(name, _)| !name.is_empty())
                .collect(),
            ca_file: access.ca_file.clone(),
            insecure: access.insecure,
            timeout: None,
        }
    }
}

/// One series of a range query: its labels and `(seconds, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: Vec<(String, String)>,
    pub points: Vec<(f64, f64)>,
}

impl RangeSeries {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What can go wrong asking Prometheus, each in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrometheusError {
    /// The `prometheus_*` settings cannot make a client (a header, the CA file).
    #[error("{0}")]
    Settings(String),
    #[error("bad Prometheus URL {url}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("Prometheus did not answer in time")]
    Timeout,
    #[error("Prometheus is unreachable at {url}")]
    Unreachable { url: String },
    /// Any other failure of the request or of reading the answer.
    #[error("{0}")]
    Transport(String),
    #[error("HTTP {status}: answered HTML, not the Prometheus API (wrong URL, or a login page?)")]
    Html { status: u16 },
    #[error("HTTP {status}: the answer is not JSON")]
    NotJson { status: u16 },
    /// Prometheus refused the query (`errorType`, `error`): bad PromQL, a timeout on its side…
    #[error("Prometheus {kind}: {error}")]
    Refused { kind: String, error: String },
    #[error("HTTP {status}")]
    Status { status: u16 },
    #[error("the answer has no data")]
    NoData,
    #[error("expected a {expected} result, got `{got}`")]
    ResultType { expected: String, got: String },
}

/// A Prometheus server.
#[derive(Debug, Clone)]
pub struct Prometheus {
    config: PrometheusConfig,
    client: reqwest::Client,
}

impl Prometheus {
    pub fn new(config: PrometheusConfig) -> Result<Prometheus, PrometheusError> {
        let settings = PrometheusError::Settings;
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &config.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| settings(format!("bad header name `{name}` in prometheus_headers")))?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                settings(format!(
                    "bad value for header `{name}` in prometheus_headers"
                ))
            })?;
            headers.insert(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout.unwrap_or(Duration::from_secs(10)))
            .default_headers(headers)
            .danger_accept_invalid_certs(config.insecure);
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                settings(format!(
                    "cannot read prometheus_ca_file {}: {e}",
                    path.display()
                ))
            })?;
            let certificate = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| settings(format!("prometheus_ca_file {}: {e}", path.display())))?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .build()
            .map_err(|e| settings(format!("cannot build an HTTP client: {e}")))?;
        Ok(Prometheus { config, client })
    }

    /// `/api/v1/query_range` from `start` to `end` (Unix seconds) every `step` seconds.
    pub async fn query_range(
        &self,
        query: &str,
        start: f64,
        end: f64,
        step: u64,
    ) -> Result<Vec<RangeSeries>, PrometheusError> {
        let data = self
            .get(
                "query_range",
                &[
                    ("query", query.to_string()),
                    ("start", format!("{start:.3}")),
                    ("end", format!("{end:.3}")),
                    ("step", step.to_string()),
                ],
            )
            .await?;
        parse_matrix(&data)
    }

    /// `/api/v1/query` at `time` (Unix seconds): each series' labels and value.
    pub async fn query(&self, query: &str, time: f64) -> Result<Vec<RangeSeries>, PrometheusError> {
        let data = self
            .get(
                "query",
                &[("query", query.to_string()), ("time", format!("{time:.3}"))],
            )
            .await?;
        parse_vector(&data)
    }

    async fn get(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
    ) -> Result<Value, PrometheusError> {
        let url = format!(
            "{}/api/v1/{endpoint}",
            self.config.url.trim_end_matches('/')
        );
        let url =
            reqwest::Url::parse_with_params(&url, params).map_err(|e| PrometheusError::BadUrl {
                url: self.config.url.clone(),
                reason: e.to_string(),
            })?;
        let mut request = self.client.get(url);
        if let Some(token) = &self.config.bearer_token {
            request = request.bearer_auth(token);
        }
        if let Some((user, password)) = &self.config.basic_auth {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                PrometheusError::Timeout
            } else if e.is_connect() {
                PrometheusError::Unreachable {
                    url: self.config.url.clone(),
                }
            } else {
                PrometheusError::Transport(e.to_string())
            }
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| PrometheusError::Transport(e.to_string()))?;
        answer(status.as_u16(), &text)
    }
}

/// The `data` of an API answer, or what is wrong with it.
pub fn answer(status: u16, text: &str) -> Result<Value, PrometheusError> {
    if super::looks_like_html(text) {
        return Err(PrometheusError::Html { status });
    }
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return Err(PrometheusError::NotJson { status });
    };
    if body.get("status").and_then(Value::as_str) == Some("error") {
        let kind = body
            .get("errorType")
            .and_then(Value::as_str)
            .unwrap_or("error");
        let error = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(PrometheusError::Refused {
            kind: kind.to_string(),
            error: error.to_string(),
        });
    }
    if !(200..300).contains(&status) {
        return Err(PrometheusError::Status { status });
    }
    body.get("data").cloned().ok_or(PrometheusError::NoData)
}

/// A sample value as Prometheus writes it: a string, possibly `NaN`, `+Inf`, `-Inf`.
fn sample(value: &Value) -> Option<(f64, f64)> {
    let pair = value.as_array()?;
    let time = pair.first()?.as_f64()?;
    let value = match pair.get(1)?.as_str()? {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    Some((time, value))
}

fn labels(series: &Value) -> Vec<(String, String)> {
    series
        .get("metric")
        .and_then(Value::as_object)
        .map(|metric| {
            metric
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn results(data: &Value, kind: &str) -> Result<Vec<Value>, PrometheusError> {
    let result_type = data
        .get("resultType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if result_type != kind {
        return Err(PrometheusError::ResultType {
            expected: kind.to_string(),
            got: result_type.to_string(),
        });
    }
    Ok(data
        .get("result")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// The series of a `matrix` result.
pub fn parse_matrix(data: &Value) -> Result<Vec<RangeSeries>, PrometheusError> {
    Ok(results(data, "matrix")?
        .iter()
        .map(|series| RangeSeries {
            labels: labels(series),
            points: series
                .get("values")
                .and_then(Value::as_array)
                .map(|values| values.iter().filter_map(sample).collect())
                .unwrap_or_default(),
        })
        .collect())
}

/// The samples of a `vector` result, each as a one-point series.
pub fn parse_vector(data: &Value) -> Result<Vec<RangeSeries>, PrometheusError> {
    Ok(results(data, "vector")?
        .iter()
        .map(|series| RangeSeries {
            labels: labels(series),
            points: series.get("value").and_then(sample).into_iter().collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_checked_before_they_are_read() {
        assert_eq!(
            answer(200, "<!DOCTYPE html><p>sign in</p>"),
            Err(PrometheusError::Html { status: 200 })
        );
        let not_json = answer(502, "bad gateway").expect_err("not JSON");
        assert_eq!(not_json.to_string(), "HTTP 502: the answer is not JSON");
        let refused = answer(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#,
        )
        .expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "Prometheus bad_data: parse error at char 5"
        );
        assert_eq!(
            answer(503, r#"{"status":"success","data":{}}"#),
            Err(PrometheusError::Status { status: 503 })
        );
        let data = answer(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        )
        .expect("ok");
        assert_eq!(parse_matrix(&data), Ok(vec![]));
        assert_eq!(
            parse_vector(&data).map_err(|e| e.to_string()),
            Err("expected a vector result, got `matrix`".to_string())
        );
    }

    #[test]
    fn matrices_keep_nan_and_infinities() {
        let data = json!({"resultType": "matrix", "result": [{"metric": {"rollouts_pod_template_hash": "abc"}, "values": [[10, "1.5"], [20, "NaN"], [30, "+Inf"], [40, "garbage"]]}]});
        let series = parse_matrix(&data).expect("matrix");
        assert_eq!(series[0].label("rollouts_pod_template_hash"), Some("abc"));
        assert_eq!(series[0].points[0], (10.0, 1.5));
        assert!(series[0].points[1].1.is_nan());
        assert_eq!(series[0].points[2].1, f64::INFINITY);
        assert_eq!(series[0].points.len(), 3, "unparseable samples are dropped");
    }
}
