//! The bytes a village station's devices send and take, without the ports:
//! what a serial scanner sends ([`scanner`]), the frames of the common
//! parcel scales ([`scale`]), which carrier a waybill number belongs to
//! ([`waybill`]), and ESC/POS receipts written ([`escpos`]) and read back
//! ([`escpos_decode`]).
//!
//! Everything here takes bytes or text and returns values: the kiosk's
//! device threads (`kiosk::peripherals`) do the I/O. Keeping these out of
//! the kiosk crate lets their tests and the fuzz targets (`fuzz/`) build
//! without Slint.

pub mod escpos;
pub mod escpos_decode;
pub mod scale;
pub mod scanner;
pub mod waybill;
