//! Keymap layers: the contexts in which a key is looked up (a view, an overlay or a prompt).
//! Each layer is a `[section]` of a keymap file.

/// A context with its own key bindings. Lookups try the active layer, then `global` (except in
/// text prompts, where unbound keys are typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Keys that work everywhere except in text prompts.
    Global,
    /// The pipeline view (home).
    Pipeline,
    /// Lists: "waiting on me" and the list of each kind.
    List,
    /// The key-bindings overlay.
    Help,
    /// An object's YAML.
    Detail,
    /// The list of config, theme and keymap problems.
    Warnings,
    /// The `:` command palette prompt.
    Palette,
    /// The `/` filter prompt.
    Filter,
    /// The confirmation of a change (type the object's name where that is required).
    Confirm,
    /// A list of choices (a revision, a stage, a history entry); typing narrows it.
    Choose,
}

impl Layer {
    pub const ALL: &'static [Layer] = &[
        Layer::Global,
        Layer::Pipeline,
        Layer::List,
        Layer::Help,
        Layer::Detail,
        Layer::Warnings,
        Layer::Palette,
        Layer::Filter,
        Layer::Confirm,
        Layer::Choose,
    ];

    /// Section name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Global => "global",
            Layer::Pipeline => "pipeline",
            Layer::List => "list",
            Layer::Help => "help",
            Layer::Detail => "detail",
            Layer::Warnings => "warnings",
            Layer::Palette => "palette",
            Layer::Filter => "filter",
            Layer::Confirm => "confirm",
            Layer::Choose => "choose",
        }
    }

    /// Human title used in the help overlay and `flightdeck keys`.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Global => "Everywhere",
            Layer::Pipeline => "Pipeline view",
            Layer::List => "Lists (waiting on me, each kind)",
            Layer::Help => "Help overlay",
            Layer::Detail => "YAML view",
            Layer::Warnings => "Warnings overlay",
            Layer::Palette => "Command palette (:)",
            Layer::Filter => "Filter prompt (/)",
            Layer::Confirm => "Confirming a change",
            Layer::Choose => "Choosing from a list",
        }
    }

    pub fn from_name(name: &str) -> Option<Layer> {
        Layer::ALL
            .iter()
            .copied()
            .find(|layer| layer.name() == name)
    }

    /// Prompts where unbound printable keys are typed text.
    pub fn is_text_input(self) -> bool {
        matches!(
            self,
            Layer::Palette | Layer::Filter | Layer::Confirm | Layer::Choose
        )
    }

    /// Layers with a cursor or scroll position.
    pub fn has_navigation(self) -> bool {
        matches!(
            self,
            Layer::Global
                | Layer::Pipeline
                | Layer::List
                | Layer::Help
                | Layer::Detail
                | Layer::Warnings
        )
    }

    /// Whether `global` bindings apply when this layer is active.
    pub fn falls_back_to_global(self) -> bool {
        !self.is_text_input()
    }
}
