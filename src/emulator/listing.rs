//! Lists as Flex serves them: the rule filters (`Active`, `MetricId`, `TaskQueueSids`, `Sort`)
//! and Twilio's page envelope (`<key>` array + `meta` with `page`, `page_size`, page URLs, `key`).
//!
//! Array filters are accepted both repeated (`MetricId=a&MetricId=b`) and comma-separated,
//! since the documentation does not say which one Twilio uses.

use std::cmp::Ordering;

use serde::Serialize;
use serde_json::{Value, json};
use url::form_urlencoded;

use super::api_error::ApiError;
use crate::flex::Metric;
use crate::flex::wire::{ListMeta, Rule};

pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 1000;
const SORT_FIELDS: [&str; 4] = [
    "date_created",
    "date_updated",
    "rule_friendly_name",
    "metric_id",
];

/// Query parameters in the order given, percent-decoded.
pub fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn values<'a>(query: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(name, _)| name == key)
        .flat_map(|(_, value)| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .collect()
}

/// The rules that pass the query's filters, in the order it asks for.
pub fn filter_rules(rules: &[Rule], query: &[(String, String)]) -> Result<Vec<Rule>, ApiError> {
    let active = match values(query, "Active").as_slice() {
        [] => None,
        ["true"] => Some(true),
        ["false"] => Some(false),
        other => {
            return Err(ApiError::invalid(format!(
                "Invalid value for [Active]: `{}` is not true or false",
                other.join(",")
            )));
        }
    };
    let metrics = values(query, "MetricId");
    if let Some(unknown) = metrics.iter().find(|id| Metric::from_id(id).is_none()) {
        return Err(ApiError::invalid(format!(
            "Invalid value for [MetricId]: `{unknown}` is not a supported metric"
        )));
    }
    let queues = values(query, "TaskQueueSids");
    let mut sort = Vec::new();
    for field in values(query, "Sort") {
        let (descending, name) = match field.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, field),
        };
        if !SORT_FIELDS.contains(&name) {
            return Err(ApiError::invalid(format!(
                "Invalid value for [Sort]: `{name}` is not one of {}",
                SORT_FIELDS.join(", ")
            )));
        }
        sort.push((name, descending));
    }
    let mut selected: Vec<Rule> = rules
        .iter()
        .filter(|rule| active.is_none_or(|active| rule.active == Some(active)))
        .filter(|rule| {
            metrics.is_empty()
                || rule
                    .metric_id
                    .as_deref()
                    .is_some_and(|metric| metrics.contains(&metric))
        })
        .filter(|rule| {
            queues.is_empty()
                || rule
                    .task_queue_sids
                    .iter()
                    .flatten()
                    .any(|sid| queues.contains(&sid.as_str()))
        })
        .cloned()
        .collect();
    selected.sort_by(|left, right| {
        sort.iter()
            .fold(Ordering::Equal, |order, (name, descending)| {
                order.then_with(|| {
                    let field = |rule: &Rule| match *name {
                        "date_created" => rule.date_created.clone(),
                        "date_updated" => rule.date_updated.clone(),
                        "rule_friendly_name" => rule.rule_friendly_name.clone(),
                        _ => rule.metric_id.clone(),
                    };
                    let order = field(left).cmp(&field(right));
                    if *descending { order.reverse() } else { order }
                })
            })
    });
    Ok(selected)
}

/// One page of `items` in Twilio's envelope. `url` is the list's absolute URL without query;
/// the filters in `query` are echoed (sorted by name) in every page URL. Pages hold at most
/// `max_size` items whatever the client asks for.
pub fn page<T: Serialize>(
    key: &str,
    items: &[T],
    url: &str,
    query: &[(String, String)],
    max_size: usize,
) -> Result<Value, ApiError> {
    let size = match values(query, "PageSize").as_slice() {
        [] => DEFAULT_PAGE_SIZE,
        [size] => size
            .parse::<usize>()
            .ok()
            .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "Invalid value for [PageSize]: must be an integer from 1 to {MAX_PAGE_SIZE}"
                ))
            })?,
        _ => {
            return Err(ApiError::invalid(
                "Invalid value for [PageSize]: given twice",
            ));
        }
    }
    .min(max_size.max(1));
    let number = match (
        values(query, "PageToken").first(),
        values(query, "Page").first(),
    ) {
        (Some(token), _) => token
            .strip_prefix("PT")
            .and_then(|number| number.parse::<usize>().ok())
            .ok_or_else(|| {
                ApiError::invalid(format!("Invalid value for [PageToken]: `{token}`"))
            })?,
        (None, Some(page)) => page.parse::<usize>().map_err(|_| {
            ApiError::invalid("Invalid value for [Page]: must be an integer of 0 or more")
        })?,
        (None, None) => 0,
    };
    let mut filters: Vec<&(String, String)> = query
        .iter()
        .filter(|(name, _)| !["PageSize", "Page", "PageToken"].contains(&name.as_str()))
        .collect();
    filters.sort_by(|left, right| left.0.cmp(&right.0));
    let page_url = |number: usize| {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &filters {
            serializer.append_pair(name, value);
        }
        serializer.append_pair("PageSize", &size.to_string());
        serializer.append_pair("Page", &number.to_string());
        if number > 0 {
            serializer.append_pair("PageToken", &format!("PT{number}"));
        }
        format!("{url}?{}", serializer.finish())
    };
    let start = number.saturating_mul(size).min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let meta = ListMeta {
        page: number as u64,
        page_size: size as u64,
        first_page_url: page_url(0),
        previous_page_url: (number > 0).then(|| page_url(number - 1)),
        url: page_url(number),
        next_page_url: (end < items.len()).then(|| page_url(number + 1)),
        key: key.to_owned(),
    };
    Ok(json!({ key: items[start..end], "meta": meta }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Vec<(String, String)> {
        parse_query(Some(text))
    }

    #[test]
    fn pages_follow_each_other_and_echo_filters_sorted() {
        let items: Vec<u32> = (0..5).collect();
        let first = page(
            "n",
            &items,
            "http://x/L",
            &query("Sort=a&Active=true&PageSize=2"),
            MAX_PAGE_SIZE,
        )
        .unwrap();
        assert_eq!(first["n"], json!([0, 1]));
        assert_eq!(
            first["meta"]["url"],
            "http://x/L?Active=true&Sort=a&PageSize=2&Page=0"
        );
        let next = first["meta"]["next_page_url"].as_str().unwrap();
        assert_eq!(
            next,
            "http://x/L?Active=true&Sort=a&PageSize=2&Page=1&PageToken=PT1"
        );
        let third = page(
            "n",
            &items,
            "http://x/L",
            &query("PageSize=2&PageToken=PT2"),
            MAX_PAGE_SIZE,
        )
        .unwrap();
        assert_eq!(third["n"], json!([4]));
        assert_eq!(third["meta"]["next_page_url"], Value::Null);
        assert_eq!(third["meta"]["page"], 2);
        assert_eq!(third["meta"]["key"], "n");
    }

    #[test]
    fn the_server_cap_shrinks_pages() {
        let items: Vec<u32> = (0..5).collect();
        let capped = page("n", &items, "u", &query("PageSize=1000"), 2).unwrap();
        assert_eq!(
            (capped["n"].clone(), capped["meta"]["page_size"].clone()),
            (json!([0, 1]), json!(2))
        );
    }

    #[test]
    fn page_size_is_bounded() {
        for bad in ["PageSize=0", "PageSize=1001", "PageSize=x", "PageToken=zz"] {
            assert_eq!(
                page("n", &[1], "u", &query(bad), MAX_PAGE_SIZE)
                    .unwrap_err()
                    .status,
                400,
                "{bad}"
            );
        }
    }
}
