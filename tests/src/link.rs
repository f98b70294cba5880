//! A link between a kiosk and the broker that a test can cut: a TCP proxy
//! on loopback that counts the bytes it carries each way and can hold the
//! broker-to-kiosk direction to a bandwidth. `cut` closes every connection
//! through it and refuses new ones until `restore`, as a village router
//! losing its line does (the kiosk sees the connection end and dials again).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Link {
    pub port: u16,
    counters: Arc<Counters>,
    cuts: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Counters {
    /// Broker → kiosk.
    down: AtomicU64,
    /// Kiosk → broker.
    up: AtomicU64,
    cut: AtomicBool,
}

impl Link {
    /// A link to `127.0.0.1:target`, listening on a free port.
    pub async fn start(target: u16) -> Link {
        Self::start_with(target, None).await
    }

    /// The same, carrying at most `down_bytes_per_s` towards the kiosk.
    pub async fn start_with(target: u16, down_bytes_per_s: Option<u64>) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the link");
        let port = listener.local_addr().expect("link address").port();
        let counters = Arc::new(Counters::default());
        let (cuts, _) = watch::channel(0u64);
        let (c, tx) = (counters.clone(), cuts.clone());
        let task = tokio::spawn(async move {
            while let Ok((kiosk, _)) = listener.accept().await {
                if c.cut.load(Ordering::SeqCst) {
                    drop(kiosk); // the line is down
                    continue;
                }
                let Ok(broker) = TcpStream::connect(("127.0.0.1", target)).await else { continue };
                let _ = kiosk.set_nodelay(true);
                // A cut is a lost line, not a goodbye: closing sends a reset,
                // and what the kiosk had not read yet is gone.
                #[allow(deprecated)]
                let _ = kiosk.set_linger(Some(std::time::Duration::ZERO));
                let _ = broker.set_nodelay(true);
                tokio::spawn(carry(kiosk, broker, c.clone(), tx.subscribe(), down_bytes_per_s));
            }
        });
        Link { port, counters, cuts, task }
    }

    /// Bytes carried from the broker to the kiosk so far.
    pub fn bytes_down(&self) -> u64 {
        self.counters.down.load(Ordering::SeqCst)
    }

    pub fn bytes_up(&self) -> u64 {
        self.counters.up.load(Ordering::SeqCst)
    }

    /// Close every connection and refuse new ones.
    pub fn cut(&self) {
        self.counters.cut.store(true, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    pub fn restore(&self) {
        self.counters.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

async fn carry(
    kiosk: TcpStream,
    broker: TcpStream,
    c: Arc<Counters>,
    mut cuts: watch::Receiver<u64>,
    down_rate: Option<u64>,
) {
    let (mut kr, mut kw) = kiosk.into_split();
    let (mut br, mut bw) = broker.into_split();
    let (c_up, c_down) = (c.clone(), c);
    let up = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match kr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if bw.write_all(&buf[..n]).await.is_err() {
                return;
            }
            c_up.up.fetch_add(n as u64, Ordering::SeqCst);
        }
    };
    let down = async move {
        // Small reads keep a held bandwidth smooth.
        let mut buf = vec![0u8; 8 * 1024];
        let (started, mut carried) = (tokio::time::Instant::now(), 0u64);
        loop {
            let n = match br.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if let Some(rate) = down_rate {
                carried += n as u64;
                let due = started + std::time::Duration::from_secs_f64(carried as f64 / rate as f64);
                tokio::time::sleep_until(due).await;
            }
            if kw.write_all(&buf[..n]).await.is_err() {
                return;
            }
            c_down.down.fetch_add(n as u64, Ordering::SeqCst);
        }
    };
    // Whichever ends first (or a cut) ends the connection both ways.
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cuts.changed() => {}
    }
}
