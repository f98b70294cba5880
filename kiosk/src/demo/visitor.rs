//! A scripted visitor for the headless tour and the gallery of screens: it
//! acts only through the UI's own callbacks (the Slint globals a touch
//! invokes), so what it sees is what a touch would have made.

use crate::ui::{
    CatalogAdapter, DeskAdapter, Direction, KioskUi, LookupMode, Nav, ServiceAdapter, StaffAdapter,
    StoryAdapter, TrainingAdapter,
};
use slint::ComponentHandle;

pub struct Visitor<'a>(pub &'a KioskUi);

impl Visitor<'_> {
    fn catalog(&self) -> CatalogAdapter<'_> {
        self.0.window.global::<CatalogAdapter>()
    }
    fn service(&self) -> ServiceAdapter<'_> {
        self.0.window.global::<ServiceAdapter>()
    }
    fn training(&self) -> TrainingAdapter<'_> {
        self.0.window.global::<TrainingAdapter>()
    }
    fn staff(&self) -> StaffAdapter<'_> {
        self.0.window.global::<StaffAdapter>()
    }

    /// A touch on the attract loop.
    pub fn wake(&self) {
        self.0.window.global::<Nav>().invoke_wake();
    }
    pub fn home(&self) {
        self.0.window.global::<Nav>().invoke_home();
    }
    pub fn category(&self, id: &str) {
        self.catalog().invoke_open_category(id.into());
    }
    pub fn product(&self, id: &str) {
        self.catalog().invoke_open_product(id.into());
    }
    pub fn trace(&self) {
        self.catalog().invoke_open_trace();
    }
    pub fn directory(&self) {
        self.category(crate::controllers::catalog_view::DIRECTORY);
    }
    /// The search page, then `keys` on its keyboard.
    pub fn search(&self, keys: &str) {
        self.catalog().invoke_open_search();
        keys.chars().for_each(|k| self.catalog().invoke_search_key(k.to_string().into()));
    }
    pub fn service_form(&self, id: &str) {
        self.service().invoke_choose_service(id.into());
    }
    pub fn town(&self, town: &str) {
        self.service().invoke_choose_town(town.into());
    }
    pub fn keypad(&self, keys: &str) {
        keys.chars().for_each(|k| self.service().invoke_key(k.to_string().into()));
    }
    pub fn submit(&self) {
        self.service().invoke_submit();
    }
    /// "My requests", looked up by the phone's last four digits.
    pub fn my_requests_by_phone(&self, tail: &str) {
        self.service().invoke_open_mine();
        self.service().invoke_lookup_mode_changed(LookupMode::Phone);
        tail.chars().for_each(|k| self.service().invoke_lookup_key(k.to_string().into()));
    }
    /// The stories' home tile.
    pub fn stories(&self) -> Vec<String> {
        self.category(crate::controllers::catalog_view::STORIES);
        use slint::Model;
        self.0.window.global::<StoryAdapter>().get_stories().iter().map(|s| s.id.to_string()).collect()
    }
    pub fn story(&self, id: &str) {
        self.0.window.global::<StoryAdapter>().invoke_open_story(id.into());
    }
    /// An enterprise's page (its products, news and open jobs).
    pub fn producer(&self, id: &str) {
        self.catalog().invoke_open_producer(id.into());
    }
    /// The training calendar, from the station's services.
    pub fn training_calendar(&self) {
        self.training().invoke_open_training();
    }
    /// Only the dedicated sessions (women, disabilities, low income), or all.
    pub fn dedicated_only(&self, on: bool) {
        self.training().invoke_set_dedicated(on);
    }
    pub fn session(&self, id: &str) {
        self.training().invoke_open_session(id.into());
    }
    /// "Sign me up" on the session's page.
    pub fn sign_up(&self) {
        self.training().invoke_sign_up();
    }
    pub fn jobs_board(&self, town: &str) {
        self.training().invoke_open_jobs();
        self.training().invoke_choose_job_town(town.into());
    }
    pub fn interested(&self, job_id: &str) {
        self.training().invoke_interested(job_id.into());
    }
    /// "Cancel" on the first cancellable sign-up shown in "my requests".
    pub fn cancel_first_signup(&self) -> bool {
        use slint::Model;
        let rows = self.service().get_signups();
        let Some(row) = rows.iter().find(|r| r.cancellable) else { return false };
        self.service().invoke_cancel_signup(row.id);
        true
    }
    /// The staff button, then `digits` on the PIN keypad (and OK with `ok`).
    pub fn staff_pin(&self, digits: &str, ok: bool) {
        self.staff().invoke_open_staff();
        digits.chars().for_each(|k| self.staff().invoke_pin_key(k.to_string().into()));
        if ok {
            self.staff().invoke_pin_key("ok".into());
        }
    }
    pub fn parcel_desk(&self, direction: Direction) {
        let desk = self.0.window.global::<DeskAdapter>();
        desk.invoke_open_desk();
        desk.invoke_set_direction(direction);
    }
    /// 长辈模式 on or off, by its button (only when it is not already so).
    pub fn large_text(&self, on: bool) {
        if self.0.window.global::<crate::ui::Theme>().get_large_text() != on {
            self.0.window.global::<Nav>().invoke_toggle_large_text();
        }
    }
    /// The demo's footer button.
    pub fn switch_role(&self) {
        self.staff().invoke_switch_role();
    }
}
