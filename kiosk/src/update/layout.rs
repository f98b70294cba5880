//! The A/B layout on the appliance, and the boot counter that brings the
//! previous release back by itself:
//!
//! ```text
//! <root>/releases/<version>/kiosk          the release's executable
//! <root>/releases/<version>/release.json   its signed manifest
//! <root>/current -> releases/<version>     what the service starts
//! <root>/good    -> releases/<version>     the last release that confirmed itself healthy
//! <root>/boot.json                         the boot counter and the last update's result
//! ```
//!
//! Switching is one `rename` of a symlink, so a power cut leaves either the
//! old or the new link, never none. `boot.json` is written to a temporary
//! file, synced and renamed. The boot check runs before every start from
//! `good` (the unit's `ExecStartPre=<root>/good/kiosk --boot-check`), never
//! from the release on trial, so a release that cannot even start cannot
//! stop its own rollback.

use protocol::release::{ReleaseManifest, ReleaseVersion};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A release that has not confirmed itself healthy by its third start is
/// given up: two tries, then the previous one comes back.
pub const MAX_STARTS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Bad { path: PathBuf, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LayoutError + '_ {
    move |source| LayoutError::Io { path: path.to_owned(), source }
}

/// How the last update ended, as the staff page and the hub show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateResult {
    Running,
    RolledBack,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUpdate {
    pub version: ReleaseVersion,
    pub result: UpdateResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Unix ms.
    pub at: u64,
}

/// `boot.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootState {
    /// A release on trial: switched to, not yet confirmed healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trying: Option<ReleaseVersion>,
    /// Starts of the release on trial so far.
    #[serde(default)]
    pub starts: u32,
    /// What ran before the last switch (shown as "previous").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<ReleaseVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastUpdate>,
    /// Releases this kiosk gave up on (rolled back or refused): never tried again.
    #[serde(default)]
    pub given_up: Vec<ReleaseVersion>,
}

/// What the boot check did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootCheck {
    /// Nothing on trial.
    Normal,
    /// This start is the release's `n`th try.
    Trying { version: ReleaseVersion, start: u32 },
    /// The release on trial was given up and `current` points at `good` again.
    RolledBack { version: ReleaseVersion, to: Option<ReleaseVersion> },
}

#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn release_dir(&self, v: ReleaseVersion) -> PathBuf {
        self.root.join("releases").join(v.to_string())
    }

    /// The executable of an installed release.
    pub fn executable(&self, v: ReleaseVersion) -> PathBuf {
        self.release_dir(v).join("kiosk")
    }

    fn link(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The release a link (`current`, `good`) points at.
    fn points_at(&self, name: &str) -> Option<ReleaseVersion> {
        let target = std::fs::read_link(self.link(name)).ok()?;
        target.file_name()?.to_str()?.parse().ok()
    }

    /// What the service starts.
    pub fn current(&self) -> Option<ReleaseVersion> {
        self.points_at("current")
    }

    /// The last release that confirmed itself healthy.
    pub fn good(&self) -> Option<ReleaseVersion> {
        self.points_at("good")
    }

    /// Point `name` at release `v` in one rename.
    fn point(&self, name: &str, v: ReleaseVersion) -> Result<(), LayoutError> {
        let link = self.link(name);
        let tmp = self.root.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(Path::new("releases").join(v.to_string()), &tmp).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &link).map_err(io(&link))?;
        sync_dir(&self.root);
        Ok(())
    }

    pub fn is_installed(&self, v: ReleaseVersion) -> bool {
        self.executable(v).is_file() && self.release_dir(v).join("release.json").is_file()
    }

    pub fn manifest(&self, v: ReleaseVersion) -> Option<ReleaseManifest> {
        let text = std::fs::read(self.release_dir(v).join("release.json")).ok()?;
        serde_json::from_slice(&text).ok()
    }

    fn state_path(&self) -> PathBuf {
        self.root.join("boot.json")
    }

    /// `boot.json`, or the empty state where there is none yet.
    pub fn state(&self) -> Result<BootState, LayoutError> {
        let path = self.state_path();
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| LayoutError::Bad { path, message: e.to_string() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BootState::default()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    pub fn save(&self, state: &BootState) -> Result<(), LayoutError> {
        let path = self.state_path();
        let tmp = self.root.join(format!(".boot.json.tmp-{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(state).expect("boot state serialises");
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        sync_dir(&self.root);
        Ok(())
    }

    /// Put release `v` in its folder: `artifact` (already verified) as the
    /// executable, its manifest beside it. Written under temporary names and
    /// renamed, so a release folder with both files is always complete.
    pub fn install(&self, manifest: &ReleaseManifest, artifact: &Path) -> Result<(), LayoutError> {
        let dir = self.release_dir(manifest.version);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let exe = self.executable(manifest.version);
        let tmp = dir.join(".kiosk.tmp");
        std::fs::copy(artifact, &tmp).map_err(io(&tmp))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(io(&tmp))?;
            std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, &exe).map_err(io(&exe))?;
        let json = dir.join("release.json");
        let tmp = dir.join(".release.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(manifest).expect("manifest serialises"))
            .map_err(io(&tmp))?;
        std::fs::rename(&tmp, &json).map_err(io(&json))?;
        sync_dir(&dir);
        Ok(())
    }

    /// A new appliance: its first release installed, and both `current`
    /// and `good` pointing at it.
    pub fn install_first(&self, manifest: &ReleaseManifest, artifact: &Path) -> Result<(), LayoutError> {
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        self.install(manifest, artifact)?;
        self.point("current", manifest.version)?;
        self.point("good", manifest.version)
    }

    /// Start release `v` on trial: recorded first, then `current` switched,
    /// so a power cut between the two leaves the old release running and a
    /// trial the boot check clears.
    pub fn switch_to(&self, v: ReleaseVersion) -> Result<(), LayoutError> {
        let mut state = self.state()?;
        state.previous = self.current();
        state.trying = Some(v);
        state.starts = 0;
        self.save(&state)?;
        self.point("current", v)
    }

    /// Before each start (from `good`): count the start of a release on
    /// trial; past [`MAX_STARTS`], give it up and point `current` back.
    pub fn boot_check(&self, now_ms: u64) -> Result<BootCheck, LayoutError> {
        let mut state = self.state()?;
        let Some(v) = state.trying else { return Ok(BootCheck::Normal) };
        let current = self.current();
        if current != Some(v) {
            // The switch never happened (cut between the two writes), or a
            // rollback was cut after pointing back.
            state.trying = None;
            if state.starts > 0 {
                return self.gave_up(state, v, current, now_ms);
            }
            self.save(&state)?;
            return Ok(BootCheck::Normal);
        }
        state.starts += 1;
        if state.starts > MAX_STARTS {
            let to = self.good().filter(|g| *g != v).or(state.previous);
            if let Some(to) = to {
                self.point("current", to)?;
            }
            return self.gave_up(state, v, to, now_ms);
        }
        let start = state.starts;
        self.save(&state)?;
        Ok(BootCheck::Trying { version: v, start })
    }

    fn gave_up(
        &self,
        mut state: BootState,
        v: ReleaseVersion,
        to: Option<ReleaseVersion>,
        now_ms: u64,
    ) -> Result<BootCheck, LayoutError> {
        let back = to.map_or_else(|| "nothing to go back to".to_owned(), |t| format!("back on {t}"));
        state.trying = None;
        // What ran before the one running now: the release given up.
        state.previous = Some(v);
        state.last = Some(LastUpdate {
            version: v,
            result: UpdateResult::RolledBack,
            reason: Some(format!(
                "{v} did not confirm itself healthy in {MAX_STARTS} starts (it exited, hung or missed its deadline); {back}"
            )),
            at: now_ms,
        });
        if !state.given_up.contains(&v) {
            state.given_up.push(v);
        }
        self.save(&state)?;
        Ok(BootCheck::RolledBack { version: v, to })
    }

    /// The release on trial is healthy: it becomes `good`.
    pub fn confirm(&self, v: ReleaseVersion, now_ms: u64) -> Result<(), LayoutError> {
        let mut state = self.state()?;
        if state.trying != Some(v) {
            return Ok(());
        }
        self.point("good", v)?;
        state.trying = None;
        state.starts = 0;
        state.last = Some(LastUpdate { version: v, result: UpdateResult::Running, reason: None, at: now_ms });
        self.save(&state)
    }

    /// A release refused before it ran (bad signature, no room): noted so
    /// it is not fetched again, and shown as the last update's result.
    pub fn refuse(&self, v: ReleaseVersion, reason: &str, now_ms: u64) -> Result<(), LayoutError> {
        let mut state = self.state()?;
        state.last = Some(LastUpdate {
            version: v,
            result: UpdateResult::Failed,
            reason: Some(reason.to_owned()),
            at: now_ms,
        });
        if !state.given_up.contains(&v) {
            state.given_up.push(v);
        }
        self.save(&state)
    }

    /// Free bytes on the layout's file system.
    pub fn free_bytes(&self) -> Option<u64> {
        let s = rustix::fs::statvfs(&self.root).ok()?;
        Some(s.f_bavail.saturating_mul(s.f_frsize))
    }
}

/// Make renames in `dir` durable (a power cut after this keeps them).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    fn layout_with(versions: &[&str]) -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let l = Layout::new(dir.path());
        for s in versions {
            let m =
                ReleaseManifest { version: v(s), sha256: "0".repeat(64), size: 2, signature: String::new() };
            let a = dir.path().join("artifact");
            std::fs::write(&a, s).unwrap();
            l.install(&m, &a).unwrap();
        }
        l.point("current", v(versions[0])).unwrap();
        l.point("good", v(versions[0])).unwrap();
        (dir, l)
    }

    #[test]
    fn a_release_that_never_confirms_is_given_up_after_two_starts() {
        let (_d, l) = layout_with(&["1.0.0", "2.0.0"]);
        assert_eq!(l.boot_check(1).unwrap(), BootCheck::Normal);
        l.switch_to(v("2.0.0")).unwrap();
        assert_eq!(l.current(), Some(v("2.0.0")));
        assert_eq!(l.boot_check(2).unwrap(), BootCheck::Trying { version: v("2.0.0"), start: 1 });
        assert_eq!(l.boot_check(3).unwrap(), BootCheck::Trying { version: v("2.0.0"), start: 2 });
        assert_eq!(
            l.boot_check(4).unwrap(),
            BootCheck::RolledBack { version: v("2.0.0"), to: Some(v("1.0.0")) }
        );
        assert_eq!(l.current(), Some(v("1.0.0")));
        let s = l.state().unwrap();
        assert_eq!((s.trying, s.given_up.clone()), (None, vec![v("2.0.0")]));
        let last = s.last.unwrap();
        assert_eq!(last.result, UpdateResult::RolledBack);
        assert!(last.reason.unwrap().contains("back on 1.0.0"));
        assert_eq!(l.boot_check(5).unwrap(), BootCheck::Normal, "the old release starts as usual");
    }

    #[test]
    fn a_confirmed_release_becomes_good_and_stays() {
        let (_d, l) = layout_with(&["1.0.0", "2.0.0"]);
        l.switch_to(v("2.0.0")).unwrap();
        l.boot_check(1).unwrap();
        l.confirm(v("2.0.0"), 2).unwrap();
        assert_eq!((l.current(), l.good()), (Some(v("2.0.0")), Some(v("2.0.0"))));
        for t in 3..10 {
            assert_eq!(l.boot_check(t).unwrap(), BootCheck::Normal, "later restarts are not trials");
        }
        let s = l.state().unwrap();
        assert_eq!(s.previous, Some(v("1.0.0")));
        assert_eq!(s.last.unwrap().result, UpdateResult::Running);
    }

    #[test]
    fn a_power_cut_between_recording_and_switching_keeps_the_old_release() {
        let (_d, l) = layout_with(&["1.0.0", "2.0.0"]);
        let mut s = l.state().unwrap();
        s.trying = Some(v("2.0.0"));
        l.save(&s).unwrap(); // recorded, then the power went before the link moved
        assert_eq!(l.boot_check(1).unwrap(), BootCheck::Normal);
        assert_eq!(l.current(), Some(v("1.0.0")));
        assert_eq!(l.state().unwrap().trying, None);
    }
}
