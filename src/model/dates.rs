//! Calendar arithmetic the derived facts need: whole days between dates and month numbering.

use jiff::civil::Date;

/// Days since 1970-01-01 (proleptic Gregorian), so differences are whole days.
pub(crate) fn day_number(d: Date) -> i64 {
    let (y, m, day) = (d.year() as i64, d.month() as i64, d.day() as i64);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `b - a` in days.
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
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
        assert_eq!(day_number(date(1970, 1, 1)), 0);
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
