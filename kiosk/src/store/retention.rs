//! Forgetting what the station no longer needs (`[retention]` in
//! `kiosk.toml`): parcel scans after `parcels_days`, requests and sign-ups
//! the hub has finished after `finished_days` without a change. Open ones
//! stay however old they are: the villager is still waiting. Acknowledged
//! events have their own week (`outbox::KEEP_ACKED`).

use super::StoreError;
use super::outbox::Outbox;
use firmware_config::Retention;

const DAY_MS: u64 = 24 * 3600 * 1000;

/// What one pass deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub parcels: usize,
    pub requests: usize,
    pub signups: usize,
}

impl Forgotten {
    pub fn any(&self) -> bool {
        self.parcels + self.requests + self.signups > 0
    }
}

impl Outbox {
    /// Delete what is past its keeping time at `now_ms`, in one transaction.
    pub fn forget_past(&self, now_ms: u64, keep: &Retention) -> Result<Forgotten, StoreError> {
        let parcels_before = now_ms.saturating_sub(u64::from(keep.parcels_days) * DAY_MS) as i64;
        let finished_before = now_ms.saturating_sub(u64::from(keep.finished_days) * DAY_MS) as i64;
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            let parcels = tx.prepare_cached("DELETE FROM parcels WHERE t < ?1")?.execute([parcels_before])?;
            let requests = tx
                .prepare_cached(
                    "DELETE FROM my_requests
                     WHERE status IN ('resolved', 'closed', 'referred') AND updated_at < ?1",
                )?
                .execute([finished_before])?;
            let signups = tx
                .prepare_cached(
                    "DELETE FROM my_signups
                     WHERE status IN ('cancelled', 'refused', 'attended') AND updated_at < ?1",
                )?
                .execute([finished_before])?;
            tx.commit()?;
            Ok(Forgotten { parcels, requests, signups })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::parcels::ParcelEntry;
    use crate::store::requests::{Lookup, RequestForm};
    use protocol::TicketStatus;
    use protocol::messages::{ParcelDirection, ServiceAck};

    fn form(phone: &str) -> RequestForm {
        RequestForm {
            service_id: "shop-setup".into(),
            village: "黄袍山村".into(),
            phone: phone.into(),
            name: None,
            note: None,
            is_complaint: false,
            job_id: None,
        }
    }

    #[test]
    fn old_parcels_and_finished_requests_go_open_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("k.db")).unwrap();
        let keep = Retention { parcels_days: 90, finished_days: 180 };
        let day0 = 1_790_812_800_000u64;
        let parcel = |w: &str, t: u64| {
            let e = ParcelEntry {
                waybill: w.into(),
                direction: ParcelDirection::In,
                carrier: "中通".into(),
                weight_g: None,
                scale_id: None,
            };
            o.record_parcel(&e, "261001", t, true, (w.to_owned(), false)).unwrap();
        };
        parcel("73100000000001", day0);
        parcel("73100000000002", day0 + 50 * DAY_MS);

        let finished = o.submit_request(&form("13812340001"), 12, "261001", day0, true).unwrap();
        let open = o.submit_request(&form("13812340002"), 12, "261001", day0, true).unwrap();
        let ack = |r: &crate::store::requests::MyRequest, status: TicketStatus| ServiceAck {
            request_id: r.request_id.clone(),
            ticket_no: r.ticket_no.clone(),
            rev: 1,
            status,
            responsible: Some("王芳".into()),
            handler: Some("王芳".into()),
            reply: Some("已处理".into()),
            response_due: day0 + 2 * DAY_MS,
            resolution_due: None,
            ts: day0 + DAY_MS,
        };
        o.apply_service_ack(&ack(&finished, TicketStatus::Closed)).unwrap();
        o.apply_service_ack(&ack(&open, TicketStatus::Accepted)).unwrap();

        // 100 days on: the first parcel is past 90 days, nothing else is.
        let got = o.forget_past(day0 + 100 * DAY_MS, &keep).unwrap();
        assert_eq!(got, Forgotten { parcels: 1, requests: 0, signups: 0 });
        // A year on: the second parcel and the closed request go; the open
        // request stays, whatever its age.
        let got = o.forget_past(day0 + 365 * DAY_MS, &keep).unwrap();
        assert_eq!(got, Forgotten { parcels: 1, requests: 1, signups: 0 });
        let left = o.my_requests(&Lookup::All).unwrap();
        assert_eq!(
            left.iter().map(|r| r.request_id.as_str()).collect::<Vec<_>>(),
            [open.request_id.as_str()]
        );
        // Counting a parcel again after its row is gone is a new parcel.
        parcel("73100000000001", day0 + 366 * DAY_MS);
        assert_eq!(o.parcel_counts("261001").unwrap().total(ParcelDirection::In), 1);
        assert!(!o.forget_past(day0 + 366 * DAY_MS, &keep).unwrap().any());
    }
}
