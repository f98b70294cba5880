#!/usr/bin/env bash
# Mixed versions with real binaries (issue #18): build the previous
# release's `hub` and fleet simulator from its commit, then run
# tests/tests/previous_release.rs against them — the previous kiosk with
# this hub, and this kiosk with the previous hub.
#
#   tests/compat/previous-release.sh            # the commit in tests/compat/PREVIOUS
#   tests/compat/previous-release.sh <commit>   # another one
#
# The build goes to target/previous/<commit>/ (its own target folder, so
# nothing of this build is overwritten) and is reused by later runs.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$root" rev-parse "${1:-$(cat "$root/tests/compat/PREVIOUS")}")
out="$root/target/previous/$commit"
if [[ ! -x "$out/bin/kiosk-sim" || ! -x "$out/bin/hub-e2e" ]]; then
  rm -rf "$out/src"
  mkdir -p "$out/src" "$out/bin"
  git -C "$root" archive "$commit" | tar -x -C "$out/src"
  cargo build --locked --manifest-path "$out/src/Cargo.toml" --target-dir "$out/target" \
    -p e2e --bin hub-e2e --bin kiosk-sim
  cp "$out/target/debug/hub-e2e" "$out/target/debug/kiosk-sim" "$out/bin/"
fi
cd "$root"
KH_PREVIOUS_BIN="$out/bin" cargo test --locked -p e2e --test previous_release -- --ignored
