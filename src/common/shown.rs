//! Text from outside shown to people: a short excerpt of a long value (so an error message
//! never repeats a whole field of a huge input), and the characters that can make text read
//! differently from what it is (a right-to-left override, a zero-width space, a newline inside
//! a name, a Cyrillic `о` among Latin letters), so that a review sees what is really there.

use std::borrow::Cow;

/// At most 40 characters of `text`, with `...` when it was cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// What `character` is, when it can make text read differently from what it is: a control
/// character (a newline in a name could fake a line of a plan), a bidirectional-text control,
/// or an invisible formatting character (zero-width, word joiner, byte order mark).
pub fn invisible(character: char) -> Option<&'static str> {
    if character.is_control() {
        Some("a control character")
    } else if matches!(character, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    {
        Some("a bidirectional-text control character")
    } else if matches!(character, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
    {
        Some("an invisible character")
    } else {
        None
    }
}

/// `text` with every character `invisible` names written as `\u{202e}`.
pub fn escape_invisible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| invisible(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match invisible(c) {
                Some(_) => format!("\\u{{{:x}}}", u32::from(c)),
                None => c.to_string(),
            })
            .collect(),
    )
}

/// The writing system of a letter, for the ones that share look-alike letters.
fn script(character: char) -> Option<&'static str> {
    if !character.is_alphabetic() {
        return None;
    }
    Some(match character {
        'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => "Latin",
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => "Greek",
        '\u{0400}'..='\u{052F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => "Cyrillic",
        '\u{0530}'..='\u{058F}' => "Armenian",
        _ => return None,
    })
}

/// The first word of `text` whose letters come from more than one of the scripts with
/// look-alike letters (Latin, Greek, Cyrillic, Armenian), and those scripts: `Supp\u{43e}rt`
/// passes for `Support`. Words in different scripts side by side are fine.
pub fn mixed_script(text: &str) -> Option<(&str, Vec<&'static str>)> {
    text.split(|c: char| !c.is_alphanumeric()).find_map(|word| {
        let mut scripts: Vec<&'static str> = word.chars().filter_map(script).collect();
        scripts.sort_unstable();
        scripts.dedup();
        (scripts.len() > 1).then_some((word, scripts))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_named_and_escaped() {
        assert_eq!(
            invisible('\u{202E}'),
            Some("a bidirectional-text control character")
        );
        assert_eq!(invisible('\u{200B}'), Some("an invisible character"));
        assert_eq!(invisible('\n'), Some("a control character"));
        assert_eq!(invisible('é'), None);
        assert_eq!(escape_invisible("Support"), "Support");
        assert_eq!(
            escape_invisible("Sup\u{202E}port\n+ create"),
            "Sup\\u{202e}port\\u{a}+ create"
        );
    }

    #[test]
    fn a_word_of_two_scripts_is_mixed_and_words_side_by_side_are_not() {
        assert_eq!(
            mixed_script("Supp\u{043E}rt voice"),
            Some(("Supp\u{043E}rt", vec!["Cyrillic", "Latin"]))
        );
        assert_eq!(mixed_script("Поддержка - Support"), None);
        assert_eq!(mixed_script("Straße 2"), None);
    }

    #[test]
    fn long_text_is_cut_at_40_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(excerpt(&long), format!("{}...", "é".repeat(40)));
    }
}
