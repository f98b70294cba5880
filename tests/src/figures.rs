//! The county figures two ways: the truth, computed directly from generated
//! events, and what the hub's store says. Ingest tests compare the two.

use hub::ingest::aggregates::normalize_query;
use protocol::messages::*;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// A deterministic event of one of the kinds the hub aggregates. Waybills
/// repeat on purpose: a re-scanned parcel must count once.
pub fn event_kind(code: u8, n: u64) -> EventKind {
    match code % 8 {
        0 => EventKind::ProductView { product_id: format!("p{}", n % 5), dwell_ms: n % 7000 },
        1 => EventKind::TraceOpen { batch_id: format!("b{}", n % 3) },
        2 => EventKind::CategoryOpen { category: ["farm_produce", "tourism"][n as usize % 2].into() },
        3 => EventKind::Search {
            query: [" YC ", "yc", "茶油", "xyz"][n as usize % 4].into(),
            results: (n % 3) as u32,
        },
        4 => EventKind::Parcel(ParcelScan {
            direction: if n % 2 == 0 { ParcelDirection::In } else { ParcelDirection::Out },
            waybill: format!("SF{:013}", n % 11),
            waybill_hashed: false,
            carrier: "sf".into(),
            weight_g: Some(500 + (n % 11) as u32),
            scale_id: None,
        }),
        5 => EventKind::AttractExit,
        6 => {
            // Request ids repeat across kiosks and events: one ticket each.
            let r = n % 97;
            EventKind::ServiceRequest(ServiceRequest {
                request_id: format!("req-{r}"),
                // Not a valid number: the hub assigns one from its own range.
                ticket_no: format!("{n}"),
                service_id: if r % 2 == 1 { "complaint".into() } else { "policy".into() },
                village: "石南镇".into(),
                phone: "13800001234".into(),
                name: Some("张三".into()),
                note: None,
                is_complaint: r % 2 == 1,
                job_id: None,
            })
        }
        _ => EventKind::SessionEnd { duration_ms: n },
    }
}

/// Aggregates, as truth or as measured.
#[derive(Default, Debug, PartialEq)]
pub struct Figures {
    pub views: BTreeMap<String, (i64, i64)>,
    pub trace: BTreeMap<String, i64>,
    pub category: BTreeMap<String, i64>,
    pub search: BTreeMap<String, (i64, i64)>,
    pub parcels: BTreeMap<(String, String), (i64, i64)>,
    pub kinds: BTreeMap<(String, String), i64>,
    /// Tickets per service: (tickets, complaints), one per request id.
    pub tickets: BTreeMap<String, (i64, i64)>,
}

/// What the aggregates must say about these events, per kiosk id.
pub fn truth(all: &[(String, Vec<Event>)]) -> Figures {
    let mut t = Figures::default();
    let mut seen_parcels = std::collections::BTreeSet::new();
    let mut seen_requests = std::collections::BTreeSet::new();
    for (kid, events) in all {
        for e in events {
            let name = e.kind.name().to_owned();
            *t.kinds.entry((kid.clone(), name)).or_default() += 1;
            match &e.kind {
                EventKind::ProductView { product_id, dwell_ms } => {
                    let v = t.views.entry(product_id.clone()).or_default();
                    v.0 += 1;
                    v.1 += *dwell_ms as i64;
                }
                EventKind::TraceOpen { batch_id } => *t.trace.entry(batch_id.clone()).or_default() += 1,
                EventKind::CategoryOpen { category } => *t.category.entry(category.clone()).or_default() += 1,
                EventKind::Search { query, results } => {
                    let v = t.search.entry(normalize_query(query)).or_default();
                    v.0 += 1;
                    v.1 += i64::from(*results == 0);
                }
                EventKind::Parcel(p) => {
                    let dir = p.direction.wire_name().to_owned();
                    if seen_parcels.insert((p.waybill.clone(), dir.clone())) {
                        let v = t.parcels.entry((p.carrier.clone(), dir)).or_default();
                        v.0 += 1;
                        v.1 += i64::from(p.weight_g.unwrap_or(0));
                    }
                }
                EventKind::ServiceRequest(r) if seen_requests.insert(r.request_id.clone()) => {
                    let v = t.tickets.entry(r.service_id.clone()).or_default();
                    v.0 += 1;
                    v.1 += i64::from(r.is_complaint);
                }
                _ => {}
            }
        }
    }
    t
}

/// What the hub's store says.
pub fn measured(c: &Connection) -> Figures {
    let mut t = Figures::default();
    let q = |sql: &str| -> Vec<(String, String, i64, i64)> {
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (k, _, a, b) in q("SELECT product_id, '', sum(views), sum(dwell_ms) FROM agg_product_day GROUP BY 1")
    {
        t.views.insert(k, (a, b));
    }
    for (k, _, a, _) in q("SELECT batch_id, '', sum(opens), 0 FROM agg_trace_day GROUP BY 1") {
        t.trace.insert(k, a);
    }
    for (k, _, a, _) in q("SELECT category, '', sum(opens), 0 FROM agg_category_day GROUP BY 1") {
        t.category.insert(k, a);
    }
    for (k, _, a, b) in q("SELECT query, '', sum(searches), sum(no_result) FROM agg_search_day GROUP BY 1") {
        t.search.insert(k, (a, b));
    }
    for (k, d, a, b) in
        q("SELECT carrier, direction, sum(parcels), sum(weight_g) FROM agg_parcel_day GROUP BY 1, 2")
    {
        t.parcels.insert((k, d), (a, b));
    }
    for (k, n, a, _) in q("SELECT kid, kind, sum(count), 0 FROM agg_kiosk_day GROUP BY 1, 2") {
        t.kinds.insert((k, n), a);
    }
    for (k, _, a, b) in q("SELECT service_id, '', count(*), sum(is_complaint) FROM tickets GROUP BY 1") {
        t.tickets.insert(k, (a, b));
    }
    t
}
