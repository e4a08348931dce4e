//! Line and column of a byte offset, for every finding and every positioned problem.

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &[u8], offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let column = before[line_start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count() as u64
        + 1;
    (line, column)
}

/// [`line_col`] for ascending offsets: newlines are counted once per buffer.
#[derive(Default)]
pub(crate) struct Locator {
    pos: usize,
    line: u64,
}

impl Locator {
    pub(crate) fn locate(&mut self, text: &[u8], offset: usize) -> (u64, u64) {
        let offset = offset.min(text.len());
        if offset < self.pos {
            *self = Locator::default();
        }
        self.line += memchr::memchr_iter(b'\n', &text[self.pos..offset]).count() as u64;
        self.pos = offset;
        let line_start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |p| p + 1);
        let column = text[line_start..offset]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count() as u64
            + 1;
        (self.line + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_agrees_with_line_col() {
        let text = "a\nbb\n\nżółw x\r\nyy".as_bytes();
        let mut loc = Locator::default();
        for off in [0, 1, 2, 5, 6, 9, 12, 3, text.len()] {
            assert_eq!(loc.locate(text, off), line_col(text, off), "offset {off}");
        }
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "x\nżółw=1".as_bytes();
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        assert_eq!(line_col(text, text.len() - 1), (2, 6));
    }
}
