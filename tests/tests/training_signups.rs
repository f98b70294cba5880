//! Training sign-ups end to end (issue #19): three station kiosks offline
//! at once sign up eleven people for a ten-seat session, reconnect, and
//! their outboxes are sent twice more. The hub confirms exactly ten and
//! waitlists one, in the order it received them; every kiosk shows each of
//! its sign-ups' real state; a cancellation at a kiosk gives the seat to the
//! one waiting and tells their kiosk.

use e2e::fleet::{config, wait_catalog, wait_status};
use e2e::harness::*;
use e2e::link::Link;
use kiosk::runtime::{Handle, Runtime};
use kiosk::store::outbox::Outbox;
use kiosk::store::requests::{Lookup, RequestForm};
use kiosk::store::signups::{MySignup, SignupForm};
use protocol::messages::{EventBatch, EventKind, EventsAck, SignupStatus};
use protocol::{KioskId, Topic, county_time, decode, encode};
use rumqttc::{AsyncClient, MqttOptions, QoS};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);
const SESSION: &str = "test-ten-seats";

/// The sample catalog plus a ten-seat session a week from now.
fn catalog_with_session(dir: &Path) {
    copy_dir(&sample_catalog(), dir);
    let now = kiosk::store::now_ms() as i64;
    let at = |days: i64, hours: i64| county_time::minute_text(now + days * 86_400_000 + hours * 3_600_000);
    let mut sessions = std::fs::read_to_string(dir.join("sessions.csv")).unwrap();
    sessions.push_str(&format!(
        "{SESSION},basics-101,中心培训教室（隽水镇）,juanshui,{},{},10,,kiosk,,{}\n",
        at(7, 0),
        at(7, 3),
        at(6, 0)
    ));
    std::fs::write(dir.join("sessions.csv"), sessions).unwrap();
}

/// The hub's roster of the session: number → status.
fn hub_roster(data: &str) -> BTreeMap<String, String> {
    let rows = hub_json(&["training", "roster", SESSION, "--format", "json", "--data", data]);
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let number = r["number"].as_str().unwrap().replace(' ', "");
            (number, r["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Wait until a kiosk holds the hub's count of (seats left, waiting) for the session.
async fn wait_seats(k: &Handle, what: &str, want: (u32, u32)) {
    let deadline = Instant::now() + WAIT;
    let mut rx = k.seats_left();
    loop {
        let have = rx
            .borrow_and_update()
            .as_ref()
            .and_then(|s| s.sessions.get(SESSION).map(|x| (x.left, x.waiting)));
        if have == Some(want) {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{what}: the kiosk holds {have:?}");
        let _ = tokio::time::timeout(left, rx.changed()).await;
    }
}

fn mine(k: &Handle) -> Vec<MySignup> {
    k.my_signups(&Lookup::All).unwrap()
}

/// Wait until every sign-up a kiosk holds shows the hub's state for it.
async fn wait_agrees(k: &Handle, data: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let hub = hub_roster(data);
        let here = mine(k);
        let agrees = here.iter().all(|m| hub.get(&m.number).map(String::as_str) == Some(m.status.name()));
        if agrees && !here.is_empty() {
            return;
        }
        let shown: Vec<(String, &str)> = here.iter().map(|m| (m.number.clone(), m.status.name())).collect();
        assert!(Instant::now() < deadline, "{what}: kiosk shows {shown:?}, hub has {hub:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Send a kiosk's whole outbox again as the kiosk would (signed with its
/// secret, under its login) and wait for the hub's ack of it: the barrier
/// after which the hub has ingested it.
async fn resend_outbox(port: u16, kid: &str, secret: &[u8], db: &Path, session: u64) {
    let kid = KioskId::new(kid).unwrap();
    let events = Outbox::open(db).unwrap().pending(1, 512).unwrap();
    let last = events.last().unwrap().seq;
    let mut opts = MqttOptions::new(format!("{kid}-replay-{}", free_port()), "127.0.0.1", port);
    opts.set_credentials(kid.as_str(), protocol::credentials::mqtt_password(secret));
    opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
    let (client, ev) = AsyncClient::new(opts, 64);
    let mut ev = e2e::mqtt_pump::pump(ev);
    let ack_topic = Topic::EventsAck(kid.clone());
    while !matches!(ev.recv().await, Some(Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_))))) {}
    client.subscribe(ack_topic.to_string(), QoS::AtLeastOnce).await.unwrap();
    while !matches!(ev.recv().await, Some(Ok(rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_))))) {}
    let topic = Topic::Events(kid.clone());
    let payload = encode(&topic, &EventBatch { session, events }, secret).unwrap();
    client.publish(topic.to_string(), QoS::AtLeastOnce, false, payload).await.unwrap();
    let acked = tokio::time::timeout(WAIT, async {
        while let Some(e) = ev.recv().await {
            if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) = e
                && p.topic == ack_topic.to_string()
                && decode::<EventsAck>(&ack_topic, &p.payload, secret).is_ok_and(|a| a.upto >= last)
            {
                return;
            }
        }
    })
    .await;
    assert!(acked.is_ok(), "{kid}: the resent outbox was not acknowledged");
    let _ = client.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eleven_sign_ups_for_ten_seats_from_three_offline_stations() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let catalog = tmp.path().join("catalog");
    std::fs::create_dir_all(&data).unwrap();
    catalog_with_session(&catalog);
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let kids = ["shinan-01", "maishi-01", "daping-01"];
    let registered: Vec<(Vec<u8>, u16)> =
        kids.iter().map(|k| register_kiosk_station(&data, k, k.split('-').next().unwrap())).collect();
    let mode = BrokerMode::Embedded(free_port());
    let mut hub = HubProcess::start(&data, mode).await;

    // Each station behind a line the test can cut.
    let mut links = Vec::new();
    let mut runtimes = Vec::new();
    for (kid, (secret, station)) in kids.iter().zip(&registered) {
        let link = Link::start(mode.port()).await;
        let dir = tmp.path().join(kid);
        let rt = Runtime::start(config(kid, secret, &hub_key(&data), link.port, *station, &dir)).unwrap();
        wait_catalog(&rt.handle(), WAIT, 1).await;
        links.push(link);
        runtimes.push(rt);
    }
    let handles: Vec<Handle> = runtimes.iter().map(Runtime::handle).collect();
    // Every station shows the seats left (the hub's count, on _dc/seats).
    for k in &handles {
        wait_seats(k, "ten seats left", (10, 0)).await;
    }

    // All three lines down at once; eleven people sign up: 4, 4 and 3.
    for l in &links {
        l.cut();
    }
    for k in &handles {
        wait_status(k, WAIT, "the link down", |s| !s.connected).await;
    }
    let mut n = 0;
    for (k, count) in handles.iter().zip([4, 4, 3]) {
        for _ in 0..count {
            n += 1;
            let form =
                SignupForm { session_id: SESSION.into(), town: "shinan".into(), phone: format!("139{n:08}") };
            let s = k.submit_signup(&form).unwrap();
            assert_eq!(s.status, SignupStatus::Pending, "offline, a sign-up is pending on the receipt");
        }
    }

    // The lines come back: every outbox reaches the hub.
    for l in &links {
        l.restore();
    }
    for k in &handles {
        wait_status(k, WAIT, "the outbox acknowledged", |s| s.connected && s.outbox_depth == 0).await;
    }
    // And every outbox arrives twice more, whole (a kiosk that never heard
    // its acks sends everything again).
    for _ in 0..2 {
        for ((kid, (secret, _)), k) in kids.iter().zip(&registered).zip(&handles) {
            let session = k.status().borrow().session;
            resend_outbox(mode.port(), kid, secret, &tmp.path().join(kid).join("kiosk.db"), session).await;
        }
    }

    // Exactly ten confirmed and one waitlisted: never oversold.
    let roster = hub_roster(d);
    assert_eq!(roster.len(), 11, "one sign-up each, however often sent: {roster:?}");
    let count = |status: &str| roster.values().filter(|s| *s == status).count();
    assert_eq!((count("confirmed"), count("waitlisted")), (10, 1), "{roster:?}");
    let sessions = hub_json(&["training", "sessions", "--format", "json", "--data", d]);
    let row = sessions.as_array().unwrap().iter().find(|r| r["session"] == SESSION).unwrap().clone();
    assert_eq!(
        (row["seats"].as_i64(), row["confirmed"].as_i64(), row["waitlisted"].as_i64()),
        (Some(10), Some(10), Some(1))
    );

    // Every kiosk shows each of its sign-ups as the hub decided.
    for k in &handles {
        wait_agrees(k, d, "after the resends").await;
    }
    for k in &handles {
        wait_seats(k, "none left, one waiting", (0, 1)).await;
    }
    let waiting = roster.iter().find(|(_, s)| *s == "waitlisted").unwrap().0.clone();
    let waiting_kiosk = handles.iter().position(|k| mine(k).iter().any(|m| m.number == waiting)).unwrap();
    let place = mine(&handles[waiting_kiosk]).into_iter().find(|m| m.number == waiting).unwrap();
    assert_eq!(place.waitlist_place, Some(1), "first on the waiting list");

    // A villager at another station cancels a confirmed place there.
    let other = (waiting_kiosk + 1) % handles.len();
    let seat = mine(&handles[other]).into_iter().find(|m| m.status == SignupStatus::Confirmed).unwrap();
    assert!(handles[other].cancel_signup(&seat.signup_id).unwrap());
    let deadline = Instant::now() + WAIT;
    while hub_roster(d).get(&seat.number).map(String::as_str) != Some("cancelled") {
        assert!(Instant::now() < deadline, "the hub never heard of the cancellation: {:?}", hub_roster(d));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_agrees(&handles[other], d, "the cancellation").await;
    wait_agrees(&handles[waiting_kiosk], d, "the move up").await;
    let moved = mine(&handles[waiting_kiosk]).into_iter().find(|m| m.number == waiting).unwrap();
    assert_eq!(moved.status, SignupStatus::Confirmed, "the waitlisted sign-up has the freed seat");
    wait_seats(&handles[other], "the seat taken by the one waiting", (0, 0)).await;
    let roster = hub_roster(d);
    assert_eq!(roster.get(&seat.number).map(String::as_str), Some("cancelled"));
    assert_eq!(count_of(&roster, "confirmed"), 10);

    // The roster shows phones masked; revealing them is logged by name.
    let masked = hub_cli(&["training", "roster", SESSION, "--data", d]);
    assert!(!masked.contains("13900000001") && masked.contains("139****0001"), "{masked}");
    let full = hub_cli(&["training", "roster", SESSION, "--reveal", "--as", "王芳", "--data", d]);
    assert!(full.contains("13900000001"), "{full}");
    let conn = rusqlite::Connection::open(data.join("hub.db")).unwrap();
    let logged: String = conn
        .query_row("SELECT actor FROM signup_log WHERE action = 'reveal_contacts'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(logged, "王芳");

    // "I am interested" in a job: a call-back ticket naming the job, on the
    // centre's list with the enterprise and the phone masked.
    let interest = RequestForm {
        service_id: "jobs".into(),
        village: "shinan".into(),
        phone: "13712345678".into(),
        name: None,
        note: None,
        is_complaint: false,
        job_id: Some("job-oil-service".into()),
    };
    let ticket = handles[0].submit_request(&interest).unwrap();
    // And a story read for 40 s, counted like a product view.
    let story =
        EventKind::ContentView { item: "story".into(), id: "story-oil-sister".into(), dwell_ms: 40_000 };
    handles[0].record(story).unwrap();
    let deadline = Instant::now() + WAIT;
    let rows = loop {
        let rows = hub_json(&["jobs", "interests", "--format", "json", "--data", d]);
        if !rows.as_array().unwrap().is_empty() {
            break rows;
        }
        assert!(Instant::now() < deadline, "no job interest at the hub");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let row = &rows[0];
    assert_eq!(row["ticket"].as_str().unwrap().replace(' ', ""), ticket.ticket_no);
    assert_eq!(
        (row["job"].as_str(), row["enterprise"].as_str()),
        (Some("网店客服"), Some("袍山油茶科技有限公司"))
    );
    assert_eq!(row["phone"], "137****5678");

    // The figures the plan counts, through `hub report` (once every event
    // is acknowledged, so counted).
    wait_status(&handles[0], WAIT, "everything acknowledged", |s| s.outbox_depth == 0).await;
    let today = county_time::iso_date(county_time::today());
    let by_course = hub_report(&data, "course", &today, &today);
    let basics = by_course.iter().find(|r| r["course"] == "basics-101").expect("the course's row");
    assert_eq!(
        (basics["signups"].as_i64(), basics["confirmed"].as_i64(), basics["cancelled"].as_i64()),
        (Some(11), Some(10), Some(1)),
        "{by_course:?}"
    );
    let by_audience = hub_report(&data, "audience", &today, &today);
    assert_eq!(by_audience[0]["audience"], "everyone", "{by_audience:?}");
    assert_eq!(by_audience[0]["dedicated"], "no");
    let by_enterprise = hub_report(&data, "job-interest", &today, &today);
    assert_eq!(
        (by_enterprise[0]["enterprise"].as_str(), by_enterprise[0]["interests"].as_i64()),
        (Some("paoshan-oil"), Some(1))
    );
    // Two people come; the big screen's figures count them as trained.
    let present: Vec<String> =
        hub_roster(d).into_iter().filter(|(_, s)| s == "confirmed").map(|(n, _)| n).take(2).collect();
    let out =
        hub_cli(&["training", "attend", SESSION, &present[0], &present[1], "--as", "王芳", "--data", d]);
    assert!(out.contains("2 of 2 marked present"), "{out}");
    let conn = hub::store::open_read(&hub::store::DataDir::new(&data).unwrap()).unwrap();
    let wall = hub::reports::screen::figures(&conn, kiosk::store::now_ms() as i64).unwrap();
    assert_eq!(
        (wall.training.trained_year, wall.training.trained_dedicated_year),
        (2, 0),
        "{:?}",
        wall.training
    );
    let content = hub_report(&data, "content", &today, &today);
    assert_eq!(
        (content[0]["id"].as_str(), content[0]["views"].as_i64(), content[0]["avg_dwell_s"].as_f64()),
        (Some("story-oil-sister"), Some(1), Some(40.0)),
        "{content:?}"
    );
    assert!(content[0]["name"].as_str().unwrap().contains("油茶姐"));
    assert!(hub.alive(), "hub died:\n{}", hub.log());
}

fn count_of(roster: &BTreeMap<String, String>, status: &str) -> usize {
    roster.values().filter(|s| *s == status).count()
}
