//! Today's wire messages, frozen: every later build must still decode them
//! (a kiosk or hub one version older sends exactly these bytes), and
//! messages from a newer peer (a field or an event kind this build does not
//! know) are read as the compatibility rule in `docs/protocol.md` says.
//!
//! The fixtures in `tests/golden/v1/` are signed envelopes, byte for byte as
//! they travel, each pinned here by its SHA-256: a fixture cannot change
//! without this file changing with it, so it cannot be "updated" by
//! accident to follow a breaking change. New fixtures are added, never
//! rewritten: `KH_WRITE_GOLDEN=1 cargo test -p protocol --test golden`
//! writes the ones missing, and then the test tells their hashes.

use protocol::messages::*;
use protocol::screen::{self, ScreenFigures};
use protocol::{DecodeError, KioskId, Message, TicketStatus, Topic};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The fixtures' signing key (a test key, in no kiosk).
const KEY: &[u8] = b"golden-fixtures-test-key-v1";
const T: u64 = 1_764_547_200_000; // 2025-12-01 00:00 UTC

fn kid() -> KioskId {
    KioskId::new("station-shinan").unwrap()
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1")
}

/// One frozen message: its file, its topic, its pinned hash.
struct Fixture {
    file: &'static str,
    topic: Topic,
    sha256: &'static str,
}

/// `KH_WRITE_GOLDEN=1`, and only that, writes a missing fixture and prints
/// the hashes; unset, empty or `0` does not, and any other value is refused
/// (any value at all once meant yes, and turned the hash check off).
fn write_golden() -> bool {
    match std::env::var("KH_WRITE_GOLDEN").as_deref() {
        Ok("1") => true,
        Ok("" | "0") | Err(std::env::VarError::NotPresent) => false,
        other => panic!("KH_WRITE_GOLDEN: {other:?}: set it to 1, or leave it unset"),
    }
}

/// The signed bytes of a fixture, written first when asked and missing.
fn bytes(f: &Fixture, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    let path = dir().join(f.file);
    if !path.exists() && write_golden() {
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(&path, make()).unwrap();
    }
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let hash = hex::encode(Sha256::digest(&data));
    if write_golden() {
        eprintln!("golden {} {hash}", f.file);
    } else {
        assert_eq!(hash, f.sha256, "{} changed (or is new): a frozen fixture is never rewritten", f.file);
    }
    data
}

/// A frozen message made by today's code: it must decode to what it was.
fn frozen<M: Message + PartialEq + std::fmt::Debug>(f: Fixture, msg: M) {
    let data = bytes(&f, || protocol::encode(&f.topic, &msg, KEY).unwrap());
    let got: M = protocol::decode(&f.topic, &data, KEY).unwrap_or_else(|e| panic!("{}: {e}", f.file));
    assert_eq!(got, msg, "{}", f.file);
    // And what today's build writes still carries every field the frozen
    // message had, with the same value: an older peer reads it (fields may
    // be added, never renamed, dropped or changed).
    let body = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap()["body"].clone();
    let now = body(&protocol::encode(&f.topic, &msg, KEY).unwrap());
    contains(&now, &body(&data), f.file);
}

/// `new` has everything `old` has (objects may have more keys).
fn contains(new: &serde_json::Value, old: &serde_json::Value, at: &str) {
    match (new, old) {
        (serde_json::Value::Object(n), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                let here = format!("{at}.{k}");
                contains(n.get(k).unwrap_or_else(|| panic!("{here} is no longer written")), v, &here);
            }
        }
        (serde_json::Value::Array(n), serde_json::Value::Array(o)) => {
            assert_eq!(n.len(), o.len(), "{at}");
            n.iter().zip(o).enumerate().for_each(|(i, (n, o))| contains(n, o, &format!("{at}[{i}]")));
        }
        _ => assert_eq!(new, old, "{at} changed"),
    }
}

/// A newer peer's message, written by hand.
fn newer<M: Message>(f: &Fixture, body: serde_json::Value) -> Result<M, DecodeError> {
    let data = bytes(f, || {
        let body = serde_json::to_vec(&body).unwrap();
        protocol::envelope::seal(KEY, &f.topic.to_string(), &body)
    });
    protocol::decode(&f.topic, &data, KEY)
}

fn every_event_kind() -> Vec<Event> {
    let kinds = vec![
        EventKind::AttractExit,
        EventKind::CategoryOpen { category: "farm_produce".into() },
        EventKind::ProductView { product_id: "camellia-oil-500".into(), dwell_ms: 12_000 },
        EventKind::TraceOpen { batch_id: "camellia-oil-500-260901-a1".into() },
        EventKind::Search { query: "yc".into(), results: 3 },
        EventKind::ServiceRequest(ServiceRequest {
            request_id: "r-1".into(),
            ticket_no: "26120100120001".into(),
            service_id: "shop-setup".into(),
            village: "石南镇".into(),
            phone: "13812345678".into(),
            name: None,
            note: Some("想开网店".into()),
            is_complaint: false,
            job_id: None,
        }),
        EventKind::Parcel(ParcelScan {
            direction: ParcelDirection::Out,
            waybill: "SF1234567890123".into(),
            waybill_hashed: false,
            carrier: "顺丰".into(),
            weight_g: Some(1_235),
            scale_id: Some("usb-scale".into()),
        }),
        EventKind::SessionEnd { duration_ms: 95_000 },
        EventKind::LargeTextOn,
        EventKind::LargeTextOff,
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event { seq: 100 + i as u64, t: T + i as u64 * 1000, clock_trusted: true, kind })
        .collect()
}

#[test]
fn every_message_of_version_one_still_decodes() {
    let k = kid();
    let fx = |file, topic, sha256| Fixture { file, topic, sha256 };
    frozen(
        fx(
            "hub_state.json",
            Topic::HubState,
            "37acc67dc98148374886ca5630a6d1ca723cd06910a0839dfc987b22b39838c4",
        ),
        HubState { online: true, ts: T, hub_id: "hub-tongcheng".into(), features: Vec::new() },
    );
    frozen(
        fx(
            "status_online.json",
            Topic::Status(k.clone()),
            "53fe81052b8655b56cd5f45b9d1f78e7fc8b26e66b08211dc1c8c0b26a0f307b",
        ),
        Status::Online(Birth {
            session: 7,
            boot_id: "b-1".into(),
            app_version: "0.1.0".into(),
            catalog_version: 3,
            outbox_depth: 2,
            lifetime_totals: BTreeMap::from([("search".into(), 40), ("parcel".into(), 12)]),
            ts: T,
            held_from: Some(90),
            features: Vec::new(),
        }),
    );
    frozen(
        fx(
            "status_offline.json",
            Topic::Status(k.clone()),
            "e285897f4dfdc6e82fa28e9fb6b615f075ea435b7599a14fb78ec7af7d0fbff6",
        ),
        Status::Offline(Death { session: 7, reason: Some("shutdown".into()) }),
    );
    frozen(
        fx(
            "events.json",
            Topic::Events(k.clone()),
            "db88dba83210839a2466d7e45666f5096bdd60f5068574ba2dac88a2d73dd42f",
        ),
        EventBatch { session: 7, events: every_event_kind() },
    );
    frozen(
        fx(
            "events_ack.json",
            Topic::EventsAck(k.clone()),
            "faaeea878b1d1672bb35d368809c70e22351113885b5f5802a2a8980988bbfc0",
        ),
        EventsAck { upto: 109, missing: vec![(95, 96)] },
    );
    frozen(
        fx(
            "catalog_desired.json",
            Topic::CatalogDesired(k.clone()),
            "56b47daf63bc4922b1dea450ac6107dd0169db1bafb00cd37903c6bf15b6604d",
        ),
        CatalogPointer { version: 4, manifest_sha256: "ab".repeat(32), size: 120_000, items: 210 },
    );
    frozen(
        fx(
            "catalog_get.json",
            Topic::CatalogGet(k.clone()),
            "57d12d339464d9b8d6e4ab26cafa0ba3e01f4f81c5fb828d536e3fec26121b0e",
        ),
        CatalogGet { have: 3, want: 4 },
    );
    frozen(
        fx(
            "catalog_doc.json",
            Topic::CatalogDoc(k.clone()),
            "422294a58d33c06b108649fe44efb34d7a5231e8854a7e448936041e14f9d52b",
        ),
        CatalogDoc {
            want: 4,
            base: 3,
            kind: DocKind::Delta,
            doc_sha256: "cd".repeat(32),
            doc_size: 2_048,
            manifest_sha256: "ab".repeat(32),
            error: None,
        },
    );
    frozen(
        fx(
            "catalog_reported.json",
            Topic::CatalogReported(k.clone()),
            "13c70c5c43eb00687fd705761210dc96b95fa34f0428eedab9e289805b7bf4cb",
        ),
        CatalogReported {
            version: 4,
            state: SyncState::Applied,
            bytes_done: 2_048,
            bytes_total: 2_048,
            error: None,
        },
    );
    frozen(
        fx(
            "blob_get.json",
            Topic::BlobGet(k.clone()),
            "171770572f5d7322a832d232865063a072f8ca8c8b0b82f47b2a215d32d9e5e6",
        ),
        BlobGet { sha256: "ef".repeat(32), offset: 65_536, chunks: None },
    );
    frozen(
        fx(
            "service_ack.json",
            Topic::ServiceAck(k.clone()),
            "120bbda5d9c3f8906c6e2bf4ebbe5f07687e712bc2888dfb89bdc7d944dca6e5",
        ),
        ServiceAck {
            request_id: "r-1".into(),
            ticket_no: "26120100120001".into(),
            rev: 2,
            status: TicketStatus::Accepted,
            responsible: Some("王芳".into()),
            handler: Some("王芳".into()),
            reply: Some("明天上午联系您".into()),
            response_due: T + 48 * 3_600_000,
            resolution_due: None,
            ts: T,
        },
    );
    frozen(
        fx(
            "service_seen.json",
            Topic::ServiceSeen(k.clone()),
            "a495bda36ad99a94b92ea5321f0833c38be2da78def4ef4700646bdf9d1da88a",
        ),
        ServiceSeen { request_id: "r-1".into(), rev: 2 },
    );
    frozen(
        fx(
            "dc_minute.json",
            Topic::DataCentre("minute".into()),
            "97b73e3231bdebab189b2c8c38feaa0216ae496a61d2fe1db9dc9e42db4c14e7",
        ),
        LiveMinute {
            minute: T,
            events: BTreeMap::from([("search".into(), 2)]),
            day: "2025-12-01".into(),
            today: BTreeMap::from([("search".into(), 30)]),
            parcels_today: BTreeMap::from([("out".into(), 4)]),
            tickets_open: 3,
            tickets_overdue: 0,
            kiosks_online: 5,
            kiosks_total: 6,
            ts: T,
        },
    );
    frozen(
        fx(
            "dc_screen.json",
            screen::topic(),
            "4f001e8ef2aa229bd9aa31c027a1e6cbeb328a26922e26d43789096d57a659e5",
        ),
        ScreenFigures {
            ts: T,
            day: "2025-12-01".into(),
            today: BTreeMap::from([("search".into(), 30)]),
            enterprises_target: Some(100),
            ..ScreenFigures::default()
        },
    );
    frozen(
        fx(
            "command.json",
            Topic::Command { kid: k.clone(), name: "screenshot".into() },
            "d8b970302fc7b890945ca49fc1e2764bc4d8bd060abc3c6cbb4578a46cbcdb59",
        ),
        Command {
            cid: "c-1".into(),
            args: BTreeMap::from([("scale".into(), "1".into())]),
            expires: T + 60_000,
        },
    );
    frozen(
        fx(
            "command_result.json",
            Topic::CommandResult(k.clone()),
            "64e2392cb8d92534647ff6f4fdef36350ed12040b1fef9d492b7513242c64bcb",
        ),
        CommandResult {
            cid: "c-1".into(),
            ok: true,
            detail: "screenshot 1080x1920".into(),
            part: ResultPart::split(b"\x89PNG").into_iter().next(),
        },
    );
    // Added with software releases (issue #18).
    frozen(
        fx(
            "hub_state_features.json",
            Topic::HubState,
            "5945b9b991233a301421e04eea1d42793eab16c532cb28d44ea236432b1b472b",
        ),
        HubState {
            online: true,
            ts: T,
            hub_id: "hub-tongcheng".into(),
            features: vec![HubState::RELEASES.into()],
        },
    );
    frozen(
        fx(
            "blob_get_window.json",
            Topic::BlobGet(k.clone()),
            "372bf79b9140f5df86721d18c1a0faff9f8ca055042f2ac627721c327b391871",
        ),
        BlobGet { sha256: "ef".repeat(32), offset: 131_072, chunks: Some(2) },
    );
    let manifest = protocol::release::ReleaseManifest {
        version: "1.4.0".parse().unwrap(),
        sha256: "cd".repeat(32),
        size: 20_971_520,
        signature: "ab".repeat(64),
    };
    frozen(
        fx(
            "release_desired.json",
            Topic::ReleaseDesired(k.clone()),
            "e9a1be9670a510d28396ed961c5ac46ab42146953cec68f92ebe13fbcbd76ff6",
        ),
        ReleasePointer { manifest, notes: "快递柜界面修正".into(), install_hours: Some([2, 5]) },
    );
    frozen(
        fx(
            "release_reported.json",
            Topic::ReleaseReported(k.clone()),
            "59e18097d7ebd2a0616dabe7700204f0323bf0876252587a5f6d243f4b02126b",
        ),
        ReleaseReported {
            version: "1.4.0".parse().unwrap(),
            state: ReleaseState::RolledBack,
            bytes_done: 20_971_520,
            bytes_total: 20_971_520,
            error: Some("1.4.0 did not confirm itself healthy in 2 starts; back on 1.3.2".into()),
            running: "1.3.2".into(),
            previous: Some("1.4.0".into()),
        },
    );
    // Added with stories, training and jobs (issue #19).
    frozen(
        fx(
            "status_online_features.json",
            Topic::Status(k.clone()),
            "5f2cf0add2ca1e97f9946d6b320a325395055441f627e22b0af26e86ae3eb4f7",
        ),
        Status::Online(Birth {
            session: 9,
            boot_id: "b-2".into(),
            app_version: "1.5.0".into(),
            catalog_version: 4,
            outbox_depth: 0,
            lifetime_totals: BTreeMap::from([("search".into(), 41)]),
            ts: T,
            held_from: Some(90),
            features: vec![protocol::catalog::features::CONTENT.into()],
        }),
    );
    let event = |seq, kind| Event { seq, t: T, clock_trusted: true, kind };
    frozen(
        fx(
            "events_training.json",
            Topic::Events(k.clone()),
            "93fbe61ab16e56fc81805a9ab43526311f6fe1d94f1d3bcd03a0a02803a04e22",
        ),
        EventBatch {
            session: 9,
            events: vec![
                event(
                    300,
                    EventKind::Signup(Signup {
                        signup_id: "0a1b2c3d".into(),
                        number: "25120100070011".into(),
                        session_id: "women-live-1215".into(),
                        town: "shinan".into(),
                        phone: "13812345678".into(),
                    }),
                ),
                event(301, EventKind::SignupCancel { signup_id: "0a1b2c3d".into() }),
                event(
                    302,
                    EventKind::ContentView {
                        item: "story".into(),
                        id: "story-oil-sister".into(),
                        dwell_ms: 41_000,
                    },
                ),
                event(
                    303,
                    EventKind::ServiceRequest(ServiceRequest {
                        request_id: "r-job".into(),
                        ticket_no: "25120100070029".into(),
                        service_id: "jobs".into(),
                        village: "shinan".into(),
                        phone: "13812345678".into(),
                        name: None,
                        note: None,
                        is_complaint: false,
                        job_id: Some("job-oil-service".into()),
                    }),
                ),
            ],
        },
    );
    frozen(
        fx(
            "signup_state.json",
            Topic::SignupState(k.clone()),
            "e7c754210d0a7514ca3479007be519b8db05d5e766ce27fcfc4f1829fe24bcc0",
        ),
        SignupState {
            signup_id: "0a1b2c3d".into(),
            number: "25120100070011".into(),
            session_id: "women-live-1215".into(),
            rev: 2,
            status: SignupStatus::Waitlisted,
            waitlist_position: Some(1),
            reason: None,
            ts: T,
        },
    );
    frozen(
        fx(
            "signup_seen.json",
            Topic::SignupSeen(k.clone()),
            "38855c33b19a785824eaa18ee537a11db7601747a8f855886152d001bf26e804",
        ),
        SignupSeen { signup_id: "0a1b2c3d".into(), rev: 2 },
    );
    frozen(
        fx(
            "dc_seats.json",
            SeatsLeft::topic(),
            "e748ed489226c9e613985b7c07e585c1938296cf4d16954da34a646234366cd1",
        ),
        SeatsLeft {
            ts: T,
            sessions: BTreeMap::from([("women-live-1215".into(), SessionSeats { left: 0, waiting: 1 })]),
        },
    );
}

#[test]
fn a_newer_peers_messages_are_read_by_the_rule() {
    let k = kid();
    // A birth with a field this build does not know: ignored.
    let birth: Status = newer(
        &Fixture {
            file: "newer_status_online.json",
            topic: Topic::Status(k.clone()),
            sha256: "f5257f1085a1ad9c1db2a909a1fc1cd10bb874f45733bddf32d7da428498c8fe",
        },
        json!({"state": "online", "session": 8, "boot_id": "b-2", "app_version": "0.2.0",
               "catalog_version": 4, "outbox_depth": 0, "lifetime_totals": {}, "ts": T,
               "display": "1920x1080"}),
    )
    .unwrap();
    assert!(matches!(birth, Status::Online(Birth { session: 8, .. })), "{birth:?}");

    // An event kind this build does not know, and a known kind with a new
    // field: both kept, neither stalls the batch.
    let batch: EventBatch = newer(
        &Fixture { file: "newer_events.json", topic: Topic::Events(k.clone()), sha256: "3a33189bfedb85c0955e6177f850be8464f8dd03622ae9583aa89500d45d450b" },
        json!({"session": 8, "events": [
            {"seq": 200, "t": T, "clock_trusted": true, "kind": "story_open", "story_id": "s-3"},
            {"seq": 201, "t": T, "clock_trusted": true, "kind": "search", "query": "yc", "results": 3, "lang": "en"}
        ]}),
    )
    .unwrap();
    assert_eq!(batch.events[0].kind.name(), "story_open");
    let EventKind::Other(body) = &batch.events[0].kind else { panic!("{:?}", batch.events[0]) };
    assert_eq!(body["story_id"], "s-3", "kept whole");
    assert_eq!(batch.events[1].kind, EventKind::Search { query: "yc".into(), results: 3 });

    // A known kind whose body does not fit it is still an error.
    let broken: Result<EventBatch, _> = newer(
        &Fixture {
            file: "broken_events.json",
            topic: Topic::Events(k.clone()),
            sha256: "7131a9a80c5f55c4291e92345dc3b245b2f5eae4e5c91d6eb95fb768f2d63a69",
        },
        json!({"session": 8, "events": [
            {"seq": 202, "t": T, "clock_trusted": true, "kind": "search", "query": 5}
        ]}),
    );
    assert!(matches!(&broken, Err(DecodeError::Malformed(m)) if m.contains("event 202")), "{broken:?}");

    // A command with an option this build does not know is refused: run
    // without it, it would do something else than the hub meant.
    let command: Result<Command, _> = newer(
        &Fixture {
            file: "newer_command.json",
            topic: Topic::Command { kid: k.clone(), name: "restart".into() },
            sha256: "a6cda9dd4df09964c1f2e6c5e9f4206d2886b5a61a279000bc24b9592bd6b9de",
        },
        json!({"cid": "c-2", "args": {}, "expires": T + 60_000, "delay_s": 30}),
    );
    assert!(matches!(command, Err(DecodeError::Malformed(_))), "{command:?}");
}
