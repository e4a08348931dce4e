//! Text the tool shows that came from outside (descriptions, file names, cells): made safe for
//! a terminal and cut to a readable length.

use std::borrow::Cow;

/// Bidirectional-text controls that reorder what a terminal shows (U+202E and friends).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with control characters (ESC, BEL, CR, LF, tab, C1) and bidi controls written as
/// `\u{…}` escapes, so a hostile value cannot colour the terminal, fake rows or reorder text.
pub fn escape_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape_terminal`] for whole lines of output: newlines and tabs stay, every other control
/// and bidi character is escaped.
pub fn escape_terminal_text(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `s`; a longer value ends in `…(N chars)`.
pub fn cut(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let head: String = s.chars().take(max).collect();
    Cow::Owned(format!("{head}…({n} chars)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_13_terminal_escapes_controls_and_bidi() {
        let hostile = "ok\u{1b}[31mred\u{7}\r\nfake row\u{202e}cod.exe";
        let shown = escape_terminal(hostile);
        assert!(!shown.chars().any(|c| c.is_control() || is_bidi_control(c)));
        assert_eq!(
            shown,
            "ok\\u{1b}[31mred\\u{7}\\u{d}\\u{a}fake row\\u{202e}cod.exe"
        );
        assert_eq!(escape_terminal("zażółć"), "zażółć");
        assert_eq!(
            escape_terminal_text("a\tb\n\u{1b}c\u{2067}"),
            "a\tb\n\\u{1b}c\\u{2067}"
        );
    }

    #[test]
    fn issue_13_cut_echoed_values() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut(&"ż".repeat(10), 3), "żżż…(10 chars)");
    }
}

/// The Polish noun form for a count: `one` for 1, `few` for 2–4 (but not 12–14) and for
/// numbers ending in 2–4 after the tens (22, 103), `many` otherwise (0, 5–21, 25, 112…):
/// `plural_pl(2, "token", "tokeny", "tokenów")` = `tokeny`.
pub fn plural_pl<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (last, tens) = (n % 10, n % 100);
    if n == 1 {
        one
    } else if (2..=4).contains(&last) && !(12..=14).contains(&tens) {
        few
    } else {
        many
    }
}

/// `n` days in Polish: `1 dzień`, `2 dni`, `5 dni` (only 1 takes the singular).
pub fn days_pl(n: i64) -> String {
    if n.unsigned_abs() == 1 {
        format!("{n} dzień")
    } else {
        format!("{n} dni")
    }
}

#[cfg(test)]
mod plural_tests {
    use super::*;

    #[test]
    fn polish_plurals_follow_one_few_many() {
        let form = |n| plural_pl(n, "ustalenie", "ustalenia", "ustaleń");
        assert_eq!(form(1), "ustalenie");
        for n in [2, 3, 4, 22, 23, 34, 102] {
            assert_eq!(form(n), "ustalenia", "{n}");
        }
        for n in [0, 5, 11, 12, 13, 14, 15, 21, 25, 111, 112, 1000] {
            assert_eq!(form(n), "ustaleń", "{n}");
        }
        assert_eq!(days_pl(1), "1 dzień");
        assert_eq!(days_pl(2), "2 dni");
        assert_eq!(days_pl(-1), "-1 dzień");
    }
}
