//! The big screen under test: a `bigscreen` kiosk runtime logged in to a
//! hub with its own credentials, its window on the software renderer, and
//! what the wall shows read back from the window's own model (the
//! `BigScreen` global), never from its pixels.

use kiosk::runtime::Runtime;
use kiosk::ui::BigScreen;
use kiosk::ui::big_screen::{BigScreenUi, rows};
use kiosk::window_feed::{self, WindowFeed};
use slint::ComponentHandle;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every figure on the wall, as its model holds them.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub has_figures: bool,
    pub live: bool,
    pub as_of: String,
    pub interactions: i32,
    pub by_kind: Vec<(String, i32)>,
    pub top_viewed: Vec<(String, i32)>,
    pub top_traced: Vec<(String, i32)>,
    pub not_found: Vec<(String, i32)>,
    pub parcels_today: (i32, i32),
    pub parcels_30d_total: (i32, i32),
    /// (day, in, out), oldest first.
    pub parcels_30d: Vec<(String, i32, i32)>,
    /// (carrier, in, out).
    pub carriers: Vec<(String, i32, i32)>,
    /// (station, online, parcels in, parcels out, requests).
    pub stations: Vec<(String, bool, i32, i32, i32)>,
    pub stations_online: i32,
    /// (station, its town's name, place across, place down); a place is
    /// negative off the map.
    pub station_places: Vec<(String, String, f32, f32)>,
    pub towns: usize,
    pub stations_unplaced: i32,
    pub requests_open: i32,
    pub requests_overdue: i32,
    pub requests_submitted: i32,
    pub answered: (i32, i32),
    pub resolved: (i32, i32),
    /// (month, enterprises, orders, sales in 万元, farm sales in 万元).
    pub sales: Vec<(String, i32, i32, f32, f32)>,
    pub enterprises: i32,
    pub enterprises_target: i32,
}

pub struct Wall {
    pub ui: BigScreenUi,
    link: WindowFeed,
    _rt: Runtime,
}

impl Wall {
    /// The wall of a `bigscreen` kiosk with this configuration (its window
    /// on the thread's headless platform, installed by the caller).
    pub fn start(mut config: firmware_config::DeviceConfig) -> Wall {
        config.role = firmware_config::Role::Bigscreen;
        let rt = Runtime::start(config).expect("the big screen's runtime starts");
        let ui = window_feed::big_screen_for(&rt.handle()).expect("the big screen's window");
        ui.fit(1920, 1080);
        let link = WindowFeed::new(rt.handle());
        Wall { ui, link, _rt: rt }
    }

    /// What the wall shows now (after carrying the runtime's news over).
    pub fn shown(&mut self) -> Shown {
        self.link.pump(&self.ui);
        let g = self.ui.window.global::<BigScreen>();
        let named = |m: slint::ModelRc<kiosk::ui::RankedRow>| -> Vec<(String, i32)> {
            rows(&m).into_iter().map(|r| (r.name.to_string(), r.count)).collect()
        };
        Shown {
            has_figures: g.get_has_figures(),
            live: g.get_live(),
            as_of: g.get_as_of().to_string(),
            interactions: g.get_interactions(),
            by_kind: rows(&g.get_by_kind()).into_iter().map(|k| (k.kind.to_string(), k.count)).collect(),
            top_viewed: named(g.get_top_viewed()),
            top_traced: named(g.get_top_traced()),
            not_found: named(g.get_not_found()),
            parcels_today: (g.get_parcels_in_today(), g.get_parcels_out_today()),
            parcels_30d_total: (g.get_parcels_in_30d(), g.get_parcels_out_30d()),
            parcels_30d: rows(&g.get_parcels_30d())
                .into_iter()
                .map(|d| (d.day.to_string(), d.parcels_in, d.parcels_out))
                .collect(),
            carriers: rows(&g.get_carriers())
                .into_iter()
                .map(|c| (c.carrier.to_string(), c.parcels_in, c.parcels_out))
                .collect(),
            stations: rows(&g.get_stations())
                .into_iter()
                .map(|s| (s.id.to_string(), s.online, s.parcels_in, s.parcels_out, s.requests))
                .collect(),
            stations_online: g.get_stations_online(),
            station_places: rows(&g.get_stations())
                .into_iter()
                .map(|s| (s.id.to_string(), s.town.to_string(), s.x, s.y))
                .collect(),
            towns: rows(&g.get_towns()).len(),
            stations_unplaced: g.get_stations_unplaced(),
            requests_open: g.get_requests_open(),
            requests_overdue: g.get_requests_overdue(),
            requests_submitted: g.get_requests_submitted(),
            answered: (g.get_answered_in_time(), g.get_answer_due()),
            resolved: (g.get_resolved_in_time(), g.get_resolution_due()),
            sales: rows(&g.get_sales())
                .into_iter()
                .map(|m| (m.month.to_string(), m.enterprises, m.orders, m.sales_wan, m.farm_wan))
                .collect(),
            enterprises: g.get_enterprises(),
            enterprises_target: g.get_enterprises_target(),
        }
    }

    /// The figures alone, without the link's state and their time.
    pub fn figures_only(s: &Shown) -> Shown {
        Shown { live: false, as_of: String::new(), ..s.clone() }
    }

    /// Keep the wall fed until it shows what `done` wants; panics after
    /// `within` with what it showed last.
    pub fn until(&mut self, within: Duration, what: &str, done: impl Fn(&Shown) -> bool) -> Shown {
        let deadline = Instant::now() + within;
        loop {
            let s = self.shown();
            if done(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "the wall never showed {what}; it shows {s:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A `bigscreen` configuration for the test fleet's hub.
pub fn config(
    kid: &str,
    secret: &[u8],
    hub_key: &[u8],
    port: u16,
    data: &Path,
) -> firmware_config::DeviceConfig {
    // Wall::start makes it a big screen.
    crate::fleet::config(kid, secret, hub_key, port, 0, data)
}
