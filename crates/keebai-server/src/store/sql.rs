//! SQL text written once for both engines.
//!
//! Statements are written with SQLite's numbered placeholders (`?1`, `?2`, …), which rusqlite
//! takes as they are; [`pg`] turns them into PostgreSQL's (`$1`, `$2`, …). Only statements
//! whose meaning is the same on both engines are shared this way; locking, `RETURNING` with
//! row locks, upserts that differ and `NOTIFY` stay in the engine's own module.

/// The engine a statement is for, where the two must differ (the inventory's collation and
/// case-insensitive match, a migration step only one of them has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// One statement for both engines: its text as written (SQLite's), and PostgreSQL's made from
/// it once, on first use.
pub struct Sql {
    text: &'static str,
    pg: std::sync::OnceLock<String>,
}

impl Sql {
    pub const fn new(text: &'static str) -> Self {
        Self {
            text,
            pg: std::sync::OnceLock::new(),
        }
    }

    /// The statement for rusqlite (`?N` placeholders).
    pub fn sqlite(&self) -> &'static str {
        self.text
    }

    /// The statement for tokio-postgres (`$N` placeholders).
    pub fn pg(&self) -> &str {
        self.pg.get_or_init(|| pg(self.text))
    }
}

/// `sql` with every `?N` placeholder outside a quoted string or identifier written `$N`.
pub fn pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{pg, Sql};

    #[test]
    fn a_shared_statement_gives_each_engine_its_text() {
        static Q: Sql = Sql::new("DELETE FROM t WHERE a = ?1 AND b < ?2");
        assert_eq!(Q.sqlite(), "DELETE FROM t WHERE a = ?1 AND b < ?2");
        assert_eq!(Q.pg(), "DELETE FROM t WHERE a = $1 AND b < $2");
        assert_eq!(Q.pg(), "DELETE FROM t WHERE a = $1 AND b < $2");
    }

    #[test]
    fn numbered_placeholders_become_dollars() {
        assert_eq!(
            pg("SELECT a FROM t WHERE b = ?1 AND c > ?12"),
            "SELECT a FROM t WHERE b = $1 AND c > $12"
        );
    }

    #[test]
    fn quoted_text_and_bare_question_marks_are_left_alone() {
        assert_eq!(
            pg(r#"SELECT '?1', "?2" FROM t WHERE x = ?3 AND y ? 'k'"#),
            r#"SELECT '?1', "?2" FROM t WHERE x = $3 AND y ? 'k'"#
        );
    }
}
