//! The centre's content beyond products: stories (`stories.csv`), training
//! (`courses.csv`, `sessions.csv`), job openings (`jobs.csv`) and enterprise
//! news (`news.csv`). Read after the tables they refer to.

use super::Builder;
use crate::catalog::diagnostics::Severity;
use crate::catalog::fields;
use crate::catalog::table::{Column, Row, Table, opt, req};
use protocol::catalog::*;
use protocol::county_time;

pub(super) const STORIES: &[Column] = &[
    req("id"),
    req("subject"),
    req("name_zh"),
    req("town"),
    req("title_zh"),
    opt("title_en"),
    req("text_zh"),
    opt("text_en"),
    req("date"),
    req("photos"),
    opt("producer_id"),
    opt("product_ids"),
    opt("consent"),
];
pub(super) const COURSES: &[Column] = &[
    req("id"),
    req("kind"),
    req("audience"),
    req("title_zh"),
    opt("title_en"),
    opt("intro_zh"),
    opt("intro_en"),
    req("organiser_zh"),
];
pub(super) const SESSIONS: &[Column] = &[
    req("id"),
    req("course_id"),
    req("place_zh"),
    opt("town"),
    req("starts_at"),
    req("ends_at"),
    req("seats"),
    opt("price_yuan"),
    req("signup"),
    opt("signup_note_zh"),
    opt("signup_closes_at"),
];
pub(super) const JOBS: &[Column] = &[
    req("id"),
    req("producer_id"),
    req("title_zh"),
    opt("title_en"),
    req("town"),
    opt("pay_min_yuan"),
    opt("pay_max_yuan"),
    opt("pay_unit_zh"),
    opt("requirements_zh"),
    req("openings"),
    req("valid_until"),
];
pub(super) const NEWS: &[Column] =
    &[req("id"), req("producer_id"), req("date"), req("title_zh"), req("text_zh"), opt("photo")];

/// A session longer than this is most likely a typing mistake in a date.
const LONGEST_SESSION_MS: u64 = 14 * 24 * 3_600_000;

impl Builder<'_> {
    /// A reference to a town of `towns.csv` (an id such as `shinan`).
    fn town(&mut self, row: &Row, col: &str, required: bool) -> Option<Option<String>> {
        let town = if required {
            row.parse(self.diags, col, fields::id).map(Some)
        } else {
            row.parse_opt(self.diags, col, fields::id)
        }?;
        if let Some(t) = &town {
            self.refers(row, col, ItemKind::Town, t);
        }
        Some(town)
    }

    /// A date that cannot be later than today (a story, a news item).
    fn past_date(&mut self, row: &Row, col: &str) -> Option<String> {
        let d = row.parse(self.diags, col, fields::date)?;
        if d > self.today {
            let msg = format!("{col} {} is in the future", county_time::iso_date(d));
            row.report(self.diags, Severity::Error, col, msg);
            return None;
        }
        Some(county_time::iso_date(d))
    }

    pub(super) fn stories(&mut self, t: &Table) -> Vec<Story> {
        let subjects = [("person", StorySubject::Person), ("enterprise", StorySubject::Enterprise)];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Story);
            let subject = self.choice(&row, "subject", &subjects);
            let name = row.required(self.diags, "name_zh");
            let town = self.town(&row, "town", true).flatten();
            let title = row.required(self.diags, "title_zh");
            let text = row.required(self.diags, "text_zh");
            let date = self.past_date(&row, "date");
            let consent = row.parse_opt(self.diags, "consent", fields::boolean);
            if subject == Some(StorySubject::Person) && matches!(consent, Some(None | Some(false))) {
                row.report(
                    self.diags,
                    Severity::Error,
                    "consent",
                    "a story about a person is published only with their written consent: write yes (是) once it is on file",
                );
            }
            let photos: Option<Vec<BlobRef>> = match row.required(self.diags, "photos") {
                Some(cell) => fields::list(cell).iter().map(|n| self.image(&row, "photos", n)).collect(),
                None => None,
            };
            let producer = row.parse_opt(self.diags, "producer_id", fields::id);
            if let Some(Some(p)) = &producer {
                self.refers(&row, "producer_id", ItemKind::Producer, p);
            }
            let products = fields::list(row.raw("product_ids"));
            for p in &products {
                self.refers(&row, "product_ids", ItemKind::Product, p);
            }
            let consented = subject == Some(StorySubject::Enterprise) || consent == Some(Some(true));
            if let (Some(id), Some(subject), Some(name), Some(town), Some(title), Some(text), Some(date)) =
                (id, subject, name, town, title, text, date)
                && let (Some(photos), Some(producer_id), true) = (photos, producer, consented)
            {
                out.push(Story {
                    id,
                    subject,
                    name_zh: name.into(),
                    town,
                    title_zh: title.into(),
                    title_en: row.raw("title_en").into(),
                    text_zh: text.into(),
                    text_en: row.raw("text_en").into(),
                    date,
                    photos,
                    producer_id,
                    product_ids: products,
                });
            }
        }
        out
    }

    pub(super) fn courses(&mut self, t: &Table) -> Vec<Course> {
        let kinds: Vec<(&str, CourseKind)> = CourseKind::ALL.iter().map(|k| (k.as_str(), *k)).collect();
        let audiences: Vec<(&str, Audience)> = Audience::ALL.iter().map(|a| (a.as_str(), *a)).collect();
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Course);
            let kind = self.choice(&row, "kind", &kinds);
            let audience = self.choice(&row, "audience", &audiences);
            let title = row.required(self.diags, "title_zh");
            let organiser = row.required(self.diags, "organiser_zh");
            if let (Some(id), Some(kind), Some(audience), Some(title), Some(organiser)) =
                (id, kind, audience, title, organiser)
            {
                out.push(Course {
                    id,
                    kind,
                    audience,
                    title_zh: title.into(),
                    title_en: row.raw("title_en").into(),
                    intro_zh: row.raw("intro_zh").into(),
                    intro_en: row.raw("intro_en").into(),
                    organiser_zh: organiser.into(),
                });
            }
        }
        out
    }

    pub(super) fn sessions(&mut self, t: &Table) -> Vec<TrainingSession> {
        let ways = [("kiosk", SignupWay::Kiosk), ("phone", SignupWay::Phone), ("walk_in", SignupWay::WalkIn)];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Session);
            let course = row.parse(self.diags, "course_id", fields::id);
            if let Some(c) = &course {
                self.refers(&row, "course_id", ItemKind::Course, c);
            }
            let place = row.required(self.diags, "place_zh");
            let town = self.town(&row, "town", false);
            let starts = row.parse(self.diags, "starts_at", fields::county_datetime);
            let mut ends = row.parse(self.diags, "ends_at", fields::county_datetime);
            if let (Some(s), Some(e)) = (starts, ends) {
                let problem = if e <= s {
                    Some(format!(
                        "the session ends ({}) before it starts ({})",
                        county_time::minute_text(e as i64),
                        county_time::minute_text(s as i64)
                    ))
                } else if e - s > LONGEST_SESSION_MS {
                    Some(format!(
                        "the session lasts {} days; a session lasts at most 14",
                        (e - s) / 86_400_000
                    ))
                } else {
                    None
                };
                if let Some(m) = problem {
                    row.report(self.diags, Severity::Error, "ends_at", m);
                    ends = None;
                }
            }
            let seats = row.parse(self.diags, "seats", |s| fields::count(s, 1));
            let price = row.parse_opt(self.diags, "price_yuan", fields::yuan_to_fen);
            let way = self.choice(&row, "signup", &ways);
            let note = row.raw("signup_note_zh");
            if way == Some(SignupWay::Phone) && note.is_empty() {
                row.report(
                    self.diags,
                    Severity::Error,
                    "signup_note_zh",
                    "sign-up by phone needs the number to call (the organiser's, never a person's own)",
                );
            }
            let mut closes = row.parse_opt(self.diags, "signup_closes_at", fields::county_datetime);
            if let (Some(Some(c)), Some(s)) = (closes, starts)
                && c > s
            {
                row.report(
                    self.diags,
                    Severity::Error,
                    "signup_closes_at",
                    format!(
                        "sign-up closes ({}) after the session starts ({})",
                        county_time::minute_text(c as i64),
                        county_time::minute_text(s as i64)
                    ),
                );
                closes = None;
            }
            if let (
                Some(id),
                Some(course_id),
                Some(place),
                Some(town),
                Some(starts_at),
                Some(ends_at),
                Some(seats),
                Some(price_fen),
                Some(signup),
                Some(closes),
            ) = (id, course, place, town, starts, ends, seats, price, way, closes)
                && (signup != SignupWay::Phone || !note.is_empty())
            {
                out.push(TrainingSession {
                    id,
                    course_id,
                    place_zh: place.into(),
                    town,
                    starts_at,
                    ends_at,
                    seats,
                    price_fen,
                    signup,
                    signup_note_zh: note.into(),
                    signup_closes_at: closes.unwrap_or(starts_at),
                });
            }
        }
        out
    }

    pub(super) fn jobs(&mut self, t: &Table) -> Vec<Job> {
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Job);
            let producer = row.parse(self.diags, "producer_id", fields::id);
            if let Some(p) = &producer {
                self.refers(&row, "producer_id", ItemKind::Producer, p);
            }
            let title = row.required(self.diags, "title_zh");
            let town = self.town(&row, "town", true).flatten();
            let yuan = |s: &str| fields::count(s, 1);
            let min = row.parse_opt(self.diags, "pay_min_yuan", yuan);
            let mut max = row.parse_opt(self.diags, "pay_max_yuan", yuan);
            if let (Some(Some(lo)), Some(Some(hi))) = (min, max)
                && lo > hi
            {
                let msg = format!("pay_max_yuan {hi} is below pay_min_yuan {lo}");
                row.report(self.diags, Severity::Error, "pay_max_yuan", msg);
                max = None;
            }
            let paid = matches!(min, Some(Some(_))) || matches!(max, Some(Some(_)));
            let unit = row.raw("pay_unit_zh");
            if paid && unit.is_empty() {
                row.report(
                    self.diags,
                    Severity::Error,
                    "pay_unit_zh",
                    "pay needs its unit (元/月, 元/天, …)",
                );
            }
            let openings = row.parse(self.diags, "openings", |s| fields::count(s, 1));
            let until = row.parse(self.diags, "valid_until", fields::date);
            if let Some(u) = until
                && u < self.today
            {
                row.report(
                    self.diags,
                    Severity::Warning,
                    "valid_until",
                    format!("the opening ended on {}; kiosks do not show it", county_time::iso_date(u)),
                );
            }
            if let (Some(id), Some(producer_id), Some(title), Some(town), Some(min), Some(max)) =
                (id, producer, title, town, min, max)
                && let (Some(openings), Some(until), true) = (openings, until, !paid || !unit.is_empty())
            {
                out.push(Job {
                    id,
                    producer_id,
                    title_zh: title.into(),
                    title_en: row.raw("title_en").into(),
                    town,
                    pay_min_yuan: min,
                    pay_max_yuan: max,
                    pay_unit_zh: unit.into(),
                    requirements_zh: row.raw("requirements_zh").into(),
                    openings,
                    valid_until: county_time::iso_date(until),
                });
            }
        }
        out
    }

    pub(super) fn news(&mut self, t: &Table) -> Vec<News> {
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::News);
            let producer = row.parse(self.diags, "producer_id", fields::id);
            if let Some(p) = &producer {
                self.refers(&row, "producer_id", ItemKind::Producer, p);
            }
            let date = self.past_date(&row, "date");
            let title = row.required(self.diags, "title_zh");
            let text = row.required(self.diags, "text_zh");
            let photo = match row.optional("photo") {
                Some(name) => self.image(&row, "photo", name).map(Some),
                None => Some(None),
            };
            if let (Some(id), Some(producer_id), Some(date), Some(title), Some(text), Some(photo)) =
                (id, producer, date, title, text, photo)
            {
                out.push(News { id, producer_id, date, title_zh: title.into(), text_zh: text.into(), photo });
            }
        }
        out
    }
}
