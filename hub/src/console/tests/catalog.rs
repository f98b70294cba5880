//! The catalog pages: a zip of the sample catalog with mistakes is located
//! cell by cell, corrected with single files, published to a group and
//! compared; unsafe uploads and roles below the catalog editor's are
//! refused, logged, and leave nothing behind.

use super::{Browser, Page, logged_in};
use crate::catalog::publish;
use crate::catalog::versions;
use crate::staff::roles::Role;
use crate::store;
use axum::http::StatusCode;
use std::io::Write;
use std::path::Path;

const BOUNDARY: &str = "----county-console-test";

type ZipBuilder = zip::ZipWriter<std::io::Cursor<Vec<u8>>>;

impl Browser {
    /// POST files (and a `base` field) as a browser's file form does.
    async fn upload(&mut self, csrf: &str, files: &[(&str, Vec<u8>)], base: Option<&str>) -> Page {
        let mut body = Vec::new();
        for (name, bytes) in files {
            write!(
                body,
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .unwrap();
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        if let Some(base) = base {
            write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"base\"\r\n\r\n{base}\r\n")
                .unwrap();
        }
        write!(body, "--{BOUNDARY}--\r\n").unwrap();
        let ct = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send_body("POST", &format!("/catalog/upload?csrf={csrf}"), Some(&ct), body).await
    }

    fn drafts(&self) -> usize {
        std::fs::read_dir(self.console.data.root().join("catalog-drafts"))
            .map(|d| d.flatten().filter(|e| e.path().is_dir()).count())
            .unwrap_or(0)
    }
}

fn sample_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng")
}

/// The sample catalog's files (relative path, bytes).
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "images"] {
        for e in std::fs::read_dir(sample_dir().join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                let name = Path::new(sub).join(e.file_name()).display().to_string();
                out.push((name, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

/// `text` (a CSV file) with the cell at `line`, `column` replaced, saved
/// with CRLF endings as Excel on Windows saves it.
fn with_cell(text: &[u8], line: usize, column: &str, value: &str) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text);
    let mut rows: Vec<Vec<String>> =
        r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect();
    let col = rows[0].iter().position(|h| h.trim_start_matches('\u{feff}') == column).unwrap();
    rows[line - 1][col] = value.to_owned();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

fn zip_of(prefix: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        z.start_file(format!("{prefix}{name}"), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn file<'a>(files: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut files.iter_mut().find(|(n, _)| n == name).unwrap().1
}

/// The draft id a successful upload redirects to.
fn draft_of(p: &Page) -> String {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    p.location.as_deref().unwrap().strip_prefix("/catalog/drafts/").unwrap().to_owned()
}

/// The table row (`<tr>` … `</tr>`) of a page that holds `needle`.
fn row_with<'a>(body: &'a str, needle: &str) -> &'a str {
    let at = body.find(needle).unwrap_or_else(|| panic!("{needle:?} not on the page:\n{body}"));
    let start = body[..at].rfind("<tr").unwrap();
    let end = at + body[at..].find("</tr>").unwrap();
    &body[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_mistakes_are_located_corrected_and_the_catalog_published_to_a_group() {
    let mut b = Browser::new();
    logged_in(&mut b, "刘洋", Role::Catalog).await;
    let page = b.get("/catalog").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();

    let mut files = sample_files();
    let products = file(&mut files, "products.csv").clone();
    let batches = file(&mut files, "batches.csv").clone();
    let bad_products =
        with_cell(&with_cell(&products, 3, "price_yuan", "十二元"), 5, "producer_id", "nobody");
    let bad_batches = with_cell(&batches, 3, "production_date", "2026-13-45");
    *file(&mut files, "products.csv") = bad_products;
    *file(&mut files, "batches.csv") = bad_batches;
    // As Windows' "send to compressed folder" makes it: one top folder.
    let id = draft_of(&b.upload(&csrf, &[("tongcheng.zip", zip_of("tongcheng/", &files))], None).await);

    let check = b.get(&format!("/catalog/drafts/{id}")).await;
    assert_eq!(check.status, StatusCode::UNPROCESSABLE_ENTITY);
    let price = row_with(&check.body, "十二元");
    for cell in ["products.csv", "<td>3</td>", "7 (price_yuan)", "<code>十二元</code>"] {
        assert!(price.contains(cell), "{cell} in {price}");
    }
    let producer = row_with(&check.body, "<code>nobody</code>");
    for cell in ["products.csv", "<td>5</td>", "9 (producer_id)", "not in producers.csv"] {
        assert!(producer.contains(cell), "{cell} in {producer}");
    }
    let date = row_with(&check.body, "<code>2026-13-45</code>");
    for cell in ["batches.csv", "<td>3</td>", "(production_date)"] {
        assert!(date.contains(cell), "{cell} in {date}");
    }
    assert!(!check.body.contains("/publish\""), "no publishing with errors");

    // Publishing the faulty draft anyway is refused, nothing is stored.
    let p = b.post(&format!("/catalog/drafts/{id}/publish"), &[("csrf", &csrf), ("group", "shinan")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let conn = store::open_read(&b.console.data).unwrap();
    assert!(versions::list(&conn).unwrap().is_empty());

    // The two corrected files alone, laid over that upload.
    let fixed =
        b.upload(&csrf, &[("products.csv", products.clone()), ("batches.csv", batches)], Some(&id)).await;
    let fixed_id = draft_of(&fixed);
    assert_ne!(fixed_id, id);
    let check = b.get(&format!("/catalog/drafts/{fixed_id}")).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let publish_form = format!("/catalog/drafts/{fixed_id}/publish");
    assert!(check.body.contains(&publish_form));

    let p = b.post(&publish_form, &[("csrf", &csrf), ("group", "shinan"), ("note", "首批")]).await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/catalog/versions/1")));
    let list = versions::list(&conn).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].targets, ["group:shinan"]);
    assert_eq!(list[0].note, "首批");
    assert_eq!(publish::desired_version(&conn, "shinan").unwrap(), Some(1));
    assert_eq!(publish::desired_version(&conn, "beigang").unwrap(), None, "other groups wait");
    let v = b.get("/catalog/versions/1").await;
    assert_eq!(v.status, StatusCode::OK);
    assert!(v.body.contains("shinan") && v.body.contains("首批"), "{}", v.body);

    // A price change, published to everyone: the diff shows before and after.
    let dearer = with_cell(&products, 2, "price_yuan", "72");
    let id3 = draft_of(&b.upload(&csrf, &[("products.csv", dearer)], None).await);
    let p = b.post(&format!("/catalog/drafts/{id3}/publish"), &[("csrf", &csrf), ("group", "")]).await;
    assert_eq!(p.location.as_deref(), Some("/catalog/versions/2"));
    let diff = b.get("/catalog/diff?a=1&b=2").await;
    assert_eq!(diff.status, StatusCode::OK);
    let changed = row_with(&diff.body, "price_fen");
    assert!(changed.contains("6800") && changed.contains("7200"), "{changed}");
    assert!(diff.body.contains("黄袍山压榨山茶油"), "the product's name is shown");
    for group in ["beigang", "shinan"] {
        assert_eq!(publish::desired_version(&conn, group).unwrap(), Some(2), "{group}");
    }

    // Back to version 1 for everyone (the pilot group's target is 1 too).
    let p = b.post("/catalog/promote", &[("csrf", &csrf), ("version", "1"), ("group", "")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    for group in ["beigang", "shinan"] {
        assert_eq!(publish::desired_version(&conn, group).unwrap(), Some(1), "{group}");
    }
    let p = b.post("/catalog/promote", &[("csrf", &csrf), ("version", "9"), ("group", "")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);

    let events: Vec<String> = b.log("刘洋").into_iter().map(|(e, _)| e).collect();
    for e in ["catalog upload", "catalog publish", "catalog promote"] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_uploads_are_refused_logged_and_leave_nothing() {
    let mut b = Browser::with(|c| c.upload_limits.max_bytes = 1 << 20);
    logged_in(&mut b, "刘洋", Role::Catalog).await;
    let csrf = b.get("/catalog").await.csrf();
    let opts = zip::write::SimpleFileOptions::default;
    let zip_with = |build: &dyn Fn(&mut ZipBuilder)| {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("products.csv", opts()).unwrap();
        z.write_all(b"id\n").unwrap();
        build(&mut z);
        z.finish().unwrap().into_inner()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dot-dot",
            zip_with(&|z| {
                z.start_file("../../hub.db", opts()).unwrap();
            }),
            "points outside",
        ),
        (
            "absolute",
            zip_with(&|z| {
                z.start_file("/etc/cron.d/x", opts()).unwrap();
            }),
            "points outside",
        ),
        (
            "symlink",
            zip_with(&|z| {
                z.add_symlink("images/a.png", "/etc/shadow", opts()).unwrap();
            }),
            "is a link",
        ),
        (
            "many files",
            zip_with(&|z| {
                for i in 0..10_000 {
                    z.start_file(format!("images/{i}.png"), opts()).unwrap();
                }
            }),
            "more than the 10000",
        ),
        (
            "zip bomb",
            zip_with(&|z| {
                z.start_file("shops.csv", opts()).unwrap();
                z.write_all(&vec![b' '; 3 << 20]).unwrap();
            }),
            "more than 1 MiB",
        ),
    ];
    for (what, bytes, says) in cases {
        let p = b.upload(&csrf, &[("catalog.zip", bytes)], None).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{what}");
        assert!(p.body.contains(says), "{what}: {says} not in {}", p.body);
        assert_eq!(b.drafts(), 0, "{what} left a draft");
    }
    let refused = b.log("刘洋").into_iter().filter(|(e, _)| e == "upload refused").count();
    assert_eq!(refused, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_catalog_editors_upload_publish_and_promote() {
    let mut b = Browser::new();
    for (name, role) in [("赵敏", Role::Viewer), ("孙丽", Role::Tickets)] {
        logged_in(&mut b, name, role).await;
        let page = b.get("/catalog").await;
        assert_eq!(page.status, StatusCode::OK, "{name} reads the page");
        assert!(!page.body.contains("/catalog/upload"), "{name} sees no upload form");
        let csrf = page.csrf();
        let zip = zip_of("", &sample_files());
        let p = b.upload(&csrf, &[("c.zip", zip)], None).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{name} uploading");
        let p = b.post("/catalog/promote", &[("csrf", &csrf), ("version", "1")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{name} promoting");
        assert_eq!(b.drafts(), 0);
        b.cookies.clear();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_name_with_markup_is_shown_as_text() {
    let mut b = Browser::new();
    logged_in(&mut b, "刘洋", Role::Catalog).await;
    let csrf = b.get("/catalog").await.csrf();
    let mut files = sample_files();
    let products = file(&mut files, "products.csv").clone();
    let id = draft_of(&b.upload(&csrf, &[("c.zip", zip_of("", &files))], None).await);
    b.post(&format!("/catalog/drafts/{id}/publish"), &[("csrf", &csrf)]).await;
    let evil = with_cell(&products, 2, "name_zh", "<script>alert('油')</script>");
    let id = draft_of(&b.upload(&csrf, &[("products.csv", evil)], None).await);
    let p = b.post(&format!("/catalog/drafts/{id}/publish"), &[("csrf", &csrf)]).await;
    assert_eq!(p.location.as_deref(), Some("/catalog/versions/2"), "{}", p.body);
    let diff = b.get("/catalog/diff?a=1&b=2").await;
    assert!(diff.body.contains("&#60;script&#62;alert"), "{}", diff.body);
    assert!(!diff.body.contains("<script>alert"), "markup reached the page");
}
