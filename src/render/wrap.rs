//! Text wrapped at a width on word boundaries: a word is never cut, a word longer than the
//! width stands on a line of its own; continuation lines are indented.

/// `text` (one paragraph) as lines of at most `width` characters where words allow: the
/// first line starts with `first`, the others with `rest` (usually spaces as wide as
/// `first`). Runs of spaces between words become one.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if !empty && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            line.push_str(rest);
            len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    lines.push(line);
    lines
}

/// The width text is wrapped at: `COLUMNS` when set, else the terminal's width, else 100
/// (a file or a pipe; as wide as a report reads well).
pub fn text_width(terminal: bool) -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n >= 20)
        .or_else(|| {
            terminal
                .then(terminal_size::terminal_size)
                .flatten()
                .map(|(w, _)| usize::from(w.0))
        })
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_on_word_boundaries_with_an_indented_continuation() {
        let lines = wrap(
            "holds InvoiceWrite, CredentialsManage and SubunitManage",
            30,
            "  - ",
            "    ",
        );
        assert_eq!(
            lines,
            [
                "  - holds InvoiceWrite,",
                "    CredentialsManage and",
                "    SubunitManage"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 30));
    }

    #[test]
    fn a_word_longer_than_the_width_is_never_cut() {
        let lines = wrap("a 20260508-EC-314A0925BB-33F294309B-FE b", 12, "", "  ");
        assert_eq!(
            lines,
            ["a", "  20260508-EC-314A0925BB-33F294309B-FE", "  b"]
        );
    }
}
