//! The village station's request form: the chosen service, the town (one
//! tap) and a phone number typed on a big keypad, then the submission and
//! its receipt. The same form, in the same no-typing way, signs a villager
//! up for a training session and says "I am interested" in a job (a
//! call-back request to the centre under the same 48-hour rule).
//!
//! The rules a request must meet (a town, a real phone number) are the
//! store's ([`crate::store::requests`]); this form only reports them. The
//! receipt promises the centre's answer within
//! [`protocol::ticket::RESPONSE_HOURS`].

use super::backend::KioskBackend;
use crate::store::requests::{FormError as StoreFormError, RequestForm, SubmitError};
use crate::store::signups::{SignupError, SignupForm};
use protocol::privacy::{check_phone, mask_phone};
use protocol::{TicketNo, county_time};

/// Tongcheng's towns and townships, for one-tap choice, as the hub stores
/// them. The UI shows each in the language on screen (`ui/texts.slint`).
pub const TOWNS: [&str; 11] = [
    "隽水镇",
    "麦市镇",
    "塘湖镇",
    "关刀镇",
    "沙堆镇",
    "五里镇",
    "石南镇",
    "北港镇",
    "马港镇",
    "四庄乡",
    "大坪乡",
];

/// The longest number the keypad takes (a landline with its area code).
const MAX_DIGITS: usize = 12;

/// Why a request was not taken, for the villager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormProblem {
    ChooseTown,
    Phone,
    /// The store failed (a full disk): ask the keeper.
    NotRecorded,
    /// This phone already holds a sign-up for the session (its number is
    /// in [`ServiceRequest::already`]).
    AlreadySignedUp,
}

/// What the form is for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Purpose {
    /// A service of the station's catalogue.
    #[default]
    Service,
    /// "I am interested" in a job opening: a request of the jobs service.
    JobInterest { job_id: String },
    /// A seat at a training session, decided by the hub.
    Signup { session_id: String, when: String, place: String },
}

/// The service a job interest is filed under (`services.csv`).
pub const JOBS_SERVICE: &str = "jobs";

/// The villager's receipt, on screen and on paper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// 14 digits, as in the QR code.
    pub ticket: String,
    /// Grouped for reading: `261129 0012 0037`.
    pub ticket_grouped: String,
    pub service: String,
    pub town: String,
    pub phone_masked: String,
    /// County time, `2026-11-29 14:30`.
    pub submitted: String,
    /// When the centre answers by; empty for a sign-up.
    pub due: String,
    /// A sign-up's session: when and where (empty for a request).
    pub signup: Option<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceRequest {
    pub service_id: String,
    pub service_name: String,
    pub is_complaint: bool,
    pub purpose: Purpose,
    pub town: String,
    digits: String,
    pub problem: Option<FormProblem>,
    /// The number of the sign-up this phone already holds.
    pub already: String,
}

impl ServiceRequest {
    pub fn start(service_id: &str, service_name: &str, is_complaint: bool) -> ServiceRequest {
        ServiceRequest {
            service_id: service_id.to_owned(),
            service_name: service_name.to_owned(),
            is_complaint,
            ..ServiceRequest::default()
        }
    }

    /// "I am interested" in a job: a request of the jobs service, titled
    /// with the job, for the centre to call back.
    pub fn job_interest(job_id: &str, title: &str) -> ServiceRequest {
        ServiceRequest {
            service_id: JOBS_SERVICE.to_owned(),
            service_name: title.to_owned(),
            purpose: Purpose::JobInterest { job_id: job_id.to_owned() },
            ..ServiceRequest::default()
        }
    }

    /// Sign-up for a session (its course's title, when and where).
    pub fn signup(session_id: &str, title: &str, when: &str, place: &str) -> ServiceRequest {
        ServiceRequest {
            service_name: title.to_owned(),
            purpose: Purpose::Signup {
                session_id: session_id.to_owned(),
                when: when.to_owned(),
                place: place.to_owned(),
            },
            ..ServiceRequest::default()
        }
    }

    /// A keypad press: a digit, `back` or `clear`.
    pub fn key(&mut self, k: &str) {
        if super::keypad::press(&mut self.digits, k, MAX_DIGITS, super::keypad::digit) {
            self.problem = None;
        }
    }

    pub fn choose_town(&mut self, town: &str) {
        self.town = town.to_owned();
        self.problem = None;
    }

    pub fn phone(&self) -> &str {
        &self.digits
    }

    /// As typed, grouped for reading back: `138 1234 5678`.
    pub fn phone_shown(&self) -> String {
        let d = &self.digits;
        match d.len() {
            0..=3 => d.clone(),
            4..=7 => format!("{} {}", &d[..3], &d[3..]),
            _ => format!("{} {} {}", &d[..3], &d[3..7], &d[7..]),
        }
    }

    /// Whether the number would be taken (the submit button lights up).
    pub fn phone_ok(&self) -> bool {
        check_phone(&self.digits).is_ok()
    }

    /// Take the request (or sign-up): numbered and recorded before the
    /// receipt is shown. On a problem the form stays as it is, with the
    /// problem named.
    pub fn submit(&mut self, backend: &dyn KioskBackend) -> Option<Receipt> {
        if let Purpose::Signup { session_id, when, place } = &self.purpose {
            let form = SignupForm {
                session_id: session_id.clone(),
                town: self.town.clone(),
                phone: self.digits.clone(),
            };
            let signup = (when.clone(), place.clone());
            return match backend.submit_signup(&form) {
                Ok(mine) => {
                    Some(self.receipt(&mine.number, mine.taken_at as i64, String::new(), Some(signup)))
                }
                Err(e) => {
                    self.problem = Some(match e {
                        SignupError::NoTown => FormProblem::ChooseTown,
                        SignupError::Phone(_) => FormProblem::Phone,
                        SignupError::Already(number) => {
                            self.already = TicketNo::parse(&number).map(|t| t.grouped()).unwrap_or(number);
                            FormProblem::AlreadySignedUp
                        }
                        other => {
                            tracing::error!(error = %other, "sign-up not recorded");
                            FormProblem::NotRecorded
                        }
                    });
                    None
                }
            };
        }
        let form = RequestForm {
            service_id: self.service_id.clone(),
            village: self.town.clone(),
            phone: self.digits.clone(),
            name: None,
            note: None,
            is_complaint: self.is_complaint,
            job_id: match &self.purpose {
                Purpose::JobInterest { job_id } => Some(job_id.clone()),
                _ => None,
            },
        };
        match backend.submit_request(&form) {
            Ok(mine) => {
                let at = mine.submitted_at as i64;
                let due = county_time::minute_text(protocol::ticket::response_due(at));
                Some(self.receipt(&mine.ticket_no, at, due, None))
            }
            Err(e) => {
                self.problem = Some(match e {
                    SubmitError::Form(StoreFormError::NoVillage) => FormProblem::ChooseTown,
                    SubmitError::Form(StoreFormError::Phone(_)) => FormProblem::Phone,
                    other => {
                        tracing::error!(error = %other, "request not recorded");
                        FormProblem::NotRecorded
                    }
                });
                None
            }
        }
    }

    fn receipt(&self, number: &str, at: i64, due: String, signup: Option<(String, String)>) -> Receipt {
        Receipt {
            ticket_grouped: TicketNo::parse(number)
                .map(|t| t.grouped())
                .unwrap_or_else(|_| number.to_owned()),
            ticket: number.to_owned(),
            service: self.service_name.clone(),
            town: self.town.clone(),
            phone_masked: mask_phone(&self.digits),
            submitted: county_time::minute_text(at),
            due,
            signup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::backend::fake::FakeBackend;

    fn typed(f: &mut ServiceRequest, keys: &str) {
        keys.chars().for_each(|k| f.key(&k.to_string()));
    }

    #[test]
    fn the_keypad_builds_a_checked_number() {
        let mut f = ServiceRequest::start("policy", "政策咨询", false);
        typed(&mut f, "138123456789");
        assert_eq!(f.phone(), "138123456789");
        assert!(!f.phone_ok(), "12 digits is not a mobile number");
        f.key("back");
        assert_eq!(f.phone_shown(), "138 1234 5678");
        assert!(f.phone_ok());
        f.key("x");
        f.key("clear");
        assert_eq!(f.phone(), "");
    }

    #[test]
    fn the_store_decides_what_is_missing_and_the_receipt_promises_the_answer() {
        let backend = FakeBackend::default();
        let mut f = ServiceRequest::start("shop-setup", "开店指导", false);
        assert_eq!(f.submit(&backend), None);
        assert_eq!(f.problem, Some(FormProblem::ChooseTown));
        f.choose_town("石南镇");
        assert_eq!(f.problem, None, "a tap clears the message");
        typed(&mut f, "1381234567");
        assert_eq!(f.submit(&backend), None);
        assert_eq!(f.problem, Some(FormProblem::Phone));
        typed(&mut f, "8");
        let receipt = f.submit(&backend).expect("taken");
        assert_eq!(receipt.phone_masked, "138****5678");
        assert_eq!(receipt.ticket_grouped.replace(' ', ""), receipt.ticket);
        let submitted = backend.submitted.borrow();
        assert_eq!(submitted.len(), 1);
        let at = submitted[0].1 as i64;
        assert_eq!(receipt.due, county_time::minute_text(at + 48 * 3_600_000));
        drop(submitted);
        backend.fail_store.set(true);
        assert_eq!(f.submit(&backend), None);
        assert_eq!(f.problem, Some(FormProblem::NotRecorded));
    }

    #[test]
    fn the_same_form_signs_up_once_per_phone_and_files_a_job_interest() {
        let backend = FakeBackend::default();
        let mut f = ServiceRequest::signup(
            "women-live-1215",
            "农村妇女直播带货专场",
            "2026-12-15 09:30",
            "石南镇村级服务站",
        );
        f.choose_town("石南镇");
        typed(&mut f, "13812345678");
        let receipt = f.submit(&backend).expect("taken");
        assert_eq!(receipt.due, "", "a sign-up promises no answer time: the hub decides the seat");
        assert_eq!(receipt.signup.as_ref().map(|s| s.0.as_str()), Some("2026-12-15 09:30"));
        assert_eq!(receipt.phone_masked, "138****5678");
        assert!(backend.submitted.borrow().is_empty(), "a sign-up is not a service request");
        let mut again = ServiceRequest::signup("women-live-1215", "同一场", "", "");
        again.choose_town("麦市镇");
        typed(&mut again, "13812345678");
        assert_eq!(again.submit(&backend), None);
        assert_eq!(again.problem, Some(FormProblem::AlreadySignedUp));
        assert_eq!(again.already, receipt.ticket_grouped, "told the number it already holds");

        let mut job = ServiceRequest::job_interest("job-oil-packer", "包装工");
        job.choose_town("石南镇");
        typed(&mut job, "13812345678");
        let receipt = job.submit(&backend).expect("taken");
        assert!(!receipt.due.is_empty(), "a call-back under the 48-hour rule");
        let (form, _) = backend.submitted.borrow()[0].clone();
        assert_eq!(
            (form.service_id.as_str(), form.job_id.as_deref()),
            (JOBS_SERVICE, Some("job-oil-packer"))
        );
    }
}
