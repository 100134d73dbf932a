//! Multi-row statements: `VALUES` lists and `IN` lists written with numbered placeholders
//! (`$N`), which both backends read. (sqlx's `QueryBuilder` writes `?` for the `Any` driver,
//! which PostgreSQL refuses.) One statement for many rows is what makes a class, or a chunk
//! of a signing batch, cost one round trip instead of one per row.
//!
//! A statement binds its *shared* values first (`$1` … `$shared`: the school, the time, the
//! actor), then each row's own values in row order. [`rows_per_statement`] keeps every
//! statement under SQLite's limit of bound parameters and near 200 parameters: SQLite finds
//! each numbered parameter by a linear search of the statement's parameter names, so binding
//! costs grow with the square of a statement's parameters.

use std::fmt::Write;

/// The most parameters one statement may bind: SQLite's limit (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 32_766;

/// The most parameters a statement of this module binds. SQLite looks each numbered
/// parameter up by a linear search of the statement's parameter names, so binding a
/// statement costs the square of its parameters: 700 of them (a hundred rows of seven) cost
/// about as much as storing the rows. Statements of about 200 parameters keep that small and
/// still take a class in a handful of round trips.
const PARAMS_PER_STATEMENT: usize = 200;

/// How many rows of `per_row` parameters, after `shared` common ones, one statement takes:
/// at most `cap`, at most [`PARAMS_PER_STATEMENT`] parameters (and so never more than
/// SQLite allows), and at least one row.
pub(super) fn rows_per_statement(per_row: usize, shared: usize, cap: usize) -> usize {
    let room = PARAMS_PER_STATEMENT.min(MAX_PARAMS).saturating_sub(shared) / per_row.max(1);
    room.min(cap).max(1)
}

/// `rows` copies of `tuple`, separated by commas, where each `?` in `tuple` becomes the row's
/// next own placeholder and `$k` (k ≤ `shared`) stays the shared value it names. For
/// `tuple = "(?, $1, ?)"`, `rows = 2`, `shared = 1`: `($2, $1, $3), ($4, $1, $5)`.
/// `tuple` must hold no `?` other than placeholders (no string literal with one).
pub(super) fn values(tuple: &str, rows: usize, shared: usize) -> String {
    let per_row = tuple.matches('?').count();
    let mut out = String::with_capacity(rows * (tuple.len() + per_row * 4 + 2));
    let mut next = shared + 1;
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        for (i, piece) in tuple.split('?').enumerate() {
            if i > 0 {
                let _ = write!(out, "${next}");
                next += 1;
            }
            out.push_str(piece);
        }
    }
    out
}

/// `$first, $first+1, …` for `count` values: the inside of an `IN (…)` list.
pub(super) fn numbered(first: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 6);
    for n in first..first + count {
        if n > first {
            out.push_str(", ");
        }
        let _ = write!(out, "${n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_numbers_rows_after_the_shared_ones() {
        assert_eq!(values("(?, $1, ?)", 2, 1), "($2, $1, $3), ($4, $1, $5)");
        assert_eq!(values("(?)", 3, 0), "($1), ($2), ($3)");
        assert_eq!(values("(?, 'x')", 1, 2), "($3, 'x')");
    }

    #[test]
    fn numbered_lists_consecutive_placeholders() {
        assert_eq!(numbered(3, 3), "$3, $4, $5");
        assert_eq!(numbered(1, 1), "$1");
    }

    #[test]
    fn rows_per_statement_stays_under_the_parameter_budget() {
        assert_eq!(rows_per_statement(7, 3, 500), 28);
        assert_eq!(rows_per_statement(1, 3, 10), 10);
        let rows = rows_per_statement(100, 5, 10_000);
        assert!(rows * 100 + 5 <= PARAMS_PER_STATEMENT);
        assert_eq!(rows_per_statement(500, 5, 10), 1);
        assert_eq!(rows_per_statement(0, 0, 10), 10);
    }
}
