//! "Did you mean" hints: the closest known word to what a user typed, if any is close.

/// The candidate closest to `given`, when it is close enough to be a likely typo.
pub fn closest<'a>(given: &str, candidates: &'a [String]) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&given_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

/// "did you mean `x`?" when one candidate is close, else the list of choices (if short).
pub fn did_you_mean_or_list(given: &str, candidates: &[String]) -> Option<String> {
    if let Some(best) = closest(given, candidates) {
        return Some(format!("did you mean `{best}`?"));
    }
    if candidates.is_empty() || candidates.len() > 20 {
        return None;
    }
    let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    Some(format!("expected one of {}", list.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn close_typo_is_suggested() {
        let keys = words(&["warning", "critical"]);
        assert_eq!(closest("critcal", &keys), Some("critical"));
        assert_eq!(closest("Warning", &keys), Some("warning"));
    }

    #[test]
    fn unrelated_word_gets_the_list() {
        let keys = words(&["warning", "critical"]);
        assert_eq!(closest("zzz", &keys), None);
        assert_eq!(
            did_you_mean_or_list("zzz", &keys).unwrap(),
            "expected one of `warning`, `critical`"
        );
    }
}
