//! A village link between one kiosk and the hub's broker, shaped the way 4G
//! routers and rural broadband behave: little bandwidth up, more down, a
//! few hundred milliseconds of latency with jitter, loss (seen by TCP as a
//! stall while the segment is sent again), a NAT that silently forgets a
//! connection left quiet, and outages.
//!
//! The kernel on the test machines has no `netem`, so all of that happens
//! here, in a TCP proxy on loopback that a test drives (it can also sit
//! behind `tc … tbf` in a network namespace for the bandwidth).
//!
//! An outage is silent, as a lost line is: the connections through the
//! link stop carrying anything, and nothing tells either end (no FIN, no
//! reset). When the line comes back the router has a new address, so those
//! connections stay dead; the ends find out from their keep-alives. New
//! connections during the outage are accepted and then hear nothing, as a
//! SYN into a dead line gets no answer. `cut` is the other kind: every
//! connection reset at once (a router rebooting), new ones refused.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// What the line is like.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Kiosk → broker, bytes per second (`None`: unlimited).
    pub up_bytes_per_s: Option<u64>,
    /// Broker → kiosk.
    pub down_bytes_per_s: Option<u64>,
    /// One way, before jitter.
    pub latency: Duration,
    /// Up to this much more, one way, at random (order is kept, as TCP does).
    pub jitter: Duration,
    /// The chance that a chunk is "lost": it arrives `stall` later, as a
    /// retransmitted segment does, and holds back what follows it.
    pub loss: f64,
    pub stall: Duration,
    /// A connection quiet both ways this long is forgotten by the NAT.
    pub nat_idle: Option<Duration>,
}

impl Shape {
    /// A station behind a 4G router: 512 kbit/s up, 2 Mbit/s down, 150–400 ms
    /// round trip, 3% loss, a NAT that forgets a connection after two quiet
    /// minutes.
    pub fn village() -> Shape {
        Shape {
            up_bytes_per_s: Some(512_000 / 8),
            down_bytes_per_s: Some(2_000_000 / 8),
            latency: Duration::from_millis(75),
            jitter: Duration::from_millis(125),
            loss: 0.03,
            stall: Duration::from_millis(300),
            nat_idle: Some(Duration::from_secs(120)),
        }
    }

    /// Loopback as it is.
    pub fn clear() -> Shape {
        Shape {
            up_bytes_per_s: None,
            down_bytes_per_s: None,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: 0.0,
            stall: Duration::ZERO,
            nat_idle: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    Up,
    /// Silent: new connections hear nothing, old ones are dead.
    Down,
    /// Reset: new connections refused.
    Cut,
}

#[derive(Default)]
struct Counters {
    up: AtomicU64,
    down: AtomicU64,
    connections: AtomicU64,
    nat_forgot: AtomicU64,
}

struct Shared {
    shape: Mutex<Shape>,
    counters: Counters,
    /// Every connection's "dead" flag, for an outage to set.
    live: Mutex<Vec<Arc<AtomicBool>>>,
    seed: AtomicU64,
}

pub struct VillageLink {
    pub port: u16,
    shared: Arc<Shared>,
    line: watch::Sender<Line>,
    task: tokio::task::JoinHandle<()>,
}

impl VillageLink {
    /// A link to `127.0.0.1:target` on a free port, shaped as `shape`.
    pub async fn start(target: u16, shape: Shape) -> VillageLink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the link");
        let port = listener.local_addr().expect("link address").port();
        let shared = Arc::new(Shared {
            shape: Mutex::new(shape),
            counters: Counters::default(),
            live: Mutex::new(Vec::new()),
            seed: AtomicU64::new(u64::from(port)),
        });
        let (line, _) = watch::channel(Line::Up);
        let (s, l) = (shared.clone(), line.clone());
        let task = tokio::spawn(async move {
            while let Ok((kiosk, _)) = listener.accept().await {
                let state = *l.borrow();
                if state == Line::Cut {
                    drop(kiosk);
                    continue;
                }
                let dead = Arc::new(AtomicBool::new(state == Line::Down));
                let broker = if state == Line::Up {
                    match TcpStream::connect(("127.0.0.1", target)).await {
                        Ok(b) => Some(b),
                        Err(_) => continue,
                    }
                } else {
                    None
                };
                s.counters.connections.fetch_add(1, Ordering::SeqCst);
                s.live.lock().unwrap().push(dead.clone());
                tokio::spawn(carry(kiosk, broker, s.clone(), dead, l.subscribe()));
            }
        });
        VillageLink { port, shared, line, task }
    }

    /// Change the line's shape; connections carry on under the new one.
    pub fn set_shape(&self, shape: Shape) {
        *self.shared.shape.lock().unwrap() = shape;
    }

    /// The line goes silent: every connection through it is dead from now
    /// on, and nothing tells either end.
    pub fn outage(&self) {
        for dead in self.shared.live.lock().unwrap().drain(..) {
            dead.store(true, Ordering::SeqCst);
        }
        self.line.send_replace(Line::Down);
    }

    /// Every connection reset at once; new ones refused until `restore`.
    pub fn cut(&self) {
        self.shared.live.lock().unwrap().clear();
        self.line.send_replace(Line::Cut);
    }

    /// The line is back (connections lost in an outage stay dead).
    pub fn restore(&self) {
        self.line.send_replace(Line::Up);
    }

    /// Bytes delivered to the kiosk so far.
    pub fn bytes_down(&self) -> u64 {
        self.shared.counters.down.load(Ordering::SeqCst)
    }

    /// Bytes delivered to the broker so far.
    pub fn bytes_up(&self) -> u64 {
        self.shared.counters.up.load(Ordering::SeqCst)
    }

    /// Connections the kiosk opened through the link.
    pub fn connections(&self) -> u64 {
        self.shared.counters.connections.load(Ordering::SeqCst)
    }

    /// Connections the NAT forgot for being quiet.
    pub fn nat_forgot(&self) -> u64 {
        self.shared.counters.nat_forgot.load(Ordering::SeqCst)
    }
}

impl Drop for VillageLink {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

#[derive(Clone, Copy)]
enum Way {
    Up,
    Down,
}

/// One connection: both directions, the NAT's idle clock, and a reset on
/// `cut`. With no broker (opened during an outage) it only swallows.
async fn carry(
    kiosk: TcpStream,
    broker: Option<TcpStream>,
    s: Arc<Shared>,
    dead: Arc<AtomicBool>,
    mut line: watch::Receiver<Line>,
) {
    let _ = kiosk.set_nodelay(true);
    // A cut is a reset, not a goodbye.
    #[allow(deprecated)]
    let _ = kiosk.set_linger(Some(Duration::ZERO));
    let activity = Arc::new(Mutex::new(Instant::now()));
    let (kr, kw) = kiosk.into_split();
    let both = async {
        match broker {
            Some(broker) => {
                let _ = broker.set_nodelay(true);
                let (br, bw) = broker.into_split();
                // Kept until both ends have closed: see `direction`.
                let _kept = tokio::join!(
                    direction(kr, Some(bw), Way::Up, &s, &dead, &activity),
                    direction(br, Some(kw), Way::Down, &s, &dead, &activity),
                );
            }
            None => {
                direction(kr, None, Way::Up, &s, &dead, &activity).await;
                drop(kw);
            }
        }
    };
    let nat = async {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let idle = s.shape.lock().unwrap().nat_idle;
            let quiet = activity.lock().unwrap().elapsed();
            if let Some(limit) = idle
                && quiet >= limit
                && !dead.swap(true, Ordering::SeqCst)
            {
                s.counters.nat_forgot.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
    let reset = async {
        while line.changed().await.is_ok() {
            if *line.borrow() == Line::Cut {
                return;
            }
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = both => {}
        _ = nat => {}
        _ = reset => {}
    }
}

/// Carry one direction: read as the sender writes (a dead line swallows
/// it), deliver each chunk after its latency, at the line's rate. When the
/// sender closes on a dead line, the write half is returned, not dropped:
/// dropping it would send a FIN through a line that carries nothing.
async fn direction(
    mut from: OwnedReadHalf,
    to: Option<OwnedWriteHalf>,
    way: Way,
    s: &Shared,
    dead: &AtomicBool,
    activity: &Mutex<Instant>,
) -> Option<OwnedWriteHalf> {
    // A bounded queue: a slow line pushes back on the sender, as TCP does.
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(32);
    let seed = s.seed.fetch_add(1, Ordering::SeqCst);
    let read = async move {
        let mut rng = StdRng::seed_from_u64(seed);
        // Small chunks keep a held rate smooth.
        let mut buf = vec![0u8; 4 * 1024];
        let mut last_due = Instant::now();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if dead.load(Ordering::SeqCst) {
                continue; // into the void
            }
            *activity.lock().unwrap() = Instant::now();
            let shape = s.shape.lock().unwrap().clone();
            let mut delay = shape.latency + shape.jitter.mul_f64(rng.random::<f64>());
            if rng.random::<f64>() < shape.loss {
                delay += shape.stall;
            }
            last_due = last_due.max(Instant::now() + delay);
            if tx.send((last_due, buf[..n].to_vec())).await.is_err() {
                return;
            }
        }
    };
    let write = async move {
        let Some(mut to) = to else {
            while rx.recv().await.is_some() {}
            return None;
        };
        let mut free = Instant::now();
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            let rate = {
                let shape = s.shape.lock().unwrap();
                match way {
                    Way::Up => shape.up_bytes_per_s,
                    Way::Down => shape.down_bytes_per_s,
                }
            };
            if let Some(rate) = rate {
                free = free.max(Instant::now()) + Duration::from_secs_f64(bytes.len() as f64 / rate as f64);
                tokio::time::sleep_until(free).await;
            }
            if dead.load(Ordering::SeqCst) {
                continue;
            }
            if to.write_all(&bytes).await.is_err() {
                return None;
            }
            let counter = match way {
                Way::Up => &s.counters.up,
                Way::Down => &s.counters.down,
            };
            counter.fetch_add(bytes.len() as u64, Ordering::SeqCst);
            *activity.lock().unwrap() = Instant::now();
        }
        // The sender closed: pass the FIN on, unless the line is dead.
        if dead.load(Ordering::SeqCst) {
            return Some(to);
        }
        let _ = to.shutdown().await;
        None
    };
    tokio::join!(read, write).1
}
