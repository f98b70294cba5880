//! What the centre offers beyond products, computed from the catalog on
//! screen as plain data (no Slint types): stories for the showroom, the
//! station's training calendar, the jobs board, an enterprise's news and
//! open jobs. Codes (course kinds, audiences, sign-up ways) leave as codes
//! for the Slint side to translate with the rest of the UI.

use super::catalog_view::pick;
use firmware_config::Language;
use protocol::catalog::{Audience, CatalogItem, CourseKind, SignupWay, Snapshot};
use protocol::county_time;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct StoryCard {
    pub id: String,
    pub title: String,
    /// Who it is about (a person's name as published, or the enterprise).
    pub name: String,
    /// The town's name in the language on screen.
    pub town: String,
    pub date: String,
    pub text: String,
    /// Content hashes of the photos, first the main one.
    pub photos: Vec<String>,
    /// (label, URL) of the producer's shop, for the QR.
    pub shop: Option<(String, String)>,
    pub producer_id: Option<String>,
}

/// The calendar's span, from the start of today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Week,
    Month,
}

impl Span {
    fn days(self) -> i64 {
        match self {
            Span::Week => 7,
            Span::Month => 31,
        }
    }
}

/// What the calendar lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarFilter {
    pub span: Span,
    pub kind: Option<CourseKind>,
    /// Only the sessions for women, people with disabilities and
    /// low-income households.
    pub dedicated_only: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionCard {
    pub id: String,
    pub course_id: String,
    pub title: String,
    pub intro: String,
    pub kind: CourseKind,
    pub audience: Audience,
    pub organiser: String,
    pub place: String,
    pub town: String,
    /// `2026-12-08 09:00`, county time.
    pub starts: String,
    pub ends: String,
    pub starts_at: u64,
    pub seats: u32,
    /// Yuan per person; empty when free.
    pub price_yuan: String,
    pub signup: SignupWay,
    pub signup_note: String,
    pub closes: String,
    /// Sign-up has closed (or the session has begun).
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobCard {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    pub producer_id: String,
    pub town_id: String,
    pub town: String,
    /// The pay range in yuan (`3200–4200`, `3500+`), empty when not given,
    /// and its unit as the catalog writes it (`元/月`).
    pub pay: String,
    pub pay_unit: String,
    pub requirements: String,
    pub openings: u32,
    pub valid_until: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewsCard {
    pub id: String,
    pub date: String,
    pub title: String,
    pub text: String,
    pub photo: Option<String>,
}

impl SessionCard {
    /// When, in one line: `2026-12-15 09:30–11:30`, or both dates when it
    /// runs over more than a day.
    pub fn when(&self) -> String {
        match (self.starts.split_once(' '), self.ends.split_once(' ')) {
            (Some((d1, _)), Some((d2, t2))) if d1 == d2 => format!("{}–{t2}", self.starts),
            _ => format!("{} – {}", self.starts, self.ends),
        }
    }

    /// Where, in one line: the place, and its town unless the place names it.
    pub fn place_line(&self) -> String {
        if self.town.is_empty() || self.place.contains(&self.town) {
            self.place.clone()
        } else {
            format!("{} · {}", self.place, self.town)
        }
    }
}

/// The pay range as a job card shows it, in yuan (the unit apart, for the
/// screen to word in its language).
pub fn pay_text(min: Option<u32>, max: Option<u32>) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("{a}+"),
        (None, Some(b)) => format!("≤{b}"),
        (None, None) => String::new(),
    }
}

pub struct ContentView {
    snap: Arc<Snapshot>,
    lang: Language,
    towns: HashMap<String, (String, String)>,
    producers: HashMap<String, (String, String)>,
}

impl ContentView {
    pub fn new(snap: Arc<Snapshot>, lang: Language) -> ContentView {
        let mut towns = HashMap::new();
        let mut producers = HashMap::new();
        for i in &snap.items {
            match &i.item {
                CatalogItem::Town(t) => {
                    towns.insert(t.id.clone(), (t.name_zh.clone(), t.name_en.clone()));
                }
                CatalogItem::Producer(p) => {
                    producers.insert(p.id.clone(), (p.name_zh.clone(), p.name_en.clone()));
                }
                _ => {}
            }
        }
        ContentView { snap, lang, towns, producers }
    }

    fn town(&self, id: &str) -> String {
        self.towns.get(id).map_or(id, |(zh, en)| pick(self.lang, zh, en)).to_owned()
    }

    fn producer(&self, id: &str) -> String {
        self.producers.get(id).map_or(id, |(zh, en)| pick(self.lang, zh, en)).to_owned()
    }

    fn shop_of(&self, producer_id: &str) -> Option<(String, String)> {
        self.snap.items.iter().find_map(|i| match &i.item {
            CatalogItem::ShopLink(s) if s.producer_id == producer_id => {
                Some((s.label_zh.clone(), s.url.clone()))
            }
            _ => None,
        })
    }

    /// Every story, newest first.
    pub fn stories(&self) -> Vec<StoryCard> {
        let mut out: Vec<StoryCard> = self
            .snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::Story(s) => Some(StoryCard {
                    id: s.id.clone(),
                    title: pick(self.lang, &s.title_zh, &s.title_en).to_owned(),
                    name: s.name_zh.clone(),
                    town: self.town(&s.town),
                    date: s.date.clone(),
                    text: pick(self.lang, &s.text_zh, &s.text_en).to_owned(),
                    photos: s.photos.iter().map(|b| b.sha256.clone()).collect(),
                    shop: s.producer_id.as_deref().and_then(|p| self.shop_of(p)),
                    producer_id: s.producer_id.clone(),
                }),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// Sessions that end after `now` and start within the span, soonest first.
    pub fn calendar(&self, filter: CalendarFilter, now_ms: u64) -> Vec<SessionCard> {
        let today = county_time::start_of_day(county_time::date_of(now_ms as i64)).max(0) as u64;
        let until = today + filter.span.days() as u64 * 86_400_000;
        let mut out: Vec<SessionCard> = self
            .sessions(now_ms)
            .into_iter()
            .filter(|s| s.starts_at < until)
            .filter(|s| filter.kind.is_none_or(|k| k == s.kind))
            .filter(|s| !filter.dedicated_only || s.audience.is_dedicated())
            .collect();
        out.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
        out
    }

    /// Every session not yet over at `now`.
    fn sessions(&self, now_ms: u64) -> Vec<SessionCard> {
        let courses: HashMap<&str, &protocol::catalog::Course> = self
            .snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::Course(c) => Some((c.id.as_str(), c)),
                _ => None,
            })
            .collect();
        self.snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::Session(s) if s.ends_at > now_ms => {
                    let c = courses.get(s.course_id.as_str())?;
                    let price = crate::controllers::catalog_view::Price::of(s.price_fen, "");
                    Some(SessionCard {
                        id: s.id.clone(),
                        course_id: c.id.clone(),
                        title: pick(self.lang, &c.title_zh, &c.title_en).to_owned(),
                        intro: pick(self.lang, &c.intro_zh, &c.intro_en).to_owned(),
                        kind: c.kind,
                        audience: c.audience,
                        organiser: c.organiser_zh.clone(),
                        place: s.place_zh.clone(),
                        town: s.town.as_deref().map(|t| self.town(t)).unwrap_or_default(),
                        starts: county_time::minute_text(s.starts_at as i64),
                        ends: county_time::minute_text(s.ends_at as i64),
                        starts_at: s.starts_at,
                        seats: s.seats,
                        price_yuan: price.yuan,
                        signup: s.signup,
                        signup_note: s.signup_note_zh.clone(),
                        closes: county_time::minute_text(s.signup_closes_at as i64),
                        closed: now_ms >= s.signup_closes_at,
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// One session, over or not ("my requests" names past ones too).
    pub fn session_ever(&self, id: &str) -> Option<SessionCard> {
        self.sessions(0).into_iter().find(|s| s.id == id)
    }

    /// One session, if it is not over.
    pub fn session(&self, id: &str, now_ms: u64) -> Option<SessionCard> {
        self.sessions(now_ms).into_iter().find(|s| s.id == id)
    }

    /// Open jobs (valid through `today`, `YYYY-MM-DD`), in one town or all,
    /// the most openings first.
    pub fn jobs(&self, town: Option<&str>, today: &str) -> Vec<JobCard> {
        let mut out: Vec<JobCard> = self
            .snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::Job(j)
                    if j.valid_until.as_str() >= today && town.is_none_or(|t| t == j.town) =>
                {
                    Some(JobCard {
                        id: j.id.clone(),
                        title: pick(self.lang, &j.title_zh, &j.title_en).to_owned(),
                        enterprise: self.producer(&j.producer_id),
                        producer_id: j.producer_id.clone(),
                        town_id: j.town.clone(),
                        town: self.town(&j.town),
                        pay: pay_text(j.pay_min_yuan, j.pay_max_yuan),
                        pay_unit: j.pay_unit_zh.clone(),
                        requirements: j.requirements_zh.clone(),
                        openings: j.openings,
                        valid_until: j.valid_until.clone(),
                    })
                }
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| b.openings.cmp(&a.openings).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// The towns that have open jobs, for the board's chips: (id, name).
    pub fn job_towns(&self, today: &str) -> Vec<(String, String)> {
        let mut ids: Vec<String> = self.jobs(None, today).into_iter().map(|j| j.town_id).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .map(|id| {
                let name = self.town(&id);
                (id, name)
            })
            .collect()
    }

    /// An enterprise's news, newest first.
    pub fn news_of(&self, producer_id: &str) -> Vec<NewsCard> {
        let mut out: Vec<NewsCard> = self
            .snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::News(n) if n.producer_id == producer_id => Some(NewsCard {
                    id: n.id.clone(),
                    date: n.date.clone(),
                    title: n.title_zh.clone(),
                    text: n.text_zh.clone(),
                    photo: n.photo.as_ref().map(|b| b.sha256.clone()),
                }),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// An enterprise's open jobs.
    pub fn jobs_of(&self, producer_id: &str, today: &str) -> Vec<JobCard> {
        self.jobs(None, today).into_iter().filter(|j| j.producer_id == producer_id).collect()
    }
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;

    /// The sample county's catalog, as a kiosk holds it.
    fn sample(lang: Language) -> ContentView {
        let work = tempfile::tempdir().unwrap();
        let (snap, _) =
            crate::demo::sample::load(&crate::demo::sample::default_catalog(), work.path()).unwrap();
        ContentView::new(snap, lang)
    }

    /// 2026-12-01 08:00 in the county.
    const NOW: u64 = 1_796_083_200_000;

    #[test]
    fn stories_come_newest_first_with_their_producers_shop() {
        let v = sample(Language::Zh);
        let stories = v.stories();
        assert!(stories.len() >= 5);
        assert!(stories.windows(2).all(|w| w[0].date >= w[1].date));
        let oil = stories.iter().find(|s| s.id == "story-oil-sister").unwrap();
        assert_eq!(oil.town, "石南镇");
        assert!(oil.shop.as_ref().is_some_and(|(_, url)| url.starts_with("https://")));
        assert_eq!(oil.photos.len(), 1);
        let en = sample(Language::En);
        assert!(en.stories().iter().any(|s| s.title.contains("(sample)")), "English titles where given");
    }

    #[test]
    fn the_calendar_lists_the_span_the_kind_and_the_dedicated_sessions() {
        let v = sample(Language::Zh);
        let f = |span, kind, dedicated_only| CalendarFilter { span, kind, dedicated_only };
        // From Thursday 3 December: the next seven days hold one session.
        let week = v.calendar(f(Span::Week, None, false), NOW + 2 * 86_400_000);
        assert_eq!(week.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["basics-101-1208"]);
        let month = v.calendar(f(Span::Month, None, false), NOW);
        assert!(month.len() >= 6 && month.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
        let dedicated = v.calendar(f(Span::Month, None, true), NOW);
        let groups: Vec<Audience> = dedicated.iter().map(|s| s.audience).collect();
        assert_eq!(groups, [Audience::Women, Audience::Disabled, Audience::LowIncome]);
        let live = v.calendar(f(Span::Month, Some(CourseKind::LiveStreaming), false), NOW);
        assert!(live.iter().all(|s| s.kind == CourseKind::LiveStreaming) && live.len() == 2);
        let s = v.session("women-live-1215", NOW).unwrap();
        assert_eq!((s.starts.as_str(), s.seats, s.closed), ("2026-12-15 09:30", 15, false));
        assert_eq!(
            (s.when().as_str(), s.place_line().as_str()),
            ("2026-12-15 09:30–11:30", "石南镇村级服务站")
        );
        let later = v.session("women-live-1215", NOW + 14 * 86_400_000).unwrap();
        assert!(later.closed, "sign-up closed the evening before");
        assert!(v.session("women-live-1215", NOW + 30 * 86_400_000).is_none(), "over");
    }

    #[test]
    fn the_jobs_board_by_town_and_an_enterprises_news_and_jobs() {
        let v = sample(Language::Zh);
        let all = v.jobs(None, "2026-12-01");
        assert!(all.len() >= 5);
        let shinan = v.jobs(Some("shinan"), "2026-12-01");
        assert!(!shinan.is_empty() && shinan.iter().all(|j| j.town == "石南镇"));
        assert!(v.job_towns("2026-12-01").iter().any(|(id, name)| id == "shinan" && name == "石南镇"));
        assert!(v.jobs(None, "2027-12-01").is_empty(), "expired openings are not shown");
        let oil = v.jobs_of("paoshan-oil", "2026-12-01");
        assert_eq!(
            oil.iter().map(|j| format!("{} {}", j.pay, j.pay_unit)).collect::<Vec<_>>(),
            ["130–160 元/天", "3200–4200 元/月"]
        );
        assert_eq!(v.news_of("paoshan-oil")[0].title, "新季茶籽开榨（样例）");
        assert_eq!(pay_text(Some(3500), None), "3500+");
    }
}
