//! A Markdown plan cut into comment-sized parts, each behind the marker its comment is found
//! by: `<!-- flex-alerts comment KEY part I of N -->`, KEY being the plan's environment.

/// The most a part may hold: GitHub refuses comments over 65,536 characters.
const LIMIT: usize = 65_000;

/// The parts of one plan, and the key that tells its comments from another plan's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub key: String,
    pub texts: Vec<String>,
}

impl Parts {
    /// Each part as a comment body, its marker first.
    pub fn bodies(&self) -> Vec<String> {
        let total = self.texts.len();
        self.texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                format!(
                    "{}\n{}",
                    marker(&self.key, index + 1, total),
                    text.trim_start_matches('\n')
                )
            })
            .collect()
    }
}

fn marker(key: &str, index: usize, total: usize) -> String {
    format!("<!-- flex-alerts comment {key} part {index} of {total} -->")
}

/// Which part of `key` a comment body holds, if it is one of ours.
pub fn part_of(body: &str, key: &str) -> Option<usize> {
    let first = body.lines().next()?.trim();
    let rest = first
        .strip_prefix("<!-- flex-alerts comment ")?
        .strip_prefix(key)?
        .strip_prefix(" part ")?
        .strip_suffix(" -->")?;
    let (index, _) = rest.split_once(" of ")?;
    index.parse().ok()
}

/// The environment a plan marker line (`<!-- flex-alerts plan [ENV ]part I of N -->`) names:
/// `Some("")` for a plan of no environment, `None` when the line is no marker.
fn plan_marker(line: &str) -> Option<&str> {
    let inner = line
        .trim()
        .strip_prefix("<!-- flex-alerts plan ")?
        .strip_suffix(" -->")?;
    let at = inner.rfind("part ")?;
    Some(inner[..at].trim())
}

/// Cuts `markdown` (the output of `plan --format markdown`) into parts. A plan that starts
/// with its part markers keeps its parts and its environment as the key; any other text
/// (`plan --all-envs`, a single part of no environment) is one part, or more if it is longer
/// than a comment may be, under `key` when given, else `all` for every environment's plans,
/// else `plan`.
pub fn split(markdown: &str, key: Option<&str>) -> Parts {
    let first = markdown.lines().find(|line| !line.trim().is_empty());
    if let Some(environment) = first.and_then(plan_marker) {
        let mut texts: Vec<String> = Vec::new();
        for line in markdown.lines().skip_while(|line| line.trim().is_empty()) {
            if plan_marker(line).is_some() {
                texts.push(String::new());
            } else if let Some(text) = texts.last_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
        let key = key.map(str::to_owned).unwrap_or_else(|| match environment {
            "" => "plan".to_owned(),
            name => name.to_owned(),
        });
        return Parts { key, texts };
    }
    let every = markdown.lines().any(|line| plan_marker(line).is_some());
    let key = key.unwrap_or(if every { "all" } else { "plan" }).to_owned();
    Parts {
        key,
        texts: chunks(markdown),
    }
}

/// `text` in pieces of at most `LIMIT` bytes, cut at line ends (a line longer than a whole
/// piece at a character boundary).
fn chunks(text: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    for mut line in text.split_inclusive('\n') {
        loop {
            let last = pieces.last_mut().expect("one piece");
            let room = LIMIT - last.len();
            if line.len() <= room {
                last.push_str(line);
                break;
            }
            if !last.is_empty() && line.len() <= LIMIT {
                pieces.push(String::new());
                continue;
            }
            let mut at = room;
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            last.push_str(&line[..at]);
            line = &line[at..];
            pieces.push(String::new());
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_with_markers_keeps_its_parts_and_its_environment() {
        let plan = "<!-- flex-alerts plan staging part 1 of 2 -->\n### one\n<!-- flex-alerts plan staging part 2 of 2 -->\n### two\n";
        let parts = split(plan, None);
        assert_eq!(parts.key, "staging");
        assert_eq!(parts.texts, ["### one\n", "### two\n"]);
        let bodies = parts.bodies();
        assert_eq!(
            bodies[1],
            "<!-- flex-alerts comment staging part 2 of 2 -->\n### two\n"
        );
        assert_eq!(part_of(&bodies[1], "staging"), Some(2));
        assert_eq!(part_of(&bodies[1], "production"), None);
        assert_eq!(part_of(&bodies[1], "stag"), None);
        assert_eq!(part_of("a person's comment", "staging"), None);
    }

    #[test]
    fn other_text_is_one_part_unless_it_is_longer_than_a_comment() {
        assert_eq!(
            split("### flex-alerts plan\nNo changes.\n", None).key,
            "plan"
        );
        let every = "## every environment\n<!-- flex-alerts plan a part 1 of 1 -->\nx\n";
        let parts = split(every, None);
        assert_eq!((parts.key.as_str(), parts.texts.len()), ("all", 1));
        let long = "a line of the plan\n".repeat(10_000);
        let parts = split(&long, Some("big"));
        assert_eq!(parts.texts.len(), 3);
        assert!(parts.texts.iter().all(|text| text.len() <= LIMIT));
        assert_eq!(parts.texts.concat(), long);
        let one_line = "é".repeat(40_000);
        let parts = split(&one_line, None);
        assert!(parts.texts.iter().all(|text| text.len() <= LIMIT));
        assert_eq!(parts.texts.concat(), one_line);
    }
}
