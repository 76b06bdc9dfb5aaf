//! The `:` command palette: a prompt whose suggestions are the palette actions of the registry and
//! the views (with k9s-style aliases such as `wf`, `app`, `ro`, `ar`, `freight`, `stage`, `promo`),
//! narrowed as you type, completed with `complete`, run with `accept`; `ns NAME` scopes the
//! views (completing from the namespaces watched or seen) and `ctx NAME` switches the cluster
//! context (completing from the kubeconfig's).

use super::input::InputLine;
use super::screen::View;
use crate::keymap::Action;
use crate::model::Kind;

/// Extra names the palette accepts for an action (k9s and vim habits).
const ACTION_ALIASES: &[(&str, Action)] = &[
    ("q", Action::Quit),
    ("q!", Action::Quit),
    ("exit", Action::Quit),
    ("h", Action::Help),
    ("warn", Action::ShowWarnings),
    ("home", Action::ShowPipeline),
    ("pipeline", Action::ShowPipeline),
    ("waiting", Action::ShowWaiting),
    ("kargo", Action::ShowKargo),
];

/// Views by name, with their aliases (the first name is the one suggested).
const VIEWS: &[(&[&str], Kind)] = &[
    (&["workflows", "wf", "workflow"], Kind::Workflow),
    (
        &["applications", "app", "apps", "application"],
        Kind::Application,
    ),
    (&["rollouts", "ro", "rollout"], Kind::Rollout),
    (&["analysisruns", "ar", "analysisrun"], Kind::AnalysisRun),
    (&["freight", "freights"], Kind::Freight),
    (&["stages", "stage"], Kind::Stage),
    (
        &["promotions", "promo", "promos", "promotion"],
        Kind::Promotion,
    ),
    (&["replicasets", "rs", "replicaset"], Kind::ReplicaSet),
    (&["pods", "po", "pod"], Kind::Pod),
    (&["events", "ev", "event"], Kind::Event),
    (
        &["workflowtemplates", "wftmpl", "workflowtemplate"],
        Kind::WorkflowTemplate,
    ),
    (&["eventsources", "es", "eventsource"], Kind::EventSource),
    (&["sensors", "sn", "sensor"], Kind::Sensor),
    (&["warehouses", "warehouse", "wh"], Kind::Warehouse),
    (&["experiments", "experiment", "exp"], Kind::Experiment),
];

/// Something the palette can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Action(Action),
    Show(View),
}

impl Command {
    /// The name the palette shows and completes to.
    pub fn name(self) -> &'static str {
        match self {
            Command::Action(action) => action.name(),
            Command::Show(View::List(kind)) => VIEWS
                .iter()
                .find(|(_, k)| *k == kind)
                .map(|(names, _)| names[0])
                .unwrap_or("list"),
            Command::Show(View::Waiting) => "waiting",
            Command::Show(View::Kargo) => "kargo",
            Command::Show(View::Pipeline) => "pipeline",
            Command::Show(View::Detail(_)) => "detail",
            Command::Show(View::Logs) => "logs",
            Command::Show(View::ActionLog) => "show-action-log",
            Command::Show(View::Metrics(_)) => "show-metrics",
        }
    }

    pub fn description(self) -> String {
        match self {
            Command::Action(action) => action.description().to_string(),
            Command::Show(view) => format!("List {}", view.title()),
        }
    }

    /// The aliases that also name it.
    fn aliases(self) -> Vec<&'static str> {
        match self {
            Command::Show(View::List(kind)) => VIEWS
                .iter()
                .find(|(_, k)| *k == kind)
                .map(|(names, _)| names[1..].to_vec())
                .unwrap_or_default(),
            Command::Action(action) => ACTION_ALIASES
                .iter()
                .filter(|(_, a)| *a == action)
                .map(|(alias, _)| *alias)
                .collect(),
            Command::Show(_) => Vec::new(),
        }
    }
}

/// Every command, in palette order.
fn commands() -> Vec<Command> {
    let mut commands: Vec<Command> = VIEWS
        .iter()
        .map(|(_, kind)| Command::Show(View::List(*kind)))
        .collect();
    commands.extend(
        Action::ALL
            .iter()
            .copied()
            .filter(|a| a.in_palette())
            .map(Command::Action),
    );
    commands
}

/// State of an open palette.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: InputLine,
    /// Index into `suggestions()` of the highlighted one.
    pub highlighted: usize,
    /// The kubeconfig's contexts, for `ctx NAME`.
    pub contexts: Vec<String>,
    /// The namespaces watched in or seen, for `ns NAME`.
    pub namespaces: Vec<String>,
}

/// What `accept` resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteOutcome {
    Run(Command),
    /// `:ns NAME` (or `:ns all`): scope the views to a namespace.
    Namespace(String),
    /// `:ctx NAME`: switch to another kubeconfig context.
    Context(String),
    /// `:ctx` alone: say which contexts there are.
    Contexts,
    /// `:why APP`: explain an application's pipeline.
    Why(String),
    Unknown(String),
    Empty,
}

impl Palette {
    /// An empty palette that completes `ctx` with these contexts and `ns` with these namespaces.
    pub fn new(contexts: Vec<String>, namespaces: Vec<String>) -> Palette {
        Palette {
            contexts,
            namespaces,
            ..Palette::default()
        }
    }

    /// Commands whose name or alias starts with the typed text, then those that contain it.
    pub fn suggestions(&self) -> Vec<Command> {
        let typed = self.input.text().trim().to_ascii_lowercase();
        let mut prefix = Vec::new();
        let mut inner = Vec::new();
        for command in commands() {
            let names: Vec<&str> = std::iter::once(command.name())
                .chain(command.aliases())
                .collect();
            if names.iter().any(|n| n.starts_with(&typed)) {
                prefix.push(command);
            } else if names.iter().any(|n| n.contains(&typed))
                || (typed.len() >= 3 && command.description().to_ascii_lowercase().contains(&typed))
            {
                inner.push(command);
            }
        }
        prefix.extend(inner);
        prefix
    }

    pub fn move_highlight(&mut self, forward: bool) {
        let count = self.suggestions().len();
        if count == 0 {
            self.highlighted = 0;
        } else if forward {
            self.highlighted = (self.highlighted + 1) % count;
        } else {
            self.highlighted = (self.highlighted + count - 1) % count;
        }
    }

    /// Replaces the typed text with the highlighted suggestion's name (after `ctx ` or `ns `:
    /// with the longest name every matching context or namespace starts with).
    pub fn complete(&mut self) {
        for (command, names) in [("ctx", &self.contexts), ("ns", &self.namespaces)] {
            let Some(partial) = self.input.text().strip_prefix(command) else {
                continue;
            };
            let Some(partial) = partial.strip_prefix(' ') else {
                continue;
            };
            if let Some(common) = longest_common_start(names, partial.trim_start()) {
                self.input.set(&format!("{command} {common}"));
            }
            return;
        }
        if let Some(command) = self.suggestions().get(self.highlighted) {
            self.input.set(command.name());
            self.highlighted = 0;
        }
    }

    /// Typing changes the suggestions, so the highlight goes back to the best one.
    pub fn edited(&mut self) {
        self.highlighted = 0;
    }

    /// The command an exact name or alias names, else the highlighted suggestion.
    pub fn accept(&self) -> PaletteOutcome {
        let typed = self.input.text().trim();
        if typed.is_empty() {
            return PaletteOutcome::Empty;
        }
        if let Some(namespace) = typed
            .strip_prefix("ns ")
            .or_else(|| typed.strip_prefix("namespace "))
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            return PaletteOutcome::Namespace(namespace.to_string());
        }
        if let Some(app) = typed
            .strip_prefix("why ")
            .map(str::trim)
            .filter(|app| !app.is_empty())
        {
            return PaletteOutcome::Why(app.to_string());
        }
        if let Some(rest) = typed
            .strip_prefix("ctx")
            .or_else(|| typed.strip_prefix("context"))
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
        {
            return match rest.trim() {
                "" => PaletteOutcome::Contexts,
                name => PaletteOutcome::Context(name.to_string()),
            };
        }
        if let Some(command) = commands()
            .into_iter()
            .find(|c| c.name() == typed || c.aliases().contains(&typed))
        {
            return PaletteOutcome::Run(command);
        }
        match self.suggestions().get(self.highlighted) {
            Some(command) => PaletteOutcome::Run(*command),
            None => PaletteOutcome::Unknown(typed.to_string()),
        }
    }
}

/// The longest text that every name starting with `partial` starts with; `None` when no name
/// does.
fn longest_common_start<'a>(names: &'a [String], partial: &str) -> Option<&'a str> {
    let mut matching = names.iter().filter(|name| name.starts_with(partial));
    let first = matching.next()?.as_str();
    Some(matching.fold(first, |common, name| {
        let length = common
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((index, a), _)| index + a.len_utf8());
        &common[..length]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Palette {
        Palette {
            input: InputLine::new(text),
            highlighted: 0,
            contexts: vec![
                "kind-dev".into(),
                "kind-prod-eu".into(),
                "kind-prod-us".into(),
            ],
            namespaces: vec!["argocd".into(), "shop-dev".into(), "shop-prod".into()],
        }
    }

    #[test]
    fn ns_completes_from_the_namespaces_watched() {
        let mut palette = typed("ns sh");
        palette.complete();
        assert_eq!(palette.input.text(), "ns shop-");
        let mut palette = typed("ns a");
        palette.complete();
        assert_eq!(palette.input.text(), "ns argocd");
        assert_eq!(palette.accept(), PaletteOutcome::Namespace("argocd".into()));
        let mut palette = typed("ns kube");
        palette.complete();
        assert_eq!(
            palette.input.text(),
            "ns kube",
            "nothing matches: unchanged"
        );
    }

    #[test]
    fn ctx_switches_and_completes_from_the_kubeconfig() {
        assert_eq!(
            typed("ctx kind-dev").accept(),
            PaletteOutcome::Context("kind-dev".into())
        );
        assert_eq!(typed("ctx").accept(), PaletteOutcome::Contexts);
        assert_eq!(
            typed("context x").accept(),
            PaletteOutcome::Context("x".into())
        );
        let mut palette = typed("ctx kind-p");
        palette.complete();
        assert_eq!(palette.input.text(), "ctx kind-prod-");
        let mut palette = typed("ctx kind-d");
        palette.complete();
        assert_eq!(palette.input.text(), "ctx kind-dev");
        let mut palette = typed("ctx zz");
        palette.complete();
        assert_eq!(palette.input.text(), "ctx zz", "nothing matches: unchanged");
    }

    #[test]
    fn narrows_completes_and_accepts() {
        let mut palette = typed("he");
        assert_eq!(
            palette.suggestions().first(),
            Some(&Command::Action(Action::Help))
        );
        palette.complete();
        assert_eq!(palette.input.text(), "help");
        assert_eq!(
            typed("q").accept(),
            PaletteOutcome::Run(Command::Action(Action::Quit))
        );
        assert_eq!(
            typed("warn").accept(),
            PaletteOutcome::Run(Command::Action(Action::ShowWarnings))
        );
        assert_eq!(
            typed("ro").accept(),
            PaletteOutcome::Run(Command::Show(View::List(Kind::Rollout)))
        );
        assert_eq!(
            typed("wf").accept(),
            PaletteOutcome::Run(Command::Show(View::List(Kind::Workflow)))
        );
        assert_eq!(
            typed("promo").accept(),
            PaletteOutcome::Run(Command::Show(View::List(Kind::Promotion)))
        );
        assert_eq!(typed("zzz").accept(), PaletteOutcome::Unknown("zzz".into()));
        assert_eq!(
            typed("ns argo").accept(),
            PaletteOutcome::Namespace("argo".into())
        );
        assert_eq!(
            typed("ns all").accept(),
            PaletteOutcome::Namespace("all".into())
        );
        assert_eq!(typed("  ").accept(), PaletteOutcome::Empty);
        assert_eq!(
            typed("select-next").accept(),
            PaletteOutcome::Unknown("select-next".into())
        );
    }

    #[test]
    fn highlight_wraps() {
        let mut palette = typed("");
        let count = palette.suggestions().len();
        assert!(count > 2);
        palette.move_highlight(false);
        assert_eq!(palette.highlighted, count - 1);
        palette.move_highlight(true);
        assert_eq!(palette.highlighted, 0);
    }
}
