//! Image files named by a catalog: existence, format, integrity and size.

use protocol::catalog::BlobRef;
use std::path::Path;

pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
pub const MAX_SIDE: u32 = 4096;
pub const MIN_SIDE: u32 = 64;

/// An image ready to be stored as a blob.
#[derive(Clone, Debug)]
pub struct ImageFile {
    pub blob: BlobRef,
    pub bytes: Vec<u8>,
}

/// Load and check `images/<name>`: PNG or JPEG, complete, within limits.
pub fn load(dir: &Path, name: &str) -> Result<ImageFile, String> {
    if name.contains("..") || name.starts_with('/') || name.contains('\\') {
        return Err(format!("image name {name:?} must be a file inside images/"));
    }
    let path = dir.join("images").join(name);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("image images/{name} does not exist"),
        _ => format!("image images/{name} cannot be read: {e}"),
    })?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "image images/{name} is {} KiB; the limit is {} KiB",
            bytes.len() / 1024,
            MAX_BYTES / 1024
        ));
    }
    let (media_type, complete) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("image/png", bytes.ends_with(b"IEND\xAE\x42\x60\x82"))
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        ("image/jpeg", bytes.ends_with(b"\xFF\xD9"))
    } else {
        return Err(format!("image images/{name} is not a PNG or JPEG file"));
    };
    if !complete {
        return Err(format!("image images/{name} is truncated (its end marker is missing)"));
    }
    let size = imagesize::blob_size(&bytes).map_err(|e| format!("image images/{name} is corrupt: {e}"))?;
    let (w, h) = (size.width as u32, size.height as u32);
    if w > MAX_SIDE || h > MAX_SIDE || w < MIN_SIDE || h < MIN_SIDE {
        return Err(format!(
            "image images/{name} is {w}×{h} pixels; each side must be {MIN_SIDE}–{MAX_SIDE}"
        ));
    }
    let blob = BlobRef {
        sha256: protocol::sha256_hex(&bytes),
        size: bytes.len() as u64,
        media_type: media_type.to_owned(),
        width: w,
        height: h,
    };
    Ok(ImageFile { blob, bytes })
}
