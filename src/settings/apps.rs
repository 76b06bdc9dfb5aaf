//! `[apps."NAME"]` sections of the config file: how the pipeline tells an application's builds
//! when names and parameters do not (`workflow_selector`, `image_parameter`).

use toml::Spanned;
use toml::de::DeValue;

use super::toml_doc::{TomlDoc, expect_string, named_sections};
use crate::model::LabelSelector;
use crate::model::correlation::AppRule;

/// The rules of an `apps` table; each problem is a warning and the rest still counts.
pub fn parse(doc: &mut TomlDoc<'_>, value: &Spanned<DeValue<'_>>) -> Vec<AppRule> {
    let mut rules = Vec::new();
    for (app, fields) in named_sections(doc, ("apps", "NAME"), value) {
        let mut rule = AppRule {
            app: app.clone(),
            ..AppRule::default()
        };
        for (field, field_value) in fields.iter() {
            match field.get_ref().as_ref() {
                "workflow_selector" => {
                    let Some(text) = expect_string(doc, "workflow_selector", field_value) else {
                        continue;
                    };
                    match LabelSelector::parse(&text) {
                        Ok(selector) => rule.workflow_selector = Some(selector),
                        Err(problem) => doc.warn(
                            field_value.span(),
                            format!("[apps.\"{app}\"] workflow_selector: {problem}; ignored"),
                        ),
                    }
                }
                "image_parameter" => {
                    rule.image_parameter = expect_string(doc, "image_parameter", field_value)
                }
                other => doc.warn(
                    field.span(),
                    format!("[apps.\"{app}\"]: unknown key `{other}` (workflow_selector, image_parameter); ignored"),
                ),
            }
        }
        if rule.workflow_selector.is_some() || rule.image_parameter.is_some() {
            rules.push(rule);
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn rules_are_read_and_each_mistake_warns_with_its_line() {
        let mut settings = Settings::default();
        let warnings = settings.apply_file(
            "config.toml",
            r#"app_label = "app.kubernetes.io/part-of"

[apps."shop"]
workflow_selector = "team=shop,tier in (build)"
image_parameter = "image"

[apps."pay"]
workflow_selector = "team in (pay"
colour = "blue"

[apps."ledger"]
image_parameter = 7

[apps."bare"]
"#,
        );
        let correlation = &settings.correlation;
        assert_eq!(correlation.app_label, "app.kubernetes.io/part-of");
        let apps: Vec<&str> = correlation.apps.iter().map(|r| r.app.as_str()).collect();
        assert_eq!(apps, ["shop"], "rules that say nothing are dropped");
        let shop = correlation.rule("shop").expect("shop");
        assert_eq!(shop.image_parameter.as_deref(), Some("image"));
        let selector = shop.workflow_selector.as_ref().expect("selector");
        assert!(selector.matches(|key| match key {
            "team" => Some("shop"),
            "tier" => Some("build"),
            _ => None,
        }));
        let lines: Vec<(Option<usize>, bool)> = warnings
            .iter()
            .map(|w| {
                (
                    w.line,
                    w.message.starts_with("[apps.\"pay\"]")
                        || w.message.contains("image_parameter"),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [(Some(8), true), (Some(9), true), (Some(12), true)],
            "{warnings:?}"
        );
    }
}
