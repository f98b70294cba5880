//! `kiosk --demo --headless`: on a machine without a display, a scripted
//! visitor walks through the demo's two kiosks (browse, trace, search, a
//! service request, "my requests"), each screen is drawn with the software
//! renderer into a PNG, and the tour waits until the hub has acknowledged
//! everything recorded and answered the request with its ticket.

use super::visitor::Visitor;
use crate::store::requests::Lookup;
use crate::ui::KioskUi;
use crate::ui::snapshot;
use crate::window_feed::WindowFeed;
use anyhow::{Context, bail};
use protocol::catalog::{CatalogItem, Snapshot};
use slint::platform::software_renderer::MinimalSoftwareWindow;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the tour did, for the summary line.
#[derive(Debug)]
pub struct TourReport {
    pub screens: Vec<PathBuf>,
    /// (kiosk id, events recorded, events acknowledged by the hub)
    pub kiosks: Vec<(String, u64, u64)>,
    /// The request's ticket number and its status as the hub last sent it.
    pub ticket: (String, String),
}

const WAIT: Duration = Duration::from_secs(60);

pub struct Tour<'a> {
    pub ui: &'a KioskUi,
    pub window: &'a MinimalSoftwareWindow,
    /// The link on screen; the role switch swaps its contents.
    pub link: Rc<RefCell<WindowFeed>>,
    pub out: &'a Path,
    pub size: (u32, u32),
    screens: Vec<PathBuf>,
}

impl<'a> Tour<'a> {
    pub fn new(
        ui: &'a KioskUi,
        window: &'a MinimalSoftwareWindow,
        link: Rc<RefCell<WindowFeed>>,
        out: &'a Path,
    ) -> Tour<'a> {
        Tour { ui, window, link, out, size: (1080, 1920), screens: Vec::new() }
    }

    /// Feed the window from the runtime until `done` holds.
    fn wait(&self, what: &str, done: impl Fn(&WindowFeed) -> bool) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let ok = {
                let mut link = self.link.borrow_mut();
                link.pump(self.ui);
                done(&link)
            };
            slint::platform::update_timers_and_animations();
            if ok {
                return Ok(());
            }
            if start.elapsed() > WAIT {
                bail!("the demo did not get {what} within {} s", WAIT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn catalog(&self) -> Option<Arc<Snapshot>> {
        self.link.borrow().handle().catalog().borrow().clone()
    }

    fn shot(&mut self, name: &str) -> anyhow::Result<()> {
        let (w, h) = self.size;
        let rgb = snapshot::frame(self.window, w, h);
        let path = self.out.join(format!("{:02}-{name}.png", self.screens.len() + 1));
        snapshot::write_png(&path, w, h, &rgb).with_context(|| path.display().to_string())?;
        self.screens.push(path);
        Ok(())
    }

    pub fn run(mut self) -> anyhow::Result<TourReport> {
        std::fs::create_dir_all(self.out)?;
        let mut kiosks = Vec::new();

        // The showroom: its catalog arrives from the hub like any kiosk's.
        self.wait("the showroom's catalog", |l| l.handle().catalog().borrow().is_some())?;
        let snap = self.catalog().context("catalog")?;
        let product =
            featured_with_trace(&snap).context("the catalog has no featured product with a batch")?;
        let ui = self.ui;
        let visitor = Visitor(ui);
        ui.attract();
        self.shot("showroom-attract")?;
        visitor.wake();
        self.shot("showroom-home")?;
        visitor.category(product.1.as_str());
        self.shot("showroom-category")?;
        visitor.product(&product.0);
        self.shot("showroom-product")?;
        visitor.trace();
        self.shot("showroom-trace")?;
        visitor.search("yc");
        self.shot("showroom-search")?;
        visitor.home();
        kiosks.push(self.drained("the showroom")?);

        // The village station, through the demo's role switch.
        visitor.switch_role();
        self.wait("the station's catalog", |l| l.handle().catalog().borrow().is_some())?;
        let snap = self.catalog().context("catalog")?;
        let service = snap
            .items
            .iter()
            .find_map(|i| match &i.item {
                CatalogItem::Service(s) if !s.is_complaint => Some(s.id.clone()),
                _ => None,
            })
            .context("the catalog has no service")?;
        visitor.home();
        self.shot("station-services")?;
        visitor.service_form(&service);
        visitor.town(crate::controllers::service_request::TOWNS[0]);
        visitor.keypad("13800001234");
        self.shot("station-request")?;
        visitor.submit();
        self.shot("station-receipt")?;
        let mine = self.link.borrow().handle().my_requests(&Lookup::PhoneTail("1234".into()))?;
        let ticket = mine.first().context("the request was not recorded")?.ticket_no.clone();
        // The hub's answer comes back as the ticket's first revision.
        let lookup = Lookup::Ticket(ticket.clone());
        self.wait("the hub's answer to the request", |l| {
            l.handle().my_requests(&lookup).is_ok_and(|r| r.first().is_some_and(|r| r.rev > 0))
        })?;
        visitor.my_requests_by_phone("1234");
        self.shot("station-my-requests")?;
        let status = self.link.borrow().handle().my_requests(&lookup)?[0].status.name().to_owned();
        visitor.home();
        kiosks.push(self.drained("the station")?);
        Ok(TourReport { screens: self.screens, kiosks, ticket: (ticket, status) })
    }

    /// Wait until the hub has acknowledged every event of the kiosk on screen.
    fn drained(&self, which: &str) -> anyhow::Result<(String, u64, u64)> {
        self.wait(&format!("acknowledgements for {which}"), |l| {
            l.handle().outbox_state().is_ok_and(|s| s.depth == 0 && s.last_seq > 0)
        })?;
        let link = self.link.borrow();
        let s = link.handle().outbox_state()?;
        Ok((link.handle().config().id.as_str().to_owned(), s.last_seq, s.acked_upto))
    }
}

/// A featured product with a traceable batch, and its category.
fn featured_with_trace(snap: &Snapshot) -> Option<(String, String)> {
    let batches: std::collections::HashSet<&str> = snap
        .items
        .iter()
        .filter_map(|i| match &i.item {
            CatalogItem::Batch(b) => Some(b.product_id.as_str()),
            _ => None,
        })
        .collect();
    snap.items.iter().find_map(|i| match &i.item {
        CatalogItem::Product(p) if p.featured && batches.contains(p.id.as_str()) => {
            Some((p.id.clone(), p.category.as_str().to_owned()))
        }
        _ => None,
    })
}
