//! The shipped sample catalog is complete and clean, and publishing it twice
//! makes one version.

use hub::blobs::BlobDir;
use hub::catalog::publish::{self, Target};
use hub::catalog::{Diagnostics, import};
use hub::store::{DataDir, writer::Writer};
use protocol::catalog::{Audience, CatalogItem, Category, CourseKind};
use std::path::PathBuf;

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng")
}

fn today() -> time::Date {
    time::macros::date!(2026 - 11 - 29)
}

#[test]
fn sample_catalog_has_no_errors_or_warnings_and_enough_content() {
    let mut diags = Diagnostics::default();
    let a = import(&sample_dir(), today(), &mut diags).expect("sample imports");
    let text: Vec<String> = diags.items.iter().map(ToString::to_string).collect();
    assert!(diags.items.is_empty(), "{}", text.join("\n"));
    let count = |f: &dyn Fn(&CatalogItem) -> bool| a.items.iter().filter(|i| f(i)).count();
    assert!(count(&|i| matches!(i, CatalogItem::Product(_))) >= 40);
    assert!(count(&|i| matches!(i, CatalogItem::Producer(_))) >= 10);
    assert!(count(&|i| matches!(i, CatalogItem::Batch(b) if !b.records.is_empty())) >= 20);
    for cat in Category::ALL {
        assert!(count(&|i| matches!(i, CatalogItem::Product(p) if p.category == cat)) >= 5, "{cat:?}");
    }
    // The centre's content (issue #19), with a session for each dedicated group.
    assert!(count(&|i| matches!(i, CatalogItem::Story(_))) >= 5);
    assert!(count(&|i| matches!(i, CatalogItem::Session(_))) >= 8);
    assert!(count(&|i| matches!(i, CatalogItem::Job(_))) >= 5);
    assert!(count(&|i| matches!(i, CatalogItem::News(_))) >= 5);
    for audience in Audience::ALL {
        assert!(
            count(&|i| matches!(i, CatalogItem::Course(c) if c.audience == audience)) >= 1,
            "{audience:?}"
        );
    }
    for kind in CourseKind::ALL {
        assert!(count(&|i| matches!(i, CatalogItem::Course(c) if c.kind == kind)) >= 1, "{kind:?}");
    }
    // Trace QR payloads: GS1 Digital Link with GTIN-14 and lot, or the county code.
    for i in &a.items {
        if let CatalogItem::Batch(b) = i {
            assert!(
                b.trace_uri.starts_with("https://trace.example.gov.cn/01/")
                    || b.trace_uri.starts_with("https://trace.example.gov.cn/t/421222"),
                "{}",
                b.trace_uri
            );
            assert!(b.trace_uri.len() < 80, "short enough for a small QR: {}", b.trace_uri);
        }
    }
    // The authoring file's phone numbers never reach the catalog unmasked.
    let json = serde_json::to_string(&a.items).unwrap();
    assert!(!json.contains("13871234501") && json.contains("138****4501"));
}

#[test]
fn publishing_the_same_folder_twice_makes_one_version() {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path()).unwrap();
    let w = Writer::start(&data).unwrap();
    let blobs = BlobDir::new(data.blobs());
    for expect_new in [true, false] {
        let mut diags = Diagnostics::default();
        let a = import(&sample_dir(), today(), &mut diags).unwrap();
        let b = blobs.clone();
        let p = w.exec_blocking(move |c| publish::publish(c, &b, &a, "sample", &Target::All, "")).unwrap();
        assert_eq!(p.version, 1);
        assert_eq!(p.new_version, expect_new);
    }
}
