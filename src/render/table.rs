//! Terminal tables (`tokens`, `permissions`, `certificates`, `rules list`): cells padded to
//! their column's width, fixed words coloured, and the table fitted to the terminal width
//! (long cells cut with `…`, then low-value columns left out, with a note naming them).

use std::io::{self, Write};

use crate::render::style::Style;
use crate::render::style::Tone;
use ksef_model::i18n::Lang;

/// One cell: its text and, for a word the tool itself writes (a status, a severity), the tone
/// it is coloured in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub tone: Option<Tone>,
}

impl Cell {
    /// A cell coloured in `tone` (when colour is on).
    pub fn toned(text: impl Into<String>, tone: Option<Tone>) -> Cell {
        Cell {
            text: text.into(),
            tone,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, tone: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

/// How one table fits a width.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    /// The column headings, in the output language.
    pub header: &'a [&'a str],
    /// Columns that may be cut, each with the narrowest it gets, in the order the room left
    /// over is given back to them.
    pub shrink: &'a [(usize, usize)],
    /// Columns left out, in this order, when cutting is not enough (the others always stay).
    pub drop: &'a [usize],
    /// Where every column can still be seen (English, Polish), for the note on left-out
    /// columns.
    pub elsewhere: (&'static str, &'static str),
}

/// The widest cell of each column (headings included).
fn natural<'c>(header: &[&str], rows: impl IntoIterator<Item = &'c [Cell]>) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let n = cell.text.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(n),
                None => widths.push(n),
            }
        }
    }
    widths
}

impl Layout<'_> {
    /// The columns shown and their widths when the table must fit `limit` characters (two
    /// spaces of indent, two between columns): first the `shrink` columns are cut down to
    /// their minimum, then the `drop` columns are left out in order; the room left is given
    /// back to the `shrink` columns. `None`: every column at full width.
    pub fn fit(&self, natural: &[usize], limit: Option<usize>) -> (Vec<bool>, Vec<usize>) {
        let mut shown = vec![true; natural.len()];
        let Some(limit) = limit else {
            return (shown, natural.to_vec());
        };
        let line = |shown: &[bool], widths: &[usize]| {
            let cols: Vec<usize> = (0..widths.len())
                .filter(|&i| shown[i])
                .map(|i| widths[i])
                .collect();
            2 + cols.iter().sum::<usize>() + 2 * cols.len().saturating_sub(1)
        };
        let last = self.drop.last().copied();
        for drop in std::iter::once(None).chain(self.drop.iter().map(|&d| Some(d))) {
            if let Some(d) = drop {
                shown[d] = false;
            }
            let mut widths = natural.to_vec();
            // A column is never cut narrower than its heading.
            for &(col, min) in self.shrink {
                let heading = self.header.get(col).map_or(0, |h| h.chars().count());
                widths[col] = natural[col].min(min.max(heading));
            }
            let min = line(&shown, &widths);
            if min > limit && drop != last {
                continue;
            }
            let mut room = limit.saturating_sub(min);
            for &(col, _) in self.shrink {
                if shown[col] {
                    let more = natural[col].saturating_sub(widths[col]).min(room);
                    widths[col] += more;
                    room -= more;
                }
            }
            return (shown, widths);
        }
        (shown, natural.to_vec())
    }

    /// Decides once, from the rows of every block, which columns the whole listing shows
    /// (so every block has the same columns), and writes the note naming those left out.
    pub fn columns<'c>(
        &self,
        w: &mut dyn Write,
        rows: impl IntoIterator<Item = &'c [Cell]>,
        style: Style,
        lang: Lang,
    ) -> io::Result<Vec<bool>> {
        let widest = natural(self.header, rows);
        let (shown, _) = self.fit(&widest, style.width);
        let left_out: Vec<&str> = (0..shown.len())
            .filter(|&i| !shown[i])
            .filter_map(|i| self.header.get(i).copied())
            .collect();
        if !left_out.is_empty() {
            writeln!(
                w,
                "{} {}; {})",
                lang.t(
                    "(not shown, the terminal is too narrow:",
                    "(nie pokazano, bo terminal jest za wąski:"
                ),
                left_out.join(", "),
                lang.t(self.elsewhere.0, self.elsewhere.1)
            )?;
        }
        Ok(shown)
    }

    /// The heading line and `rows` with the columns `shown`, cut to fit `style.width`.
    pub fn write_block(
        &self,
        w: &mut dyn Write,
        rows: &[Vec<Cell>],
        shown: &[bool],
        style: Style,
    ) -> io::Result<()> {
        // One row per line: a newline (or any control or bidi character) in a value from
        // KSeF or a file is written as `\u{…}`, so it cannot fake a row (issue 21, point 19).
        let rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| Cell {
                        text: ksef_model::escape_terminal(&c.text).into_owned(),
                        tone: c.tone,
                    })
                    .collect()
            })
            .collect();
        let rows = rows.as_slice();
        let natural = natural(self.header, rows.iter().map(Vec::as_slice));
        let (_, widths) = self.fit(&natural, style.width);
        let header: Vec<Cell> = self.header.iter().map(|&h| Cell::from(h)).collect();
        write_row(w, &header, &widths, shown, style)?;
        for row in rows {
            write_row(w, row, &widths, shown, style)?;
        }
        Ok(())
    }
}

/// A day as a table cell: `2026-11-30` in English, `30.11.2026` in Polish (docs/polish.md).
pub fn day(t: chrono::DateTime<chrono::Utc>, lang: Lang) -> Cell {
    Cell::from(t.format(lang.t("%Y-%m-%d", "%d.%m.%Y")).to_string())
}

/// `cell` cut to `width` characters, ending in `…` when cut.
pub fn cut_cell(cell: &str, width: usize) -> String {
    if cell.chars().count() <= width {
        return cell.to_string();
    }
    let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// One line: two spaces, then the cells shown, each cut to its width, coloured in its tone
/// and padded (the padding uncoloured, so columns line up with colour on or off).
fn write_row(
    w: &mut dyn Write,
    cells: &[Cell],
    widths: &[usize],
    shown: &[bool],
    style: Style,
) -> io::Result<()> {
    let visible = |i: usize| shown.get(i).copied().unwrap_or(true);
    let last = (0..cells.len()).rev().find(|&i| visible(i)).unwrap_or(0);
    let mut line = String::from("  ");
    for (i, cell) in cells.iter().enumerate() {
        if !visible(i) {
            continue;
        }
        let width = widths.get(i).copied().unwrap_or(0);
        let text = cut_cell(&cell.text, width);
        let pad = if i < last {
            width.saturating_sub(text.chars().count()) + 2
        } else {
            0
        };
        line.push_str(&match cell.tone {
            Some(tone) => style.paint_padded(tone, &text, text.chars().count() + pad),
            None => format!("{text}{}", " ".repeat(pad)),
        });
    }
    writeln!(w, "{}", line.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKENS: Layout<'static> = Layout {
        header: &["A", "B", "C", "D", "E", "F", "G"],
        shrink: &[(6, 16), (2, 20)],
        drop: &[3, 5, 2, 6],
        elsewhere: ("", ""),
    };

    #[test]
    fn narrow_terminals_shrink_then_drop_low_value_columns() {
        // reference 36, status 6, permissions 60, created 10, last used 10, author 18, description 48
        let natural = [36, 6, 60, 10, 10, 18, 48];
        let (shown, widths) = TOKENS.fit(&natural, None);
        assert_eq!((shown, widths), (vec![true; 7], natural.to_vec()));
        // 140 columns: everything stays, description and permissions cut to fit.
        let (shown, widths) = TOKENS.fit(&natural, Some(140));
        assert_eq!(shown, vec![true; 7]);
        let total = 2 + widths.iter().sum::<usize>() + 12;
        assert!(total <= 140, "{widths:?}");
        assert!(widths[6] >= 16 && widths[6] < 48);
        // 120 columns: the fourth goes first; 100: the sixth too; 80: the third too.
        let (shown, _) = TOKENS.fit(&natural, Some(120));
        assert_eq!(shown, [true, true, true, false, true, true, true]);
        let (shown, _) = TOKENS.fit(&natural, Some(100));
        assert_eq!(shown, [true, true, true, false, true, false, true]);
        let (shown, widths) = TOKENS.fit(&natural, Some(80));
        assert_eq!(shown, [true, true, false, false, true, false, true]);
        let used: usize = (0..7).filter(|&i| shown[i]).map(|i| widths[i]).sum();
        assert!(2 + used + 2 * 3 <= 80, "{widths:?}");
        let (shown, _) = TOKENS.fit(&natural, Some(40));
        assert!(shown[0] && shown[1] && shown[4]);
        assert_eq!(cut_cell("abcdefgh", 5), "abcd…");
    }

    #[test]
    fn coloured_cells_keep_the_columns_aligned() {
        let rows = vec![
            vec![
                Cell::from("x"),
                Cell::toned("HIGH", Some(Tone::Bad)),
                "t".into(),
            ],
            vec![
                Cell::from("yy"),
                Cell::toned("LOW", Some(Tone::Note)),
                "u".into(),
            ],
        ];
        let layout = Layout {
            header: &["ID", "SEV", "TITLE"],
            shrink: &[],
            drop: &[],
            elsewhere: ("", ""),
        };
        let mut plain = Vec::new();
        layout
            .write_block(&mut plain, &rows, &[true; 3], Style::default())
            .expect("writes");
        let plain = String::from_utf8(plain).expect("utf-8");
        assert_eq!(plain, "  ID  SEV   TITLE\n  x   HIGH  t\n  yy  LOW   u\n");
        let mut coloured = Vec::new();
        let on = Style {
            color: true,
            width: None,
        };
        layout
            .write_block(&mut coloured, &rows, &[true; 3], on)
            .expect("writes");
        let coloured = String::from_utf8(coloured).expect("utf-8");
        assert!(
            coloured.contains("  x   \x1b[31mHIGH\x1b[0m  t\n"),
            "{coloured:?}"
        );
    }
}
