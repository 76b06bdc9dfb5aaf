//! The views stack: screens and the state each keeps while another covers it (cursor, sort,
//! filter, the object it shows, a followed log), so going back finds a screen as it was left.

use crate::metrics::analysis::LiveSeries;
use crate::model::{Kind, ObjectKey};
use crate::view::filter::Filter;
use crate::view::sort::Sort;

use super::logs::Logs;

/// What a screen of the cockpit shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Home: every app's environments from commit to production.
    Pipeline,
    /// Everything waiting on a person.
    Waiting,
    /// The list of one kind.
    List(Kind),
    /// Kargo: Warehouses, the Freight × Stage matrix, the newest Promotions.
    Kargo,
    /// A pod's followed log (which: the screen's `logs`).
    Logs,
    /// Every change asked for in this session and its outcome.
    ActionLog,
    /// Metric charts of a Rollout or an AnalysisRun (which: the screen's `subject`).
    Metrics(Kind),
    /// One object's detail (which: the screen's `subject`).
    Detail(Kind),
}

impl View {
    /// The breadcrumb title.
    pub fn title(self) -> &'static str {
        match self {
            View::Pipeline => "Pipeline",
            View::Waiting => "Waiting on me",
            View::List(kind) => kind.title(),
            View::Kargo => "Kargo",
            View::Logs => "Logs",
            View::ActionLog => "Action log",
            View::Metrics(_) => "Metrics",
            View::Detail(_) => "Detail",
        }
    }
}

/// The one object a detail or chart screen is about.
#[derive(Debug, Clone)]
pub struct Subject {
    pub key: ObjectKey,
    /// The whole object, for screens that need more than its row: fetching (`None`), or the
    /// object, or why it could not be fetched.
    pub object: Option<Result<serde_json::Value, String>>,
    /// The live series of an AnalysisRun's metrics, by metric name (or why not).
    pub analysis_series: LiveSeries,
}

impl Subject {
    /// `key`, not fetched yet.
    pub fn new(key: ObjectKey) -> Subject {
        Subject {
            key,
            object: None,
            analysis_series: LiveSeries::new(),
        }
    }
}

/// A screen on the stack.
#[derive(Debug, Clone)]
pub struct Screen {
    pub view: View,
    /// The selected row of a table (the first application shown on the pipeline), or the line
    /// under the cursor in a detail.
    pub cursor: usize,
    /// How the screen's table is sorted.
    pub sort: Sort,
    /// What the screen's rows or log lines are narrowed to.
    pub filter: Filter,
    /// The object of a detail or chart screen.
    pub subject: Option<Subject>,
    /// The followed log of a log screen.
    pub logs: Option<Logs>,
}

impl Screen {
    /// A fresh screen for `view`: first row, default sort, no filter.
    pub fn new(view: View) -> Screen {
        Screen {
            view,
            cursor: 0,
            sort: Sort::default(),
            filter: Filter::default(),
            subject: None,
            logs: None,
        }
    }

    /// A screen about one object.
    pub fn about(view: View, key: ObjectKey) -> Screen {
        Screen {
            subject: Some(Subject::new(key)),
            ..Screen::new(view)
        }
    }

    /// The key of the object this screen is about, if any.
    pub fn subject_key(&self) -> Option<&ObjectKey> {
        self.subject.as_ref().map(|subject| &subject.key)
    }
}

/// The views stack: never empty, the last screen is shown.
#[derive(Debug, Clone)]
pub struct Screens {
    home: Screen,
    covering: Vec<Screen>,
}

impl Default for Screens {
    fn default() -> Screens {
        Screens {
            home: Screen::new(View::Pipeline),
            covering: Vec::new(),
        }
    }
}

impl Screens {
    /// The screen shown.
    pub fn top(&self) -> &Screen {
        self.covering.last().unwrap_or(&self.home)
    }

    pub fn top_mut(&mut self) -> &mut Screen {
        self.covering.last_mut().unwrap_or(&mut self.home)
    }

    /// Shows `screen` on top of the others.
    pub fn push(&mut self, screen: Screen) {
        self.covering.push(screen);
    }

    /// Removes the shown screen (never the home screen); returns it.
    pub fn pop(&mut self) -> Option<Screen> {
        self.covering.pop()
    }

    /// Back to the home screen as it was left; returns the screens removed.
    pub fn pop_to_home(&mut self) -> Vec<Screen> {
        std::mem::take(&mut self.covering)
    }

    /// From the home screen to the shown one.
    pub fn iter(&self) -> impl Iterator<Item = &Screen> {
        std::iter::once(&self.home).chain(&self.covering)
    }

    /// The screens from the shown one down, mutably (to deliver what one of them waits for).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Screen> {
        std::iter::once(&mut self.home).chain(&mut self.covering)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn going_back_finds_the_covered_screen_as_it_was_left() {
        let mut screens = Screens::default();
        screens.push(Screen::new(View::List(Kind::Rollout)));
        screens.top_mut().cursor = 4;
        screens.top_mut().sort = Sort::default().next_column(3);
        screens.push(Screen::about(
            View::Detail(Kind::Rollout),
            ObjectKey::new("dev", "web"),
        ));
        assert_eq!(screens.iter().count(), 3);
        assert_eq!(screens.top().cursor, 0);
        let detail = screens.pop().expect("a covering screen");
        assert_eq!(detail.subject_key(), Some(&ObjectKey::new("dev", "web")));
        assert_eq!(screens.top().view, View::List(Kind::Rollout));
        assert_eq!(screens.top().cursor, 4);
        assert_eq!(screens.top().sort, Sort::default().next_column(3));
    }

    #[test]
    fn the_home_screen_is_never_removed() {
        let mut screens = Screens::default();
        screens.top_mut().cursor = 2;
        assert!(screens.pop().is_none());
        screens.push(Screen::new(View::Kargo));
        screens.push(Screen::new(View::Waiting));
        assert_eq!(screens.pop_to_home().len(), 2);
        assert_eq!(screens.top().view, View::Pipeline);
        assert_eq!(screens.top().cursor, 2);
        assert_eq!(screens.iter().count(), 1);
    }
}
