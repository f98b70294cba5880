//! `kiosk --demo`: the whole system on one machine. A hub with its
//! embedded broker on a free local port, seeded with the sample Tongcheng
//! catalog, and two kiosks (a showroom and a village station) that sync
//! from it like any other; the window shows one and switches to the other.

use anyhow::Context;
use firmware_config::{DeviceConfig, Display, HubLink, Language, Role};
use hub::server::ServeOptions;
use hub::store::DataDir;
use hub::store::writer::Writer;
use protocol::KioskId;
use protocol::broker_url::BrokerUrl;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// The staff PIN of the demo kiosks (shown on the demo's PIN page).
pub const DEMO_PIN: &str = "1234";
pub const SHOWROOM: &str = "demo-showroom";
pub const STATION: &str = "demo-station";

/// A hub running on its own thread; dropping it stops the hub.
pub struct DemoHub {
    pub port: u16,
    pub data: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for DemoHub {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A hub in `dir`, with `kiosks` registered before it starts; returns it
/// and each kiosk's configuration (data under `dir/<kiosk id>`).
pub fn start(
    dir: &Path,
    catalog: &Path,
    kiosks: &[(&str, Role)],
) -> anyhow::Result<(DemoHub, Vec<DeviceConfig>)> {
    let hub_dir = dir.join("hub");
    let data = DataDir::new(&hub_dir)?;
    let hub_key = hub::registry::hub_key(&data).context("hub key")?;
    let mut registered = Vec::new();
    {
        let writer = Writer::start(&data)?;
        for (id, role) in kiosks {
            let kid = KioskId::new(*id).map_err(anyhow::Error::msg)?;
            let k = kid.clone();
            let reg = writer.exec_blocking(move |c| hub::registry::register(c, &k, "demo"))?;
            registered.push((kid, *role, reg));
        }
    }
    let port = free_port()?;
    let opts = ServeOptions {
        data: hub_dir.clone(),
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        broker: None,
        tls_listen: None,
        ca_file: None,
        seed_catalog: Some(catalog.to_owned()),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let thread = std::thread::Builder::new().name("demo-hub".into()).spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(e.to_string()));
                return;
            }
        };
        let _ = ready_tx.send(Ok(()));
        if let Err(e) = rt.block_on(hub::server::serve(opts, async {
            let _ = stopped.await;
        })) {
            tracing::error!(error = %e, "the demo hub stopped");
        }
    })?;
    ready_rx.recv().context("the demo hub thread")?.map_err(anyhow::Error::msg)?;
    let pin_hash = firmware_config::pin::hash(DEMO_PIN, &rand::random::<[u8; 16]>());
    let configs = registered
        .into_iter()
        .map(|(kid, role, reg)| DeviceConfig {
            data_dir: dir.join(kid.as_str()),
            id: kid,
            role,
            group: "demo".into(),
            station_no: reg.station_no,
            language: Language::Zh,
            hub: HubLink {
                url: BrokerUrl { host: "127.0.0.1".into(), port, tls: false },
                secret: reg.secret,
                hub_key: hub_key.clone(),
                ca_file: None,
            },
            display: Display { width: 1080, height: 1920, rotation: 0, inactivity_s: 90 },
            staff_pin_hash: Some(pin_hash.clone()),
            serial: Vec::new(),
            waybills: firmware_config::WaybillPolicy::Hashed,
        })
        .collect();
    Ok((DemoHub { port, data: hub_dir, stop: Some(stop), thread: Some(thread) }, configs))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}
