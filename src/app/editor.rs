//! A small line editor for the composer and the prompts: a text and a
//! cursor (a byte index on a character boundary), with the moves and
//! deletions of a shell's line editor. Multi-line: `\n` separates lines.

/// One editing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Type a character.
    Insert(char),
    /// Start a new line (Alt-Enter).
    Newline,
    /// One character left.
    Left,
    /// One character right.
    Right,
    /// To the start of the previous word (Alt-←).
    WordLeft,
    /// To the end of the next word (Alt-→).
    WordRight,
    /// To the start of the line (Home, Ctrl-A).
    Home,
    /// To the end of the line (End, Ctrl-E).
    End,
    /// Delete the character before the cursor (Backspace).
    Backspace,
    /// Delete the character under the cursor (Delete).
    Delete,
    /// Delete from the start of the line to the cursor (Ctrl-U).
    KillToStart,
    /// Delete from the cursor to the end of the line (Ctrl-K).
    KillToEnd,
    /// Delete the word before the cursor (Ctrl-W).
    DeleteWord,
}

/// A text being typed and where the cursor is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    /// The text; lines are separated by `\n`.
    pub text: String,
    /// Byte index of the cursor, always on a character boundary.
    pub cursor: usize,
    /// The most bytes the text may hold.
    pub max: usize,
}

impl Editor {
    /// An empty editor holding at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            text: String::new(),
            cursor: 0,
            max,
        }
    }

    /// An editor holding `text` with the cursor at its end.
    pub fn with_text(text: &str, max: usize) -> Self {
        let mut e = Self::new(max);
        e.insert_str(text);
        e
    }

    /// Inserts `s` at the cursor, as much of it as fits in `max` bytes
    /// (cut on a character boundary). Returns false when something was left out.
    pub fn insert_str(&mut self, s: &str) -> bool {
        let room = self.max.saturating_sub(self.text.len());
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.text.insert_str(self.cursor, &s[..take]);
        self.cursor += take;
        take == s.len()
    }

    /// Applies one edit.
    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Insert(c) => {
                let mut buf = [0u8; 4];
                self.insert_str(c.encode_utf8(&mut buf));
            }
            Edit::Newline => {
                self.insert_str("\n");
            }
            Edit::Left => self.cursor = self.prev(self.cursor),
            Edit::Right => self.cursor = self.next(self.cursor),
            Edit::WordLeft => self.cursor = self.word_start(),
            Edit::WordRight => self.cursor = self.word_end(),
            Edit::Home => self.cursor = self.line_start(),
            Edit::End => self.cursor = self.line_end(),
            Edit::Backspace => {
                let from = self.prev(self.cursor);
                self.remove(from, self.cursor);
            }
            Edit::Delete => {
                let to = self.next(self.cursor);
                self.remove(self.cursor, to);
            }
            Edit::KillToStart => self.remove(self.line_start(), self.cursor),
            Edit::KillToEnd => self.remove(self.cursor, self.line_end()),
            Edit::DeleteWord => self.remove(self.word_start(), self.cursor),
        }
    }

    /// Moves to the line above, keeping the column; false on the first line.
    pub fn up(&mut self) -> bool {
        let start = self.line_start();
        if start == 0 {
            return false;
        }
        let col = self.text[start..self.cursor].chars().count();
        let above = self.text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        self.cursor = Self::at_col(&self.text, above, start - 1, col);
        true
    }

    /// Moves to the line below, keeping the column; false on the last line.
    pub fn down(&mut self) -> bool {
        let end = self.line_end();
        if end == self.text.len() {
            return false;
        }
        let col = self.text[self.line_start()..self.cursor].chars().count();
        let below = end + 1;
        let below_end = self.text[below..]
            .find('\n')
            .map_or(self.text.len(), |i| below + i);
        self.cursor = Self::at_col(&self.text, below, below_end, col);
        true
    }

    /// The cursor's line and column (both from 0, the column in characters).
    pub fn line_col(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.matches('\n').count();
        let col = before[self.line_start()..].chars().count();
        (line, col)
    }

    /// Replaces the whole text, the cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text.clear();
        self.cursor = 0;
        self.insert_str(text);
    }

    fn at_col(text: &str, start: usize, end: usize, col: usize) -> usize {
        text[start..end]
            .char_indices()
            .nth(col)
            .map_or(end, |(i, _)| start + i)
    }

    fn remove(&mut self, from: usize, to: usize) {
        if from < to {
            self.text.replace_range(from..to, "");
            self.cursor = from;
        }
    }

    fn prev(&self, i: usize) -> usize {
        self.text[..i]
            .char_indices()
            .next_back()
            .map_or(0, |(j, _)| j)
    }

    fn next(&self, i: usize) -> usize {
        self.text[i..]
            .chars()
            .next()
            .map_or(i, |c| i + c.len_utf8())
    }

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    /// The start of the word before the cursor (skipping spaces first).
    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(|c: char| !c.is_alphanumeric());
        trimmed
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric())
            .last()
            .map_or(trimmed.len(), |(i, _)| i)
    }

    /// The end of the word after the cursor (skipping spaces first).
    fn word_end(&self) -> usize {
        let after = &self.text[self.cursor..];
        let skip = after.len()
            - after
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let word = after[skip..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(after.len() - skip);
        self.cursor + skip + word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed(text: &str) -> Editor {
        Editor::with_text(text, 1024)
    }

    #[test]
    fn moves_and_deletes_like_a_line_editor() {
        let mut e = ed("hello big world");
        e.apply(Edit::WordLeft);
        assert_eq!(&e.text[e.cursor..], "world");
        e.apply(Edit::WordLeft);
        e.apply(Edit::DeleteWord);
        assert_eq!(e.text, "big world");
        e.apply(Edit::WordRight);
        assert_eq!(&e.text[..e.cursor], "big");
        e.apply(Edit::KillToEnd);
        assert_eq!(e.text, "big");
        e.apply(Edit::Home);
        e.apply(Edit::Insert('é'));
        e.apply(Edit::Right);
        e.apply(Edit::Delete);
        assert_eq!(e.text, "ébg");
        e.apply(Edit::End);
        e.apply(Edit::Left);
        e.apply(Edit::KillToStart);
        assert_eq!((e.text.as_str(), e.cursor), ("g", 0));
        e.apply(Edit::Backspace);
        assert_eq!(e.text, "g");
    }

    #[test]
    fn lines_keep_their_column() {
        let mut e = ed("abc\nde\nfghij");
        assert_eq!(e.line_col(), (2, 5));
        assert!(e.up());
        assert_eq!(e.line_col(), (1, 2));
        assert!(e.up());
        assert_eq!(e.line_col(), (0, 2));
        assert!(!e.up());
        e.apply(Edit::End);
        assert!(e.down());
        assert_eq!(e.line_col(), (1, 2));
        e.apply(Edit::Newline);
        assert_eq!(e.text, "abc\nde\n\nfghij");
        e.apply(Edit::KillToStart);
        assert_eq!(e.text, "abc\nde\n\nfghij");
    }

    #[test]
    fn the_limit_cuts_on_a_character_boundary() {
        let mut e = Editor::new(5);
        assert!(!e.insert_str("ééé"));
        assert_eq!(e.text, "éé");
    }
}
