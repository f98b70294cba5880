//! The catalog check, one file at a time: the first byte picks which file of
//! the sample catalog the rest replaces. Whatever staff type or Excel saves,
//! the check ends with either a catalog or errors that say why (never
//! neither), and every line number it gives lies inside the file.
#![no_main]

use hub::catalog::import::TABLE_FILES;
use hub::catalog::{Diagnostics, import};
use libfuzzer_sys::fuzz_target;
use tongcheng_fuzz::{line_count, scratch_catalog};

fuzz_target!(|data: &[u8]| {
    let Some((&which, content)) = data.split_first() else { return };
    // catalog.toml, then each table in the order the check reads them.
    let which = usize::from(which) % (TABLE_FILES.len() + 1);
    let name = if which == 0 { "catalog.toml" } else { TABLE_FILES[which - 1] };
    let dir = scratch_catalog();
    let path = dir.join(name);
    let original = std::fs::read(&path).expect("the scratch catalog's file");
    std::fs::write(&path, content).expect("writing the fuzzed file");

    let today = time::macros::date!(2026 - 12 - 01);
    let mut diags = Diagnostics::default();
    let authored = import(dir, today, &mut diags);
    std::fs::write(&path, &original).expect("putting the file back");

    assert_eq!(
        authored.is_some(),
        !diags.has_errors(),
        "a catalog must be refused exactly when there is an error: {:?}",
        diags.items
    );
    let lines = line_count(content);
    for d in diags.items.iter().filter(|d| d.file.ends_with(name)) {
        if let Some(line) = d.line {
            assert!(
                line >= 1 && line <= lines,
                "{name} has {lines} lines, but a finding names line {line}: {d}"
            );
        }
    }
});
