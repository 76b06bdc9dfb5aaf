//! A cell of a view: text with its meaning (a theme slot) and, where text would sort wrongly
//! (ages, durations), a number to sort by. Pure.

use std::cmp::Ordering;

use crate::theme::Slot;

/// A piece of text with its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub slot: Slot,
    /// Sorts by this instead of the text (e.g. an age in seconds).
    pub order: Option<i64>,
}

impl Cell {
    pub fn new(text: impl Into<String>, slot: Slot) -> Self {
        Self {
            text: text.into(),
            slot,
            order: None,
        }
    }

    pub fn muted(text: impl Into<String>) -> Self {
        Self::new(text, Slot::Muted)
    }

    /// Sorts by `order` rather than by its text.
    pub fn ordered(mut self, order: Option<i64>) -> Self {
        self.order = order;
        self
    }

    /// Compares for sorting: by `order` where both have one, else "naturally" by text (digit runs
    /// as numbers, so `v10` comes after `v9` and `2/10` after `2/9`), case-insensitively.
    pub fn compare(&self, other: &Cell) -> Ordering {
        match (self.order, other.order) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => natural(&self.text, &other.text),
        }
    }
}

/// Text order with runs of digits compared as numbers.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut digits = String::new();
                    while let Some(c) = chars.next_if(char::is_ascii_digit) {
                        digits.push(c);
                    }
                    digits
                };
                let (x, y) = (number(&mut a), number(&mut b));
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                let order = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(x), Some(y)) => {
                let order = x.to_lowercase().cmp(y.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                a.next();
                b.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(texts: &[&str]) -> Vec<String> {
        let mut cells: Vec<Cell> = texts.iter().map(|t| Cell::muted(*t)).collect();
        cells.sort_by(Cell::compare);
        cells.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn natural_order_and_explicit_order() {
        assert_eq!(sorted(&["v10", "v9", "V1", "a"]), ["a", "V1", "v9", "v10"]);
        assert_eq!(sorted(&["2/10", "2/9", "10/10"]), ["2/9", "2/10", "10/10"]);
        assert_eq!(sorted(&["007", "7", "08"]), ["007", "7", "08"]);
        let young = Cell::muted("2h").ordered(Some(7200));
        let old = Cell::muted("1d").ordered(Some(86400));
        assert_eq!(young.compare(&old), Ordering::Less);
        assert_eq!(old.compare(&Cell::muted("")), Ordering::Less);
    }
}
