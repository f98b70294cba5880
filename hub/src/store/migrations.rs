//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.
//! Append new steps; never edit a step that has shipped.

use super::StoreError;
use rusqlite::Connection;
use std::path::Path;

const STEPS: &[&str] = &[
    // 1: catalog versions, kiosk registry, presence, sync jobs, rejects.
    r#"
    CREATE TABLE catalog_versions (
        version         INTEGER PRIMARY KEY,
        created_at      INTEGER NOT NULL,
        source          TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        items           INTEGER NOT NULL,
        blob_bytes      INTEGER NOT NULL,
        note            TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE catalog_items (
        version INTEGER NOT NULL REFERENCES catalog_versions(version),
        kind    TEXT NOT NULL,
        id      TEXT NOT NULL,
        rev     INTEGER NOT NULL,
        body    TEXT NOT NULL,
        PRIMARY KEY (version, kind, id)
    ) WITHOUT ROWID;
    -- Which version each rollout target should run: '*' is everyone,
    -- 'group:<name>' one group. A kiosk takes the newest that applies to it.
    CREATE TABLE catalog_targets (
        target     TEXT PRIMARY KEY,
        version    INTEGER NOT NULL REFERENCES catalog_versions(version),
        updated_at INTEGER NOT NULL
    );
    -- Content-addressed files in blobs/: images and catalog documents.
    CREATE TABLE blobs (
        sha256     TEXT PRIMARY KEY,
        size       INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Cached delta/snapshot documents, by (base, version); base 0 = snapshot.
    CREATE TABLE catalog_docs (
        base    INTEGER NOT NULL,
        version INTEGER NOT NULL,
        sha256  TEXT NOT NULL REFERENCES blobs(sha256),
        size    INTEGER NOT NULL,
        PRIMARY KEY (base, version)
    ) WITHOUT ROWID;
    CREATE TABLE kiosks (
        kid        TEXT PRIMARY KEY,
        group_name TEXT NOT NULL,
        secret     BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE presence (
        kid             TEXT PRIMARY KEY,
        online          INTEGER NOT NULL,
        session         INTEGER NOT NULL,
        since           INTEGER NOT NULL,
        last_seen       INTEGER NOT NULL,
        boot_id         TEXT NOT NULL DEFAULT '',
        app_version     TEXT NOT NULL DEFAULT '',
        catalog_version INTEGER NOT NULL DEFAULT 0,
        outbox_depth    INTEGER NOT NULL DEFAULT 0,
        lifetime_totals TEXT NOT NULL DEFAULT '{}'
    ) WITHOUT ROWID;
    CREATE TABLE presence_log (
        kid     TEXT NOT NULL,
        at      INTEGER NOT NULL,
        online  INTEGER NOT NULL,
        session INTEGER NOT NULL,
        reason  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX presence_log_by_kiosk ON presence_log(kid, at);
    CREATE TABLE sync_jobs (
        kid         TEXT NOT NULL,
        version     INTEGER NOT NULL,
        state       TEXT NOT NULL,
        bytes_done  INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (kid, version)
    ) WITHOUT ROWID;
    CREATE TABLE rejects (
        kid     TEXT NOT NULL,
        topic   TEXT NOT NULL,
        reason  TEXT NOT NULL,
        count   INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (kid, topic, reason)
    ) WITHOUT ROWID;
    "#,
    // 2: telemetry: raw events (the dedupe key and the audit trail), the
    // per-kiosk high-water mark with received ranges above it, aggregates.
    r#"
    CREATE TABLE events (
        kid           TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        t             INTEGER NOT NULL,
        clock_trusted INTEGER NOT NULL,
        day           TEXT NOT NULL,
        kind          TEXT NOT NULL,
        body          TEXT NOT NULL,
        received_at   INTEGER NOT NULL,
        PRIMARY KEY (kid, seq)
    ) WITHOUT ROWID;
    CREATE TABLE kiosk_seq (
        kid        TEXT PRIMARY KEY,
        upto       INTEGER NOT NULL,
        above      TEXT NOT NULL DEFAULT '[]',
        events     INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE agg_kiosk_day (
        day TEXT NOT NULL, kid TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, kid, kind)
    ) WITHOUT ROWID;
    CREATE TABLE agg_product_day (
        day TEXT NOT NULL, product_id TEXT NOT NULL, kid TEXT NOT NULL,
        views INTEGER NOT NULL, dwell_ms INTEGER NOT NULL,
        PRIMARY KEY (day, product_id, kid)
    ) WITHOUT ROWID;
    CREATE TABLE agg_trace_day (
        day TEXT NOT NULL, batch_id TEXT NOT NULL, kid TEXT NOT NULL, opens INTEGER NOT NULL,
        PRIMARY KEY (day, batch_id, kid)
    ) WITHOUT ROWID;
    CREATE TABLE agg_category_day (
        day TEXT NOT NULL, category TEXT NOT NULL, kid TEXT NOT NULL, opens INTEGER NOT NULL,
        PRIMARY KEY (day, category, kid)
    ) WITHOUT ROWID;
    CREATE TABLE agg_search_day (
        day TEXT NOT NULL, query TEXT NOT NULL, kid TEXT NOT NULL,
        searches INTEGER NOT NULL, no_result INTEGER NOT NULL,
        PRIMARY KEY (day, query, kid)
    ) WITHOUT ROWID;
    -- A parcel counts once per (waybill, direction), however often scanned.
    CREATE TABLE parcels (
        waybill TEXT NOT NULL, direction TEXT NOT NULL, kid TEXT NOT NULL, carrier TEXT NOT NULL,
        weight_g INTEGER, t INTEGER NOT NULL, day TEXT NOT NULL,
        PRIMARY KEY (waybill, direction)
    ) WITHOUT ROWID;
    CREATE TABLE agg_parcel_day (
        day TEXT NOT NULL, kid TEXT NOT NULL, carrier TEXT NOT NULL, direction TEXT NOT NULL,
        parcels INTEGER NOT NULL, weight_g INTEGER NOT NULL,
        PRIMARY KEY (day, kid, carrier, direction)
    ) WITHOUT ROWID;
    -- Service requests as received; tickets are made from them idempotently.
    CREATE TABLE service_requests (
        request_id   TEXT PRIMARY KEY,
        kid          TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        submitted_at INTEGER NOT NULL,
        service_id   TEXT NOT NULL,
        village      TEXT NOT NULL,
        phone        TEXT NOT NULL,
        name         TEXT,
        note         TEXT,
        is_complaint INTEGER NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE presence ADD COLUMN drift INTEGER NOT NULL DEFAULT 0;
    "#,
    // 3: service-request tickets with their append-only log; station numbers
    // (part of every ticket number); per-minute ingest counts for the live feed.
    r#"
    ALTER TABLE kiosks ADD COLUMN station_no INTEGER;
    UPDATE kiosks SET station_no = (SELECT count(*) FROM kiosks k WHERE k.kid <= kiosks.kid);
    CREATE UNIQUE INDEX kiosks_by_station_no ON kiosks(station_no);
    CREATE TABLE tickets (
        ticket_no       TEXT PRIMARY KEY,
        request_id      TEXT NOT NULL UNIQUE REFERENCES service_requests(request_id),
        kid             TEXT NOT NULL,
        service_id      TEXT NOT NULL,
        is_complaint    INTEGER NOT NULL,
        status          TEXT NOT NULL,
        first_responder TEXT,
        handler         TEXT,
        reply           TEXT,
        submitted_at    INTEGER NOT NULL,
        responded_at    INTEGER,
        resolved_at     INTEGER,
        closed_at       INTEGER,
        response_due    INTEGER NOT NULL,
        resolution_due  INTEGER,
        rev             INTEGER NOT NULL,
        seen_rev        INTEGER NOT NULL DEFAULT 0,
        updated_at      INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX tickets_unseen ON tickets(kid) WHERE seen_rev < rev;
    CREATE TABLE ticket_log (
        ticket_no   TEXT NOT NULL REFERENCES tickets(ticket_no),
        at          INTEGER NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        from_status TEXT,
        to_status   TEXT NOT NULL,
        note        TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX ticket_log_by_ticket ON ticket_log(ticket_no, at);
    CREATE TABLE agg_minute (
        minute INTEGER NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (minute, kind)
    ) WITHOUT ROWID;
    "#,
    // 4: commands from staff to kiosks (`hub kiosks command`): queued by the
    // CLI, sent by the serving hub while the kiosk is online, answered.
    r#"
    CREATE TABLE commands (
        cid        TEXT PRIMARY KEY,
        kid        TEXT NOT NULL,
        name       TEXT NOT NULL,
        args       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires    INTEGER NOT NULL,
        sent_at    INTEGER,
        done_at    INTEGER,
        ok         INTEGER,
        detail     TEXT,
        file       TEXT
    ) WITHOUT ROWID;
    CREATE INDEX commands_to_send ON commands(expires) WHERE sent_at IS NULL AND done_at IS NULL;
    "#,
    // 5: a revision of the kiosk registry, bumped by the database itself on
    // every write to `kiosks` (registration, rotation, revocation, and any
    // later kind of write), so the serving hub reloads its copy whatever
    // process or statement changed it.
    r#"
    CREATE TABLE registry_revision (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
    );
    INSERT INTO registry_revision(id, revision) VALUES (1, 1);
    CREATE TRIGGER registry_insert AFTER INSERT ON kiosks
        BEGIN UPDATE registry_revision SET revision = revision + 1; END;
    CREATE TRIGGER registry_update AFTER UPDATE ON kiosks
        BEGIN UPDATE registry_revision SET revision = revision + 1; END;
    CREATE TRIGGER registry_delete AFTER DELETE ON kiosks
        BEGIN UPDATE registry_revision SET revision = revision + 1; END;
    "#,
    // 6: staff accounts for the console, their sessions, and what happened
    // to each account (logins, refusals, lockouts, resets).
    r#"
    CREATE TABLE staff (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        must_change   INTEGER NOT NULL,
        failures      INTEGER NOT NULL DEFAULT 0,
        locked_until  INTEGER,
        disabled_at   INTEGER,
        created_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE staff_sessions (
        token_sha256 TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        csrf         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_seen    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX staff_sessions_by_name ON staff_sessions(name);
    CREATE TABLE staff_log (
        at     INTEGER NOT NULL,
        name   TEXT NOT NULL,
        event  TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX staff_log_by_name ON staff_log(name, at);
    -- The console's queue reads the open tickets by status.
    CREATE INDEX tickets_by_status ON tickets(status, response_due);
    "#,
    // 7: a kiosk's role as it was set up (showroom, station, bigscreen),
    // for the console's fleet page; none for kiosks registered before.
    r#"
    ALTER TABLE kiosks ADD COLUMN role TEXT;
    "#,
    // 8: events a kiosk no longer held when the hub asked for them after a
    // restore: written off, counted here (see ingest::write_off).
    r#"
    ALTER TABLE kiosk_seq ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
    "#,
    // 9: the county's online transaction data (sales::store), one row per
    // enterprise × platform × month; each import recorded.
    r#"
    CREATE TABLE sales_imports (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        by_name TEXT NOT NULL,
        files   TEXT NOT NULL,
        sha256  TEXT NOT NULL,
        rows    INTEGER NOT NULL
    );
    CREATE TABLE sales_monthly (
        enterprise     TEXT NOT NULL,
        platform       TEXT NOT NULL,
        month          TEXT NOT NULL,
        name           TEXT NOT NULL,
        orders         INTEGER NOT NULL,
        sales_fen      INTEGER NOT NULL,
        farm_sales_fen INTEGER NOT NULL,
        parcels        INTEGER NOT NULL,
        import_id      INTEGER NOT NULL REFERENCES sales_imports(id),
        PRIMARY KEY (enterprise, platform, month)
    ) WITHOUT ROWID;
    CREATE INDEX sales_by_month ON sales_monthly(month);
    "#,
    // 10: the county's targets for its online figures (sales::targets).
    r#"
    CREATE TABLE sales_targets (
        name    TEXT PRIMARY KEY,
        value   INTEGER NOT NULL,
        set_by  TEXT NOT NULL,
        set_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 11: the town a station stands in (`hub fleet new --town`), for the
    // big screen's map.
    r#"
    ALTER TABLE kiosks ADD COLUMN town TEXT;
    "#,
    // 12: kiosk software releases (releases/): signed artifacts, their
    // rollout targets with install hours, and each kiosk's job.
    r#"
    CREATE TABLE releases (
        version    TEXT PRIMARY KEY,
        major      INTEGER NOT NULL,
        minor      INTEGER NOT NULL,
        patch      INTEGER NOT NULL,
        sha256     TEXT NOT NULL,
        size       INTEGER NOT NULL,
        signature  TEXT NOT NULL,
        notes      TEXT NOT NULL,
        added_at   INTEGER NOT NULL,
        added_by   TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE release_targets (
        target     TEXT PRIMARY KEY,
        version    TEXT NOT NULL REFERENCES releases(version),
        hours_from INTEGER,
        hours_to   INTEGER,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE release_jobs (
        kid         TEXT NOT NULL,
        version     TEXT NOT NULL,
        state       TEXT NOT NULL,
        bytes_done  INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (kid, version)
    ) WITHOUT ROWID;
    ALTER TABLE presence ADD COLUMN previous_version TEXT;
    "#,
    // 13: catalog views (catalog::views): each kiosk is sent the items its
    // software reads, as the features in its birth say. `view` names them,
    // sorted and joined with ','; '' is the first version of the protocol.
    r#"
    CREATE TABLE catalog_views (
        version         INTEGER NOT NULL REFERENCES catalog_versions(version),
        view            TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        items           INTEGER NOT NULL,
        blob_bytes      INTEGER NOT NULL,
        PRIMARY KEY (version, view)
    ) WITHOUT ROWID;
    -- Versions published before content existed are whole in every view.
    INSERT INTO catalog_views SELECT version, '', manifest_sha256, items, blob_bytes FROM catalog_versions;
    INSERT INTO catalog_views SELECT version, 'content', manifest_sha256, items, blob_bytes FROM catalog_versions;
    -- Documents are a cache: built again, per view, when asked for.
    DROP TABLE catalog_docs;
    CREATE TABLE catalog_docs (
        base    INTEGER NOT NULL,
        version INTEGER NOT NULL,
        view    TEXT NOT NULL,
        sha256  TEXT NOT NULL REFERENCES blobs(sha256),
        size    INTEGER NOT NULL,
        PRIMARY KEY (base, version, view)
    ) WITHOUT ROWID;
    ALTER TABLE presence ADD COLUMN features TEXT NOT NULL DEFAULT '';
    "#,
    // 14: training sign-ups (training/), in the order the hub received
    // them; their history; job interests on requests; content views.
    r#"
    CREATE TABLE signups (
        signup_id   TEXT PRIMARY KEY,
        arrival     INTEGER NOT NULL UNIQUE,
        number      TEXT NOT NULL,
        kid         TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        taken_at    INTEGER NOT NULL,
        session_id  TEXT NOT NULL,
        town        TEXT NOT NULL,
        phone       TEXT NOT NULL,
        phone_tail  TEXT NOT NULL,
        status      TEXT NOT NULL,
        reason      TEXT,
        rev         INTEGER NOT NULL,
        seen_rev    INTEGER NOT NULL DEFAULT 0,
        received_at INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX signups_by_session ON signups(session_id, status, arrival);
    CREATE INDEX signups_by_number ON signups(number);
    CREATE INDEX signups_unseen ON signups(kid) WHERE seen_rev < rev;
    CREATE TABLE signup_log (
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL,
        session_id TEXT NOT NULL,
        signup_id  TEXT,
        detail     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX signup_log_by_session ON signup_log(session_id, at);
    ALTER TABLE service_requests ADD COLUMN job_id TEXT;
    CREATE TABLE agg_content_day (
        day      TEXT NOT NULL,
        item     TEXT NOT NULL,
        id       TEXT NOT NULL,
        kid      TEXT NOT NULL,
        views    INTEGER NOT NULL,
        dwell_ms INTEGER NOT NULL,
        PRIMARY KEY (day, item, id, kid)
    ) WITHOUT ROWID;
    "#,
    // 15: retention (store::retention) finds old parcel rows by time.
    r#"
    CREATE INDEX parcels_by_t ON parcels(t);
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    STEPS.len() as i64
}

pub fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > latest() {
        return Err(StoreError::TooNew { path: path.to_owned(), found, known: latest() });
    }
    for (i, step) in STEPS.iter().enumerate().skip(found as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
