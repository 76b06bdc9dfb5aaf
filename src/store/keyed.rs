//! A row stored under its own key: the store's sets order rows by `ObjectKey` and find them by
//! it, without a second copy of every key next to its row (a tenth of the store's memory at
//! 100k objects). Pure.

use std::borrow::Borrow;
use std::cmp::Ordering;

use crate::model::{ObjectKey, Row};

/// A row, ordered, compared and looked up by its key only (compare `.0` for the whole row).
#[derive(Debug, Clone)]
pub struct Keyed(pub Row);

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl Eq for Keyed {}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.key().cmp(other.0.key())
    }
}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Borrow<ObjectKey> for Keyed {
    fn borrow(&self) -> &ObjectKey {
        self.0.key()
    }
}
