//! `Nav`: the page on screen, back and home, the language switch, the
//! larger text (长辈模式, shown through `Theme`), and the inactivity timer that ends a visit (every touch pokes it).

use crate::controllers::navigation::{Idle, Page};
use crate::controllers::screens::{Dirty, Screens};
use crate::ui::Page as SlintPage;
use crate::ui::{AppWindow, Glue, Nav, STILL_THERE, Theme};
use firmware_config::Language;
use slint::ComponentHandle;

pub fn connect(window: &AppWindow, glue: &Glue) {
    let nav = window.global::<Nav>();
    let g = glue.clone();
    nav.on_wake(move || g.act(|s, now| s.wake(now)));
    let g = glue.clone();
    nav.on_home(move || g.act(|s, now| s.home(now)));
    let g = glue.clone();
    nav.on_back(move || g.act(|s, now| s.back(now)));
    let g = glue.clone();
    nav.on_toggle_language(move || {
        let lang = if g.screens.borrow().language() == Language::Zh { Language::En } else { Language::Zh };
        set_language(&g, lang);
    });
    let g = glue.clone();
    nav.on_toggle_large_text(move || g.act(|s, _| s.toggle_large_text()));
    let g = glue.clone();
    nav.on_poke(move || restart_idle(&g));
}

/// Show the UI's own words (the bundled translations) and the catalog's
/// text in `lang`.
pub fn set_language(glue: &Glue, lang: Language) {
    crate::ui::select_translation(lang);
    glue.act(|s, _| s.set_language(lang));
}

/// A touch: the visit goes on, and the inactivity timer starts again. When
/// it fires the visit is over, unless a half-filled form asks first.
pub fn restart_idle(glue: &Glue) {
    if let Some(w) = glue.window.upgrade() {
        w.global::<Nav>().set_asking(false);
    }
    let g = glue.clone();
    glue.idle.start(slint::TimerMode::SingleShot, glue.inactivity, move || {
        let Some(w) = g.window.upgrade() else { return };
        match g.screens.borrow().on_idle() {
            Idle::AskStillThere => {
                w.global::<Nav>().set_asking(true);
                let again = g.clone();
                g.idle.start(slint::TimerMode::SingleShot, STILL_THERE, move || {
                    if let Some(w) = again.window.upgrade() {
                        w.global::<Nav>().set_asking(false);
                    }
                    again.act(|s, now| s.end_visit(now));
                });
                return;
            }
            Idle::EndVisit => {}
        }
        g.act(|s, now| s.end_visit(now));
    });
}

pub fn show(window: &AppWindow, screens: &Screens, dirty: &Dirty) {
    let nav = window.global::<Nav>();
    if dirty.page {
        nav.set_page(page(screens.page()));
    }
    nav.set_language(screens.language().code().into());
    window.global::<Theme>().set_large_text(screens.large_text());
}

fn page(p: Page) -> SlintPage {
    use SlintPage as P;
    match p {
        Page::Attract => P::Attract,
        Page::Home => P::Home,
        Page::Category => P::Category,
        Page::Product => P::Product,
        Page::Trace => P::Trace,
        Page::Directory => P::Directory,
        Page::Search => P::Search,
        Page::Services => P::Services,
        Page::Request => P::Request,
        Page::Receipt => P::Receipt,
        Page::Mine => P::Mine,
        Page::Stories => P::Stories,
        Page::Story => P::Story,
        Page::Training => P::Training,
        Page::Session => P::Session,
        Page::Jobs => P::Jobs,
        Page::Pin => P::Pin,
        Page::Staff => P::Staff,
        Page::Desk => P::Desk,
    }
}
