//! Text the tool shows that came from outside (descriptions, file names, cells): made safe for
//! a terminal, cut to a readable length, and stripped of token values by shape.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

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

/// [`escape_terminal_text`] for one problem of an input file: its own `help:` lines (in
/// either language, [`crate::i18n::stderr::split`]) stay lines,
/// any other newline (from a cell value or a file name) is escaped, so a value cannot fake a
/// line of the report.
pub fn escape_problem(s: &str) -> Cow<'_, str> {
    if !s.contains(['\n', '\r']) {
        return escape_terminal_text(s);
    }
    let lines: Vec<&str> = s.split('\n').collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let help = matches!(
                crate::i18n::stderr::split(line),
                Some((crate::i18n::stderr::Kind::Help, _))
            );
            out.push_str(if help { "\n" } else { "\\u{a}" });
        }
        out.push_str(&escape_terminal_text(line));
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

/// A file name as the tool shows it in a message: token values redacted by shape, every
/// control character (newline included: a name cannot fake a line) and bidi control escaped.
pub fn shown_path(path: impl AsRef<std::path::Path>) -> String {
    let text = path.as_ref().to_string_lossy();
    escape_terminal(&redact_token_shapes(&text)).into_owned()
}

/// How a secret is shown: `ref|context|abcd…(N chars)` for a KSeF 2.0 token (reference and
/// context given), `abcd…(N chars)` for any other secret: the first four characters only.
pub fn secret_preview(secret: &str, reference: Option<&str>, context: Option<&str>) -> String {
    let tail = secret.rsplit('|').next().unwrap_or(secret);
    let shown: String = tail.chars().take(4).collect();
    let masked = format!("{shown}…({} chars)", tail.chars().count());
    match (reference, context) {
        (Some(r), Some(c)) => format!("{r}|{c}|{masked}"),
        _ => masked,
    }
}

/// The separators a KSeF 2.0 token is written with: `|` plain, URL-encoded (once or twice),
/// as a JSON, C or HTML escape, quoted-printable.
const V2_SEPARATOR: &str =
    r"(?:\||%7[cC]|%257[cC]|\\u007[cC]|\\x7[cC]|&#124;|&#x7[cC];|&vert;|=7[cC])";

/// KSeF 2.0 tokens of any case and separator, with no boundary on either side (a token glued
/// to a word, a digit or more hex is still a token when it is echoed).
fn v2_shape() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(
            r"(?i)(20\d{{6}}-[a-z]{{2}}-[0-9a-f]{{10}}-[0-9a-f]{{10}}-[0-9a-f]{{2}}){V2_SEPARATOR}(nip-\d{{10}}|internalid-\d{{10}}-\d{{5}}){V2_SEPARATOR}([0-9a-f]{{64}})"
        );
        Regex::new(&pattern).expect("static regex compiles")
    })
}

/// Runs that may be KSeF 1.0 tokens (64+ upper-case hex) and runs that may be 40-character
/// tokens (letters and digits between non-alphanumerics, `_` included).
fn run_shapes() -> &'static [Regex; 2] {
    static RE: OnceLock<[Regex; 2]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            Regex::new(r"[0-9A-F]{64,}").expect("static regex compiles"),
            Regex::new(r"[A-Za-z0-9]{40,}").expect("static regex compiles"),
        ]
    })
}

/// A KSeF 1.0 token shape: 64 or more upper-case hex digits with letters and digits (a
/// fingerprint the tool writes is lower-case and stays readable).
fn v1_shape(run: &str) -> bool {
    run.len() >= 64
        && run
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        && run.bytes().any(|b| b.is_ascii_digit())
        && run.bytes().any(|b| b.is_ascii_uppercase())
}

/// A 40-character token shape: exactly 40 letters and digits, mixing upper case, lower case
/// and at least two digits (a git commit id is hex, a camel-case name has few digits).
fn forty_shape(run: &str) -> bool {
    run.len() == 40
        && run.bytes().any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase())
        && run.bytes().filter(u8::is_ascii_digit).count() >= 2
        && !run.bytes().all(|b| b.is_ascii_hexdigit())
}

fn shown(secret: &str, reference: Option<&str>, context: Option<&str>) -> String {
    let fingerprint = crate::fingerprint_hex(secret.as_bytes());
    format!(
        "{} sha256:{}",
        secret_preview(secret, reference, context),
        &fingerprint[..12]
    )
}

/// Issue 13, points 4, 5 and 15: every token-shaped value in `text` (a KSeF 2.0 token in any
/// case or separator, a KSeF 1.0 token, a 40-character token) becomes its preview and
/// fingerprint (`ref|nip-…|abcd…(64 chars) sha256:0123456789ab`), whatever characters it
/// is glued to. Shapes only, no keywords: this is for text the tool echoes, where showing a
/// little less is always better than showing a secret. (Lower-case 64-hex values are left:
/// they are the fingerprints the tool itself writes.)
pub fn redact_token_shapes(text: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    if text.len() >= 64 && v2_shape().is_match(text) {
        let replaced = v2_shape().replace_all(text, |c: &regex::Captures<'_>| {
            let token = format!("{}|{}|{}", &c[1], &c[2], &c[3]);
            shown(&token, Some(&c[1]), Some(&c[2]))
        });
        out = Cow::Owned(replaced.into_owned());
    }
    let shapes: [fn(&str) -> bool; 2] = [v1_shape, forty_shape];
    for (re, is_token) in run_shapes().iter().zip(shapes) {
        if out.len() < 40 || !re.find_iter(&out).any(|m| is_token(m.as_str())) {
            continue;
        }
        let replaced = re.replace_all(&out, |c: &regex::Captures<'_>| {
            let run = &c[0];
            if is_token(run) {
                shown(run, None, None)
            } else {
                run.to_string()
            }
        });
        out = Cow::Owned(replaced.into_owned());
    }
    out
}

/// Redacted previews (`…(64 chars)`) with their length note in Polish (`…(64 znaki)`).
pub fn previews_pl(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"\((\d+) chars\)").expect("static regex compiles"));
    re.replace_all(text, |c: &regex::Captures| {
        let n: u64 = c[1].parse().unwrap_or(0);
        format!("({n} {})", plural_pl(n, "znak", "znaki", "znaków"))
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_say_their_length_in_polish() {
        assert_eq!(previews_pl("fa4e…(64 chars)"), "fa4e…(64 znaki)");
        assert_eq!(
            previews_pl("k3J9…(40 chars) and x…(1 chars)"),
            "k3J9…(40 znaków) and x…(1 znak)"
        );
        assert_eq!(previews_pl("no preview"), "no preview");
    }

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
    fn issue_13_a_value_cannot_fake_a_problem_line() {
        assert_eq!(
            escape_problem("bad date 'x\nerror: fake\r'\nhelp: fix it"),
            "bad date 'x\\u{a}error: fake\\u{d}'\nhelp: fix it"
        );
        assert_eq!(escape_problem("plain"), "plain");
    }

    #[test]
    fn issue_13_cut_echoed_values() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut(&"ż".repeat(10), 3), "żżż…(10 chars)");
    }

    const TOKEN: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";
    const SECRET: &str = "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";
    const V1: &str = "FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD";
    const FORTY: &str = "FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2";

    #[test]
    fn issue_13_token_glued_to_word_characters_is_redacted() {
        let internal = TOKEN.replace("nip-1111111111", "internalId-1111111111-00007");
        let cases = [
            format!("{TOKEN}_old"),
            format!("x{TOKEN}abc"),
            format!("1{TOKEN}"),
            format!("{TOKEN}0"),
            format!("old_{internal}_v2"),
            TOKEN.replace('|', "%7C"),
            TOKEN.replace('|', "%257c"),
            TOKEN.replace('|', "\\u007c"),
            TOKEN.replace('|', "&#124;"),
            TOKEN.to_lowercase(),
            TOKEN.to_uppercase(),
            format!("{TOKEN}{TOKEN}"),
        ];
        for text in &cases {
            let shown = redact_token_shapes(text);
            assert!(!shown.to_lowercase().contains(SECRET), "{text} -> {shown}");
            assert!(shown.contains("(64 chars) sha256:"), "{shown}");
        }
        let old = format!("{TOKEN}_old");
        let shown = redact_token_shapes(&old);
        assert!(
            shown.starts_with(
                "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|face…(64 chars) sha256:"
            ),
            "{shown}"
        );
        assert!(shown.ends_with("_old"), "{shown}");
    }

    #[test]
    fn issue_13_v1_and_40_char_tokens_are_redacted_without_a_keyword() {
        for text in [
            V1.to_string(),
            format!("{V1}_old"),
            format!("old{V1}ABC"),
            format!("token: {FORTY}_prev"),
            FORTY.to_string(),
        ] {
            let shown = redact_token_shapes(&text);
            assert!(
                !shown.contains(V1) && !shown.contains(FORTY),
                "{text} -> {shown}"
            );
            assert!(shown.contains(" chars) sha256:"), "{shown}");
        }
    }

    #[test]
    fn shapes_that_are_not_tokens_stay() {
        for text in [
            "sha256 facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd",
            "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "reference 20250101-EC-FA4EFA4E00-0000000001-49 in nip-1111111111",
            "AbstractSingletonProxyFactoryBeanFactory",
            "plain words, ERP-Symfonia-prod-2025",
            "certificate 0BADC0DE11112222… holds InvoiceWrite",
        ] {
            assert_eq!(redact_token_shapes(text), text);
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        let text = format!("a {TOKEN} b {V1} c {FORTY}");
        let once = redact_token_shapes(&text).into_owned();
        assert_eq!(redact_token_shapes(&once), once);
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

/// `n` days in the genitive, after „w ciągu”, „od”, „do”: `1 dnia`, `2 dni`, `5 dni`
/// (`w ciągu 1 dzień` is wrong; `days_pl` is for „za 1 dzień”, „1 dzień temu”).
pub fn days_pl_gen(n: i64) -> String {
    if n.unsigned_abs() == 1 {
        format!("{n} dnia")
    } else {
        format!("{n} dni")
    }
}

/// Days left, the verb agreeing with the number: `został 1 dzień`, `zostały 2 dni`,
/// `zostało 5 dni` (never `zostało 1 dzień`).
pub fn days_left_pl(n: i64) -> String {
    let verb = plural_pl(n.unsigned_abs(), "został", "zostały", "zostało");
    format!("{verb} {}", days_pl(n))
}

#[cfg(test)]
mod plural_tests {
    use super::*;

    #[test]
    fn polish_days_agree_with_their_preposition_and_verb() {
        assert_eq!(days_pl_gen(1), "1 dnia");
        assert_eq!(days_pl_gen(7), "7 dni");
        assert_eq!(days_left_pl(1), "został 1 dzień");
        assert_eq!(days_left_pl(3), "zostały 3 dni");
        assert_eq!(days_left_pl(22), "zostały 22 dni");
        assert_eq!(days_left_pl(12), "zostało 12 dni");
        assert_eq!(days_left_pl(0), "zostało 0 dni");
    }

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
