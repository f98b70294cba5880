//! What the controllers need from the kiosk's runtime, as small traits: the
//! runtime's [`Handle`] implements them, and the controllers' own tests use
//! [`fake::FakeBackend`], so no controller needs a window or a network.

use crate::runtime::Handle;
use crate::store::StoreError;
use crate::store::parcels::{DayCounts, Logged, ParcelEntry};
use crate::store::requests::{Lookup, MyRequest, RequestForm, SubmitError};
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

/// The station's parcel log and the carriers the keeper taught it.
pub trait ParcelBook {
    fn record_parcel(&self, entry: &ParcelEntry) -> Result<Logged, StoreError>;
    fn parcels_today(&self) -> Result<DayCounts, StoreError>;
    fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError>;
    fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError>;
}

/// Everything the kiosk's screens use.
pub trait KioskBackend: Recorder + Requests + ParcelBook {}
impl<T: Recorder + Requests + ParcelBook> KioskBackend for T {}

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
