//! Finding the text of a named theme or keymap: a built-in embedded in the binary, a file in the
//! user's config directory (`themes/NAME.toml`, `keymaps/NAME.toml`), or an explicit path.

use std::path::{Path, PathBuf};

use super::warning::Warning;

/// The text of one theme or keymap file and the label used in its warnings.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name it is known by (file stem).
    pub name: String,
    /// What warnings call the file: the built-in's repository path, or the user's file path.
    pub label: String,
    pub text: String,
    /// Whether it was embedded in the binary.
    pub builtin: bool,
}

/// A family of named files (themes or keymaps).
pub struct Catalog {
    /// "theme" or "keymap", for messages.
    pub kind: &'static str,
    /// Built-in files as (name, text).
    pub builtins: &'static [(&'static str, &'static str)],
    /// Repository folder of the built-ins, for labels (`themes`).
    pub folder: &'static str,
    /// The user's folder for this family, if a config directory is known.
    pub user_dir: Option<PathBuf>,
}

impl Catalog {
    /// Looks `spec` up: a path if it contains a slash or ends in `.toml`, otherwise a user file
    /// of that name (which shadows a built-in of the same name), otherwise a built-in.
    pub fn find(&self, spec: &str) -> Result<Source, Warning> {
        if spec.contains('/') || spec.ends_with(".toml") {
            return read_file(Path::new(spec));
        }
        if let Some(dir) = &self.user_dir {
            let path = dir.join(format!("{spec}.toml"));
            if path.exists() {
                return read_file(&path);
            }
        }
        self.builtin(spec).ok_or_else(|| {
            Warning::new(
                "settings",
                None,
                format!(
                    "unknown {} `{spec}` (known: {})",
                    self.kind,
                    self.names().join(", ")
                ),
            )
        })
    }

    /// A built-in by name.
    pub fn builtin(&self, name: &str) -> Option<Source> {
        self.builtins
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(builtin, text)| Source {
                name: (*builtin).to_string(),
                label: format!("{}/{builtin}.toml", self.folder),
                text: (*text).to_string(),
                builtin: true,
            })
    }

    /// Every name that `find` accepts: built-ins and the user's files, sorted, without repeats.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .builtins
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        names.extend(self.user_files().into_iter().filter_map(|path| {
            path.file_stem()
                .and_then(|stem| stem.to_str())
                .map(str::to_string)
        }));
        names.sort();
        names.dedup();
        names
    }

    /// The `*.toml` files in the user's folder.
    pub fn user_files(&self) -> Vec<PathBuf> {
        let Some(dir) = &self.user_dir else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        files
    }
}

/// Reads a user file; unreadable or non-UTF-8 files become one warning.
pub fn read_file(path: &Path) -> Result<Source, Warning> {
    let label = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Source {
                name: path
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                label,
                text,
                builtin: false,
            }),
            Err(_) => Err(Warning::new(label, None, "not UTF-8 text; ignored")),
        },
        Err(error) => Err(Warning::new(label, None, format!("cannot read: {error}"))),
    }
}

/// Longest chain of `parent` links followed before giving up (guards against cycles).
const MAX_PARENTS: usize = 8;

/// Loads `spec` and its ancestors through `parent` links, returning the parsed files with the
/// root ancestor first, and the name actually used. When `spec` itself cannot be found, the
/// built-in `fallback` is used.
/// A user file whose parent has its own name (a user `default.toml` with `parent = "default"`)
/// inherits from the built-in of that name.
pub fn load_chain<T>(
    catalog: &Catalog,
    spec: &str,
    fallback: &str,
    parse: impl Fn(&Source) -> T,
    parent_of: impl Fn(&T) -> Option<String>,
) -> (Vec<T>, Vec<Warning>, String) {
    let mut used = spec.to_string();
    let mut warnings = Vec::new();
    let mut chain: Vec<T> = Vec::new();
    let mut previous: Option<Source> = None;
    let mut next = Some(spec.to_string());
    while let Some(name) = next.take() {
        if chain.len() == MAX_PARENTS {
            let label = previous.map(|s| s.label).unwrap_or_default();
            warnings.push(Warning::new(
                label,
                None,
                format!("more than {MAX_PARENTS} parents (a cycle?); stopped before `{name}`"),
            ));
            break;
        }
        let found = match &previous {
            Some(child) if !child.builtin && child.name == name => {
                catalog.builtin(&name).ok_or_else(|| {
                    Warning::new(
                        child.label.clone(),
                        None,
                        format!("parent `{name}` is not a built-in {}", catalog.kind),
                    )
                })
            }
            _ => catalog.find(&name),
        };
        let source = match found {
            Ok(source) => source,
            Err(warning) => {
                warnings.push(warning);
                if chain.is_empty()
                    && let Some(builtin) = catalog.builtin(fallback)
                {
                    warnings.push(Warning::new(
                        "settings",
                        None,
                        format!("using the {fallback} {}", catalog.kind),
                    ));
                    chain.push(parse(&builtin));
                    used = fallback.to_string();
                }
                break;
            }
        };
        let parsed = parse(&source);
        next = parent_of(&parsed).filter(|parent| !parent.is_empty());
        chain.push(parsed);
        previous = Some(source);
    }
    chain.reverse();
    (chain, warnings, used)
}
