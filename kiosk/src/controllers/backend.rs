//! What the controllers need from the kiosk's runtime, as small traits: the
//! runtime's [`Handle`] implements them, and the controllers' own tests use
//! [`fake::FakeBackend`], so no controller needs a window or a network.

use crate::runtime::Handle;
use crate::store::StoreError;
use crate::store::parcels::{DayCounts, Logged, ParcelEntry};
use crate::store::requests::{Lookup, MyRequest, RequestForm, SubmitError};
use crate::store::signups::{MySignup, SignupError, SignupForm};
use protocol::messages::EventKind;

/// Records interactions in the outbox (durable when it returns).
pub trait Recorder {
    fn record(&self, kind: EventKind) -> Result<u64, StoreError>;
}

/// Takes service requests and finds them again.
pub trait Requests {
    fn submit_request(&self, form: &RequestForm) -> Result<MyRequest, SubmitError>;
    fn my_requests(&self, lookup: &Lookup) -> Result<Vec<MyRequest>, StoreError>;
}

/// Takes training sign-ups (pending until the hub decides), cancels them,
/// and finds them again.
pub trait Signups {
    fn submit_signup(&self, form: &SignupForm) -> Result<MySignup, SignupError>;
    fn cancel_signup(&self, signup_id: &str) -> Result<bool, StoreError>;
    fn my_signups(&self, lookup: &Lookup) -> Result<Vec<MySignup>, StoreError>;
}

/// The station's parcel log and the carriers the keeper taught it.
pub trait ParcelBook {
    fn record_parcel(&self, entry: &ParcelEntry) -> Result<Logged, StoreError>;
    fn parcels_today(&self) -> Result<DayCounts, StoreError>;
    fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError>;
    fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError>;
}

/// Everything the kiosk's screens use.
pub trait KioskBackend: Recorder + Requests + Signups + ParcelBook {}
impl<T: Recorder + Requests + Signups + ParcelBook> KioskBackend for T {}

impl Recorder for Handle {
    fn record(&self, kind: EventKind) -> Result<u64, StoreError> {
        Handle::record(self, kind)
    }
}

impl Requests for Handle {
    fn submit_request(&self, form: &RequestForm) -> Result<MyRequest, SubmitError> {
        Handle::submit_request(self, form)
    }
    fn my_requests(&self, lookup: &Lookup) -> Result<Vec<MyRequest>, StoreError> {
        Handle::my_requests(self, lookup)
    }
}

impl Signups for Handle {
    fn submit_signup(&self, form: &SignupForm) -> Result<MySignup, SignupError> {
        Handle::submit_signup(self, form)
    }
    fn cancel_signup(&self, signup_id: &str) -> Result<bool, StoreError> {
        Handle::cancel_signup(self, signup_id)
    }
    fn my_signups(&self, lookup: &Lookup) -> Result<Vec<MySignup>, StoreError> {
        Handle::my_signups(self, lookup)
    }
}

impl ParcelBook for Handle {
    fn record_parcel(&self, entry: &ParcelEntry) -> Result<Logged, StoreError> {
        Handle::record_parcel(self, entry)
    }
    fn parcels_today(&self) -> Result<DayCounts, StoreError> {
        Handle::parcels_today(self)
    }
    fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError> {
        Handle::remembered_carrier(self, number)
    }
    fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError> {
        Handle::remember_carrier(self, number, carrier)
    }
}

/// A backend in memory for the controllers' tests: it keeps what it is
/// given and applies the store's own form rules.
#[cfg(test)]
pub mod fake {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    #[derive(Default)]
    pub struct FakeBackend {
        pub events: RefCell<Vec<EventKind>>,
        /// (form, submitted at)
        pub submitted: RefCell<Vec<(RequestForm, u64)>>,
        /// Sign-ups as the store keeps them (pending until told otherwise).
        pub signups: RefCell<Vec<MySignup>>,
        pub parcels: RefCell<Vec<ParcelEntry>>,
        pub carriers: RefCell<HashMap<String, String>>,
        /// Every write fails as a full disk would.
        pub fail_store: Cell<bool>,
    }

    fn full_disk() -> StoreError {
        StoreError::Sql(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ))
    }

    impl Recorder for FakeBackend {
        fn record(&self, kind: EventKind) -> Result<u64, StoreError> {
            if self.fail_store.get() {
                return Err(full_disk());
            }
            self.events.borrow_mut().push(kind);
            Ok(self.events.borrow().len() as u64)
        }
    }

    impl Requests for FakeBackend {
        fn submit_request(&self, form: &RequestForm) -> Result<MyRequest, SubmitError> {
            form.check()?;
            if self.fail_store.get() {
                return Err(SubmitError::Store(full_disk()));
            }
            let at = crate::store::now_ms();
            let n = self.submitted.borrow().len() as u16 + 1;
            let ticket = protocol::TicketNo::new(&protocol::county_time::yymmdd_of(at as i64), 12, n)
                .expect("a valid number")
                .to_string();
            self.submitted.borrow_mut().push((form.clone(), at));
            Ok(MyRequest::submitted(format!("r{n}"), ticket, at, form))
        }

        fn my_requests(&self, _lookup: &Lookup) -> Result<Vec<MyRequest>, StoreError> {
            Ok(Vec::new())
        }
    }

    impl Signups for FakeBackend {
        fn submit_signup(&self, form: &SignupForm) -> Result<MySignup, SignupError> {
            protocol::privacy::check_phone(&form.phone).map_err(SignupError::Phone)?;
            if form.town.is_empty() {
                return Err(SignupError::NoTown);
            }
            let masked = protocol::privacy::mask_phone(&form.phone);
            if let Some(s) = self
                .signups
                .borrow()
                .iter()
                .find(|s| s.session_id == form.session_id && s.phone_masked == masked && s.cancellable())
            {
                return Err(SignupError::Already(s.number.clone()));
            }
            let at = crate::store::now_ms();
            let n = self.signups.borrow().len() as u16 + 1;
            let number = protocol::TicketNo::new(&protocol::county_time::yymmdd_of(at as i64), 12, 500 + n)
                .expect("a valid number")
                .to_string();
            let mine = MySignup {
                signup_id: format!("s{n}"),
                number,
                taken_at: at,
                session_id: form.session_id.clone(),
                town: form.town.clone(),
                phone_masked: masked,
                status: protocol::messages::SignupStatus::Pending,
                rev: 0,
                waitlist_place: None,
                reason: None,
                cancel_requested: false,
            };
            self.signups.borrow_mut().push(mine.clone());
            Ok(mine)
        }

        fn cancel_signup(&self, signup_id: &str) -> Result<bool, StoreError> {
            let mut all = self.signups.borrow_mut();
            let Some(s) = all.iter_mut().find(|s| s.signup_id == signup_id && s.cancellable()) else {
                return Ok(false);
            };
            s.cancel_requested = true;
            Ok(true)
        }

        fn my_signups(&self, lookup: &Lookup) -> Result<Vec<MySignup>, StoreError> {
            Ok(self
                .signups
                .borrow()
                .iter()
                .filter(|s| match lookup {
                    Lookup::Ticket(t) => s.number == *t,
                    Lookup::PhoneTail(tail) => s.phone_masked.ends_with(tail.as_str()),
                    Lookup::All => true,
                })
                .cloned()
                .collect())
        }
    }

    impl ParcelBook for FakeBackend {
        fn record_parcel(&self, entry: &ParcelEntry) -> Result<Logged, StoreError> {
            let mut parcels = self.parcels.borrow_mut();
            let scans = parcels
                .iter()
                .filter(|p| p.waybill == entry.waybill && p.direction == entry.direction)
                .count() as u32;
            parcels.push(entry.clone());
            Ok(if scans == 0 {
                Logged::New(parcels.len() as u64)
            } else {
                Logged::Again { scans: scans + 1, first_t: 0 }
            })
        }
        fn parcels_today(&self) -> Result<DayCounts, StoreError> {
            Ok(DayCounts::default())
        }
        fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError> {
            Ok(self.carriers.borrow().get(&crate::store::parcels::shape(number)).cloned())
        }
        fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError> {
            self.carriers.borrow_mut().insert(crate::store::parcels::shape(number), carrier.to_owned());
            Ok(())
        }
    }
}
