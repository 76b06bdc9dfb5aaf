//! The sets the join indexes keep per looked-up value: most hold one key (the Freight with an
//! image, the Workflow with a commit), so one is kept inline, and only a value shared by several
//! gets a B-tree (whose smallest node would be ten times the one key). Pure.

use std::collections::BTreeSet;

/// An ordered set of keys, one kept inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySet<T: Ord> {
    One(T),
    Many(BTreeSet<T>),
}

impl<T: Ord> KeySet<T> {
    pub fn insert(&mut self, value: T) {
        match self {
            KeySet::Many(set) => {
                set.insert(value);
            }
            KeySet::One(one) if *one == value => {}
            KeySet::One(_) => {
                let old = std::mem::replace(self, KeySet::Many(BTreeSet::from([value])));
                if let (KeySet::One(one), KeySet::Many(set)) = (old, self) {
                    set.insert(one);
                }
            }
        }
    }

    /// Removes `value`; says whether the set is now empty (a set of several becomes one of
    /// one, never empty).
    pub fn remove(&mut self, value: &T) -> bool {
        match self {
            KeySet::One(one) => one == value,
            KeySet::Many(set) => {
                set.remove(value);
                if set.len() == 1
                    && let Some(last) = set.pop_first()
                {
                    *self = KeySet::One(last);
                }
                false
            }
        }
    }

    /// In order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        let (one, many) = match self {
            KeySet::One(one) => (Some(one), None),
            KeySet::Many(set) => (None, Some(set.iter())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    pub fn first(&self) -> Option<&T> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_inline_many_in_order_and_back() {
        let mut set = KeySet::One(5);
        set.insert(5);
        assert_eq!(set, KeySet::One(5));
        set.insert(3);
        set.insert(9);
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [3, 5, 9]);
        assert_eq!(set.iter().next_back(), Some(&9));
        assert!(!set.remove(&5));
        assert!(!set.remove(&9));
        assert_eq!(set, KeySet::One(3));
        assert!(!set.remove(&4), "another value leaves it");
        assert!(set.remove(&3));
    }
}
