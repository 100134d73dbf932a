//! The Department's province figures, counted by the database: a year's records by school and
//! state (one row per school of `year_record_counts`, kept by triggers), the drafts held back by
//! school and rule (`record_checks`, one row per record and version), the rows refused at the
//! latest import of each class (`import_refusals`), and a search of the audit log. Nothing
//! here reads a record's JSON except [`Store::unchecked_drafts`], which hands the drafts not
//! yet checked to the application layer (`app::coverage`) to check once.

use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::timestamp::{time_at, to_text};
use super::{Store, StoreError};

/// One school's records of a school year, by state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolCount {
    /// The school's id.
    pub school_id: String,
    /// Pupils with a record of the year (any state): those expected to get one signed.
    pub expected: i64,
    /// Drafts.
    pub draft: i64,
    /// Validated, waiting to be signed.
    pub validated: i64,
    /// Signed.
    pub signed: i64,
    /// Revoked (waiting for their re-issue unless a newer record is signed).
    pub revoked: i64,
}

/// How many of one school's things one rule holds back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCount {
    /// The school's id.
    pub school_id: String,
    /// `identity`, `validation` (drafts) or `import` (rows refused at import).
    pub kind: String,
    /// The rule's code.
    pub rule: String,
    /// How many.
    pub count: i64,
}

/// A draft to check: `(record id, school id, version, record JSON)`.
pub type UncheckedDraft = (String, String, i64, String);

/// What a draft's check found: `(record id, school id, version, kind, rule)`; kind and rule
/// `None` when nothing holds the draft back.
pub type DraftCheck = (String, String, i64, Option<String>, Option<String>);

/// What to look for in the audit log; every field optional.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// The action or its family (`sign`, `revoke`, `share` finds `share.create` …).
    pub action: Option<String>,
    /// The school's code.
    pub school_code: Option<String>,
    /// Part of the person's name or sign-in name.
    pub who: Option<String>,
    /// Part of the subject (a credential or record id, a school code …).
    pub subject: Option<String>,
    /// From this time on.
    pub from: Option<OffsetDateTime>,
    /// Before this time.
    pub until: Option<OffsetDateTime>,
}

/// An event of the audit log with who and which school, as the search shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHit {
    /// Position in the log.
    pub id: i64,
    /// When.
    pub at: OffsetDateTime,
    /// The school's code, if any.
    pub school_code: Option<String>,
    /// The person's name, if any.
    pub who: Option<String>,
    /// What was done.
    pub action: String,
    /// To what.
    pub subject: String,
    /// More detail as JSON text.
    pub details_json: String,
}

fn like(text: &str) -> String {
    let escaped: String = text
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

impl Store {
    /// The school years that have records, newest first (at most `limit`), each found by one
    /// index lookup.
    pub async fn record_years(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut years: Vec<String> = Vec::new();
        while years.len() < limit {
            // Two forms, so that each is one lookup at the end of the index (an `OR` in the
            // condition would scan it).
            let row = match years.last() {
                None => {
                    sqlx::query("SELECT MAX(school_year) AS y FROM year_records")
                        .fetch_one(&self.pool)
                        .await?
                }
                Some(below) => {
                    sqlx::query(
                        "SELECT MAX(school_year) AS y FROM year_records WHERE school_year < $1",
                    )
                    .bind(below)
                    .fetch_one(&self.pool)
                    .await?
                }
            };
            match row.try_get::<Option<String>, _>("y")? {
                Some(y) => years.push(y),
                None => break,
            }
        }
        Ok(years)
    }

    /// Every school's records of `school_year` by state (schools without a record are
    /// absent): one row per school from `year_record_counts`, which triggers keep in the same
    /// transaction as every change of a record (migration 9), and the pupils whose only
    /// records are revoked (waiting for their re-issue) through the partial index of revoked
    /// records.
    pub async fn coverage_counts(&self, school_year: &str) -> Result<Vec<SchoolCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT school_id, draft, validated, signed, revoked FROM year_record_counts \
             WHERE school_year = $1",
        )
        .bind(school_year)
        .fetch_all(&self.pool)
        .await?;
        let mut counts: std::collections::BTreeMap<String, SchoolCount> = Default::default();
        for r in &rows {
            let c = SchoolCount {
                school_id: r.try_get("school_id")?,
                expected: 0,
                draft: r.try_get("draft")?,
                validated: r.try_get("validated")?,
                signed: r.try_get("signed")?,
                revoked: r.try_get("revoked")?,
            };
            if c.draft + c.validated + c.signed + c.revoked == 0 {
                continue;
            }
            let expected = c.draft + c.validated + c.signed;
            counts.insert(c.school_id.clone(), SchoolCount { expected, ..c });
        }
        // Only schools with revoked records can have pupils waiting: the counts name them, and
        // the join starts from them (`CROSS JOIN` keeps SQLite from scanning the year's index
        // first), so a year without revocations costs nothing here.
        if counts.values().all(|c| c.revoked == 0) {
            return Ok(counts.into_values().collect());
        }
        let waiting = sqlx::query(
            "SELECT r.school_id, COUNT(DISTINCT r.pupil_id) AS n FROM year_record_counts k \
             CROSS JOIN year_records r WHERE k.school_year = $1 AND k.revoked > 0 \
             AND r.school_id = k.school_id AND r.school_year = k.school_year \
             AND r.state = 'revoked' AND NOT EXISTS (\
             SELECT 1 FROM year_records l WHERE l.school_id = r.school_id \
             AND l.pupil_id = r.pupil_id AND l.school_year = r.school_year \
             AND l.state <> 'revoked') GROUP BY r.school_id",
        )
        .bind(school_year)
        .fetch_all(&self.pool)
        .await?;
        for r in &waiting {
            let school_id: String = r.try_get("school_id")?;
            if let Some(c) = counts.get_mut(&school_id) {
                c.expected += r.try_get::<i64, _>("n")?;
            }
        }
        Ok(counts.into_values().collect())
    }

    /// Drafts whose current version has not been checked yet, at most `limit`.
    pub async fn unchecked_drafts(&self, limit: i64) -> Result<Vec<UncheckedDraft>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.school_id, r.version, r.record_json FROM year_records r \
             LEFT JOIN record_checks c ON c.record_id = r.id AND c.version = r.version \
             WHERE r.state = 'draft' AND c.record_id IS NULL LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("school_id")?,
                    r.try_get("version")?,
                    r.try_get("record_json")?,
                ))
            })
            .collect()
    }

    /// Keeps what the checks of drafts found (replacing an older version's).
    pub async fn save_draft_checks(
        &self,
        checks: &[DraftCheck],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let now = to_text(now)?;
        let mut tx = self.begin_write().await?;
        for (record_id, school_id, version, kind, rule) in checks {
            sqlx::query(
                "INSERT INTO record_checks (record_id, school_id, version, kind, rule, checked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (record_id) DO UPDATE SET \
                 version = excluded.version, kind = excluded.kind, rule = excluded.rule, \
                 checked_at = excluded.checked_at",
            )
            .bind(record_id)
            .bind(school_id)
            .bind(version)
            .bind(kind.as_deref())
            .bind(rule.as_deref())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The drafts of `school_year` held back, by school, kind and rule (checks of an older
    /// version of a record do not count).
    pub async fn held_drafts(&self, school_year: &str) -> Result<Vec<RuleCount>, StoreError> {
        let rows = sqlx::query(
            // From the few checks that found something to their records (`CROSS JOIN` keeps
            // that order in SQLite), not from the year's records to their checks.
            "SELECT r.school_id, c.kind, c.rule, COUNT(*) AS n FROM record_checks c \
             CROSS JOIN year_records r WHERE r.id = c.record_id AND c.version = r.version \
             AND r.state = 'draft' AND r.school_year = $1 AND c.rule IS NOT NULL \
             GROUP BY r.school_id, c.kind, c.rule",
        )
        .bind(school_year)
        .fetch_all(&self.pool)
        .await?;
        rule_counts(&rows)
    }

    /// Replaces the refusal counts of one class's import (`school_year` and `class_name` empty
    /// when the import stored no row): `(rule, rows)`.
    pub async fn replace_import_refusals(
        &self,
        school_id: &str,
        school_year: &str,
        class_name: &str,
        counts: &[(String, i64)],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let now = to_text(now)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM import_refusals WHERE school_id = $1 AND school_year = $2 \
             AND class_name = $3",
        )
        .bind(school_id)
        .bind(school_year)
        .bind(class_name)
        .execute(&mut *tx)
        .await?;
        for (rule, n) in counts.iter().filter(|(_, n)| *n > 0) {
            sqlx::query(
                "INSERT INTO import_refusals \
                 (school_id, school_year, class_name, rule, row_count, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(school_id)
            .bind(school_year)
            .bind(class_name)
            .bind(rule)
            .bind(n)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rows refused at import for `school_year` (and by imports that stored no row), by
    /// school and rule.
    pub async fn import_refusals(&self, school_year: &str) -> Result<Vec<RuleCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT school_id, 'import' AS kind, rule, CAST(SUM(row_count) AS BIGINT) AS n \
             FROM import_refusals \
             WHERE school_year = $1 OR school_year = '' GROUP BY school_id, rule",
        )
        .bind(school_year)
        .fetch_all(&self.pool)
        .await?;
        rule_counts(&rows)
    }

    /// The newest `limit` events of the audit log matching `q`, newest first.
    pub async fn search_audit(
        &self,
        q: &AuditQuery,
        limit: i64,
    ) -> Result<Vec<AuditHit>, StoreError> {
        let mut sql = String::from(
            "SELECT a.id, a.at, a.action, a.subject, a.details_json, s.code AS school_code, \
             u.display_name AS who FROM audit_log a \
             LEFT JOIN schools s ON s.id = a.school_id LEFT JOIN users u ON u.id = a.user_id \
             WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        let mut next = |sql: &mut String, fragment: &str, value: String| {
            binds.push(value);
            sql.push_str(&fragment.replace("$?", &format!("${}", binds.len())));
        };
        if let Some(action) = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            next(&mut sql, " AND (a.action = $?", action.to_owned());
            next(&mut sql, " OR a.action LIKE $?)", format!("{action}.%"));
        }
        if let Some(code) = q
            .school_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            next(&mut sql, " AND s.code = $?", code.to_owned());
        }
        if let Some(who) = q.who.as_deref().filter(|w| !w.trim().is_empty()) {
            next(
                &mut sql,
                " AND (LOWER(u.display_name) LIKE $? ESCAPE '\\'",
                like(who),
            );
            next(
                &mut sql,
                " OR LOWER(u.login) LIKE $? ESCAPE '\\')",
                like(who),
            );
        }
        if let Some(subject) = q.subject.as_deref().filter(|s| !s.trim().is_empty()) {
            next(
                &mut sql,
                " AND LOWER(a.subject) LIKE $? ESCAPE '\\'",
                like(subject),
            );
        }
        if let Some(from) = q.from {
            next(&mut sql, " AND a.at >= $?", to_text(from)?);
        }
        if let Some(until) = q.until {
            next(&mut sql, " AND a.at < $?", to_text(until)?);
        }
        sql.push_str(&format!(
            " ORDER BY a.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditHit {
                    id: r.try_get("id")?,
                    at: time_at(r, "audit_log.at", "at")?,
                    school_code: r.try_get("school_code")?,
                    who: r.try_get("who")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    details_json: r.try_get("details_json")?,
                })
            })
            .collect()
    }
}

fn rule_counts(rows: &[sqlx::any::AnyRow]) -> Result<Vec<RuleCount>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(RuleCount {
                school_id: r.try_get("school_id")?,
                kind: r.try_get("kind")?,
                rule: r.try_get("rule")?,
                count: r.try_get("n")?,
            })
        })
        .collect()
}
