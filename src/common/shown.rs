//! Text from outside shown to people: a short excerpt of a long value (so an error message
//! never repeats a whole field of a huge input).

/// At most 40 characters of `text`, with `...` when it was cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_40_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(excerpt(&long), format!("{}...", "é".repeat(40)));
    }
}
