//! `hub serve`: one MQTT client (over the embedded broker or an external
//! one), a dispatcher for what kiosks send, and periodic work (new
//! publications, job time-outs).
//!
//! The MQTT event loop never waits on the store or on publishing: incoming
//! messages go to the dispatcher task through a channel, and blob transfers
//! run in their own tasks.

mod acks;
mod broker_client;
mod command_relay;
pub mod live;
pub mod screen;

use crate::blobs::BlobDir;
use crate::broker::{self, BrokerAddr, BrokerError};
use crate::catalog::{self, Diagnostics, publish};
use crate::fleet::county_ca::TlsFiles;
use crate::fleet::registry::{self, KioskEntry};
use crate::store::{self, DataDir, StoreError, writer::Writer};
use crate::tickets::calendar::{Calendar, CalendarError};
use broker_client::BrokerClient;
use protocol::KioskId;
use rumqttc::{Event, Packet};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How `hub serve` runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub data: PathBuf,
    /// Where the embedded broker listens (ignored with `broker`).
    pub listen: SocketAddr,
    /// Use this external broker instead of the embedded one.
    pub broker: Option<BrokerAddr>,
    /// The embedded broker also listens for TLS here, with the certificate
    /// in `<data>/tls/` (`hub fleet tls`).
    pub tls_listen: Option<SocketAddr>,
    /// How long a client on `tls_listen` has to finish its handshake.
    pub tls_handshake_timeout: Duration,
    /// The CA an `mqtts://` external broker's certificate must chain to
    /// (default `<data>/tls/ca.pem`).
    pub ca_file: Option<PathBuf>,
    /// Publish this catalog folder first if nothing is published yet.
    pub seed_catalog: Option<PathBuf>,
    /// The staff console; none with `--no-web`.
    pub console: Option<crate::console::ConsoleOptions>,
    /// How long old rows are kept (`store::retention`).
    pub retention: crate::store::retention::Retention,
    /// Store event batches (always, in service). `AckOnly` is the ingest
    /// benchmark's ceiling and nothing else: it is not on the command line.
    pub ingest: IngestMode,
}

/// What the hub does with a kiosk's event batches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IngestMode {
    /// Commit them, then acknowledge (effectively once).
    #[default]
    Store,
    /// Acknowledge them as received without storing anything: the same
    /// broker, gate, dispatcher and ack path with the store taken out, so
    /// `bench-ingest` can say what storing costs (tests/src/bin/hub-stand-in.rs).
    AckOnly,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Broker(#[from] BrokerError),
    #[error("hub key: {0}")]
    Key(std::io::Error),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Tls(#[from] county_tls::TlsError),
    #[error(
        "--tls-listen needs the broker certificate {}; make it with `hub fleet --data {} tls --host <the name kiosks dial>`",
        cert.display(),
        data.display()
    )]
    NoBrokerCertificate { cert: PathBuf, data: PathBuf },
    #[error("seed catalog {dir}: {errors} error(s); run `hub catalog check {dir}`")]
    Seed { dir: String, errors: usize },
    #[error(transparent)]
    Console(#[from] crate::console::ConsoleError),
    #[error("the console's listener: {0}")]
    ConsoleAddr(std::io::Error),
}

/// State shared by the hub's tasks.
pub(crate) struct Ctx {
    pub writer: Writer,
    /// Read-only connection for lookups on the hot path.
    pub read: Mutex<rusqlite::Connection>,
    pub blobs: BlobDir,
    pub broker: BrokerClient,
    pub kiosks: Mutex<HashMap<KioskId, KioskEntry>>,
    /// Last pointer version sent per kiosk, so a change of one group's
    /// target republishes only the kiosks it concerns.
    pub sent_pointers: Mutex<HashMap<KioskId, protocol::messages::CatalogPointer>>,
    /// Last release pointer sent per kiosk, likewise.
    pub sent_releases: Mutex<HashMap<KioskId, protocol::messages::ReleasePointer>>,
    /// When each kiosk was last heard from with a verified message; flushed
    /// to the store in one batch every few seconds.
    pub last_seen: Mutex<HashMap<KioskId, i64>>,
    /// The working-day calendar (shipped years + `<data>/calendar/`),
    /// reloaded periodically so staff can add a year without a restart.
    pub calendar: Mutex<Arc<Calendar>>,
    /// Highest ticket revision sent per ticket number since the kiosk's
    /// last birth; `svc/ack` goes out again only for newer revisions.
    pub sent_tickets: Mutex<HashMap<String, u64>>,
    /// Sign-up states sent since the kiosk's last birth: signup_id → revision.
    pub sent_signups: Mutex<HashMap<String, u64>>,
    pub data: DataDir,
    /// Committed batches' acks waiting to be published.
    pub acks: Arc<acks::AckQueue>,
    /// Files (screenshots) arriving in parts, by kiosk and command.
    pub uploads: Mutex<HashMap<(KioskId, String), command_relay::Upload>>,
    /// Something the big screen shows may have changed (see `screen`).
    pub screen_changed: tokio::sync::Notify,
    pub ingest: IngestMode,
    /// With [`IngestMode::AckOnly`]: what each kiosk sent, in memory only.
    pub received: Mutex<HashMap<KioskId, crate::ingest::ranges::Received>>,
}

impl Ctx {
    fn kiosk(&self, kid: &KioskId) -> Option<KioskEntry> {
        self.kiosks.lock().expect("kiosk map lock").get(kid).cloned()
    }

    fn calendar(&self) -> Arc<Calendar> {
        self.calendar.lock().expect("calendar lock").clone()
    }

    fn read<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        f(&self.read.lock().expect("read connection lock"))
    }
}

/// What the embedded broker's gate refuses is counted under the login
/// that sent it, beside what the hub itself refuses.
fn count_refusals(writer: &Writer) -> broker::RefusalSink {
    let writer = writer.clone();
    Arc::new(move |r: broker::Refusal| {
        let writer = writer.clone();
        tokio::spawn(async move {
            let counted =
                writer.exec(move |c| crate::fleet::rejects::count(c, &r.user, &r.topic, r.reason)).await;
            if let Err(e) = counted {
                tracing::error!(error = %e, "cannot count a refused message");
            }
        });
    })
}

/// Run the hub until `shutdown` resolves.
pub async fn serve(opts: ServeOptions, shutdown: impl Future<Output = ()>) -> Result<(), ServeError> {
    let data = DataDir::new(&opts.data)?;
    // The console's address is checked before anything starts.
    let console = opts.console.as_ref().map(|c| crate::console::bind(c, &opts.data)).transpose()?;
    crate::store::check_integrity(&data)?;
    let writer = Writer::start(&data)?;
    let blobs = BlobDir::new(data.blobs());
    if let Some(dir) = &opts.seed_catalog {
        seed(&writer, &blobs, dir, &data).await?;
    }
    let hub_key = registry::hub_key(&data).map_err(ServeError::Key)?;
    let tls_files = TlsFiles::in_data_dir(data.root());
    let (broker_addr, transport) = match &opts.broker {
        Some(b) if b.tls => {
            let ca = opts.ca_file.clone().unwrap_or_else(|| tls_files.ca_cert());
            (b.clone(), Some(county_tls::mqtt_transport(&ca)?))
        }
        Some(b) => (b.clone(), None),
        None => {
            // The certificate is checked before anything listens.
            let tls_server = match opts.tls_listen {
                None => None,
                Some(_) if !tls_files.server_cert().exists() => {
                    return Err(ServeError::NoBrokerCertificate {
                        cert: tls_files.server_cert(),
                        data: data.root().to_owned(),
                    });
                }
                Some(listen) => Some((
                    listen,
                    county_tls::ServerCertificate::load(&tls_files.server_cert(), &tls_files.server_key())?,
                )),
            };
            let embedded = broker::start_embedded(
                opts.listen,
                registry::authenticator(&data, hub_key.clone())?,
                count_refusals(&writer),
            )
            .await?;
            if let Some((listen, certificate)) = tls_server {
                broker::start_tls_listener(
                    listen,
                    embedded.gate.clone(),
                    certificate,
                    opts.tls_handshake_timeout,
                )
                .await?;
            }
            // The hub's own client stays on the plain loopback listener.
            (embedded.client_addr(), None)
        }
    };
    let (broker_client, mut eventloop) = BrokerClient::new(&broker_addr, hub_key, transport);
    let read = store::open_read(&data)?;
    let kiosks = registry::all(&read)?;
    let calendar = Calendar::load(Some(&data.calendar()))?;
    let ctx = Arc::new(Ctx {
        writer,
        read: Mutex::new(read),
        blobs,
        broker: broker_client,
        kiosks: Mutex::new(kiosks),
        sent_pointers: Mutex::default(),
        sent_releases: Mutex::default(),
        last_seen: Mutex::default(),
        calendar: Mutex::new(Arc::new(calendar)),
        sent_tickets: Mutex::default(),
        sent_signups: Mutex::default(),
        data,
        acks: Arc::default(),
        uploads: Mutex::default(),
        screen_changed: tokio::sync::Notify::new(),
        ingest: opts.ingest,
        received: Mutex::default(),
    });

    let console_task = match console {
        Some(bound) => {
            let scheme = if bound.is_tls() { "https" } else { "http" };
            let addr = bound.local_addr().map_err(ServeError::ConsoleAddr)?;
            tracing::info!("staff console on {scheme}://{addr}");
            let state = Arc::new(crate::console::state::Console::new(
                ctx.data.clone(),
                ctx.writer.clone(),
                bound.is_tls() || addr.ip().is_loopback(),
            )?);
            Some(tokio::spawn(async move {
                if let Err(e) = bound.serve(state).await {
                    tracing::error!(error = %e, "the staff console stopped");
                }
            }))
        }
        None => None,
    };

    let (inbox, inbox_rx) = mpsc::channel(4096);
    let dispatcher = tokio::spawn(dispatch::run(ctx.clone(), inbox_rx));
    let (connected_tx, connected_rx) = tokio::sync::watch::channel(0u64);
    let housekeeping = tokio::spawn(housekeeping::run(ctx.clone(), connected_rx));
    let forgetting = tokio::spawn(retention::run(ctx.clone(), opts.retention));
    let ack_sender = tokio::spawn(acks::run(ctx.clone()));
    let screen_feed = tokio::spawn(screen::run(ctx.clone()));
    tracing::info!(broker = %format!("{}:{}", broker_addr.host, broker_addr.port), "hub starting");

    tokio::pin!(shutdown);
    let mut connections = 0u64;
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            ev = eventloop.poll() => match ev {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    connections += 1;
                    tracing::info!(connections, "connected to broker");
                    let _ = connected_tx.send(connections);
                }
                Ok(Event::Incoming(Packet::Publish(p))) if BrokerClient::is_retained_topic(&p.topic) => {
                    ctx.broker.restore_if_changed(&p.topic, &p.payload);
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if inbox.send(p).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "broker connection lost; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }
    // Clean shutdown: say so (the will is only for crashes), then leave.
    ctx.broker.hub_state(false).await;
    let _ = ctx.broker.client.disconnect().await;
    let drain =
        tokio::time::timeout(Duration::from_secs(2), async { while eventloop.poll().await.is_ok() {} });
    let _ = drain.await;
    dispatcher.abort();
    housekeeping.abort();
    forgetting.abort();
    if let Some(t) = console_task {
        t.abort();
    }
    ack_sender.abort();
    screen_feed.abort();
    tracing::info!("hub stopped");
    Ok(())
}

/// Publish the seed catalog when nothing is published yet.
async fn seed(
    writer: &Writer,
    blobs: &BlobDir,
    dir: &std::path::Path,
    data: &DataDir,
) -> Result<(), ServeError> {
    let conn = store::open_read(data)?;
    if publish::latest_snapshot(&conn)?.is_some() {
        return Ok(());
    }
    let mut diags = Diagnostics::default();
    let authored = catalog::import(dir, protocol::county_time::today(), &mut diags);
    let Some(authored) = authored.filter(|_| !diags.has_errors()) else {
        for d in &diags.items {
            tracing::error!("{d}");
        }
        return Err(ServeError::Seed { dir: dir.display().to_string(), errors: diags.errors() });
    };
    let source = dir.display().to_string();
    let b = blobs.clone();
    let p = writer
        .exec(move |c| publish::publish(c, &b, &authored, &source, &publish::Target::All, "seed"))
        .await?;
    tracing::info!(version = p.version, "published the seed catalog");
    Ok(())
}

mod dispatch;
mod housekeeping;
mod retention;
