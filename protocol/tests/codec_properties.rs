//! Every message round-trips through encode/decode; any tampering, truncation,
//! oversize payload, wrong topic or wrong kiosk is refused with a typed error.

use proptest::prelude::*;
use protocol::codec::{DecodeError, check_addressee};
use protocol::messages::*;
use protocol::{KioskId, Message, TicketStatus, Topic, decode, encode};
use std::collections::BTreeMap;

fn kid() -> impl Strategy<Value = KioskId> {
    "[a-z0-9][a-z0-9-]{0,20}".prop_map(|s| KioskId::new(s).unwrap())
}

fn text() -> impl Strategy<Value = String> {
    // Chinese, ASCII, quotes and escapes: JSON must carry all of them.
    "[a-z0-9 \"\\\\油茶通城隽水镇]{0,24}"
}

fn event_kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        Just(EventKind::AttractExit),
        text().prop_map(|category| EventKind::CategoryOpen { category }),
        (text(), any::<u64>())
            .prop_map(|(product_id, dwell_ms)| EventKind::ProductView { product_id, dwell_ms }),
        text().prop_map(|batch_id| EventKind::TraceOpen { batch_id }),
        (text(), any::<u32>()).prop_map(|(query, results)| EventKind::Search { query, results }),
        (text(), text(), "1[3-9][0-9]{9}", proptest::option::of(text()), any::<bool>()).prop_map(
            |(request_id, village, phone, note, is_complaint)| {
                EventKind::ServiceRequest(ServiceRequest {
                    request_id,
                    ticket_no: "26112900120037".into(),
                    service_id: "svc-1".into(),
                    village,
                    phone,
                    name: None,
                    note,
                    is_complaint,
                    job_id: None,
                })
            }
        ),
        (text(), proptest::option::of(any::<u32>())).prop_map(|(waybill, weight_g)| EventKind::Parcel(
            ParcelScan {
                direction: ParcelDirection::Out,
                waybill,
                waybill_hashed: false,
                carrier: "sf".into(),
                weight_g,
                scale_id: None,
            }
        )),
        any::<u64>().prop_map(|duration_ms| EventKind::SessionEnd { duration_ms }),
    ]
}

fn batch() -> impl Strategy<Value = EventBatch> {
    (
        any::<u64>(),
        proptest::collection::vec((any::<u64>(), any::<u64>(), any::<bool>(), event_kind()), 0..20),
    )
        .prop_map(|(session, evs)| EventBatch {
            session,
            events: evs
                .into_iter()
                .map(|(seq, t, clock_trusted, kind)| Event { seq, t, clock_trusted, kind })
                .collect(),
        })
}

fn birth() -> impl Strategy<Value = Status> {
    (
        any::<u64>(),
        text(),
        any::<u64>(),
        any::<u64>(),
        proptest::collection::btree_map(text(), any::<u64>(), 0..5),
    )
        .prop_map(|(session, boot_id, catalog_version, outbox_depth, lifetime_totals)| {
            Status::Online(Birth {
                session,
                boot_id,
                app_version: "0.1.0".into(),
                catalog_version,
                outbox_depth,
                lifetime_totals,
                ts: 1,
                held_from: None,
                features: Vec::new(),
            })
        })
}

fn roundtrip<M: Message + PartialEq + std::fmt::Debug>(topic: &Topic, msg: &M, key: &[u8]) -> Vec<u8> {
    let payload = encode(topic, msg, key).expect("encodes");
    let back: M = decode(topic, &payload, key).expect("decodes");
    assert_eq!(&back, msg);
    payload
}

proptest! {
    #[test]
    fn event_batches_roundtrip_and_resist_tampering(k in kid(), b in batch(), key in proptest::collection::vec(any::<u8>(), 16..64), flip in any::<prop::sample::Index>()) {
        let topic = Topic::Events(k.clone());
        let payload = roundtrip(&topic, &b, &key);

        // Flip one bit anywhere: refused (never a different message).
        let mut bad = payload.clone();
        let i = flip.index(bad.len());
        bad[i] ^= 0x01;
        prop_assert!(decode::<EventBatch>(&topic, &bad, &key).is_err());

        // Truncated anywhere: refused.
        let cut = &payload[..flip.index(payload.len())];
        prop_assert!(decode::<EventBatch>(&topic, cut, &key).is_err());

        // Another kiosk's key, or the same payload on another kiosk's topic: refused.
        let other = Topic::Events(KioskId::new(format!("x{}", &k.as_str()[..k.as_str().len().min(30)])).unwrap());
        prop_assert_eq!(decode::<EventBatch>(&other, &payload, &key), Err(DecodeError::BadSignature));
        let mut key2 = key.clone();
        key2[0] ^= 0xff;
        prop_assert_eq!(decode::<EventBatch>(&topic, &payload, &key2), Err(DecodeError::BadSignature));
    }

    #[test]
    fn statuses_roundtrip(k in kid(), s in birth(), session in any::<u64>()) {
        let topic = Topic::Status(k);
        roundtrip(&topic, &s, b"secret");
        roundtrip(&topic, &Status::Offline(Death { session, reason: None }), b"secret");
        roundtrip(&topic, &Status::Offline(Death { session, reason: Some("shutdown".into()) }), b"secret");
    }

    #[test]
    fn control_messages_roundtrip(k in kid(), v in any::<u64>(), off in any::<u64>(), upto in any::<u64>(), missing in proptest::collection::vec((any::<u64>(), any::<u64>()), 0..10)) {
        let sha = "0f".repeat(32);
        roundtrip(&Topic::CatalogDesired(k.clone()), &CatalogPointer { version: v, manifest_sha256: sha.clone(), size: off, items: 3 }, b"s");
        roundtrip(&Topic::CatalogGet(k.clone()), &CatalogGet { have: off, want: v }, b"s");
        roundtrip(&Topic::CatalogDoc(k.clone()), &CatalogDoc { want: v, base: 0, kind: DocKind::Snapshot, doc_sha256: sha.clone(), doc_size: off, manifest_sha256: sha.clone(), error: None }, b"s");
        roundtrip(&Topic::CatalogReported(k.clone()), &CatalogReported { version: v, state: SyncState::Downloading, bytes_done: off, bytes_total: off, error: Some("disk".into()) }, b"s");
        roundtrip(&Topic::BlobGet(k.clone()), &BlobGet { sha256: sha, offset: off, chunks: None }, b"s");
        roundtrip(&Topic::EventsAck(k.clone()), &EventsAck { upto, missing }, b"s");
        roundtrip(&Topic::ServiceAck(k.clone()), &ServiceAck { request_id: "r".into(), ticket_no: "26112900120037".into(), rev: off, status: TicketStatus::Accepted, responsible: Some("王".into()), handler: Some("李".into()), reply: None, response_due: v, resolution_due: Some(off), ts: v }, b"s");
        roundtrip(&Topic::ServiceSeen(k.clone()), &ServiceSeen { request_id: "r".into(), rev: off }, b"s");
        let live = LiveMinute { minute: v, events: BTreeMap::from([("search".to_owned(), off)]), day: "2026-11-29".into(), today: BTreeMap::new(), parcels_today: BTreeMap::new(), tickets_open: 1, tickets_overdue: 0, kiosks_online: 2, kiosks_total: 3, ts: v };
        roundtrip(&Topic::DataCentre("minute".into()), &live, b"s");
        roundtrip(&Topic::Command { kid: k.clone(), name: "rebirth".into() }, &Command { cid: "c1".into(), args: BTreeMap::new(), expires: v }, b"s");
        roundtrip(&Topic::CommandResult(k.clone()), &CommandResult { cid: "c1".into(), ok: true, detail: String::new(), part: None }, b"s");
        // A full-size part of a file fits the limit of cmd/res.
        let full = ResultPart::split(&vec![0xa5; ResultPart::BYTES * 2 + 1]);
        prop_assert_eq!(full.len(), 3);
        prop_assert_eq!(full[2].hex.len(), 2);
        roundtrip(&Topic::CommandResult(k), &CommandResult { cid: "c1".repeat(16), ok: true, detail: String::new(), part: Some(full[0].clone()) }, b"s");
        roundtrip(&Topic::HubState, &HubState { online: true, ts: v, hub_id: "hub".into(), features: Vec::new() }, b"s");
    }

    #[test]
    fn arbitrary_bytes_never_decode(k in kid(), junk in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(decode::<EventBatch>(&Topic::Events(k), &junk, b"key").is_err());
    }

    #[test]
    fn arbitrary_topic_strings_never_panic(s in "[a-z0-9_/+#v-]{0,40}") {
        if let Ok(t) = Topic::parse(&s) {
            prop_assert_eq!(t.to_string(), s);
        }
    }
}

#[test]
fn wrong_topic_kind_is_refused_both_ways() {
    let k = KioskId::new("a1").unwrap();
    let ack = EventsAck { upto: 1, missing: vec![] };
    let err = encode(&Topic::Events(k.clone()), &ack, b"s").unwrap_err();
    assert!(matches!(err, protocol::codec::EncodeError::WrongTopic { .. }));
    let payload = encode(&Topic::EventsAck(k.clone()), &ack, b"s").unwrap();
    assert!(matches!(
        decode::<EventBatch>(&Topic::EventsAck(k), &payload, b"s"),
        Err(DecodeError::WrongTopic { .. })
    ));
}

#[test]
fn oversized_payloads_are_refused_before_parsing() {
    let k = KioskId::new("a1").unwrap();
    let topic = Topic::CatalogGet(k);
    let huge = vec![b' '; 2048];
    assert!(matches!(
        decode::<CatalogGet>(&topic, &huge, b"s"),
        Err(DecodeError::Oversize { size: 2048, limit: 1024 })
    ));
    let b = EventBatch {
        session: 1,
        events: (0..5000)
            .map(|seq| Event {
                seq,
                t: 0,
                clock_trusted: true,
                kind: EventKind::Search { query: "x".repeat(40), results: 0 },
            })
            .collect(),
    };
    assert!(matches!(
        encode(&Topic::Events(KioskId::new("a1").unwrap()), &b, b"s"),
        Err(protocol::codec::EncodeError::Oversize { .. })
    ));
}

#[test]
fn a_kiosk_refuses_messages_for_another_kiosk() {
    let me = KioskId::new("me").unwrap();
    let them = Topic::EventsAck(KioskId::new("them").unwrap());
    assert!(matches!(check_addressee(&them, &me), Err(DecodeError::WrongKiosk { .. })));
    assert!(check_addressee(&Topic::EventsAck(me.clone()), &me).is_ok());
    assert!(check_addressee(&Topic::HubState, &me).is_ok());
}

#[test]
fn unsigned_json_is_refused() {
    let k = KioskId::new("a1").unwrap();
    let plain = br#"{"have":0,"want":1}"#;
    assert!(matches!(
        decode::<CatalogGet>(&Topic::CatalogGet(k), plain, b"s"),
        Err(DecodeError::Unsigned(_))
    ));
}

proptest! {
    #[test]
    fn event_kind_names_are_the_wire_tags(k in event_kind()) {
        let json = serde_json::to_value(&k).unwrap();
        prop_assert_eq!(json["kind"].as_str(), Some(k.name()));
    }
}
