//! Reading and editing one record file in place (`toml_edit`): a value by its dotted key inside a
//! table, set keeping the key's place and its comment, and the `[[key]]` tables of a list. Whatever
//! is not set keeps its bytes.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

/// The value at `key` ("name", "safety_org.full_time_safety_staff") inside `t`.
pub(crate) fn get<'a>(t: &'a dyn TableLike, key: &str) -> Option<&'a Value> {
    match key.split_once('.') {
        Some((head, rest)) => get(t.get(head)?.as_table_like()?, rest),
        None => t.get(key)?.as_value(),
    }
}

/// Sets (or, with `None`, removes) the value at `key` inside `t`, creating the tables on the way.
/// An existing value keeps the spaces and comment around it.
pub(crate) fn set(t: &mut dyn TableLike, key: &str, v: Option<Value>) {
    if let Some((head, rest)) = key.split_once('.') {
        if t.get(head).and_then(Item::as_table_like).is_none() {
            if v.is_none() {
                return;
            }
            t.insert(head, Item::Table(Table::new()));
        }
        if let Some(inner) = t.get_mut(head).and_then(Item::as_table_like_mut) {
            set(inner, rest, v);
        }
        return;
    }
    set_key(t, key, v);
}

/// [`set`] for a key taken as written, dots and all (a score item such as "1.1").
pub(crate) fn set_key(t: &mut dyn TableLike, key: &str, v: Option<Value>) {
    match v {
        None => {
            t.remove(key);
        }
        Some(mut new) => match t.get_mut(key) {
            Some(Item::Value(old)) => {
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
            _ => {
                t.insert(key, Item::Value(new));
            }
        },
    }
}

/// The `[[key]]` tables of `doc`, created when absent; `None` when `key` holds something else
/// (an inline array, say), which the workbook cannot edit in place.
pub(crate) fn items_mut<'a>(doc: &'a mut DocumentMut, key: &str) -> Option<&'a mut ArrayOfTables> {
    if doc.get(key).is_none() {
        doc.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc.get_mut(key)?.as_array_of_tables_mut()
}

/// The `[[key]]` tables of `doc` as read (inline arrays of tables too).
pub(crate) fn items<'a>(doc: &'a DocumentMut, key: &str) -> Vec<&'a dyn TableLike> {
    match doc.get(key) {
        Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect(),
        _ => Vec::new(),
    }
}

/// The entries of a sub-table (`[milestones]`, `[private]`), as key and item.
pub(crate) fn entries<'a>(t: &'a dyn TableLike, key: &str) -> Vec<(&'a str, &'a Item)> {
    t.get(key)
        .and_then(Item::as_table_like)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_keeps_comments_order_and_other_bytes() {
        let text = "# head\nname = \"甲\"   # 全称\nemployees = 5\n\n[safety_org]\nfull_time_safety_staff = 0 # 专职\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        set(doc.as_table_mut(), "employees", Some(Value::from(7)));
        set(
            doc.as_table_mut(),
            "safety_org.full_time_safety_staff",
            Some(Value::from(2)),
        );
        set(doc.as_table_mut(), "name", Some(Value::from("乙")));
        assert_eq!(
            doc.to_string(),
            "# head\nname = \"乙\"   # 全称\nemployees = 7\n\n[safety_org]\nfull_time_safety_staff = 2 # 专职\n"
        );
        set(doc.as_table_mut(), "employees", None);
        assert!(!doc.to_string().contains("employees"));
        assert_eq!(
            get(doc.as_table(), "safety_org.full_time_safety_staff").and_then(|v| v.as_integer()),
            Some(2)
        );
    }
}
