//! Terminal styling: colour for severities and statuses (SGR codes), off unless the caller
//! turns it on. `app` decides (`--color`, `NO_COLOR`, a terminal or not); renderers only ask.
//! Colour wraps fixed words the tool writes (severities, statuses, headings), never data.

use ksef_model::Severity;

/// What a styled word means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Needs action now: INCOMPLETE, ACTIVE, a critical finding.
    Alarm,
    /// A high finding.
    Bad,
    /// A medium finding, something to look at.
    Warn,
    /// A low finding.
    Note,
    /// Info, or a detail that matters less.
    Dim,
    /// A complete context, a fixed finding.
    Good,
    /// A section heading.
    Heading,
}

impl Tone {
    fn code(self) -> &'static str {
        match self {
            Tone::Alarm => "1;31",
            Tone::Bad => "31",
            Tone::Warn => "33",
            Tone::Note => "36",
            Tone::Dim => "2",
            Tone::Good => "32",
            Tone::Heading => "1",
        }
    }

    /// The tone of a severity.
    pub fn of(severity: Severity) -> Tone {
        match severity {
            Severity::Critical => Tone::Alarm,
            Severity::High => Tone::Bad,
            Severity::Medium => Tone::Warn,
            Severity::Low => Tone::Note,
            Severity::Info => Tone::Dim,
        }
    }
}

/// How a renderer writes for a terminal: colour on or off, and the width tables fit (`None`:
/// no limit, as for files and pipes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub width: Option<usize>,
}

impl Style {
    /// `text` in `tone` (unchanged without colour).
    pub fn paint(self, tone: Tone, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", tone.code())
        } else {
            text.to_string()
        }
    }

    /// `text` in `tone`, padded with spaces to `width` characters (the padding uncoloured,
    /// so columns line up whether or not colour is on).
    pub fn paint_padded(self, tone: Tone, text: &str, width: usize) -> String {
        let pad = width.saturating_sub(text.chars().count());
        format!("{}{}", self.paint(tone, text), " ".repeat(pad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_wraps_the_word_and_plain_style_leaves_it_alone() {
        let on = Style {
            color: true,
            width: None,
        };
        assert_eq!(
            on.paint(Tone::Alarm, "CRITICAL"),
            "\x1b[1;31mCRITICAL\x1b[0m"
        );
        assert_eq!(
            on.paint_padded(Tone::Bad, "HIGH", 8),
            "\x1b[31mHIGH\x1b[0m    "
        );
        assert_eq!(Style::default().paint(Tone::Alarm, "CRITICAL"), "CRITICAL");
        assert_eq!(
            Style::default().paint_padded(Tone::Bad, "HIGH", 8),
            "HIGH    "
        );
    }
}
