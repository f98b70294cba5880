//! Deltas between any two snapshots apply back to exactly the newer one, and
//! the manifest hash pins the result.

use proptest::prelude::*;
use protocol::catalog::*;

fn service(id: u8, price: Option<u64>, name: &str) -> CatalogItem {
    CatalogItem::Service(Service {
        id: format!("svc-{id}"),
        kind: if price.is_some() { ServiceKind::ValueAdded } else { ServiceKind::Free },
        name_zh: name.into(),
        name_en: String::new(),
        description_zh: String::new(),
        price_fen: price,
        price_unit_zh: "次".into(),
        is_complaint: false,
    })
}

fn snapshot(version: u64) -> impl Strategy<Value = Snapshot> {
    proptest::collection::btree_map(
        0u8..30,
        (proptest::option::of(0u64..100_000), "[政策咨询开店指导]{1,4}"),
        0..20,
    )
    .prop_map(move |m| {
        let items = m
            .into_iter()
            .map(|(id, (price, name))| VersionedItem { rev: version, item: service(id, price, &name) })
            .collect();
        Snapshot::new(version, items).unwrap()
    })
}

proptest! {
    #[test]
    fn delta_applies_to_the_newer_snapshot(a in snapshot(1), b in snapshot(2)) {
        let d = a.delta_to(&b);
        let got = a.apply(&d).unwrap();
        prop_assert_eq!(got.manifest_sha256(), b.manifest_sha256());
        prop_assert_eq!(&got, &b);
        // A document survives compression.
        let doc = Document::Delta(d.clone());
        prop_assert_eq!(Document::from_bytes(&doc.to_bytes()).unwrap(), doc);
        // A delta never applies to another base.
        prop_assert!(b.apply(&d).is_err());
    }
}

#[test]
fn a_one_item_change_is_a_one_item_delta() {
    let a =
        Snapshot::new(1, (0..10).map(|i| VersionedItem { rev: 1, item: service(i, None, "咨询") }).collect())
            .unwrap();
    let mut items = a.items.clone();
    items[3] = VersionedItem { rev: 2, item: service(3, Some(500), "拍摄") };
    let b = Snapshot::new(2, items).unwrap();
    let d = a.delta_to(&b);
    assert_eq!(d.upserts.len(), 1);
    assert!(d.deletes.is_empty());
    assert_ne!(a.manifest_sha256(), b.manifest_sha256());
}

#[test]
fn corrupt_documents_are_refused() {
    assert!(Document::from_bytes(b"not gzip").is_err());
    let bytes = Document::Snapshot(Snapshot::new(1, vec![]).unwrap()).to_bytes();
    assert!(Document::from_bytes(&bytes[..bytes.len() - 4]).is_err());
}

#[test]
fn duplicate_keys_are_refused() {
    let i = VersionedItem { rev: 1, item: service(1, None, "x") };
    assert!(matches!(Snapshot::new(1, vec![i.clone(), i]), Err(CatalogDocError::Duplicate(_))));
}
