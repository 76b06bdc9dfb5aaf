//! Everything the user can configure, loaded once at start: the config file, `FLIGHTDECK_*`
//! variables and flags (layered in that order over built-in defaults), the theme and the keymap.
//! Problems become warnings; loading never fails.

pub mod apps;
pub mod config;
pub mod paths;
pub mod sources;
pub mod toml_doc;
pub mod warning;

use std::ffi::OsString;
use std::path::PathBuf;

pub use config::{ColorChoice, Settings, SymbolChoice};
pub use warning::Warning;

use crate::cli::Options;
use crate::keymap::Keymap;
use crate::theme::{ColorDepth, Theme};

/// What the process environment says about the terminal.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    pub colorterm: Option<String>,
    pub term: Option<String>,
    /// The locale (`LC_ALL`, `LC_CTYPE`, `LANG`) says UTF-8, or says nothing.
    pub utf8: bool,
    /// The locale variable that decided `utf8`, for the message.
    pub locale: Option<String>,
}

impl Environment {
    /// Reads the current process environment.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// Reads an environment through `lookup` (testable).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        let text = |name: &str| lookup(name).and_then(|value| value.into_string().ok());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|name| {
            lookup(name)
                .filter(|value| !value.is_empty())
                .map(|value| format!("{name}={}", value.to_string_lossy()))
        });
        let utf8 = locale.as_ref().is_none_or(|setting| {
            let lower = setting.to_ascii_lowercase();
            lower.contains("utf-8") || lower.contains("utf8")
        });
        Self {
            no_color: lookup("NO_COLOR").is_some_and(|value| !value.is_empty()),
            colorterm: text("COLORTERM"),
            term: text("TERM"),
            utf8,
            locale,
        }
    }
}

/// Settings, theme and keymap, ready to run with.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub settings: Settings,
    pub config_dir: Option<PathBuf>,
    /// The config file that was (or would have been) read.
    pub config_file: Option<PathBuf>,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Draw with ASCII instead of Unicode box drawing and symbols.
    pub ascii: bool,
    pub warnings: Vec<Warning>,
}

/// Loads everything for `options` in `environment`, with `config_dir` as the user's config
/// directory (normally [`paths::config_dir`]).
pub fn load(options: &Options, environment: &Environment, config_dir: Option<PathBuf>) -> Loaded {
    let mut warnings = Vec::new();
    let mut settings = Settings::default();
    let config_file = options
        .config
        .clone()
        .or_else(|| config_dir.as_ref().map(|dir| dir.join("config.toml")));
    if let Some(path) = &config_file {
        if path.exists() || options.config.is_some() {
            match sources::read_file(path) {
                Ok(source) => warnings.extend(settings.apply_file(&source.label, &source.text)),
                Err(warning) => warnings.push(warning),
            }
        }
    }
    apply_options(&mut settings, options);
    let theme_spec = if environment.no_color && options.theme.is_none() {
        "mono".to_string()
    } else {
        settings.theme.clone()
    };
    let depth = match settings.color {
        ColorChoice::Fixed(depth) if !environment.no_color => depth,
        _ => ColorDepth::detect(
            environment.no_color,
            environment.colorterm.as_deref(),
            environment.term.as_deref(),
        ),
    };
    let (theme, theme_warnings) =
        Theme::load(&Theme::catalog(config_dir.clone()), &theme_spec, depth);
    warnings.extend(theme_warnings);
    let keymap_overrides = config_dir.as_ref().map(|dir| dir.join("keymap.toml"));
    let (keymap, keymap_warnings) = Keymap::load(
        &Keymap::catalog(config_dir.clone()),
        &settings.keymap,
        keymap_overrides,
    );
    warnings.extend(keymap_warnings);
    let ascii = match settings.symbols {
        SymbolChoice::Ascii => true,
        SymbolChoice::Unicode => false,
        SymbolChoice::Auto => !environment.utf8,
    };
    if settings.symbols == SymbolChoice::Auto && !environment.utf8 {
        let locale = environment.locale.clone().unwrap_or_default();
        warnings.push(Warning::new(
            "environment",
            None,
            format!("the locale ({locale}) is not UTF-8: drawing with ASCII (set symbols = \"unicode\" to override)"),
        ));
    }
    Loaded {
        settings,
        config_dir,
        config_file,
        theme,
        keymap,
        ascii,
        warnings,
    }
}

/// Flags and `FLIGHTDECK_*` variables win over the config file. Switches can only turn on.
fn apply_options(settings: &mut Settings, options: &Options) {
    config::set(&mut settings.kubeconfig, options.kubeconfig.clone());
    config::set(&mut settings.context, options.context.clone());
    config::set(&mut settings.prometheus_url, options.prometheus_url.clone());
    config::set(&mut settings.gitops_repo, options.gitops_repo.clone());
    config::set(&mut settings.metrics_scrape, options.metrics_scrape.clone());
    config::set(&mut settings.log_file, options.log_file.clone());
    if let Some(namespace) = &options.namespace {
        settings.namespace = Some(namespace.clone());
        settings.all_namespaces = false;
    }
    settings.all_namespaces |= options.all_namespaces;
    settings.read_only |= options.read_only;
    if let Some(theme) = &options.theme {
        settings.theme.clone_from(theme);
    }
    if let Some(keymap) = &options.keymap {
        settings.keymap.clone_from(keymap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> Environment {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Environment::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn locale_decides_utf8() {
        assert!(environment(&[]).utf8);
        assert!(environment(&[("LANG", "en_US.UTF-8")]).utf8);
        assert!(!environment(&[("LANG", "C")]).utf8);
        assert!(environment(&[("LC_ALL", "C.utf8"), ("LANG", "C")]).utf8);
        assert!(!environment(&[("LC_ALL", "POSIX"), ("LANG", "en_US.UTF-8")]).utf8);
    }

    #[test]
    fn no_color_selects_mono_without_colours() {
        let loaded = load(
            &Options::default(),
            &environment(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")]),
            None,
        );
        assert_eq!(loaded.theme.name, "mono");
        assert_eq!(loaded.theme.depth, ColorDepth::None);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }

    #[test]
    fn flags_beat_the_config_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("config.toml"),
            "theme = \"light\"\nnamespace = \"a\"\nall_namespaces = true\n",
        )
        .expect("write");
        let options = Options {
            namespace: Some("b".into()),
            ..Options::default()
        };
        let loaded = load(&options, &environment(&[]), Some(dir.path().to_path_buf()));
        assert_eq!(loaded.settings.theme, "light");
        assert_eq!(loaded.settings.namespace.as_deref(), Some("b"));
        assert!(!loaded.settings.all_namespaces);
        let options = Options {
            theme: Some("no-such-theme".into()),
            ..Options::default()
        };
        let loaded = load(&options, &environment(&[]), Some(dir.path().to_path_buf()));
        assert_eq!(loaded.theme.name, "default");
        assert!(
            loaded
                .warnings
                .iter()
                .any(|w| w.message.starts_with("unknown theme `no-such-theme`")),
            "{:?}",
            loaded.warnings
        );
    }
}
