//! The prompts of an action: choosing among options (a revision, a stage, a history entry; typing
//! narrows them), filling in a Workflow's parameters, and confirming the exact change (with the
//! object's name typed where that is required).

use super::input::InputLine;
use crate::intent::{Intent, Plan};

/// A confirmation of a planned change.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub plan: Plan,
    /// What was typed (the object's name, where required).
    pub typed: InputLine,
    /// The object's name must be typed to confirm (destructive, on a production context).
    pub needs_name: bool,
    /// Why it is asked again (the object changed since it was read).
    pub note: Option<String>,
}

impl Confirmation {
    /// Whether accepting now goes ahead.
    pub fn ready(&self) -> bool {
        !self.needs_name || self.typed.text().trim() == self.plan.intent.target().1.name
    }
}

/// A choice among intents.
#[derive(Debug, Clone)]
pub struct Choice {
    pub title: String,
    pub options: Vec<(String, Intent)>,
    pub input: InputLine,
    pub highlighted: usize,
}

impl Choice {
    pub fn new(title: impl Into<String>, options: Vec<(String, Intent)>) -> Choice {
        Choice {
            title: title.into(),
            options,
            input: InputLine::default(),
            highlighted: 0,
        }
    }

    /// The options whose label contains the typed text.
    pub fn visible(&self) -> Vec<&(String, Intent)> {
        let typed = self.input.text().to_lowercase();
        self.options
            .iter()
            .filter(|(label, _)| label.to_lowercase().contains(&typed))
            .collect()
    }

    pub fn move_highlight(&mut self, forward: bool) {
        let count = self.visible().len();
        if count > 0 {
            self.highlighted = if forward {
                (self.highlighted + 1) % count
            } else {
                (self.highlighted + count - 1) % count
            };
        }
    }

    /// The highlighted option's intent.
    pub fn chosen(&self) -> Option<Intent> {
        self.visible()
            .get(self.highlighted)
            .map(|(_, intent)| intent.clone())
    }
}

/// The parameters of a Workflow to submit, pre-filled with the template's defaults.
#[derive(Debug, Clone)]
pub struct ParameterForm {
    pub template: crate::model::ObjectKey,
    pub fields: Vec<(String, InputLine)>,
    /// Each field's allowed values (empty: any text).
    pub choices: Vec<Vec<String>>,
    pub focused: usize,
}

impl ParameterForm {
    /// From a WorkflowTemplate row's `name` / `name=default` parameters and their enums.
    pub fn new(
        template: crate::model::ObjectKey,
        parameters: &[String],
        choices: &[Vec<String>],
    ) -> ParameterForm {
        let fields = parameters
            .iter()
            .map(|parameter| match parameter.split_once('=') {
                Some((name, default)) => (name.to_string(), InputLine::new(default)),
                None => (parameter.clone(), InputLine::default()),
            })
            .collect();
        ParameterForm {
            template,
            fields,
            choices: choices.to_vec(),
            focused: 0,
        }
    }

    /// The allowed values of the focused field (empty: any text).
    pub fn focused_choices(&self) -> &[String] {
        self.choices.get(self.focused).map_or(&[], Vec::as_slice)
    }

    /// An enum field takes its next allowed value.
    pub fn next_choice(&mut self) {
        let choices = self.focused_choices().to_vec();
        if choices.is_empty() {
            return;
        }
        if let Some(input) = self.focused_input() {
            let next = choices
                .iter()
                .position(|c| c == input.text())
                .map_or(0, |i| (i + 1) % choices.len());
            *input = InputLine::new(&choices[next]);
        }
    }

    pub fn move_focus(&mut self, forward: bool) {
        let count = self.fields.len();
        if count > 0 {
            self.focused = if forward {
                (self.focused + 1) % count
            } else {
                (self.focused + count - 1) % count
            };
        }
    }

    pub fn focused_input(&mut self) -> Option<&mut InputLine> {
        self.fields.get_mut(self.focused).map(|(_, input)| input)
    }

    /// The submit intent with every parameter as filled in.
    pub fn intent(&self) -> Intent {
        Intent::SubmitWorkflow(
            self.template.clone(),
            self.fields
                .iter()
                .map(|(name, input)| (name.clone(), input.text().to_string()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKey;

    #[test]
    fn choice_narrows_and_form_fills_defaults() {
        let key = ObjectKey::new("dev", "app");
        let mut choice = Choice::new(
            "Undo to",
            vec![
                (
                    "revision 2  v2".into(),
                    Intent::UndoRollout(key.clone(), Some(2)),
                ),
                (
                    "revision 1  v1".into(),
                    Intent::UndoRollout(key.clone(), Some(1)),
                ),
            ],
        );
        choice.move_highlight(true);
        assert_eq!(
            choice.chosen(),
            Some(Intent::UndoRollout(key.clone(), Some(1)))
        );
        choice.input = InputLine::new("v2");
        choice.highlighted = 0;
        assert_eq!(
            choice.chosen(),
            Some(Intent::UndoRollout(key.clone(), Some(2)))
        );
        let mut form = ParameterForm::new(
            key.clone(),
            &[
                "commitSha".into(),
                "registry=r:5000".into(),
                "push=true".into(),
            ],
            &[vec![], vec![], vec!["true".into(), "false".into()]],
        );
        if let Some(input) = form.focused_input() {
            input.push('a');
        }
        form.move_focus(false);
        form.next_choice();
        assert_eq!(
            form.intent(),
            Intent::SubmitWorkflow(
                key,
                vec![
                    ("commitSha".into(), "a".into()),
                    ("registry".into(), "r:5000".into()),
                    ("push".into(), "false".into())
                ]
            )
        );
    }
}
