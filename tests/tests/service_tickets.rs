//! Service requests become tickets exactly once, staff work them through the
//! CLI (every step recorded with who and when, the state machine enforced),
//! and every change reaches the kiosk on `svc/ack`, again after each birth
//! until the kiosk confirms it. Contact details stay masked in every listing;
//! the live feed for the data centre carries the day's figures.

use e2e::harness::*;
use e2e::raw_kiosk::RawKiosk;
use protocol::messages::*;
use protocol::{TicketNo, TicketStatus, Topic, decode};
use rumqttc::{AsyncClient, MqttOptions, QoS};
use std::time::Duration;

const PHONE: &str = "13812345678";

fn request(id: &str, ticket_no: &str, complaint: bool) -> EventKind {
    EventKind::ServiceRequest(ServiceRequest {
        request_id: id.into(),
        ticket_no: ticket_no.into(),
        service_id: if complaint { "complaint".into() } else { "shop-setup".into() },
        village: "石南镇黄袍山村".into(),
        phone: PHONE.into(),
        name: Some("张秀英".into()),
        note: Some("想在网上卖山茶油".into()),
        is_complaint: complaint,
        job_id: None,
    })
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

fn yymmdd(ms: u64) -> String {
    protocol::county_time::yymmdd_of(ms as i64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_become_tickets_and_every_change_reaches_the_kiosk() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    let secret = register_kiosk(&data, "station-a", "shinan");
    let other_secret = register_kiosk(&data, "station-b", "shinan");
    let fleet: serde_json::Value = hub_json(&["kiosks", "--json", "--data", d]);
    assert_eq!(fleet[0]["station_no"], 1, "{fleet}");
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;

    // Three requests and a repeat: the kiosk's own number, a complaint whose
    // number claims another station, one three days old, and request A again
    // under a new sequence number (a kiosk that recorded it twice).
    let now = now_ms();
    let own = TicketNo::new(&yymmdd(now), 1, 7).unwrap();
    let lie = TicketNo::new(&yymmdd(now), 2, 7).unwrap();
    let old_t = now - 72 * 3_600_000;
    let old_no = TicketNo::new(&yymmdd(old_t), 1, 1).unwrap();
    let mut k = RawKiosk::connect("station-a", &secret, mode.port(), 1).await;
    let events = vec![
        Event { seq: 1, t: now, clock_trusted: true, kind: request("req-a", own.as_str(), false) },
        Event { seq: 2, t: now, clock_trusted: true, kind: request("req-b", lie.as_str(), true) },
        Event { seq: 3, t: old_t, clock_trusted: true, kind: request("req-c", old_no.as_str(), false) },
        Event { seq: 4, t: now, clock_trusted: true, kind: request("req-a", "garbage", false) },
    ];
    k.publish(&Topic::Events(k.kid.clone()), &EventBatch { session: 1, events }).await;
    let a = k.update_of("req-a", 1).await;
    let b = k.update_of("req-b", 1).await;
    let c = k.update_of("req-c", 1).await;
    assert_eq!((a.ticket_no.as_str(), a.status), (own.as_str(), TicketStatus::Submitted));
    assert_eq!(c.ticket_no, old_no.as_str());
    let hub_no = TicketNo::parse(&b.ticket_no).unwrap();
    assert_eq!(hub_no.station(), 0, "a number of another station is replaced from the hub's range");
    assert_eq!(a.response_due, now + 48 * 3_600_000);
    assert!(a.resolution_due.is_none());
    let due = b.resolution_due.expect("a complaint has a resolution deadline");
    let cal = hub::tickets::calendar::Calendar::load(None).unwrap();
    assert_eq!(due as i64, hub::tickets::deadlines::resolution_due(&cal, now as i64).unwrap());

    // Staff view: three tickets (the repeat made none), contact masked.
    let list = hub_cli(&["tickets", "list", "--json", "--data", d]);
    let rows: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3, "{list}");
    assert!(!list.contains(PHONE) && !list.contains("张秀英"), "contact details leak: {list}");
    assert!(list.contains("138****5678") && list.contains("张**"), "{list}");
    let overdue: serde_json::Value = hub_json(&["tickets", "list", "--overdue", "--json", "--data", d]);
    let overdue: Vec<&str> =
        overdue.as_array().unwrap().iter().map(|r| r["ticket_no"].as_str().unwrap()).collect();
    assert_eq!(overdue, [old_no.as_str()], "only the 3-day-old request missed its 48-hour response");
    let table = hub_cli(&["tickets", "list", "--data", d]);
    assert!(table.contains(&own.grouped()) && !table.contains(PHONE), "{table}");

    // The state machine holds: nothing before acceptance, then 首问责任人 stays.
    let (ok, out) =
        hub_cli_status(&["tickets", "resolve", own.as_str(), "--text", "x", "--as", "王芳", "--data", d]);
    assert!(!ok && out.contains("cannot resolve a ticket that is submitted"), "{out}");
    hub_cli(&["tickets", "accept", &own.grouped(), "--as", "王芳", "--data", d]);
    let a2 = k.update_of("req-a", 2).await;
    assert_eq!((a2.status, a2.responsible.as_deref()), (TicketStatus::Accepted, Some("王芳")));
    hub_cli(&["tickets", "transfer", own.as_str(), "--to", "李强", "--as", "王芳", "--data", d]);
    let a3 = k.update_of("req-a", 3).await;
    assert_eq!(
        (a3.status, a3.responsible.as_deref(), a3.handler.as_deref()),
        (TicketStatus::InProgress, Some("王芳"), Some("李强"))
    );
    hub_cli(&[
        "tickets",
        "reply",
        own.as_str(),
        "--text",
        "请带身份证来站点",
        "--wait",
        "--as",
        "李强",
        "--data",
        d,
    ]);
    let a4 = k.update_of("req-a", 4).await;
    assert_eq!((a4.status, a4.reply.as_deref()), (TicketStatus::WaitingUser, Some("请带身份证来站点")));
    hub_cli(&["tickets", "accept", &b.ticket_no, "--as", "李强", "--data", d]);
    hub_cli(&["tickets", "resolve", &b.ticket_no, "--text", "已退款", "--as", "李强", "--data", d]);
    hub_cli(&["tickets", "close", &b.ticket_no, "--as", "王芳", "--data", d]);
    let (ok, out) =
        hub_cli_status(&["tickets", "reopen", &b.ticket_no, "--reason", "x", "--as", "王芳", "--data", d]);
    assert!(!ok && out.contains("closed"), "closed is terminal: {out}");
    let b4 = k.update_of("req-b", 4).await;
    assert_eq!(b4.status, TicketStatus::Closed);

    // Not confirmed: a new birth brings every ticket's latest revision again.
    drop(k);
    let mut k = RawKiosk::connect("station-a", &secret, mode.port(), 2).await;
    let again = k.updates(Duration::from_secs(3)).await;
    assert_eq!(again.keys().map(String::as_str).collect::<Vec<_>>(), ["req-a", "req-b", "req-c"]);
    assert_eq!((again["req-a"].rev, again["req-b"].rev), (4, 4));
    // Another kiosk cannot confirm station-a's tickets. Station-b confirms
    // req-a, then a request of its own: both on its one `svc/seen` topic,
    // which the hub handles in order, so once its own shows as seen, the
    // hub has handled the first too, and it must have changed nothing.
    let mut other = RawKiosk::connect("station-b", &other_secret, mode.port(), 1).await;
    let x_no = TicketNo::new(&yymmdd(now), 2, 1).unwrap();
    let x = Event { seq: 1, t: now, clock_trusted: true, kind: request("req-x", x_no.as_str(), false) };
    other.publish(&Topic::Events(other.kid.clone()), &EventBatch { session: 1, events: vec![x] }).await;
    other.update_of("req-x", 1).await;
    let seen_rev =
        |no: &str| hub_json(&["tickets", "show", no, "--json", "--data", d])["ticket"]["seen_rev"].clone();
    let a_seen = seen_rev(own.as_str());
    for (id, rev) in [("req-a", 4), ("req-x", 1)] {
        other
            .publish(&Topic::ServiceSeen(other.kid.clone()), &ServiceSeen { request_id: id.into(), rev })
            .await;
    }
    wait_until("station-b's own confirmation", || seen_rev(x_no.as_str()) == 1);
    assert_eq!(seen_rev(own.as_str()), a_seen, "station-b confirmed station-a's ticket");
    // Station-a confirms its own.
    for (id, ack) in &again {
        k.publish(&Topic::ServiceSeen(k.kid.clone()), &ServiceSeen { request_id: id.clone(), rev: ack.rev })
            .await;
    }
    for ack in again.values() {
        wait_until("station-a's confirmations", || seen_rev(&ack.ticket_no) == ack.rev);
    }
    drop(k);
    let mut k = RawKiosk::connect("station-a", &secret, mode.port(), 3).await;
    let after_seen = k.updates(Duration::from_secs(2)).await;
    assert!(after_seen.is_empty(), "confirmed updates were sent again: {after_seen:?}");

    // Full contact only on purpose, and the look is in the history.
    let shown = hub_cli(&["tickets", "show", own.as_str(), "--json", "--data", d]);
    assert!(!shown.contains(PHONE), "{shown}");
    let revealed = hub_cli(&[
        "tickets",
        "show",
        own.as_str(),
        "--reveal-contact",
        "--as",
        "王芳",
        "--json",
        "--data",
        d,
    ]);
    let v: serde_json::Value = serde_json::from_str(&revealed).unwrap();
    assert_eq!(v["contact"]["phone"], PHONE);
    let actions: Vec<(&str, &str)> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["action"].as_str().unwrap(), h["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("submit", "kiosk station-a"),
            ("accept", "王芳"),
            ("transfer", "王芳"),
            ("reply", "李强"),
            ("reveal_contact", "王芳")
        ]
    );
    assert_eq!(v["ticket"]["seen_rev"], 4);

    // The live feed: a restarted hub publishes the day so far at once.
    hub.kill();
    let _hub = HubProcess::start(&data, mode).await;
    let live = retained_live_minute(mode.port(), &hub_key(&data)).await;
    assert_eq!(live.today.get("service_request"), Some(&4), "{live:?}");
    assert_eq!(live.tickets_open, 3, "{live:?}");
    assert_eq!(live.tickets_overdue, 1, "{live:?}");
    assert_eq!(live.kiosks_total, 2);
    drop(other);
    if std::env::var_os("KH_KEEP_TICKETS_DATA").is_some() {
        let kept = std::path::Path::new("/tmp/kh-tickets-data");
        let _ = std::fs::remove_dir_all(kept);
        copy_dir(&data, kept);
    }
}

/// Poll the hub's store (through its CLI) until `done`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn retained_live_minute(port: u16, hub_key: &[u8]) -> LiveMinute {
    let mut opts = MqttOptions::new("dc-viewer", "127.0.0.1", port);
    opts.set_credentials(protocol::credentials::DC_USER, protocol::credentials::dc_password(hub_key));
    opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
    let (client, ev) = AsyncClient::new(opts, 16);
    let mut ev = e2e::mqtt_pump::pump(ev);
    let topic = Topic::DataCentre("minute".into());
    client.subscribe(topic.to_string(), QoS::AtLeastOnce).await.unwrap();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(e) = ev.recv().await {
            if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) = e {
                return decode::<LiveMinute>(&topic, &p.payload, hub_key).expect("signed by the hub");
            }
        }
        panic!("event loop ended");
    })
    .await;
    found.expect("the live feed is retained")
}
