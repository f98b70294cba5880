//! Village-station peripherals on serial ports: the parcel scale, waybill
//! numbers from the barcode scanner (and, to come, the scanner's framing and
//! the receipt printer).

pub mod scale;
pub mod waybill;
