//! Reads ESC/POS bytes back into commands, for tests and for looking at
//! what a printer was sent: text decoded from GB18030, QR data, images. It
//! knows the commands [`crate::escpos`] writes and refuses anything else, so
//! a test cannot pass over bytes nobody understands.

use crate::escpos::{Bitmap, DLE, ESC, FS, GS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Init,
    ChineseMode(bool),
    Align(u8),
    Bold(bool),
    Size(u8),
    /// A printed line (its line feed taken off).
    Text(String),
    Feed(u8),
    QrModel(u8),
    QrModule(u8),
    QrErrorCorrection(u8),
    /// What the printer will encode into the QR code.
    QrStore(Vec<u8>),
    QrPrint,
    Raster {
        row_bytes: usize,
        height: usize,
        data: Vec<u8>,
    },
    Cut(u8),
    StatusQuery(u8),
}

impl Cmd {
    /// The image of a `Raster` command.
    pub fn bitmap(&self) -> Option<Bitmap> {
        match self {
            Cmd::Raster { row_bytes, height, data } => {
                Some(Bitmap { row_bytes: *row_bytes, height: *height, data: data.clone() })
            }
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("byte {at}: unknown command {bytes:02X?}")]
    Unknown { at: usize, bytes: Vec<u8> },
    #[error("byte {at}: command cut short")]
    Truncated { at: usize },
    #[error("byte {at}: text is not GB18030")]
    BadText { at: usize },
}

/// Every command in `bytes`, in order.
pub fn decode(bytes: &[u8]) -> Result<Vec<Cmd>, DecodeError> {
    let mut out = Vec::new();
    let mut i = 0;
    let need = |i: usize, n: usize| {
        if i + n <= bytes.len() { Ok(()) } else { Err(DecodeError::Truncated { at: i }) }
    };
    while i < bytes.len() {
        let at = i;
        let unknown =
            |len: usize| DecodeError::Unknown { at, bytes: bytes[at..(at + len).min(bytes.len())].to_vec() };
        match bytes[i] {
            ESC => {
                need(i, 2)?;
                let (cmd, len) = match bytes[i + 1] {
                    b'@' => (Cmd::Init, 2),
                    b'a' | b'E' | b'd' => {
                        need(i, 3)?;
                        let n = bytes[i + 2];
                        let cmd = match bytes[i + 1] {
                            b'a' => Cmd::Align(n),
                            b'E' => Cmd::Bold(n & 1 == 1),
                            _ => Cmd::Feed(n),
                        };
                        (cmd, 3)
                    }
                    _ => return Err(unknown(2)),
                };
                out.push(cmd);
                i += len;
            }
            FS => {
                need(i, 2)?;
                out.push(match bytes[i + 1] {
                    b'&' => Cmd::ChineseMode(true),
                    b'.' => Cmd::ChineseMode(false),
                    _ => return Err(unknown(2)),
                });
                i += 2;
            }
            DLE => {
                need(i, 3)?;
                if bytes[i + 1] != 0x04 {
                    return Err(unknown(3));
                }
                out.push(Cmd::StatusQuery(bytes[i + 2]));
                i += 3;
            }
            GS => {
                need(i, 3)?;
                match bytes[i + 1] {
                    b'!' => {
                        out.push(Cmd::Size(bytes[i + 2]));
                        i += 3;
                    }
                    b'V' => {
                        // `GS V m` or `GS V 0x41/0x42 n` (feed, then cut).
                        let m = bytes[i + 2];
                        let len = if m >= 0x41 { 4 } else { 3 };
                        need(i, len)?;
                        out.push(Cmd::Cut(m));
                        i += len;
                    }
                    b'(' if bytes[i + 2] == b'k' => {
                        need(i, 8)?;
                        let p = usize::from(bytes[i + 3]) | usize::from(bytes[i + 4]) << 8;
                        need(i + 5, p)?;
                        let body = &bytes[i + 5..i + 5 + p];
                        out.push(match body {
                            [0x31, 0x41, n, _] => Cmd::QrModel(*n),
                            [0x31, 0x43, n] => Cmd::QrModule(*n),
                            [0x31, 0x45, n] => Cmd::QrErrorCorrection(*n),
                            [0x31, 0x50, 0x30, data @ ..] => Cmd::QrStore(data.to_vec()),
                            [0x31, 0x51, 0x30] => Cmd::QrPrint,
                            _ => return Err(unknown(5 + p)),
                        });
                        i += 5 + p;
                    }
                    b'v' if bytes[i + 2] == b'0' => {
                        need(i, 8)?;
                        let row_bytes = usize::from(bytes[i + 4]) | usize::from(bytes[i + 5]) << 8;
                        let height = usize::from(bytes[i + 6]) | usize::from(bytes[i + 7]) << 8;
                        let n = row_bytes * height;
                        need(i + 8, n)?;
                        out.push(Cmd::Raster { row_bytes, height, data: bytes[i + 8..i + 8 + n].to_vec() });
                        i += 8 + n;
                    }
                    _ => return Err(unknown(3)),
                }
            }
            b'\n' => {
                out.push(Cmd::Text(String::new()));
                i += 1;
            }
            b if b >= 0x20 => {
                let end = bytes[i..].iter().position(|b| *b < 0x20).map_or(bytes.len(), |p| i + p);
                let (text, _, bad) = encoding_rs::GB18030.decode(&bytes[i..end]);
                if bad {
                    return Err(DecodeError::BadText { at });
                }
                if bytes.get(end) != Some(&b'\n') {
                    return Err(DecodeError::Truncated { at: end });
                }
                out.push(Cmd::Text(text.into_owned()));
                i = end + 1;
            }
            _ => return Err(unknown(1)),
        }
    }
    Ok(out)
}

/// The printed text lines, in order (images and codes left out).
pub fn text_lines(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The data of every native QR code.
pub fn qr_codes(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::QrStore(d) => Some(String::from_utf8_lossy(d).into_owned()),
            _ => None,
        })
        .collect()
}
