//! Monthly contact (每月联系): which months since the first contact had one, which were missed,
//! and whether the current month still lacks one.

use jiff::civil::Date;
use serde::Serialize;

use super::dates::{month_index, month_label};
use crate::load::enterprise::EnterpriseRecord;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContactMonth {
    pub(crate) month: String,
    pub(crate) contacted: bool,
}
/// Months from the first contact to the as-of month; a month before the current one with no contact is
/// missed, and the current month is "still missing" until a contact is recorded.
pub(crate) fn contact_months(
    rec: &EnterpriseRecord,
    as_of: Date,
) -> (Vec<ContactMonth>, Vec<String>, bool, Option<Date>) {
    let dates: Vec<Date> = rec
        .contacts
        .iter()
        .map(|c| c.date.v)
        .filter(|d| *d <= as_of)
        .collect();
    let last = dates.iter().max().copied();
    let now = month_index(as_of);
    let Some(first) = dates.iter().min().map(|d| month_index(*d)) else {
        return (Vec::new(), Vec::new(), true, None);
    };
    let contacted: std::collections::BTreeSet<i64> =
        dates.iter().map(|d| month_index(*d)).collect();
    let months: Vec<ContactMonth> = (first..=now)
        .map(|m| ContactMonth {
            month: month_label(m),
            contacted: contacted.contains(&m),
        })
        .collect();
    let missed = (first..now)
        .filter(|m| !contacted.contains(m))
        .map(month_label)
        .collect();
    (months, missed, !contacted.contains(&now), last)
}
