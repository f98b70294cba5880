//! A service manager that behaves like systemd for one `Type=notify` unit
//! (`deploy/kiosk.service`): `ExecStartPre=-` (its failure ignored), then
//! `ExecStart` with `NOTIFY_SOCKET` and `WATCHDOG_USEC` set; a process that
//! does not say `READY=1` within the start timeout, or stops pinging
//! `WATCHDOG=1` after it did, is killed; whatever way it ends, it is started
//! again after `RestartSec` (`Restart=always`). Each start is recorded, so
//! a test can tell how often a release was tried and how it ended.

use std::ffi::OsString;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Unit {
    pub name: String,
    /// Run before every start; its failure is ignored (systemd's `-` prefix).
    pub exec_start_pre: Vec<OsString>,
    pub exec_start: Vec<OsString>,
    pub restart_sec: Duration,
    /// `TimeoutStartSec`: READY=1 must come within this.
    pub start_timeout: Duration,
    /// `WatchdogSec`: after READY=1, a WATCHDOG=1 at least this often.
    pub watchdog: Duration,
    /// Where the processes' stderr goes (appended).
    pub log: PathBuf,
}

/// How one start ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    Exited(Option<i32>),
    /// Killed: no READY=1 in time.
    StartTimeout,
    /// Killed: the watchdog was not fed.
    Watchdog,
    /// Stopped by the test.
    Stopped,
}

#[derive(Clone, Debug)]
pub struct Start {
    /// Where `current` pointed when it started (what ran).
    pub ran: String,
    pub ready: bool,
    pub ended: Option<Ended>,
}

pub struct Supervisor {
    stop: Arc<AtomicBool>,
    starts: Arc<Mutex<Vec<Start>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Supervisor {
    /// Start the unit; `what_runs` names what a start runs (read just before it).
    pub fn start(unit: Unit, what_runs: impl Fn() -> String + Send + 'static) -> Supervisor {
        let stop = Arc::new(AtomicBool::new(false));
        let starts = Arc::new(Mutex::new(Vec::new()));
        let (s, st) = (stop.clone(), starts.clone());
        let thread = std::thread::Builder::new()
            .name(format!("supervise-{}", unit.name))
            .spawn(move || supervise(&unit, &s, &st, &what_runs))
            .expect("supervisor thread");
        Supervisor { stop, starts, thread: Some(thread) }
    }

    pub fn starts(&self) -> Vec<Start> {
        self.starts.lock().expect("starts lock").clone()
    }

    /// Stop the unit (the running process is killed) and wait for it.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop();
    }
}

fn log_file(path: &PathBuf) -> Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

fn supervise(unit: &Unit, stop: &AtomicBool, starts: &Mutex<Vec<Start>>, what_runs: &dyn Fn() -> String) {
    let dir = tempfile::tempdir().expect("notify socket folder");
    let socket_path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&socket_path).expect("notify socket");
    socket.set_nonblocking(true).expect("non-blocking notify socket");
    while !stop.load(Ordering::Relaxed) {
        if let Some((program, args)) = unit.exec_start_pre.split_first() {
            let _ = Command::new(program)
                .args(args)
                .stdout(log_file(&unit.log))
                .stderr(log_file(&unit.log))
                .status();
        }
        let (program, args) = unit.exec_start.split_first().expect("a command to start");
        let ran = what_runs();
        let mut child = match Command::new(program)
            .args(args)
            .env("NOTIFY_SOCKET", &socket_path)
            .env("WATCHDOG_USEC", unit.watchdog.as_micros().to_string())
            .stdout(log_file(&unit.log))
            .stderr(log_file(&unit.log))
            .spawn()
        {
            Ok(c) => c,
            Err(_) => {
                starts.lock().expect("starts lock").push(Start {
                    ran,
                    ready: false,
                    ended: Some(Ended::Exited(None)),
                });
                std::thread::sleep(unit.restart_sec);
                continue;
            }
        };
        let index = {
            let mut s = starts.lock().expect("starts lock");
            s.push(Start { ran, ready: false, ended: None });
            s.len() - 1
        };
        let started = Instant::now();
        let mut last_ping: Option<Instant> = None;
        let mut buf = [0u8; 256];
        let ended = loop {
            while let Ok(n) = socket.recv(&mut buf) {
                for line in String::from_utf8_lossy(&buf[..n]).lines() {
                    match line {
                        "READY=1" => {
                            last_ping = Some(Instant::now());
                            starts.lock().expect("starts lock")[index].ready = true;
                        }
                        "WATCHDOG=1" => last_ping = Some(Instant::now()),
                        _ => {}
                    }
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                break Ended::Exited(status.code());
            }
            if stop.load(Ordering::Relaxed) {
                break Ended::Stopped;
            }
            match last_ping {
                None if started.elapsed() > unit.start_timeout => break Ended::StartTimeout,
                Some(t) if t.elapsed() > unit.watchdog => break Ended::Watchdog,
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if !matches!(ended, Ended::Exited(_)) {
            let _ = child.kill();
            let _ = child.wait();
        }
        starts.lock().expect("starts lock")[index].ended = Some(ended);
        let until = Instant::now() + unit.restart_sec;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
