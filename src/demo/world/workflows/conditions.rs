//! The two condition languages of Argo Workflows the simulated controller understands: a DAG
//! task's `depends` (and `dependencies`, which upstream rewrites into `depends` — argo-workflows
//! `workflow/common/ancestry.go` getTaskDependsLogic/expandDependency), and a step's `when` after
//! its `{{…}}` references are substituted (govaluate upstream; here `==`, `!=`, `&&`, `||`, `!`,
//! parentheses, bare words and quoted strings, which is what exit handlers and demos use).

use serde_json::Value;

use crate::model::json::str_at as text;

/// The `depends` expression of `task` with plain task names left as they are (they mean
/// "Succeeded, Skipped or Daemoned", widened by the dependency's `continueOn`, see `holds`).
pub fn depends_of(task: &Value) -> String {
    let depends = text(task, "/depends");
    if !depends.is_empty() {
        return depends.to_string();
    }
    task.get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The task names an expression refers to (`A`, `A.Failed`, `A.AnySucceeded` all name `A`).
pub fn referenced_tasks(expression: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for token in tokens(expression).unwrap_or_default() {
        if let Token::Word(word) = token {
            let name = word.split('.').next().unwrap_or_default().to_string();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// What a finished task is, as far as `depends` can ask.
pub struct TaskResult<'a> {
    pub phase: &'a str,
    /// The phases its `continueOn` lets its dependants treat as success (`Failed`, `Error`).
    pub continues_on: &'a [&'a str],
}

/// Whether a `depends` expression holds, given each referenced task's result.
pub fn depends_holds<'a>(
    expression: &str,
    result_of: impl Fn(&str) -> Option<TaskResult<'a>>,
) -> Result<bool, String> {
    evaluate(expression, &|word| {
        let (task, result) = word.split_once('.').unwrap_or((word, ""));
        let Some(found) = result_of(task) else {
            return Err(format!("task '{task}' is not in this DAG"));
        };
        let phase = found.phase;
        let holds = match result {
            "" => matches!(phase, "Succeeded" | "Skipped") || found.continues_on.contains(&phase),
            "Succeeded" | "AnySucceeded" => phase == "Succeeded",
            "Failed" | "AllFailed" => phase == "Failed",
            "Errored" => phase == "Error",
            "Skipped" => phase == "Skipped",
            "Omitted" => phase == "Omitted",
            "Daemoned" => false,
            other => {
                return Err(format!(
                    "task result '{other}' for task '{task}' is invalid"
                ));
            }
        };
        Ok(Operand::Bool(holds))
    })
}

/// Whether a substituted `when` expression holds (`Failed != Succeeded`, `true`, …).
pub fn when_holds(expression: &str) -> Result<bool, String> {
    evaluate(expression, &|word| Ok(Operand::Text(word.to_string())))
        .map_err(|error| format!("Invalid 'when' expression '{expression}': {error}"))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    And,
    Or,
    Not,
    Equal,
    NotEqual,
    Open,
    Close,
}

fn tokens(expression: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = expression.chars().peekable();
    while let Some(&c) = chars.peek() {
        let two = |chars: &mut std::iter::Peekable<std::str::Chars>, second: char| {
            chars.next();
            chars.next_if_eq(&second).is_some()
        };
        match c {
            ' ' | '\t' | '\n' => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                out.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '&' if two(&mut chars, '&') => out.push(Token::And),
            '|' if two(&mut chars, '|') => out.push(Token::Or),
            '=' if two(&mut chars, '=') => out.push(Token::Equal),
            '!' => {
                chars.next();
                out.push(if chars.next_if_eq(&'=').is_some() {
                    Token::NotEqual
                } else {
                    Token::Not
                });
            }
            '"' | '\'' => {
                chars.next();
                let quoted: String = chars.by_ref().take_while(|&d| d != c).collect();
                out.push(Token::Quoted(quoted));
            }
            '&' | '|' | '=' => return Err(format!("unexpected '{c}'")),
            _ => {
                let mut word = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || "()&|=!\"'".contains(d) {
                        break;
                    }
                    word.push(d);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

enum Operand {
    Bool(bool),
    Text(String),
}

type WordValue<'f> = &'f dyn Fn(&str) -> Result<Operand, String>;

fn evaluate(expression: &str, word: WordValue) -> Result<bool, String> {
    let tokens = tokens(expression)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        word,
    };
    let value = parser.or()?;
    if parser.at != tokens.len() {
        return Err(format!("unexpected {:?}", tokens[parser.at]));
    }
    truth(value)
}

fn truth(operand: Operand) -> Result<bool, String> {
    match operand {
        Operand::Bool(value) => Ok(value),
        Operand::Text(text) if text == "true" => Ok(true),
        Operand::Text(text) if text == "false" => Ok(false),
        Operand::Text(text) => Err(format!("'{text}' is not a boolean")),
    }
}

struct Parser<'t, 'f> {
    tokens: &'t [Token],
    at: usize,
    word: WordValue<'f>,
}

impl Parser<'_, '_> {
    fn next_is(&mut self, token: &Token) -> bool {
        let matched = self.tokens.get(self.at) == Some(token);
        self.at += usize::from(matched);
        matched
    }

    fn or(&mut self) -> Result<Operand, String> {
        let mut value = truth(self.and()?)?;
        while self.next_is(&Token::Or) {
            value |= truth(self.and()?)?;
        }
        Ok(Operand::Bool(value))
    }

    fn and(&mut self) -> Result<Operand, String> {
        let first = self.unary()?;
        if self.tokens.get(self.at) != Some(&Token::And) {
            return Ok(first);
        }
        let mut value = truth(first)?;
        while self.next_is(&Token::And) {
            value &= truth(self.unary()?)?;
        }
        Ok(Operand::Bool(value))
    }

    fn unary(&mut self) -> Result<Operand, String> {
        if self.next_is(&Token::Not) {
            return Ok(Operand::Bool(!truth(self.unary()?)?));
        }
        let left = self.operand()?;
        let equal = if self.next_is(&Token::Equal) {
            true
        } else if self.next_is(&Token::NotEqual) {
            false
        } else {
            return Ok(left);
        };
        let right = self.operand()?;
        let same = match (left, right) {
            (Operand::Bool(a), Operand::Bool(b)) => a == b,
            (Operand::Text(a), Operand::Text(b)) => a == b,
            (Operand::Bool(a), Operand::Text(b)) | (Operand::Text(b), Operand::Bool(a)) => {
                a.to_string() == b
            }
        };
        Ok(Operand::Bool(same == equal))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Open) => {
                let value = self.or()?;
                if !self.next_is(&Token::Close) {
                    return Err("missing ')'".into());
                }
                Ok(value)
            }
            Some(Token::Word(word)) => (self.word)(&word),
            Some(Token::Quoted(text)) => Ok(Operand::Text(text)),
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phases<'a>(table: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<TaskResult<'a>> {
        move |task| {
            table
                .iter()
                .find(|(name, _)| *name == task)
                .map(|(_, phase)| TaskResult {
                    phase,
                    continues_on: &[],
                })
        }
    }

    #[test]
    fn dependencies_become_a_conjunction() {
        let task = json!({"name": "D", "dependencies": ["B", "C"]});
        assert_eq!(depends_of(&task), "B && C");
        assert_eq!(
            referenced_tasks("B && (C.Failed || !A.Omitted)"),
            ["B", "C", "A"]
        );
    }

    #[test]
    fn plain_names_mean_succeeded_or_skipped() {
        // ancestry.go expandDependency: (A.Succeeded || A.Skipped || A.Daemoned).
        let table = [("A", "Succeeded"), ("B", "Skipped"), ("C", "Failed")];
        assert_eq!(depends_holds("A && B", phases(&table)), Ok(true));
        assert_eq!(depends_holds("A && C", phases(&table)), Ok(false));
        assert_eq!(depends_holds("A && C.Failed", phases(&table)), Ok(true));
        assert_eq!(
            depends_holds("!C.Succeeded && (B.Omitted || A)", phases(&table)),
            Ok(true)
        );
        let continuing = |task: &str| {
            (task == "C").then_some(TaskResult {
                phase: "Failed",
                continues_on: &["Failed"],
            })
        };
        assert_eq!(depends_holds("C", continuing), Ok(true));
    }

    #[test]
    fn bad_depends_are_errors() {
        let table = [("A", "Succeeded")];
        assert!(depends_holds("A.Finished", phases(&table)).is_err());
        assert!(depends_holds("Z", phases(&table)).is_err());
        assert!(depends_holds("A &&", phases(&table)).is_err());
    }

    #[test]
    fn when_compares_words_and_strings() {
        assert_eq!(when_holds("Failed != Succeeded"), Ok(true));
        assert_eq!(when_holds("'Succeeded' == Succeeded"), Ok(true));
        assert_eq!(when_holds("heads == tails || true"), Ok(true));
        assert_eq!(when_holds("false"), Ok(false));
        assert!(
            when_holds("Failed")
                .unwrap_err()
                .starts_with("Invalid 'when' expression 'Failed'")
        );
    }
}
