//! The real `hocba-issuer serve` on loopback, given the hostile workbooks of the hardening
//! issue by a teacher: each gets a 413 problem naming the limit, the server's peak memory
//! (`VmHWM`, reset before each file through `/proc/<pid>/clear_refs`) stays under
//! [`PEAK_RSS_BOUND_KIB`] (256 MiB), and it still answers `/health` afterwards. And `hocba-issuer issue`
//! on the `XFD1048576` workbook exits with an error naming the limit, not an abort.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::xlsx;

use std::process::Command;

use hocba_issuer::import::limits::{MAX_COLUMNS, MAX_PART_BYTES, MAX_RATIO, MAX_ROWS};
use hocba_test_support::files::{dev_keys, repo};
use hocba_test_support::http::request;
use hocba_test_support::server::Server;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The server's peak resident memory while it reads any one hostile file, or four of the worst
/// at once (measured: 96 MiB and 170 MiB, idle 29 MiB; four read at once would be about
/// 300 MiB). Before the limits the first file asked for hundreds of GiB and the others took
/// 1.4–4.2 GB.
const PEAK_RSS_BOUND_KIB: u64 = 256 * 1024;

/// One HTTP/1.1 request with a binary body; the status code and the body.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    kind: &str,
    body: &[u8],
) -> (u16, String) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", kind)];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    let answer = request(addr, method, path, &headers, body);
    (answer.status, answer.text())
}

/// `VmHWM` of process `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Reset the peak to the current size (Linux `clear_refs` 5); false where not allowed.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

fn start(database_url: &str) -> Server {
    Server::start(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
            .arg(dev_keys())
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn"),
    )
}

#[test]
fn hostile_workbooks_get_413_within_bounded_memory_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let server = start(&database_url);
    let pid = server.pid();
    let out = Command::new(BIN)
        .args([
            "token", "create", "--school", "25000731", "--role", "teacher", "--name", "Cô Lan",
        ])
        .args(["--database-url", &database_url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (status, _) = http(
        server.addr(),
        "GET",
        "/api/v1/health",
        None,
        "text/plain",
        b"",
    );
    assert_eq!(status, 200);
    let idle = peak_rss_kib(pid);

    let ratio_bomb = xlsx::bomb_workbook(
        xlsx::SHEET_START,
        &" ".repeat(1 << 20),
        32,
        xlsx::SHEET_END,
        None,
    );
    let tiny_rows = xlsx::bomb_workbook(
        xlsx::SHEET_START,
        &r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.repeat(1000),
        200,
        xlsx::SHEET_END,
        None,
    );
    let near_cap = u32::try_from(MAX_PART_BYTES).unwrap() - 1;
    let cases: Vec<(&str, Vec<u8>, &str, Option<u64>)> = vec![
        (
            "one cell at XFD1048576",
            xlsx::xfd_workbook(),
            "max-columns",
            Some(MAX_COLUMNS as u64),
        ),
        (
            "1 GiB sheet, size declared",
            xlsx::gigabyte_bomb(None),
            "max-part-bytes",
            Some(MAX_PART_BYTES),
        ),
        (
            "1 GiB sheet declaring 4 KiB",
            xlsx::gigabyte_bomb(Some(4096)),
            "declared-part-size",
            Some(4096),
        ),
        (
            "1 GiB sheet declaring 64 MiB - 1",
            xlsx::gigabyte_bomb(Some(near_cap)),
            "",
            None,
        ),
        (
            "32 MiB sheet from 32 KB",
            ratio_bomb,
            "max-compression-ratio",
            Some(MAX_RATIO),
        ),
        (
            "200,000 tiny rows",
            tiny_rows,
            "max-rows",
            Some(MAX_ROWS as u64),
        ),
    ];
    let resets = reset_peak(pid);
    eprintln!(
        "server idle: VmHWM {idle} KiB; per-file peaks {}",
        if resets {
            "reset before each file"
        } else {
            "cumulative (clear_refs refused)"
        }
    );
    for (name, bytes, rule, limit) in cases {
        reset_peak(pid);
        let started = std::time::Instant::now();
        let (status, body) = http(
            server.addr(),
            "POST",
            "/api/v1/imports",
            Some(&token),
            XLSX,
            &bytes,
        );
        let peak = peak_rss_kib(pid);
        eprintln!(
            "{name}: {} bytes -> {status} in {:?}, VmHWM {peak} KiB ({} MiB)",
            bytes.len(),
            started.elapsed(),
            peak / 1024
        );
        assert_eq!(status, 413, "{name}: {body}");
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            problem["type"], "/problems/import-limit",
            "{name}: {problem}"
        );
        let error = &problem["errors"][0];
        if let Some(limit) = limit {
            assert_eq!(error["rule"], rule, "{name}: {problem}");
            assert_eq!(error["value"], limit, "{name}: {problem}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&limit.to_string()),
                "{name}: {problem}"
            );
        } else {
            assert!(
                error["rule"].as_str().unwrap().starts_with("max-")
                    || error["rule"] == "declared-part-size",
                "{problem}"
            );
        }
        assert!(
            peak < PEAK_RSS_BOUND_KIB,
            "{name}: VmHWM {peak} KiB over {PEAK_RSS_BOUND_KIB} KiB"
        );
        let (status, _) = http(
            server.addr(),
            "GET",
            "/api/v1/health",
            None,
            "text/plain",
            b"",
        );
        assert_eq!(status, 200, "{name}: the server no longer answers");
    }
    assert!(peak_rss_kib(pid) < PEAK_RSS_BOUND_KIB);

    // The worst of them four times at once: the server reads two files at a time, so the
    // peak stays under the same bound.
    reset_peak(pid);
    let worst = xlsx::gigabyte_bomb(Some(near_cap));
    std::thread::scope(|scope| {
        let posts: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    http(
                        server.addr(),
                        "POST",
                        "/api/v1/imports",
                        Some(&token),
                        XLSX,
                        &worst,
                    )
                    .0
                })
            })
            .collect();
        for post in posts {
            assert_eq!(post.join().unwrap(), 413);
        }
    });
    let peak = peak_rss_kib(pid);
    eprintln!(
        "4 at once of the 64 MiB - 1 bomb: VmHWM {peak} KiB ({} MiB)",
        peak / 1024
    );
    assert!(peak < PEAK_RSS_BOUND_KIB, "4 at once: VmHWM {peak} KiB");
}

#[test]
fn issue_on_the_xfd1048576_workbook_exits_with_the_limit() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("school.pem");
    std::fs::copy(repo().join("keys/dev/school-25000731.pem"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let input = dir.path().join("class.xlsx");
    std::fs::write(&input, xlsx::xfd_workbook()).unwrap();
    let url = format!("sqlite://{}", dir.path().join("hocba.db").display());
    let out = Command::new(BIN)
        .current_dir(repo())
        .args(["issue", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--key")
        .arg(&key)
        .args(["--database-url", &url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), None, "killed by a signal: {stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("XFD1048576") && stderr.contains(&MAX_COLUMNS.to_string()),
        "{stderr}"
    );
}

/// Through the real server: an unknown column is imported with the warning naming it, and a
/// file with thousands of bad rows gets the first problems, their count and `truncated`.
#[test]
fn the_answer_names_ignored_columns_and_caps_its_problems() {
    use hocba_issuer::import::limits::MAX_REPORTED_PROBLEMS;
    use hocba_issuer::import::{Layout, LayoutLevel};
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/hocba.db", dir.path().display());
    let server = start(&database_url);
    let out = Command::new(BIN)
        .args([
            "token", "create", "--school", "25000731", "--role", "teacher",
        ])
        .args(["--database-url", &database_url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let layout = Layout::new(LayoutLevel::Primary);
    let record: hocba_schema::record::YearRecord = serde_json::from_slice(
        &std::fs::read(repo().join("schema/examples/primary-grade5.json")).unwrap(),
    )
    .unwrap();
    let mut header: Vec<String> = layout.headers().iter().map(|h| (*h).to_owned()).collect();
    let mut row = layout.to_row(&record);
    header.push("Ghi chú".into());
    row.push("chuyển đến từ trường khác".into());
    let csv = xlsx::csv(&[header, row]);
    let (status, body) = http(
        server.addr(),
        "POST",
        "/api/v1/imports",
        Some(&token),
        "text/csv",
        &csv,
    );
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["saved"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(answer["rejectedRows"], serde_json::json!([]));
    let warning = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["rule"] == "ignored-column")
        .unwrap();
    assert_eq!(warning["column"], "Ghi chú");
    assert_eq!(warning["severity"], "warning");
    assert_eq!(answer["truncated"], false);

    // 3,000 rows with only a row number.
    let mut csv = layout.headers().join(",") + "\n";
    for i in 0..3000 {
        csv.push_str(&format!("{i}\n"));
    }
    let (status, body) = http(
        server.addr(),
        "POST",
        "/api/v1/imports",
        Some(&token),
        "text/csv",
        csv.as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.len() < 2 << 20, "{} bytes", body.len());
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer["problems"].as_array().unwrap().len(),
        MAX_REPORTED_PROBLEMS
    );
    assert_eq!(answer["truncated"], true);
    assert!(
        answer["problemCount"].as_u64().unwrap() >= 3000,
        "{}",
        answer["problemCount"]
    );
    assert_eq!(answer["rejectedRows"].as_array().unwrap().len(), 3000);
}
