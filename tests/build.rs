//! Which outside tools this machine has: a test that needs a missing one is
//! compiled `#[ignore]` (see `src/tools.rs`), so the summary shows it.

#[allow(dead_code)] // the tests' half of the module
#[path = "src/tools.rs"]
mod tools;

fn main() {
    println!("cargo::rerun-if-changed=src/tools.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    // Installing a tool changes its folder: look again then.
    for dir in tools::search_dirs().iter().filter(|d| d.is_dir()) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    for tool in tools::TOOLS {
        println!("cargo::rustc-check-cfg=cfg(kh_no_{})", tool.name);
        println!("cargo::rerun-if-env-changed={}", tool.require_var);
        let missing: Vec<&str> = tool.programs.iter().copied().filter(|p| tools::find(p).is_none()).collect();
        if missing.is_empty() || tools::switch(tool.require_var) {
            continue;
        }
        println!("cargo::rustc-cfg=kh_no_{}", tool.name);
        println!(
            "cargo::warning={} not installed: the tests that need it are ignored ({})",
            missing.join(", "),
            tool.install
        );
    }
}
