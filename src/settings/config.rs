//! The config file (`$XDG_CONFIG_HOME/flightdeck/config.toml`) and the layering of settings:
//! built-in defaults < config file < `FLIGHTDECK_*` environment < command-line flags.
//! Every problem in the file becomes a warning with its line; the rest of the file still counts.

use std::path::PathBuf;

use super::toml_doc::{TomlDoc, expect_bool, expect_string, expect_strings, named_sections};
use super::warning::Warning;

/// How to choose the number of colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// From `NO_COLOR`, `COLORTERM` and `TERM`.
    #[default]
    Auto,
    /// As set: `truecolor`, `256`, `16` or `none`.
    Fixed(crate::theme::ColorDepth),
}

/// Which symbols to draw borders and glyphs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SymbolChoice {
    /// Unicode unless the locale says the terminal is not UTF-8.
    #[default]
    Auto,
    Unicode,
    Ascii,
}

/// Settings that apply to contexts whose name matches `pattern` (`*` matches any text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRule {
    pub pattern: String,
    /// Show the production banner for this context.
    pub production: Option<bool>,
    /// Refuse every write in this context.
    pub read_only: Option<bool>,
}

/// Prometheus access beyond the URL (`prometheus_user`, `prometheus_headers`,
/// `prometheus_ca_file`, `prometheus_insecure`; the password and token come from
/// `FLIGHTDECK_PROMETHEUS_PASSWORD` and `FLIGHTDECK_PROMETHEUS_TOKEN`, never from files).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrometheusAccess {
    pub user: Option<String>,
    /// `Name: value; Name2: value2`.
    pub headers: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub insecure: bool,
}

/// `[queries."APP"]` or `[queries."APP/NAMESPACE"]`: PromQL templates with `{{app}}` and
/// `{{namespace}}`, each returning one series per `rollouts_pod_template_hash`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOverride {
    pub target: String,
    pub request_rate: Option<String>,
    pub error_percent: Option<String>,
    pub p95: Option<String>,
}

/// The settings flightdeck runs with, after layering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    /// More namespaces to watch in when a kind may not be watched cluster-wide
    /// (`namespaces = [...]`).
    pub namespaces: Vec<String>,
    pub all_namespaces: bool,
    pub read_only: bool,
    pub theme: String,
    pub keymap: String,
    pub prometheus_url: Option<String>,
    /// `/metrics` endpoints scraped directly (comma-separated URLs).
    pub metrics_scrape: Option<String>,
    /// How to reach Prometheus beyond its URL.
    pub prometheus: PrometheusAccess,
    /// Queries replacing the seed's for some apps or app/namespace pairs.
    pub queries: Vec<QueryOverride>,
    pub gitops_repo: Option<String>,
    pub log_file: Option<PathBuf>,
    pub color: ColorChoice,
    pub symbols: SymbolChoice,
    pub contexts: Vec<ContextRule>,
    /// How the pipeline groups Applications and tells builds (`app_label`, `[apps."NAME"]`).
    pub correlation: crate::model::correlation::Correlation,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            kubeconfig: None,
            context: None,
            namespace: None,
            namespaces: Vec::new(),
            all_namespaces: false,
            read_only: false,
            theme: "default".into(),
            keymap: "default".into(),
            prometheus_url: None,
            metrics_scrape: None,
            prometheus: PrometheusAccess::default(),
            queries: Vec::new(),
            gitops_repo: None,
            log_file: None,
            color: ColorChoice::Auto,
            symbols: SymbolChoice::Auto,
            // Contexts named like production get the banner unless the user says otherwise.
            contexts: vec![ContextRule {
                pattern: "*prod*".into(),
                production: Some(true),
                read_only: None,
            }],
            correlation: Default::default(),
        }
    }
}

impl Settings {
    /// Applies a config file's text on top of these settings; returns the file's warnings.
    pub fn apply_file(&mut self, label: &str, text: &str) -> Vec<Warning> {
        let mut doc = TomlDoc::parse(label, text);
        let root = std::mem::take(&mut doc.root);
        for (key, value) in root.iter() {
            let name = key.get_ref().as_ref();
            match name {
                "kubeconfig" => set(
                    &mut self.kubeconfig,
                    expect_string(&mut doc, name, value).map(PathBuf::from),
                ),
                "context" => set(&mut self.context, expect_string(&mut doc, name, value)),
                "namespace" => set(&mut self.namespace, expect_string(&mut doc, name, value)),
                "namespaces" => {
                    if let Some(namespaces) = expect_strings(&mut doc, name, value) {
                        self.namespaces = namespaces;
                    }
                }
                "prometheus_url" => set(
                    &mut self.prometheus_url,
                    expect_string(&mut doc, name, value),
                ),
                "gitops_repo" => set(&mut self.gitops_repo, expect_string(&mut doc, name, value)),
                "prometheus_user" => set(
                    &mut self.prometheus.user,
                    expect_string(&mut doc, name, value),
                ),
                "prometheus_headers" => set(
                    &mut self.prometheus.headers,
                    expect_string(&mut doc, name, value),
                ),
                "prometheus_ca_file" => set(
                    &mut self.prometheus.ca_file,
                    expect_string(&mut doc, name, value).map(PathBuf::from),
                ),
                "prometheus_insecure" => {
                    self.prometheus.insecure =
                        expect_bool(&mut doc, name, value).unwrap_or(self.prometheus.insecure)
                }
                "queries" => {
                    for (target, fields) in named_sections(&mut doc, ("queries", "APP"), value) {
                        let mut parsed = QueryOverride {
                            target: target.clone(),
                            ..Default::default()
                        };
                        for (field, field_value) in fields.iter() {
                            let slot = match field.get_ref().as_ref() {
                                "request_rate" => &mut parsed.request_rate,
                                "error_percent" => &mut parsed.error_percent,
                                "p95" => &mut parsed.p95,
                                other => {
                                    doc.warn(field.span(), format!("[queries.\"{target}\"]: unknown key `{other}` (request_rate, error_percent, p95); ignored"));
                                    continue;
                                }
                            };
                            *slot = expect_string(&mut doc, "query", field_value);
                        }
                        self.queries.push(parsed);
                    }
                }
                "metrics_scrape" => set(
                    &mut self.metrics_scrape,
                    expect_string(&mut doc, name, value),
                ),
                "log_file" => set(
                    &mut self.log_file,
                    expect_string(&mut doc, name, value).map(PathBuf::from),
                ),
                "theme" => {
                    self.theme = expect_string(&mut doc, name, value).unwrap_or(self.theme.clone())
                }
                "keymap" => {
                    self.keymap =
                        expect_string(&mut doc, name, value).unwrap_or(self.keymap.clone())
                }
                "all_namespaces" => {
                    self.all_namespaces =
                        expect_bool(&mut doc, name, value).unwrap_or(self.all_namespaces)
                }
                "read_only" => {
                    self.read_only = expect_bool(&mut doc, name, value).unwrap_or(self.read_only)
                }
                "color" => {
                    if let Some(text) = expect_string(&mut doc, name, value) {
                        match parse_color_choice(&text) {
                            Some(choice) => self.color = choice,
                            None => doc.warn(value.span(), format!("`color` must be auto, truecolor, 256, 16 or none, not `{text}`; using auto")),
                        }
                    }
                }
                "symbols" => {
                    if let Some(text) = expect_string(&mut doc, name, value) {
                        match text.as_str() {
                            "auto" => self.symbols = SymbolChoice::Auto,
                            "unicode" => self.symbols = SymbolChoice::Unicode,
                            "ascii" => self.symbols = SymbolChoice::Ascii,
                            _ => doc.warn(value.span(), format!("`symbols` must be auto, unicode or ascii, not `{text}`; using auto")),
                        }
                    }
                }
                "contexts" => {
                    for (pattern_text, fields) in
                        named_sections(&mut doc, ("contexts", "NAME"), value)
                    {
                        let mut parsed = ContextRule {
                            pattern: pattern_text.clone(),
                            production: None,
                            read_only: None,
                        };
                        for (field, field_value) in fields.iter() {
                            match field.get_ref().as_ref() {
                                "production" => parsed.production = expect_bool(&mut doc, "production", field_value),
                                "read_only" => parsed.read_only = expect_bool(&mut doc, "read_only", field_value),
                                other => doc.warn(field.span(), format!("[contexts.\"{pattern_text}\"]: unknown key `{other}` (production, read_only); ignored")),
                            }
                        }
                        self.contexts.push(parsed);
                    }
                }
                "app_label" => {
                    if let Some(label) = expect_string(&mut doc, name, value) {
                        self.correlation.app_label = label;
                    }
                }
                "apps" => self
                    .correlation
                    .apps
                    .extend(super::apps::parse(&mut doc, value)),
                other => doc.warn(
                    key.span(),
                    format!("unknown setting `{other}`; ignored (see README, Configuration)"),
                ),
            }
        }
        doc.warnings
    }

    /// The last matching rule's answer for `context`, or `false`.
    pub fn is_production(&self, context: &str) -> bool {
        self.rule_value(context, |rule| rule.production)
    }

    /// Whether writes are refused for `context` (globally or by a context rule).
    pub fn is_read_only(&self, context: &str) -> bool {
        self.read_only || self.rule_value(context, |rule| rule.read_only)
    }

    fn rule_value(&self, context: &str, field: impl Fn(&ContextRule) -> Option<bool>) -> bool {
        self.contexts
            .iter()
            .filter(|rule| glob_match(&rule.pattern, context))
            .filter_map(field)
            .next_back()
            .unwrap_or(false)
    }
}

/// Replaces `slot` when `value` is given.
pub fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// Parses the `color` setting.
pub fn parse_color_choice(text: &str) -> Option<ColorChoice> {
    if text == "auto" {
        return Some(ColorChoice::Auto);
    }
    crate::theme::ColorDepth::from_setting(text).map(ColorChoice::Fixed)
}

/// Matches `text` against a pattern where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(index) => rest = &rest[index + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*prod*", "gke-prod-eu"));
        assert!(glob_match("prod", "prod"));
        assert!(!glob_match("prod", "production"));
        assert!(glob_match("kind-*", "kind-dev"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxcyyb"));
        assert!(!glob_match("ab*ba", "aba"));
    }

    #[test]
    fn prometheus_access_and_query_overrides() {
        let mut settings = Settings::default();
        let text = "prometheus_user = \"viewer\"\nprometheus_headers = \"X-Scope-OrgID: team-a\"\nprometheus_insecure = true\n\n[queries.\"shop/shop-prod\"]\nrequest_rate = \"rate_q\"\nlatency = \"x\"\n";
        let warnings = settings.apply_file("config.toml", text);
        assert_eq!(settings.prometheus.user.as_deref(), Some("viewer"));
        assert!(settings.prometheus.insecure);
        assert_eq!(settings.queries.len(), 1);
        assert_eq!(settings.queries[0].target, "shop/shop-prod");
        assert_eq!(settings.queries[0].request_rate.as_deref(), Some("rate_q"));
        let rendered: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "config.toml:7: [queries.\"shop/shop-prod\"]: unknown key `latency` (request_rate, error_percent, p95); ignored"
            ]
        );
    }

    #[test]
    fn file_values_override_defaults_and_bad_ones_warn() {
        let mut settings = Settings::default();
        let text = "theme = \"light\"\nread_only = \"yes\"\nbogus = 1\ncolor = \"256\"\n\n[contexts.\"kind-*\"]\nread_only = true\n";
        let warnings = settings.apply_file("config.toml", text);
        assert_eq!(settings.theme, "light");
        assert!(!settings.read_only);
        assert_eq!(
            settings.color,
            ColorChoice::Fixed(crate::theme::ColorDepth::Ansi256)
        );
        assert!(settings.is_read_only("kind-dev"));
        assert!(settings.is_production("prod-eu"));
        let rendered: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "config.toml:2: `read_only` must be true or false, found a string; ignored",
                "config.toml:3: unknown setting `bogus`; ignored (see README, Configuration)",
            ]
        );
    }

    #[test]
    fn namespaces_are_a_list_of_strings() {
        let mut settings = Settings::default();
        let warnings = settings.apply_file("c", "namespaces = [\"shop-dev\", \"shop-prod\"]\n");
        assert!(warnings.is_empty());
        assert_eq!(settings.namespaces, ["shop-dev", "shop-prod"]);
        let warnings = settings.apply_file("c", "namespaces = [\"a\", 2]\n");
        assert_eq!(settings.namespaces, ["shop-dev", "shop-prod"]);
        let rendered: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            ["c:1: `namespaces` must hold only strings, found an integer; ignored"]
        );
        let warnings = settings.apply_file("c", "namespaces = \"shop-dev\"\n");
        let rendered: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            ["c:1: `namespaces` must be an array of strings, found a string; ignored"]
        );
    }

    #[test]
    fn later_context_rules_win() {
        let mut settings = Settings::default();
        settings.apply_file("c", "[contexts.\"prod-sandbox\"]\nproduction = false\n");
        assert!(!settings.is_production("prod-sandbox"));
        assert!(settings.is_production("prod-eu"));
    }
}
