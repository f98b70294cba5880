//! The big screen's logic without Slint: which panel is on, whether the
//! figures on the wall are live, and the numbers and series each panel shows,
//! worked out from the hub's figures (`kh/v1/_dc/screen`). The adapter
//! (`ui/big_screen.rs`) only copies these onto the window and draws charts.

use crate::runtime::{KioskStatus, Received};
use firmware_config::Language;
use protocol::county_time;
use protocol::screen::{MonthSales, ScreenFigures, TownPoint};
use std::collections::BTreeMap;
use std::time::Duration;

/// Panels that take turns: today, parcels, stations, online sales.
pub const PANELS: u8 = 4;
/// How long each panel stays.
pub const ROTATE: Duration = Duration::from_secs(15);
/// Figures this old are no longer live even over a working link: the hub
/// sends them again at least every 30 s, so two missed beats mean a hub
/// that is up but not working.
pub const STALE: Duration = Duration::from_secs(75);
/// The interactions of visitors, in the order the wall lists them.
pub const VISITOR_KINDS: [&str; 6] =
    ["attract_exit", "category_open", "product_view", "trace_open", "search", "service_request"];
/// Stations shown under their town on the map; more are counted ("+2").
/// The window has the same number (`ui/big_screen/screen.slint`).
pub const PINS_PER_TOWN: usize = 3;
/// Platforms drawn in a colour of their own; the rest share "other".
pub const COLOURED_PLATFORMS: usize = 4;

/// Whether the wall shows live figures: connected to a hub that is online,
/// with figures fresh by this device's clock.
pub fn is_live(status: &KioskStatus, figures: Option<&Received>, now_ms: u64) -> bool {
    status.connected
        && status.hub_online
        && figures.is_some_and(|f| now_ms.saturating_sub(f.received_ms) < STALE.as_millis() as u64)
}

/// The panel on screen `elapsed` after the wall started.
pub fn panel_at(elapsed: Duration) -> u8 {
    ((elapsed.as_secs() / ROTATE.as_secs()) % u64::from(PANELS)) as u8
}

/// The figures' time as the wall shows it: the time alone when it is
/// today's, else with its date.
pub fn as_of(ts_ms: u64, now_ms: u64) -> String {
    let (ts, now) = (ts_ms as i64, now_ms as i64);
    let t = county_time::local(ts);
    if county_time::date_of(ts) == county_time::date_of(now) {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    } else {
        county_time::minute_text(ts)
    }
}

/// When a station changed state, as its tile shows it.
pub fn since(ms: Option<u64>, now_ms: u64) -> String {
    match ms {
        None => String::new(),
        Some(ms) if county_time::date_of(ms as i64) == county_time::date_of(now_ms as i64) => {
            let t = county_time::local(ms as i64);
            format!("{:02}:{:02}", t.hour(), t.minute())
        }
        Some(ms) => {
            let t = county_time::local(ms as i64);
            format!("{:02}-{:02} {:02}:{:02}", u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
    }
}

/// The wall clock: `14:30:05`.
pub fn clock(now_ms: u64) -> String {
    let t = county_time::local(now_ms as i64);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// The date under the clock in parts (year, month, day, weekday with 0 =
/// Monday): the window words it in the language on screen.
pub fn date_parts(now_ms: u64) -> (i32, u8, u8, u8) {
    let d = county_time::date_of(now_ms as i64);
    (d.year(), u8::from(d.month()), d.day(), d.weekday().number_days_from_monday())
}

/// Today's visitor interactions by kind, in [`VISITOR_KINDS`] order.
pub fn by_kind(f: &ScreenFigures) -> Vec<(&'static str, u64)> {
    VISITOR_KINDS.iter().map(|k| (*k, f.today.get(*k).copied().unwrap_or(0))).collect()
}

/// One series of the sales chart: a platform (or the rest together), its
/// name, and its sales per month in fen.
#[derive(Clone, Debug, PartialEq)]
pub struct PlatformSeries {
    /// A platform id, or `None` for the others together.
    pub id: Option<String>,
    /// The platform's name in the language on screen ("" for the others,
    /// which the window words).
    pub name: String,
    pub fen: Vec<u64>,
}

/// The sales chart's series: the [`COLOURED_PLATFORMS`] platforms that sold
/// most over the months shown, each on its own, then the others together
/// (when there are any). Every month's series add up to its sales.
pub fn platform_series(f: &ScreenFigures, lang: Language) -> Vec<PlatformSeries> {
    let total = |id: &str| f.sales.iter().map(|m| m.by_platform.get(id).copied().unwrap_or(0)).sum::<u64>();
    let mut ids: Vec<&str> = f.sales.iter().flat_map(|m| m.by_platform.keys().map(String::as_str)).collect();
    ids.sort_unstable();
    ids.dedup();
    // Most sold first; "other" is never a colour of its own.
    ids.sort_by(|a, b| (*a == "other").cmp(&(*b == "other")).then(total(b).cmp(&total(a))).then(a.cmp(b)));
    let name = |id: &str| {
        f.platforms.iter().find(|p| p.id == id).map_or_else(
            || id.to_owned(),
            |p| if lang == Language::En { p.name_en.clone() } else { p.name_zh.clone() },
        )
    };
    let per_month = |pick: &dyn Fn(&str) -> bool| -> Vec<u64> {
        f.sales.iter().map(|m| m.by_platform.iter().filter(|(k, _)| pick(k)).map(|(_, v)| v).sum()).collect()
    };
    let coloured: Vec<&str> =
        ids.iter().copied().filter(|id| *id != "other").take(COLOURED_PLATFORMS).collect();
    let mut series: Vec<PlatformSeries> = coloured
        .iter()
        .map(|id| PlatformSeries {
            id: Some((*id).to_owned()),
            name: name(id),
            fen: per_month(&|k| k == *id),
        })
        .collect();
    if ids.len() > coloured.len() {
        let rest = per_month(&|k| !coloured.contains(&k));
        series.push(PlatformSeries { id: None, name: String::new(), fen: rest });
    }
    series
}

/// Where each station goes on the map: its town and its place among the
/// stations of that town (stacked under the town's name), or `None` when
/// its town is not registered or not on the map.
pub fn station_places(f: &ScreenFigures) -> Vec<Option<(&TownPoint, usize)>> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    f.stations
        .iter()
        .map(|s| {
            let town = f.towns.iter().find(|t| Some(t.id.as_str()) == s.town.as_deref())?;
            let slot = seen.entry(town.id.as_str()).or_default();
            *slot += 1;
            Some((town, *slot - 1))
        })
        .collect()
}

/// The latest month held, if any.
pub fn latest_month(f: &ScreenFigures) -> Option<&MonthSales> {
    f.sales.last()
}

/// Fen as 万元 (10,000 yuan), the unit the wall shows sales in.
pub fn wan(fen: u64) -> f64 {
    fen as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::screen::{Named, Station};

    fn month(m: &str, by: &[(&str, u64)]) -> MonthSales {
        let by_platform: BTreeMap<String, u64> = by.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        MonthSales {
            month: m.into(),
            sales_fen: by_platform.values().sum(),
            by_platform,
            ..Default::default()
        }
    }

    #[test]
    fn the_four_biggest_platforms_get_colours_and_the_rest_share_one() {
        let f = ScreenFigures {
            sales: vec![
                month(
                    "2026-09",
                    &[("taobao", 50), ("jd", 40), ("douyin", 30), ("pinduoduo", 20), ("other", 99)],
                ),
                month("2026-10", &[("taobao", 60), ("kuaishou", 10), ("weixin", 5)]),
            ],
            platforms: vec![Named {
                id: "taobao".into(), name_zh: "淘宝".into(), name_en: "Taobao".into()
            }],
            ..Default::default()
        };
        let s = platform_series(&f, Language::En);
        let ids: Vec<Option<&str>> = s.iter().map(|p| p.id.as_deref()).collect();
        assert_eq!(ids, [Some("taobao"), Some("jd"), Some("douyin"), Some("pinduoduo"), None]);
        assert_eq!((s[0].name.as_str(), s[4].name.as_str()), ("Taobao", ""));
        assert_eq!(s[4].fen, [99, 15], "other, kuaishou and weixin together");
        for (i, m) in f.sales.iter().enumerate() {
            assert_eq!(s.iter().map(|p| p.fen[i]).sum::<u64>(), m.sales_fen, "{}", m.month);
        }
    }

    #[test]
    fn figures_are_live_only_connected_to_an_online_hub_and_fresh() {
        let up = KioskStatus { connected: true, hub_online: true, ..Default::default() };
        let r = Received { figures: ScreenFigures::default(), received_ms: 1_000_000 };
        assert!(is_live(&up, Some(&r), 1_000_000 + 74_000));
        assert!(!is_live(&up, Some(&r), 1_000_000 + 75_000), "two missed heartbeats");
        assert!(!is_live(&up, None, 1_000_000));
        let hub_gone = KioskStatus { hub_online: false, ..up.clone() };
        assert!(!is_live(&hub_gone, Some(&r), 1_000_000));
        let cut = KioskStatus { connected: false, ..up };
        assert!(!is_live(&cut, Some(&r), 1_000_000));
    }

    #[test]
    fn stations_stack_under_their_town_and_the_unknown_stay_off_the_map() {
        let town = |id: &str| TownPoint { id: id.into(), x: 10, y: 20, ..Default::default() };
        let station = |kiosk: &str, town: Option<&str>| Station {
            kiosk: kiosk.into(),
            town: town.map(str::to_owned),
            ..Default::default()
        };
        let f = ScreenFigures {
            towns: vec![town("shinan"), town("magang")],
            stations: vec![
                station("a", Some("shinan")),
                station("b", Some("magang")),
                station("c", Some("shinan")),
                station("d", None),
                station("e", Some("石南镇 (not an id)")),
            ],
            ..Default::default()
        };
        let places: Vec<Option<(&str, usize)>> =
            station_places(&f).into_iter().map(|p| p.map(|(t, slot)| (t.id.as_str(), slot))).collect();
        assert_eq!(places, [Some(("shinan", 0)), Some(("magang", 0)), Some(("shinan", 1)), None, None]);
    }

    #[test]
    fn panels_take_turns() {
        let turns: Vec<u8> = (0..6).map(|i| panel_at(ROTATE * i)).collect();
        assert_eq!(turns, [0, 1, 2, 3, 0, 1]);
        assert_eq!(panel_at(ROTATE - Duration::from_millis(1)), 0);
    }

    #[test]
    fn times_show_their_date_only_when_not_today() {
        // 2026-12-01 10:42:05 in the county is 02:42:05 UTC.
        let now = 1_796_092_925_000;
        assert_eq!(as_of(now, now), "10:42:05");
        assert_eq!(as_of(now - 86_400_000, now), "2026-11-30 10:42");
        assert_eq!(since(Some(now), now), "10:42");
        assert_eq!(since(Some(now - 86_400_000), now), "11-30 10:42");
        assert_eq!(since(None, now), "");
        assert_eq!(date_parts(now), (2026, 12, 1, 1), "a Tuesday");
        assert_eq!(clock(now), "10:42:05");
    }
}
