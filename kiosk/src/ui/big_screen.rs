//! The big screen's window (role `bigscreen`): the hub's figures on the
//! wall of the centre's hall. [`BigScreenUi`] copies what
//! [`controllers::big_screen`](crate::controllers::big_screen) works out
//! onto the `BigScreen` global and draws the charts ([`super::charts`]);
//! the figures themselves come from the runtime, which keeps the last ones
//! across a restart.

use super::charts::{self, Canvas};
use super::{
    BigScreen, BigScreenWindow, CarrierParcels, DayRow, KindCount, MonthRow, RankedRow, StationTile, Swatch,
    TownDot,
};
use crate::controllers::big_screen::{self as view, PANELS};
use crate::runtime::{KioskStatus, Received};
use crate::store::now_ms;
use firmware_config::Language;
use protocol::screen::{DayParcels, MonthSales, Ranked, ScreenFigures};
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

/// The panels' names in file names and tests, in their order.
pub const PANEL_NAMES: [&str; PANELS as usize] = ["today", "parcels", "stations", "sales"];

/// The canvas the wall is laid out on; larger panels scale it up.
pub const LAYOUT: (f32, f32) = (1920.0, 1080.0);
/// The charts' places in the layout (`ui/big_screen/screen.slint`).
const PARCELS_CHART: (f32, f32) = (1200.0, 500.0);
const SALES_CHART: (f32, f32) = (1200.0, 600.0);

pub struct BigScreenUi {
    pub window: BigScreenWindow,
    state: RefCell<State>,
}

struct State {
    lang: Language,
    received: Option<Received>,
    status: KioskStatus,
    started: Instant,
    /// A panel held still (screenshots, tests) instead of taking turns.
    held: Option<u8>,
    /// What the charts on screen were drawn from: drawn again on change only.
    parcels_drawn: Option<(Vec<DayParcels>, Canvas)>,
    sales_drawn: Option<(Vec<MonthSales>, Canvas)>,
    /// The panel size the layout was last fitted to.
    fitted: Option<(u32, u32)>,
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn colour(c: plotters::style::RGBColor) -> slint::Color {
    slint::Color::from_rgb_u8(c.0, c.1, c.2)
}

impl BigScreenUi {
    pub fn new(lang: Language) -> Result<BigScreenUi, slint::PlatformError> {
        let ui = BigScreenUi {
            window: BigScreenWindow::new()?,
            state: RefCell::new(State {
                lang,
                received: None,
                status: KioskStatus::default(),
                started: Instant::now(),
                held: None,
                parcels_drawn: None,
                sales_drawn: None,
                fitted: None,
            }),
        };
        ui.set_language(lang);
        ui.tick();
        Ok(ui)
    }

    fn global(&self) -> BigScreen<'_> {
        self.window.global::<BigScreen>()
    }

    pub fn set_language(&self, lang: Language) {
        super::select_translation(lang);
        self.state.borrow_mut().lang = lang;
        self.show_figures();
        self.tick();
    }

    pub fn language(&self) -> Language {
        self.state.borrow().lang
    }

    /// New figures from the hub (or the ones kept from before a restart).
    pub fn set_figures(&self, received: Option<Received>) {
        self.state.borrow_mut().received = received;
        self.show_figures();
        self.tick();
    }

    /// The link's state: the figures are greyed while the hub is away.
    pub fn set_status(&self, status: &KioskStatus) {
        self.state.borrow_mut().status = status.clone();
        self.tick();
    }

    /// Hold one panel still (`None`: take turns again).
    pub fn hold_panel(&self, panel: Option<u8>) {
        self.state.borrow_mut().held = panel.map(|p| p % PANELS);
        self.tick();
    }

    /// Lay the 1920×1080 canvas over a panel of `width`×`height` pixels
    /// (scale factor 2 on a 3840×2160 wall), and draw the charts for it.
    pub fn fit(&self, width: u32, height: u32) {
        self.state.borrow_mut().fitted = Some((width, height));
        let scale = (width as f32 / LAYOUT.0).min(height as f32 / LAYOUT.1).max(0.25);
        let w = self.window.window();
        if (w.scale_factor() - scale).abs() > 0.001 {
            w.dispatch_event(slint::platform::WindowEvent::ScaleFactorChanged { scale_factor: scale });
            // The layout's size follows, as a platform that changed the
            // scale would report: the same pixels, fewer logical ones.
            let logical = slint::LogicalSize::new(width as f32 / scale, height as f32 / scale);
            w.dispatch_event(slint::platform::WindowEvent::Resized { size: logical });
        }
        self.draw_charts();
    }

    /// The clock, whether the figures are live, and the panel's turn. Called
    /// a few times a second; sets only what changed.
    pub fn tick(&self) {
        let size = self.window.window().size();
        if size.width > 0 && self.state.borrow().fitted != Some((size.width, size.height)) {
            self.fit(size.width, size.height);
        }
        let now = now_ms();
        let s = self.state.borrow();
        let g = self.global();
        let clock = view::clock(now);
        if g.get_clock() != clock.as_str() {
            g.set_clock(clock.into());
            let (year, month, day, weekday) = view::date_parts(now);
            g.set_year(year);
            g.set_month(i32::from(month));
            g.set_day(i32::from(day));
            g.set_weekday(i32::from(weekday));
        }
        let live = view::is_live(&s.status, s.received.as_ref(), now);
        if g.get_live() != live {
            g.set_live(live);
        }
        let panel = i32::from(s.held.unwrap_or_else(|| view::panel_at(s.started.elapsed())));
        if g.get_panel() != panel {
            g.set_panel(panel);
        }
        if let Some(r) = &s.received {
            let as_of = view::as_of(r.figures.ts, now);
            if g.get_as_of() != as_of.as_str() {
                g.set_as_of(as_of.into());
            }
        }
    }

    fn show_figures(&self) {
        let s = self.state.borrow();
        let g = self.global();
        let Some(r) = &s.received else {
            g.set_has_figures(false);
            return;
        };
        let (f, lang, now) = (&r.figures, s.lang, now_ms());
        g.set_has_figures(true);
        show_today(&g, f, lang);
        show_parcels(&g, f);
        show_stations(&g, f, lang, now);
        show_sales(&g, f, lang);
        drop(s);
        self.draw_charts();
    }

    /// Draw the charts again where their figures or size changed.
    fn draw_charts(&self) {
        let scale = self.window.window().scale_factor();
        let mut s = self.state.borrow_mut();
        let Some(r) = s.received.clone() else { return };
        let (f, lang) = (&r.figures, s.lang);
        // The series' order and colours; their names are the legend's.
        let g = self.global();
        let canvas = Canvas::new(PARCELS_CHART.0, PARCELS_CHART.1, scale);
        let key = (f.parcels_30d.clone(), canvas);
        if s.parcels_drawn.as_ref() != Some(&key) {
            g.set_parcels_chart(charts::parcels(&f.parcels_30d, canvas));
            s.parcels_drawn = Some(key);
        }
        let canvas = Canvas::new(SALES_CHART.0, SALES_CHART.1, scale);
        let key = (f.sales.clone(), canvas);
        if s.sales_drawn.as_ref() != Some(&key) {
            let series = view::platform_series(f, lang);
            g.set_sales_chart(charts::sales(&f.sales, &series, canvas));
            s.sales_drawn = Some(key);
        }
    }

    /// The wall as it is now, as PNG bytes (the hub's `screenshot`).
    pub fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        let shot = self.window.window().take_snapshot().map_err(|e| e.to_string())?;
        Ok(super::snapshot::png_rgba(shot.width(), shot.height(), shot.as_bytes()))
    }

    pub fn run(&self) -> Result<(), slint::PlatformError> {
        self.window.run()
    }
}

fn ranked(rows: &[Ranked], lang: Language) -> ModelRc<RankedRow> {
    model(
        rows.iter()
            .map(|r| {
                let name =
                    if lang == Language::En && !r.name_en.is_empty() { &r.name_en } else { &r.name_zh };
                RankedRow { name: name.into(), count: int(r.count) }
            })
            .collect(),
    )
}

fn show_today(g: &BigScreen<'_>, f: &ScreenFigures, lang: Language) {
    let kinds = view::by_kind(f);
    g.set_interactions(int(kinds.iter().map(|(_, n)| n).sum()));
    g.set_kind_most(int(kinds.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1)));
    g.set_by_kind(model(
        kinds.into_iter().map(|(k, n)| KindCount { kind: k.into(), count: int(n) }).collect(),
    ));
    g.set_top_viewed(ranked(&f.top_viewed, lang));
    g.set_top_traced(ranked(&f.top_traced, lang));
    // Search words are the visitors' own: shown as typed, in either language.
    g.set_not_found(model(
        f.not_found
            .iter()
            .map(|r| RankedRow { name: r.name_zh.as_str().into(), count: int(r.count) })
            .collect(),
    ));
    g.set_requests_open(int(f.tickets.open));
    g.set_requests_overdue(int(f.tickets.overdue));
    g.set_trained_year(int(f.training.trained_year));
    g.set_trained_dedicated_year(int(f.training.trained_dedicated_year));
}

fn show_parcels(g: &BigScreen<'_>, f: &ScreenFigures) {
    let today = f.parcels_30d.last();
    g.set_parcels_in_today(int(today.map_or(0, |d| d.parcels_in)));
    g.set_parcels_out_today(int(today.map_or(0, |d| d.parcels_out)));
    g.set_parcels_in_30d(int(f.parcels_30d.iter().map(|d| d.parcels_in).sum()));
    g.set_parcels_out_30d(int(f.parcels_30d.iter().map(|d| d.parcels_out).sum()));
    g.set_parcels_30d(model(
        f.parcels_30d
            .iter()
            .map(|d| DayRow {
                day: d.day.as_str().into(),
                parcels_in: int(d.parcels_in),
                parcels_out: int(d.parcels_out),
            })
            .collect(),
    ));
    g.set_carriers(model(
        f.carriers_today
            .iter()
            .map(|c| CarrierParcels {
                carrier: c.key.as_str().into(),
                parcels_in: int(c.parcels_in),
                parcels_out: int(c.parcels_out),
            })
            .collect(),
    ));
}

fn show_stations(g: &BigScreen<'_>, f: &ScreenFigures, lang: Language, now: u64) {
    let name = |t: &protocol::screen::TownPoint| {
        let en = lang == Language::En && !t.name_en.is_empty();
        SharedString::from(if en { &t.name_en } else { &t.name_zh })
    };
    let places = view::station_places(f);
    let in_town = |id: &str| places.iter().flatten().filter(|(t, _)| t.id == id).count();
    g.set_towns(model(
        f.towns
            .iter()
            .map(|t| TownDot {
                name: name(t),
                x: f32::from(t.x) / 100.0,
                y: f32::from(t.y) / 100.0,
                more: int(in_town(&t.id).saturating_sub(view::PINS_PER_TOWN) as u64),
            })
            .collect(),
    ));
    g.set_stations(model(
        f.stations
            .iter()
            .zip(&places)
            .map(|(s, place)| {
                let (town, x, y, slot) = match place {
                    Some((t, slot)) => (name(t), f32::from(t.x) / 100.0, f32::from(t.y) / 100.0, *slot),
                    None => (s.town.as_deref().unwrap_or("").into(), -1.0, -1.0, 0),
                };
                StationTile {
                    id: s.kiosk.as_str().into(),
                    town,
                    x,
                    y,
                    slot: slot as i32,
                    online: s.online,
                    since: view::since(s.since, now).into(),
                    parcels_in: int(s.parcels_in_today),
                    parcels_out: int(s.parcels_out_today),
                    requests: int(s.requests_today),
                }
            })
            .collect(),
    ));
    g.set_stations_unplaced(int(places.iter().filter(|p| p.is_none()).count() as u64));
    g.set_stations_online(int(f.stations.iter().filter(|s| s.online).count() as u64));
    let t = &f.tickets;
    g.set_requests_month(t.month.as_str().into());
    g.set_requests_submitted(int(t.submitted));
    g.set_answered_in_time(int(t.answered_in_time));
    g.set_answer_due(int(t.answer_due));
    g.set_resolved_in_time(int(t.resolved_in_time));
    g.set_resolution_due(int(t.resolution_due));
}

fn show_sales(g: &BigScreen<'_>, f: &ScreenFigures, lang: Language) {
    g.set_sales(model(
        f.sales
            .iter()
            .map(|m| MonthRow {
                month: m.month.as_str().into(),
                enterprises: int(m.enterprises),
                orders: int(m.orders),
                sales_wan: view::wan(m.sales_fen) as f32,
                farm_wan: view::wan(m.farm_sales_fen) as f32,
            })
            .collect(),
    ));
    let legend: Vec<Swatch> = view::platform_series(f, lang)
        .iter()
        .enumerate()
        .map(|(i, s)| Swatch {
            id: s.id.as_deref().unwrap_or("").into(),
            name: s.name.as_str().into(),
            colour: colour(charts::platform_colour(s, i)),
        })
        .collect();
    g.set_platforms(model(legend));
    g.set_enterprises(int(view::latest_month(f).map_or(0, |m| m.enterprises)));
    g.set_enterprises_target(int(f.enterprises_target.unwrap_or(0)));
}

/// Read a list property back (tests).
pub fn rows<T: Clone + 'static>(m: &ModelRc<T>) -> Vec<T> {
    m.iter().collect()
}
