//! A real server process on loopback: `hocba-issuer serve` or `hocba-verify serve` started with
//! `--listen 127.0.0.1:0`, its address read from the `listening on http://ADDR` line of its log
//! (stderr), its log drained on a thread so it never blocks on a full pipe, and the process
//! killed when the [`Server`] is dropped (also when the test panics).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

/// The text a serving binary logs once it listens, followed by its address.
pub const LISTENING: &str = "listening on http://";

/// A running server process.
pub struct Server {
    child: Child,
    addr: String,
    startup: String,
    drain: Option<JoinHandle<String>>,
}

impl Server {
    /// Spawns `command` (stdout discarded, stderr read) and waits until it logs its address.
    /// Panics with the log when the process stops first.
    pub fn start(command: &mut Command) -> Server {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {command:?}: {e}"));
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut startup = String::new();
        let addr = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server stopped before listening:\n{startup}");
            }
            startup.push_str(&line);
            if let Some(rest) = line.split(LISTENING).nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        let drain = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            rest
        });
        Server {
            child,
            addr,
            startup,
            drain: Some(drain),
        }
    }

    /// `host:port` it listens on.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// `http://host:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it logged up to and including the line with its address.
    pub fn startup_log(&self) -> &str {
        &self.startup
    }

    /// Panics with the log when the process has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let log = self.log();
            panic!("server {} exited ({status}):\n{log}", self.addr);
        }
    }

    /// SIGKILL; the whole log.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.log()
    }

    /// SIGTERM (a clean shutdown), then waits: its exit status and whole log.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {}", self.child.id());
        let status = self.child.wait().unwrap();
        (status, self.log())
    }

    fn log(&mut self) -> String {
        let rest = self
            .drain
            .take()
            .map(|d| d.join().unwrap_or_default())
            .unwrap_or_default();
        format!("{}{rest}", self.startup)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.drain.is_some() && std::thread::panicking() {
            // The test failed while the server ran: its log is the first thing to read.
            let log = self.log();
            eprintln!("server {} log:\n{log}", self.addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn the_address_is_read_from_the_log_and_the_log_is_kept() {
        let server = Server::start(&mut sh(
            "echo starting >&2; echo 'INFO listening on http://127.0.0.1:4321 (x)' >&2; \
             trap 'echo bye >&2; exit 0' TERM; while true; do sleep 0.1; done",
        ));
        assert_eq!(server.addr(), "127.0.0.1:4321");
        assert_eq!(server.url("/health"), "http://127.0.0.1:4321/health");
        assert!(server.startup_log().starts_with("starting\n"));
        let (status, log) = server.terminate();
        assert!(status.success(), "{status:?}");
        assert!(log.contains("starting") && log.contains("bye"), "{log}");
    }

    #[test]
    fn a_killed_server_gives_its_log_and_an_exited_one_is_a_panic() {
        let server = Server::start(&mut sh(
            "echo 'listening on http://127.0.0.1:1' >&2; echo more >&2; exec sleep 60",
        ));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let log = server.kill();
        assert!(
            log.starts_with("listening on") && log.contains("more"),
            "{log}"
        );

        let mut server = Server::start(&mut sh(
            "echo 'listening on http://127.0.0.1:2' >&2; echo bye >&2",
        ));
        let exited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for _ in 0..100 {
                server.assert_running();
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }));
        let message = *exited.unwrap_err().downcast::<String>().unwrap();
        assert!(
            message.contains("exited") && message.contains("bye"),
            "{message}"
        );
    }

    #[test]
    #[should_panic(expected = "stopped before listening:\nnope")]
    fn a_server_that_stops_first_is_a_panic_with_its_log() {
        Server::start(&mut sh("echo nope >&2"));
    }
}
