//! The outside programs some tests drive (Mosquitto, Xvfb, Chromium), where
//! they are found, and whether a missing one is allowed.
//!
//! Shared by the build script and the tests (`build.rs` includes this file).
//! The build script looks for each tool: when one is missing, the tests that
//! need it are compiled `#[ignore]` with the reason (`cfg(kh_no_<tool>)`),
//! so `cargo test`'s summary counts them as ignored instead of passing them
//! silently. With `KH_REQUIRE_<TOOL>=1` (CI) a missing tool is not allowed:
//! the tests are not ignored, and they fail.

use std::path::PathBuf;

/// A tool some tests need: the programs it is made of and how to get them.
pub struct Tool {
    /// The `cfg(kh_no_<name>)` set when it is missing.
    pub name: &'static str,
    /// `1` here makes its absence a failure.
    pub require_var: &'static str,
    pub programs: &'static [&'static str],
    pub install: &'static str,
}

pub const TOOLS: &[Tool] = &[
    Tool {
        name: "mosquitto",
        require_var: "KH_REQUIRE_MOSQUITTO",
        programs: &["mosquitto", "mosquitto_pub", "mosquitto_sub"],
        install: "apt-get install mosquitto mosquitto-clients",
    },
    Tool {
        name: "xvfb",
        require_var: "KH_REQUIRE_XVFB",
        programs: &["xvfb-run"],
        install: "apt-get install xvfb xauth",
    },
    Tool {
        name: "browser",
        require_var: "KH_REQUIRE_BROWSER",
        programs: &["chromium", "chromedriver"],
        install: "apt-get install chromium chromium-driver",
    },
];

/// Where programs are looked for: `PATH`, then the system folders (`sbin`,
/// where Debian puts `mosquitto`, is not on every user's `PATH`).
pub fn search_dirs() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    for d in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        if !dirs.iter().any(|x| x.as_os_str() == d) {
            dirs.push(PathBuf::from(d));
        }
    }
    dirs
}

/// A program's path, if it is installed.
pub fn find(program: &str) -> Option<PathBuf> {
    search_dirs().into_iter().map(|d| d.join(program)).find(|p| p.is_file())
}

/// A program a running test needs. Its absence at build time would have
/// ignored the test, so here it is a failure.
pub fn require(program: &str) -> PathBuf {
    find(program).unwrap_or_else(|| {
        let tool = TOOLS.iter().find(|t| t.programs.contains(&program));
        let how = tool.map_or("", |t| t.install);
        panic!("{program} is not installed ({how}); rebuild the tests to have them ignored instead")
    })
}

/// A yes/no switch from the environment: only `1` is yes; unset, empty or
/// `0` is no; anything else is refused, because `true` or `yes` once turned
/// a requirement off without a word.
pub fn switch(var: &str) -> bool {
    match std::env::var(var) {
        Ok(v) if v == "1" => true,
        Ok(v) if v.is_empty() || v == "0" => false,
        Err(std::env::VarError::NotPresent) => false,
        Ok(v) => panic!("{var}={v}: set it to 1, or leave it unset"),
        Err(e) => panic!("{var}: {e}"),
    }
}
