//! The station's jobs board: open jobs at the county's enterprises, by
//! town (a chip per town that has any), each with "I am interested", which
//! becomes a call-back request to the centre.

use super::content_view::{ContentView, JobCard};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobsBoard {
    /// The town chosen (its id); `None` is every town.
    pub town: Option<String>,
    pub jobs: Vec<JobCard>,
    /// (id, name) of the towns with open jobs.
    pub towns: Vec<(String, String)>,
}

impl JobsBoard {
    pub fn open(&mut self) {
        *self = JobsBoard::default();
    }

    pub fn choose_town(&mut self, town: Option<String>) {
        self.town = town;
    }

    /// Compute the board again; `today` is the county date, `YYYY-MM-DD`.
    pub fn refresh(&mut self, content: &ContentView, today: &str) {
        self.towns = content.job_towns(today);
        if self.town.as_ref().is_some_and(|t| !self.towns.iter().any(|(id, _)| id == t)) {
            self.town = None;
        }
        self.jobs = content.jobs(self.town.as_deref(), today);
    }

    pub fn job(&self, id: &str) -> Option<&JobCard> {
        self.jobs.iter().find(|j| j.id == id)
    }
}
