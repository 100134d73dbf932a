//! One HTTP/1.1 request over a plain TCP socket (`Connection: close`), enough to talk to a
//! [`Server`](crate::server::Server) from a synchronous test without an HTTP client crate.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An answer: status code, header block and body (de-chunked).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The status line.
    pub status_line: String,
    /// The header lines, as received.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Sends `method path` to `addr` (`host:port`) with `headers` and `body` (a `Content-Length` is
/// added) and reads the whole answer. Panics when the server cannot be reached or the answer
/// is not HTTP.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    parse(&read_answer(&mut stream))
}

/// The answer's bytes: the head, then `Content-Length` bytes, or chunks up to the last one, or
/// everything to the end (a server may keep the connection open despite `Connection: close`).
fn read_answer(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut more = |raw: &mut Vec<u8>| {
        let n = stream.read(&mut buf).unwrap();
        raw.extend_from_slice(&buf[..n]);
        n > 0
    };
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        assert!(more(&mut raw), "connection closed before the answer's head");
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let value = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
    };
    if let Some(len) = value("content-length:").and_then(|v| v.parse::<usize>().ok()) {
        while raw.len() < head_end + len {
            assert!(more(&mut raw), "connection closed before the whole body");
        }
        raw.truncate(head_end + len);
    } else if value("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        while !raw[head_end..].ends_with(b"0\r\n\r\n") && more(&mut raw) {}
    } else {
        while more(&mut raw) {}
    }
    raw
}

/// `GET path`.
pub fn get(addr: &str, path: &str) -> Answer {
    request(addr, "GET", path, &[], b"")
}

fn parse(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP answer: {}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let (status_line, head) = head.split_once("\r\n").unwrap_or((&head, ""));
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let mut answer = Answer {
        status,
        status_line: status_line.to_owned(),
        head: head.replace("\r\n", "\n"),
        body: Vec::new(),
    };
    answer.body = match answer.header("transfer-encoding") {
        Some(te) if te.eq_ignore_ascii_case("chunked") => dechunk(rest),
        _ => rest.to_vec(),
    };
    answer
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = end + 2;
        let stop = (start + size).min(rest.len());
        body.extend_from_slice(&rest[start..stop]);
        rest = rest.get(stop + 2..).unwrap_or_default();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_with_and_without_chunks() {
        let plain = parse(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!((plain.status, plain.text().as_str()), (404, "nope"));
        assert_eq!(plain.header("content-type"), Some("text/plain"));
        let chunked = parse(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
        );
        assert_eq!(chunked.json()["a"], 1);
    }

    #[test]
    fn a_request_reaches_a_listener_that_keeps_the_connection_open() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // The request may arrive in several reads (headers, then the body).
            let mut buf = [0u8; 1024];
            let mut n = 0;
            while n < buf.len() && !buf[..n].ends_with(b"\r\n\r\nhi") {
                let got = s.read(&mut buf[n..]).unwrap();
                if got == 0 {
                    break;
                }
                n += got;
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .unwrap();
            // The connection stays open until the client has its answer.
            let _ = wait.recv();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        let answer = request(&addr, "POST", "/x", &[("Authorization", "Bearer t")], b"hi");
        done.send(()).unwrap();
        let sent = peer.join().unwrap();
        assert_eq!((answer.status, answer.text().as_str()), (200, "ok"));
        assert!(sent.starts_with("POST /x HTTP/1.1\r\n"), "{sent}");
        assert!(sent.contains("Authorization: Bearer t\r\n") && sent.ends_with("\r\n\r\nhi"));
    }
}
