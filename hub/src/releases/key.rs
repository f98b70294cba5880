//! The county's release key: made once (`hub fleet release-key`), its
//! private half in a 0600 PKCS#8 file kept offline or on the hub, its public
//! half in `<data>/release.pub` (what `hub release add` checks) and in every
//! kiosk's `kiosk.toml` (what the kiosk checks again before installing).

use super::ReleaseError;
use protocol::release::{self, ReleaseManifest, ReleaseVersion};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the hub keeps the public half.
pub fn public_key_path(data: &Path) -> PathBuf {
    data.join("release.pub")
}

/// The public half the hub checks releases with.
pub fn public_key(data: &Path) -> Result<[u8; release::PUBLIC_KEY_LEN], ReleaseError> {
    let path = public_key_path(data);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReleaseError::NoKey(path.clone()),
        _ => ReleaseError::Io { path: path.clone(), source: e },
    })?;
    release::parse_public_key(&text).map_err(|e| ReleaseError::Bad(format!("{}: {e}", path.display())))
}

/// Make a key pair: the private half to `out` (0600, never overwritten),
/// the public half to the hub's data folder. Returns the public half (hex).
/// An existing public key is replaced only with `rotate`.
pub fn make(out: &Path, data: &Path, rotate: bool) -> Result<String, ReleaseError> {
    let pub_path = public_key_path(data);
    if pub_path.exists() && !rotate {
        let old = std::fs::read_to_string(&pub_path).unwrap_or_default();
        return Err(ReleaseError::Bad(format!(
            "a release key exists (public half {}); --rotate replaces it, and every kiosk then needs the new public half in kiosk.toml",
            old.trim()
        )));
    }
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 =
        Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| ReleaseError::Bad("no randomness".into()))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| ReleaseError::Bad("key".into()))?;
    let public = hex::encode(pair.public_key().as_ref());
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ReleaseError::Io { path, source }
    };
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
            .map_err(io(out))?;
        f.write_all(pkcs8.as_ref()).map_err(io(out))?;
        f.sync_all().map_err(io(out))?;
    }
    std::fs::write(&pub_path, format!("{public}\n")).map_err(io(&pub_path))?;
    Ok(public)
}

/// Sign `artifact` as release `version` with the private half at `key`.
pub fn sign(artifact: &Path, version: ReleaseVersion, key: &Path) -> Result<ReleaseManifest, ReleaseError> {
    let pkcs8 = std::fs::read(key).map_err(|source| ReleaseError::Io { path: key.to_owned(), source })?;
    let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map_err(|_| ReleaseError::Bad(format!("{} is not an Ed25519 release key", key.display())))?;
    let bytes =
        std::fs::read(artifact).map_err(|source| ReleaseError::Io { path: artifact.to_owned(), source })?;
    let sha256 = protocol::sha256_hex(&bytes);
    let size = bytes.len() as u64;
    let signature = hex::encode(pair.sign(&release::signed_bytes(version, &sha256, size)).as_ref());
    Ok(ReleaseManifest { version, sha256, size, signature })
}
