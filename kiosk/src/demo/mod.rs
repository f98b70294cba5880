//! `kiosk --demo`: the whole system on one machine. A hub with its
//! embedded broker on a free local port, seeded with the sample Tongcheng
//! catalog, and two kiosks (a showroom and a village station) that sync
//! from it like any other; the window shows one and switches to the other.
//! Without a display, a scripted visitor tours both ([`tour`]).
//!
//! Only the desktop build has this module (cargo feature `demo`): it starts
//! the hub in-process through the hub's library, which the appliance never
//! links. [`sample`] loads a catalog folder with the hub's own importer, for
//! the demo, `kiosk snapshot` ([`gallery`]) and the UI tests.

pub mod gallery;
pub mod sample;
pub mod tour;
pub mod visitor;
pub mod wall;

use crate::ui::KioskUi;
use crate::window_feed::{self, WindowFeed};
use anyhow::Context;
use firmware_config::{DeviceConfig, HubLink, Role};
use hub::server::ServeOptions;
use hub::store::DataDir;
use hub::store::writer::Writer;
use protocol::KioskId;
use protocol::broker_url::BrokerUrl;
use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The demo's part of the command line.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Start a hub with the embedded broker and the sample catalog, and a
    /// showroom and a village-station kiosk; the window shows the showroom
    /// and switches role from its footer.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: the catalog folder to serve (default the sample).
    #[arg(long, requires = "demo")]
    pub catalog: Option<PathBuf>,
    /// With --demo: no window; a scripted visitor tours both kiosks and
    /// each screen is written as a PNG (the default without a display).
    #[arg(long, requires = "demo")]
    pub headless: bool,
    /// With --demo --headless: where the tour's PNGs go.
    #[arg(long, requires = "demo", default_value = "kiosk-demo-tour")]
    pub out: PathBuf,
}

/// `kiosk --demo`: in a window, or toured headless where there is no display.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let no_display = std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if args.headless || no_display {
        if !args.headless {
            println!("no display found: touring the demo headless (see --help)");
        }
        headless(args.catalog, &args.out)
    } else {
        let demo = Demo::start(args.catalog)?;
        let (ui, feed) = demo.window()?;
        let _timer = window_feed::feed(ui.clone(), feed);
        ui.run()?;
        Ok(())
    }
}

fn headless(catalog: Option<PathBuf>, out: &Path) -> anyhow::Result<()> {
    let window = crate::ui::snapshot::install()?;
    let demo = Demo::start(catalog)?;
    let (ui, feed) = demo.window()?;
    let report = tour::Tour::new(&ui, &window, feed, out).run()?;
    println!("tour: {} screens written to {}", report.screens.len(), out.display());
    for (kiosk, recorded, acked) in &report.kiosks {
        println!("{kiosk}: {recorded} events recorded, {acked} acknowledged by the hub");
    }
    let (ticket, status) = &report.ticket;
    println!("service request: ticket {ticket}, hub status {status}");
    Ok(())
}

/// The demo's hub and its two kiosks, running; dropping it stops them and
/// removes their files.
struct Demo {
    /// The showroom, then the station.
    kiosks: Vec<crate::runtime::Runtime>,
    hub: Option<DemoHub>,
    dir: PathBuf,
}

impl Demo {
    fn start(catalog: Option<PathBuf>) -> anyhow::Result<Demo> {
        let dir = gallery::scratch_dir("kiosk-demo")?;
        let catalog = catalog.unwrap_or_else(sample::default_catalog);
        let (hub, configs) = start(&dir, &catalog, &[(SHOWROOM, Role::Showroom), (STATION, Role::Station)])?;
        println!(
            "demo hub on mqtt://127.0.0.1:{} (data {}); staff PIN {DEMO_PIN}",
            hub.port,
            hub.data.display()
        );
        println!(
            "staff console on http://127.0.0.1:{}: account {DEMO_STAFF}, password {DEMO_STAFF_PASSWORD}",
            hub.web_port
        );
        let kiosks =
            configs.into_iter().map(crate::runtime::Runtime::start).collect::<Result<Vec<_>, _>>()?;
        Ok(Demo { kiosks, hub: Some(hub), dir })
    }

    /// The window on the showroom, with the role switch to the station.
    fn window(&self) -> anyhow::Result<(Rc<KioskUi>, Rc<RefCell<WindowFeed>>)> {
        let (showroom, station) = (self.kiosks[0].handle(), self.kiosks[1].handle());
        let ui = Rc::new(window_feed::window_for(&showroom)?);
        let feed = Rc::new(RefCell::new(WindowFeed::new(showroom)));
        offer_switch(&ui, feed.clone(), WindowFeed::new(station));
        Ok((ui, feed))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // Kiosks first (they say goodbye to the hub), then the hub.
        self.kiosks.clear();
        drop(self.hub.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The demo's role switch: the window records into the other kiosk's
/// runtime and shows its catalog and home page.
pub fn offer_switch(ui: &Rc<KioskUi>, current: Rc<RefCell<WindowFeed>>, other: WindowFeed) {
    let other = Rc::new(RefCell::new(other));
    let weak = Rc::downgrade(ui);
    ui.offer_role_switch(
        DEMO_PIN,
        Rc::new(move || {
            let Some(ui) = weak.upgrade() else { return };
            std::mem::swap(&mut *current.borrow_mut(), &mut *other.borrow_mut());
            let mut feed = current.borrow_mut();
            let h = feed.handle().clone();
            let blobs = h.clone();
            ui.attach(&h, Rc::new(move |sha: &str| blobs.blob_path(sha)));
            feed.show_all_again();
            feed.pump(&*ui);
            visitor::Visitor(&ui).home();
        }),
    );
}

/// The staff PIN of the demo kiosks (shown on the demo's PIN page).
pub const DEMO_PIN: &str = "1234";
pub const SHOWROOM: &str = "demo-showroom";
/// The demo's console account (an administrator) and its password.
pub const DEMO_STAFF: &str = "demo";
pub const DEMO_STAFF_PASSWORD: &str = "demo-console";
pub const STATION: &str = "demo-station";

/// A hub running on its own thread; dropping it stops the hub.
pub struct DemoHub {
    pub port: u16,
    /// The staff console's port (http://127.0.0.1:<web_port>).
    pub web_port: u16,
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
    let hub_key = hub::fleet::registry::hub_key(&data).context("hub key")?;
    // The catalog now (the hub's seed is then a no-op), so that the data
    // centre can have the SAMPLE online sales beside the kiosks' counts.
    sample::load(catalog, &hub_dir)?;
    let conn = hub::store::open_write(&data)?;
    if let Err(e) = wall::import_sample_sales(&conn, hub::store::now_ms()) {
        tracing::warn!(error = %e, "the demo runs without online sales (not the sample catalog?)");
    }
    drop(conn);
    let mut registered = Vec::new();
    {
        let writer = Writer::start(&data)?;
        for (id, role) in kiosks {
            let kid = KioskId::new(*id).map_err(anyhow::Error::msg)?;
            let k = kid.clone();
            let reg =
                writer.exec_blocking(move |c| Ok(hub::fleet::registry::register_new(c, &k, "demo")))??;
            let (k, name) = (kid.clone(), if *role == Role::Station { "station" } else { "showroom" });
            writer.exec_blocking(move |c| hub::fleet::registry::set_role(c, &k, name))?;
            if *role == Role::Station {
                // On the big screen's map (the sample's towns.csv).
                let k = kid.clone();
                writer.exec_blocking(move |c| {
                    hub::fleet::registry::set_town(c, &k, Some("石南镇")).map(|_| ())
                })?;
            }
            registered.push((kid, *role, reg));
        }
        // A console account to look at the staff side at once (its password
        // is no secret: the demo runs on this machine only).
        let hash = hub::staff::accounts::hash_password(DEMO_STAFF_PASSWORD);
        writer.exec_blocking(move |c| {
            let now = hub::store::now_ms();
            hub::staff::accounts::add(c, DEMO_STAFF, hub::staff::roles::Role::Admin, &hash, now)
                .and_then(|()| hub::staff::accounts::set_password(c, DEMO_STAFF, &hash, now))
                .map_err(|e| hub::store::StoreError::Corrupt(e.to_string()))
        })?;
    }
    let port = free_port()?;
    let web_port = free_port()?;
    let opts = ServeOptions {
        data: hub_dir.clone(),
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        broker: None,
        tls_listen: None,
        tls_handshake_timeout: std::time::Duration::from_secs(10),
        ca_file: None,
        seed_catalog: Some(catalog.to_owned()),
        console: Some(hub::console::ConsoleOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, web_port)),
            tls: false,
        }),
        retention: Default::default(),
        ingest: Default::default(),
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
        .map(|(kid, role, reg)| {
            let hub = HubLink {
                url: BrokerUrl { host: "127.0.0.1".into(), port, tls: false },
                secret: reg.secret,
                hub_key: hub_key.clone(),
                ca_file: None,
            };
            let mut config =
                DeviceConfig::new(kid.clone(), role, "demo", reg.station_no, hub, dir.join(kid.as_str()));
            config.staff_pin_hash = Some(pin_hash.clone());
            config
        })
        .collect();
    Ok((DemoHub { port, web_port, data: hub_dir, stop: Some(stop), thread: Some(thread) }, configs))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}
