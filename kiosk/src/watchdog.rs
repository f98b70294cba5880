//! systemd's watchdog (`WatchdogSec=` in `kiosk.service`): the kiosk says
//! it is ready once the window is up, then pings from the UI thread's own
//! timer. A UI thread that hangs stops pinging, and systemd restarts the
//! kiosk; a hung backend thread shows as "hub offline" on the staff page
//! instead, which the keeper can read out.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Watchdog {
    socket: UnixDatagram,
    target: Target,
    /// Ping at least this often (half of systemd's timeout).
    every: Option<Duration>,
    last: Option<Instant>,
}

enum Target {
    Path(PathBuf),
    /// `@name`: a Linux abstract socket.
    #[cfg(target_os = "linux")]
    Abstract(Vec<u8>),
}

impl Watchdog {
    /// From systemd's environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`);
    /// `None` when not run by systemd with `Type=notify`.
    pub fn from_env() -> Option<Watchdog> {
        let socket = std::env::var("NOTIFY_SOCKET").ok()?;
        let usec = std::env::var("WATCHDOG_USEC").ok().and_then(|v| v.parse::<u64>().ok());
        Watchdog::new(&socket, usec.map(Duration::from_micros)).ok()
    }

    /// Notify `socket`; ping within `timeout` (systemd's watchdog time).
    pub fn new(socket: &str, timeout: Option<Duration>) -> std::io::Result<Watchdog> {
        let target = match socket.strip_prefix('@') {
            #[cfg(target_os = "linux")]
            Some(name) => Target::Abstract(name.as_bytes().to_vec()),
            _ => Target::Path(PathBuf::from(socket)),
        };
        Ok(Watchdog { socket: UnixDatagram::unbound()?, target, every: timeout.map(|t| t / 2), last: None })
    }

    fn send(&self, msg: &str) {
        let sent = match &self.target {
            Target::Path(p) => self.socket.send_to(msg.as_bytes(), p),
            #[cfg(target_os = "linux")]
            Target::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(name)
                    .and_then(|a| self.socket.send_to_addr(msg.as_bytes(), &a))
            }
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "cannot notify systemd");
        }
    }

    /// The kiosk is up (`Type=notify` units wait for this).
    pub fn ready(&self) {
        self.send("READY=1");
    }

    /// Call often; pings when due.
    pub fn ping(&mut self) {
        let Some(every) = self.every else { return };
        let now = Instant::now();
        if self.last.is_none_or(|t| now.duration_since(t) >= every) {
            self.last = Some(now);
            self.send("WATCHDOG=1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_then_pings_when_due() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let systemd = UnixDatagram::bind(&path).unwrap();
        systemd.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut w = Watchdog::new(path.to_str().unwrap(), Some(Duration::from_secs(30))).unwrap();
        w.ready();
        w.ping();
        w.ping(); // not due yet: nothing sent
        let mut buf = [0u8; 64];
        let n = systemd.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        let n = systemd.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1");
        systemd.set_nonblocking(true).unwrap();
        assert!(systemd.recv(&mut buf).is_err(), "one ping per half timeout");
    }
}
