//! Calendar arithmetic the derived facts need: whole days between dates (jiff) and month numbering.

use jiff::civil::Date;

/// `b - a` in whole days (jiff's calendar arithmetic: a date span's largest unit is days).
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

/// A running month number: year × 12 + month − 1.
pub(crate) fn month_index(d: Date) -> i64 {
    d.year() as i64 * 12 + d.month() as i64 - 1
}

/// `2025-03` for a month number.
pub(crate) fn month_label(index: i64) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days() {
        assert_eq!(days_between(date(1970, 1, 1), date(2025, 6, 30)), 20_269);
        assert_eq!(days_between(date(2024, 12, 31), date(2025, 1, 1)), 1);
        assert_eq!(days_between(date(2024, 2, 28), date(2024, 3, 1)), 2);
        assert_eq!(days_between(date(2025, 6, 30), date(2025, 6, 1)), -29);
    }

    #[test]
    fn months_across_year_end() {
        assert_eq!(
            month_index(date(2025, 1, 5)) - month_index(date(2024, 12, 31)),
            1
        );
        assert_eq!(month_label(month_index(date(2024, 12, 1))), "2024-12");
    }
}
