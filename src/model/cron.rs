//! Five-field cron schedules as Argo CD parses sync windows (robfig/cron `NewParser(Minute |
//! Hour | Dom | Month | Dow)`): lists, ranges, steps, `*` and `?`, month and weekday names; a
//! day matches when both day fields do if either is `*`, else when either does. Pure.

/// A parsed schedule: one bit per allowed value of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    /// Whether the day-of-month or day-of-week field was `*` or `?` (robfig's star bit).
    any_day_star: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: [{text}]",
                fields.len()
            ));
        }
        let (days_of_month, dom_star) = field(fields[2], 1, 31, &[])?;
        let (days_of_week, dow_star) = field(fields[4], 0, 6, &WEEKDAYS)?;
        Ok(Schedule {
            minutes: field(fields[0], 0, 59, &[])?.0,
            hours: field(fields[1], 0, 23, &[])?.0,
            days_of_month,
            months: field(fields[3], 1, 12, &MONTHS)?.0,
            days_of_week,
            any_day_star: dom_star || dow_star,
        })
    }

    /// Whether the schedule fires at the minute starting at `unix` (seconds, wall time).
    pub fn fires_at(&self, unix: i64) -> bool {
        let seconds = unix.rem_euclid(86_400);
        self.day_matches(unix)
            && self.hours & (1 << (seconds / 3600)) != 0
            && self.minutes & (1 << (seconds % 3600 / 60)) != 0
    }

    /// Whether it fires at a minute strictly after `after` and strictly before `before`
    /// (robfig's `Next(after) < before`), both wall-time Unix seconds.
    pub fn fires_between(&self, after: i64, before: i64) -> bool {
        let mut minute = (after.div_euclid(60) + 1) * 60;
        while minute < before {
            if self.fires_at(minute) {
                return true;
            }
            // Skip the rest of a day or hour that cannot match.
            let day_start = minute.div_euclid(86_400) * 86_400;
            minute = if !self.day_matches(minute) {
                day_start + 86_400
            } else if self.hours & (1 << ((minute - day_start) / 3600)) == 0 {
                minute.div_euclid(3600) * 3600 + 3600
            } else {
                minute + 60
            };
        }
        false
    }

    fn day_matches(&self, unix: i64) -> bool {
        let days = unix.div_euclid(86_400);
        let (_, month, day) = civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7);
        let dom = self.days_of_month & (1 << day) != 0;
        let dow = self.days_of_week & (1 << weekday) != 0;
        let day_ok = if self.any_day_star {
            dom && dow
        } else {
            dom || dow
        };
        day_ok && self.months & (1 << month) != 0
    }
}

/// One field: its bits and whether it was a bare `*`/`?`.
fn field(text: &str, min: i64, max: i64, names: &[&str]) -> Result<(u64, bool), String> {
    let mut bits = 0_u64;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(number(step, &[], 0)?)),
            None => (part, None),
        };
        let (start, end, is_star) = if range == "*" || range == "?" {
            (min, max, true)
        } else if let Some((low, high)) = range.split_once('-') {
            (number(low, names, min)?, number(high, names, min)?, false)
        } else {
            let value = number(range, names, min)?;
            // `N/step` means N through the field's end.
            (value, if step.is_some() { max } else { value }, false)
        };
        let step = step.unwrap_or(1);
        if start < min || end > max || start > end || step < 1 {
            return Err(format!("{part}: out of range ({min}-{max})"));
        }
        star |= is_star && step == 1;
        for value in (start..=end).step_by(step as usize) {
            bits |= 1 << value;
        }
    }
    Ok((bits, star))
}

fn number(text: &str, names: &[&str], offset: i64) -> Result<i64, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(index) = names.iter().position(|name| *name == lower) {
        return Ok(index as i64 + offset);
    }
    text.parse()
        .map_err(|_| format!("failed to parse int from {text}"))
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_timestamp;

    fn at(text: &str) -> i64 {
        parse_timestamp(text).expect("timestamp")
    }

    #[test]
    fn fields_lists_ranges_steps_and_names() {
        let weekdays = Schedule::parse("0 22 * * MON-fri").expect("parse");
        assert!(weekdays.fires_at(at("2026-11-30T22:00:00Z")), "a Monday");
        assert!(!weekdays.fires_at(at("2026-11-29T22:00:00Z")), "a Sunday");
        assert!(!weekdays.fires_at(at("2026-11-30T22:01:00Z")));
        let steps = Schedule::parse("*/15 9-17/4 1,15 jan,jul ?").expect("parse");
        assert!(steps.fires_at(at("2027-07-15T13:45:00Z")));
        assert!(!steps.fires_at(at("2027-07-15T14:45:00Z")));
        assert!(!steps.fires_at(at("2027-08-15T13:45:00Z")));
        for bad in [
            "* * * *",
            "60 * * * *",
            "* * * * 7",
            "a * * * *",
            "5-1 * * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn both_day_fields_restricted_means_either() {
        let either = Schedule::parse("0 0 13 * fri").expect("parse");
        assert!(either.fires_at(at("2026-11-13T00:00:00Z")), "the 13th");
        assert!(either.fires_at(at("2026-11-20T00:00:00Z")), "a Friday");
        assert!(!either.fires_at(at("2026-11-19T00:00:00Z")));
    }

    #[test]
    fn fires_between_is_open_at_both_ends() {
        let nightly = Schedule::parse("0 22 * * *").expect("parse");
        let fire = at("2026-11-30T22:00:00Z");
        assert!(nightly.fires_between(fire - 3600, fire + 1));
        assert!(
            !nightly.fires_between(fire, fire + 3600),
            "not at `after` itself"
        );
        assert!(
            !nightly.fires_between(fire - 3600, fire),
            "not at `before` itself"
        );
        assert!(nightly.fires_between(fire - 30 * 86_400, fire - 29 * 86_400 + 1));
    }
}
