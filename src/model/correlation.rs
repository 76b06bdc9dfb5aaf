//! What the pipeline is told by the user, beyond what the objects say: the label that groups
//! Argo CD Applications into applications (`app_label`), and per application the rule that
//! tells its builds (`[apps."NAME"] workflow_selector`, `image_parameter`). Pure.

use flightdeck_apimachinery::LabelSelector;

use super::image::ImageRef;
use super::rows::WorkflowRow;

/// The label grouping Applications when no Kargo Project or ApplicationSet does.
pub const DEFAULT_APP_LABEL: &str = "app";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlation {
    pub app_label: String,
    pub apps: Vec<AppRule>,
}

impl Default for Correlation {
    fn default() -> Self {
        Correlation {
            app_label: DEFAULT_APP_LABEL.into(),
            apps: Vec::new(),
        }
    }
}

impl Correlation {
    /// The configured rule of application `app`, if any.
    pub fn rule(&self, app: &str) -> Option<&AppRule> {
        self.apps.iter().find(|rule| rule.app == app)
    }
}

/// `[apps."NAME"]`: which Workflows are the application's, and which of their parameters names
/// the image they build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppRule {
    pub app: String,
    pub workflow_selector: Option<LabelSelector>,
    pub image_parameter: Option<String>,
}

impl AppRule {
    /// Whether `workflow` is one of the application's: its labels match the selector (with
    /// no selector, a Workflow whose `image_parameter` is set is).
    pub fn selects(&self, workflow: &WorkflowRow) -> bool {
        match &self.workflow_selector {
            Some(selector) => selector.matches(|key| workflow.labels.get(key)),
            None => self
                .image_parameter
                .as_ref()
                .is_some_and(|name| workflow.parameters.iter().any(|(n, _)| n == name)),
        }
    }

    /// Whether `workflow` built `image`: its `image_parameter` (else any parameter) is the
    /// image's reference (`repository:tag`, `repository@digest`) or its tag.
    pub fn built(&self, workflow: &WorkflowRow, image: &ImageRef<'_>) -> bool {
        let names_image = |value: &str| {
            (!image.tag.is_empty() && value == image.tag) || image.keys().any(|key| key == value)
        };
        workflow.parameters.iter().any(|(name, value)| {
            self.image_parameter
                .as_ref()
                .is_none_or(|wanted| wanted == name)
                && names_image(value)
        })
    }
}
