//! The accessibility audit of a rendered screen: what `kiosk snapshot
//! --check` measures on every screen it draws, so that no screen can make
//! a target too small to hit or a text too faint to read without a test
//! failing.
//!
//! Geometry comes from the UI's own element tree (Slint's element
//! handles: every button, touch area, text and scroll area with its place
//! and size); colours come from the pixels, because the tree does not
//! expose them and the pixels are what the visitor sees.
//!
//! Checks, each with its limit in [`Limits`]:
//! - touch targets (buttons and touch areas) at least 96 px both ways;
//! - text contrast at least 4.5:1, or 3:1 for large text;
//! - nothing cut off by the screen's edge unless it can be scrolled to;
//! - a scroll area with more below it shows a scroll cue (`ScrollCue`);
//! - no text runs into another text or into a button it is not part of;
//! - an English screen shows no Chinese but the catalog's own data.

pub mod pixels;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use pixels::{Frame, PixelRect};
use std::collections::{BTreeMap, HashSet};

/// The limits a screen is held to.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A touch target's smaller side, in pixels (about 16 mm on a 21.5"
    /// 1080p panel).
    pub target_px: f32,
    /// Contrast of ordinary text.
    pub contrast: f64,
    /// Contrast of large text.
    pub contrast_large: f64,
    /// Text is large from this ink height up (conservative: ink is at most
    /// the font's size).
    pub large_px: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { target_px: 96.0, contrast: 4.5, contrast_large: 3.0, large_px: 32 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    Target,
    Contrast,
    CutOff,
    ScrollCue,
    Overlap,
    Chinese,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Target => "touch target",
            Check::Contrast => "contrast",
            Check::CutOff => "cut off",
            Check::ScrollCue => "scroll cue",
            Check::Overlap => "overlap",
            Check::Chinese => "Chinese in English",
        }
    }
}

/// One element that broke a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub check: Check,
    /// Type, label, place and size.
    pub element: String,
    /// The measured figure, with its limit.
    pub figure: String,
}

/// One screen's measurements.
#[derive(Clone, Debug, Default)]
pub struct ScreenAudit {
    pub screen: String,
    pub targets: usize,
    /// Texts measured (whole on screen).
    pub texts: usize,
    /// Texts not measured: partly scrolled out of their scroll area.
    pub texts_hidden: usize,
    /// The smallest target's smaller side and the target.
    pub smallest_target: Option<(f32, String)>,
    /// The lowest text contrast and the text.
    pub lowest_contrast: Option<(f64, String)>,
    pub failures: Vec<Finding>,
}

impl ScreenAudit {
    /// Add what the same screen showed unrolled (in a window tall enough
    /// for its scroll areas' content): the elements below the fold. Its
    /// scroll cues are not judged (nothing is hidden there), and a failure
    /// found both ways counts once.
    pub fn add_unrolled(&mut self, unrolled: ScreenAudit) {
        self.targets = self.targets.max(unrolled.targets);
        self.texts = self.texts.max(unrolled.texts);
        // Unrolled, only what is longer than three screens stays unmeasured.
        self.texts_hidden = unrolled.texts_hidden;
        if let Some((v, e)) = unrolled.smallest_target
            && self.smallest_target.as_ref().is_none_or(|(w, _)| v < *w)
        {
            self.smallest_target = Some((v, format!("{e} (below the fold)")));
        }
        if let Some((v, e)) = unrolled.lowest_contrast
            && self.lowest_contrast.as_ref().is_none_or(|(w, _)| v < *w)
        {
            self.lowest_contrast = Some((v, format!("{e} (below the fold)")));
        }
        // The same element may sit elsewhere in the taller window (what is
        // placed by the window's height): the same by type and label.
        let what = |e: &str| e.split(" at (").next().unwrap_or(e).to_owned();
        for f in unrolled.failures {
            let known =
                self.failures.iter().any(|g| g.check == f.check && what(&g.element) == what(&f.element));
            if f.check != Check::ScrollCue && !known {
                self.failures.push(Finding { element: format!("{} (below the fold)", f.element), ..f });
            }
        }
    }
}

/// What an English screen may still show in Chinese: whole values of the
/// data's fields that have no English (see [`chinese_data`]).
pub struct Language<'a> {
    pub english: bool,
    pub data: &'a [String],
}

/// The Chinese an English screen may show from `data` (a catalog snapshot
/// or the big screen's figures as JSON): every text value that holds
/// Chinese, except a `…_zh` field whose `…_en` twin is filled in.
pub fn chinese_data(data: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let english = key
                        .strip_suffix("_zh")
                        .and_then(|stem| map.get(&format!("{stem}_en")))
                        .and_then(|en| en.as_str())
                        .is_some_and(|en| !en.trim().is_empty());
                    if !english {
                        walk(value, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::String(s) if !chinese_runs(s).is_empty() => out.push(s.clone()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(data, &mut out);
    // Longest first, so that a value is taken out whole before a shorter
    // one inside it.
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out.dedup();
    out
}

/// The Chinese left in `label` once every whole data value in it is taken
/// out (and the language switch's own name).
fn chinese_not_data(label: &str, data: &[String]) -> Option<String> {
    let mut rest = label.to_owned();
    for value in data.iter().map(String::as_str).chain(ALWAYS_CHINESE) {
        if rest.contains(value) {
            rest = rest.replace(value, " ");
        }
    }
    chinese_runs(&rest).into_iter().next()
}

/// The language switch's label names the other language in its own words.
const ALWAYS_CHINESE: [&str; 1] = ["中文"];

#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Rect {
    fn of(e: &ElementHandle) -> Rect {
        let (p, s) = (e.absolute_position(), e.size());
        Rect { x: p.x, y: p.y, w: s.width, h: s.height }
    }
    fn right(&self) -> f32 {
        self.x + self.w
    }
    fn bottom(&self) -> f32 {
        self.y + self.h
    }
    fn within(&self, o: &Rect) -> bool {
        const SLACK: f32 = 1.0;
        self.x >= o.x - SLACK
            && self.y >= o.y - SLACK
            && self.right() <= o.right() + SLACK
            && self.bottom() <= o.bottom() + SLACK
    }
    fn intersects(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    /// Overlapping by more than a hair both ways (anti-aliasing and
    /// rounding touch; running into each other is more).
    fn overlaps(&self, o: &Rect) -> bool {
        const HAIR: f32 = 2.0;
        self.right().min(o.right()) - self.x.max(o.x) > HAIR
            && self.bottom().min(o.bottom()) - self.y.max(o.y) > HAIR
    }
    fn clipped_to(&self, o: &Rect) -> Rect {
        let (x, y) = (self.x.max(o.x), self.y.max(o.y));
        Rect {
            x,
            y,
            w: (self.right().min(o.right()) - x).max(0.0),
            h: (self.bottom().min(o.bottom()) - y).max(0.0),
        }
    }
    fn key(&self) -> (i32, i32, i32, i32) {
        (self.x.round() as i32, self.y.round() as i32, self.w.round() as i32, self.h.round() as i32)
    }
    fn grown(&self, by: f32) -> Rect {
        Rect { x: self.x - by, y: self.y - by, w: self.w + 2.0 * by, h: self.h + 2.0 * by }
    }
    /// The frame's pixels under this box, at the window's scale factor.
    fn pixels(&self, scale: f32) -> PixelRect {
        let (x, y) = ((self.x * scale).max(0.0).ceil(), (self.y * scale).max(0.0).ceil());
        PixelRect {
            x: x as u32,
            y: y as u32,
            w: ((self.right() * scale).floor() - x).max(0.0) as u32,
            h: ((self.bottom() * scale).floor() - y).max(0.0) as u32,
        }
    }
}

/// One element as the audit sees it.
struct Seen {
    kind: String,
    label: String,
    rect: Rect,
    role: Option<AccessibleRole>,
}

impl Seen {
    fn describe(&self) -> String {
        let r = self.rect;
        let mut label: String = self.label.chars().take(40).collect();
        if label.len() < self.label.len() {
            label.push('…');
        }
        format!("{} {label:?} at ({:.0},{:.0}) {:.0}×{:.0}", self.kind, r.x, r.y, r.w, r.h)
    }
    /// Identity across queries (the handles themselves cannot be compared).
    fn key(&self) -> (String, String, (i32, i32, i32, i32)) {
        (self.kind.clone(), self.label.clone(), self.rect.key())
    }
}

fn seen(e: &ElementHandle) -> Seen {
    Seen {
        kind: e.type_name().map(|s| s.to_string()).unwrap_or_default(),
        label: e.accessible_label().map(|s| s.to_string()).unwrap_or_default(),
        rect: Rect::of(e),
        role: e.accessible_role(),
    }
}

fn is_target(s: &Seen) -> bool {
    use AccessibleRole as R;
    s.kind == "TouchArea"
        || matches!(
            s.role,
            Some(
                R::Button
                    | R::Checkbox
                    | R::Switch
                    | R::Tab
                    | R::TextInput
                    | R::RadioButton
                    | R::Slider
                    | R::Spinbox
                    | R::Combobox
            )
        )
}

/// Measure one screen: `root` is the window on screen, `frame` its pixels
/// as just drawn. Places and sizes are in the window's logical pixels (a
/// 4K wall at scale 2 is measured like a 1080p one).
pub fn screen(
    name: &str,
    root: &impl slint::ComponentHandle,
    frame: &Frame,
    language: &Language,
    limits: &Limits,
) -> ScreenAudit {
    let scale = root.window().scale_factor();
    let window = Rect { x: 0.0, y: 0.0, w: frame.width as f32 / scale, h: frame.height as f32 / scale };
    let shown = |e: &ElementHandle| e.is_valid() && e.computed_opacity() > 0.05;
    let mut elements: Vec<Seen> = Vec::new();
    let mut keys = HashSet::new();
    for e in ElementQuery::from_root(root).match_descendants().find_all() {
        if !shown(&e) {
            continue;
        }
        let s = seen(&e);
        if s.rect.w < 1.0 || s.rect.h < 1.0 || !keys.insert(s.key()) {
            continue;
        }
        elements.push(s);
    }
    // Each scroll area and what scrolls inside it.
    let mut scrolls: Vec<(Seen, Vec<Seen>)> = Vec::new();
    for f in ElementQuery::from_root(root).match_descendants().match_inherits("Flickable").find_all() {
        if !shown(&f) {
            continue;
        }
        let inside = f.query_descendants().find_all().iter().filter(|e| shown(e)).map(seen).collect();
        scrolls.push((seen(&f), inside));
    }
    let mut clips: BTreeMap<_, Vec<Rect>> = BTreeMap::new();
    for (f, inside) in &scrolls {
        for s in inside {
            clips.entry(s.key()).or_default().push(f.rect);
        }
    }
    let cues: Vec<&Seen> = elements.iter().filter(|s| s.kind == "ScrollCue").collect();
    // What a cue (and its shadow) covers is not in sight until scrolled.
    let covered: Vec<Rect> = cues.iter().map(|c| c.rect.grown(16.0)).collect();

    let mut audit = ScreenAudit { screen: name.to_owned(), ..ScreenAudit::default() };
    let fail = |check, s: &Seen, figure: String| Finding { check, element: s.describe(), figure };
    let mut failures = Vec::new();
    let mut measured_targets = HashSet::new();
    // Targets as far as they are in sight, and the texts measured.
    let mut targets_seen: Vec<(&Seen, Rect)> = Vec::new();
    let mut texts_seen: Vec<&Seen> = Vec::new();
    for s in &elements {
        let scrolled_in = clips.get(&s.key());
        let target = is_target(s);
        let text = s.role == Some(AccessibleRole::Text) && !s.label.trim().is_empty();
        if !target && !text {
            continue;
        }
        if !s.rect.intersects(&window) && scrolled_in.is_none() {
            continue;
        }
        // Off the screen's edge, or sideways out of a scroll area (they
        // scroll up and down only).
        let cut = match scrolled_in {
            None => !s.rect.within(&window),
            Some(areas) => areas.iter().any(|a| s.rect.x < a.x - 1.0 || s.rect.right() > a.right() + 1.0),
        };
        if cut {
            failures.push(fail(Check::CutOff, s, "partly outside the screen".into()));
        }
        if target && s.kind != "ScrollCue" {
            let sight =
                scrolled_in.into_iter().flatten().fold(s.rect.clipped_to(&window), |r, a| r.clipped_to(a));
            targets_seen.push((s, sight));
        }
        if target && measured_targets.insert(s.rect.key()) {
            audit.targets += 1;
            let side = s.rect.w.min(s.rect.h);
            if audit.smallest_target.as_ref().is_none_or(|(v, _)| side < *v) {
                audit.smallest_target = Some((side, s.describe()));
            }
            if side < limits.target_px {
                failures.push(fail(
                    Check::Target,
                    s,
                    format!("{:.0}×{:.0} px, under {:.0}", s.rect.w, s.rect.h, limits.target_px),
                ));
            }
        }
        if !text {
            continue;
        }
        let whole = s.rect.within(&window)
            && scrolled_in.is_none_or(|areas| areas.iter().all(|a| s.rect.within(a)))
            && !covered.iter().any(|c| c.intersects(&s.rect));
        if !whole {
            audit.texts_hidden += 1;
            continue;
        }
        let Some(ink) = pixels::text_ink(frame, s.rect.pixels(scale)) else {
            audit.texts_hidden += 1;
            continue;
        };
        audit.texts += 1;
        texts_seen.push(s);
        let large = ink.ink_height as f32 / scale >= limits.large_px as f32;
        let limit = if large { limits.contrast_large } else { limits.contrast };
        if audit.lowest_contrast.as_ref().is_none_or(|(v, _)| ink.contrast < *v) {
            audit.lowest_contrast = Some((ink.contrast, s.describe()));
        }
        if ink.contrast < limit {
            failures.push(fail(
                Check::Contrast,
                s,
                format!(
                    "{:.2}:1 ({} on {}, {} text), under {limit}:1",
                    ink.contrast,
                    hex(ink.ink),
                    hex(ink.background),
                    if large { "large" } else { "body" }
                ),
            ));
        }
        if language.english
            && let Some(run) = chinese_not_data(&s.label, language.data)
        {
            failures.push(fail(Check::Chinese, s, format!("{run:?} is not data without English")));
        }
    }
    // Texts running into each other, or into a button they are not part of.
    for (i, t) in texts_seen.iter().enumerate() {
        if let Some(u) = texts_seen[i + 1..].iter().find(|u| t.rect.overlaps(&u.rect)) {
            failures.push(fail(Check::Overlap, t, format!("runs into {}", u.describe())));
        }
        if let Some((b, _)) =
            targets_seen.iter().find(|(b, sight)| sight.overlaps(&t.rect) && !t.rect.within(&b.rect))
        {
            failures.push(fail(Check::Overlap, t, format!("runs into {}", b.describe())));
        }
    }
    // More below a scroll area's bottom edge: a cue must say so.
    for (f, inside) in &scrolls {
        let below = inside.iter().map(|s| s.rect.bottom()).fold(f.rect.bottom(), f32::max) - f.rect.bottom();
        let cued = cues.iter().any(|c| c.rect.intersects(&f.rect) && c.rect.within(&window));
        if below > 2.0 && !cued {
            failures.push(fail(Check::ScrollCue, f, format!("{below:.0} px more below, no cue")));
        }
    }
    audit.failures = failures;
    audit
}

fn hex(c: pixels::Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The runs of Chinese characters (and Chinese punctuation) in `s`.
pub fn chinese_runs(s: &str) -> Vec<String> {
    let chinese = |c: char| {
        matches!(c as u32,
            0x3000..=0x303f // CJK punctuation
            | 0x3400..=0x4dbf
            | 0x4e00..=0x9fff
            | 0xf900..=0xfaff
            | 0xff00..=0xffef) // full-width forms
    };
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if chinese(c) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_are_found_between_latin_words() {
        assert_eq!(chinese_runs("Origin: 通城县马港镇"), ["通城县马港镇"]);
        assert_eq!(chinese_runs("500克/袋"), ["克", "袋"]);
        assert!(chinese_runs("Valid 2020-01-01 – 2030-12-31").is_empty());
        assert_eq!(chinese_runs("（样例）"), ["（样例）"]);
    }

    #[test]
    fn only_whole_values_of_fields_without_english_may_stay_chinese() {
        let data = chinese_data(&serde_json::json!({
            "name_zh": "黄袍山压榨山茶油", "name_en": "Huangpao camellia oil",
            "spec_zh": "500克/袋", "origin_zh": "通城县马港镇",
            "intro_zh": "首页推荐的好油", "intro_en": "",
        }));
        assert!(!data.contains(&"黄袍山压榨山茶油".to_owned()), "it has English: {data:?}");
        assert_eq!(chinese_not_data("¥78 per bag 500克/袋", &data), None);
        assert_eq!(chinese_not_data("Origin: 通城县马港镇", &data), None);
        assert_eq!(chinese_not_data("中文", &data), None);
        // Part of a value is not the value: an untranslated "首页" fails.
        assert_eq!(chinese_not_data("首页", &data), Some("首页".into()));
        assert_eq!(chinese_not_data("产地：通城县马港镇", &data), Some("产地：".into()));
    }
}
