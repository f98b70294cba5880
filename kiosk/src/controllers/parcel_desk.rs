//! The parcel desk's rules, apart from any screen: what a scan means in the
//! chosen direction, which carrier it is (asking the keeper once per kind
//! of number when several fit), the weight the scale settled on, the record
//! that counts it once, and what the desk page says about each and about
//! the serial devices.

use super::backend::ParcelBook;
use crate::peripherals::Report;
use crate::peripherals::printer::Paper;
use crate::peripherals::receipts::ParcelSlip;
use crate::peripherals::scale_driver::Weight;
use crate::peripherals::scanner::ScanText;
use crate::peripherals::serial::DeviceEvent;
use crate::peripherals::waybill::{Carriers, Confidence, NotWaybill, Scan};
use crate::store::StoreError;
use crate::store::parcels::{Logged, ParcelEntry};
use firmware_config::SerialKind;
use protocol::messages::ParcelDirection;
use std::collections::BTreeMap;

/// What the desk says after the keeper's last scan or tap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskNote {
    Counted {
        waybill: String,
        carrier: String,
        weight_g: Option<u32>,
    },
    /// Already counted in this direction; not counted again.
    Again {
        waybill: String,
        scans: u32,
    },
    /// Several carriers (or none) fit: the keeper taps one.
    AskCarrier {
        waybill: String,
        candidates: Vec<String>,
        others: Vec<String>,
    },
    NotWaybill(NotWaybill),
    /// A QR code or link that is no trace code of this county's catalog.
    NotTraceCode,
    /// The store failed (a full disk).
    NotRecorded,
    SlipSent,
    NoParcelYet,
    NoPrinter,
}

/// What a serial device last said of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceState {
    Connected,
    /// Gone or failing (its reason, as the driver put it).
    Lost(String),
    /// There, but unusable as configured.
    Fault(String),
    Paper(Paper),
    ScaleOffline,
}

impl DeviceState {
    pub fn fine(&self) -> bool {
        matches!(self, DeviceState::Connected | DeviceState::Paper(Paper::Ok))
    }
}

/// What a scan asks of the rest of the kiosk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanResult {
    /// Handled on the desk.
    Done,
    /// A product's trace code (a QR or a link): its batch's trace page.
    TraceCode(String),
}

pub struct ParcelDesk {
    carriers: Carriers,
    direction: ParcelDirection,
    weight: Option<Weight>,
    scale_id: Option<String>,
    /// The waybill waiting for the keeper's carrier.
    waiting: Option<String>,
    pub note: Option<DeskNote>,
    /// Each device's last word, by its configured path.
    devices: BTreeMap<String, (SerialKind, DeviceState)>,
    /// The last parcel counted, for its slip.
    last: Option<ParcelSlip>,
}

impl Default for ParcelDesk {
    fn default() -> Self {
        ParcelDesk::new(Carriers::shipped())
    }
}

impl ParcelDesk {
    pub fn new(carriers: Carriers) -> ParcelDesk {
        ParcelDesk {
            carriers,
            direction: ParcelDirection::In,
            weight: None,
            scale_id: None,
            waiting: None,
            note: None,
            devices: BTreeMap::new(),
            last: None,
        }
    }

    pub fn direction(&self) -> ParcelDirection {
        self.direction
    }

    pub fn set_direction(&mut self, d: ParcelDirection) {
        self.direction = d;
        self.waiting = None;
        self.note = None;
    }

    pub fn weight(&self) -> Option<Weight> {
        self.weight
    }

    /// Each device's state, by path.
    pub fn devices(&self) -> impl Iterator<Item = (&SerialKind, &DeviceState)> {
        self.devices.values().map(|(k, s)| (k, s))
    }

    /// The waybill waiting for a carrier, if any.
    pub fn waiting(&self) -> Option<&str> {
        self.waiting.as_deref()
    }

    /// A serial device's report: kept for the page; a weight is kept for the
    /// next parcel. A scan is returned for [`ParcelDesk::scan`] (on the desk
    /// page) or the trace page (anywhere).
    pub fn report(&mut self, r: Report) -> Option<ScanText> {
        let state = match &r.event {
            DeviceEvent::Connected => Some(DeviceState::Connected),
            DeviceEvent::Lost(why) => Some(DeviceState::Lost(why.clone())),
            DeviceEvent::Fault(why) => Some(DeviceState::Fault(why.clone())),
            DeviceEvent::Paper(p) => Some(DeviceState::Paper(*p)),
            DeviceEvent::Weight(Weight::Offline) => Some(DeviceState::ScaleOffline),
            DeviceEvent::Weight(_) => Some(DeviceState::Connected),
            // Scanning or printing: there, and fine unless said otherwise.
            DeviceEvent::Scan(_) | DeviceEvent::Printed(_) => {
                (!self.devices.contains_key(&r.path)).then_some(DeviceState::Connected)
            }
        };
        if let Some(state) = state {
            self.devices.insert(r.path.clone(), (r.kind, state));
        }
        match r.event {
            DeviceEvent::Scan(scan) => Some(scan),
            DeviceEvent::Weight(w) => {
                self.weight = Some(w);
                // The scale's by-id name goes with each weight: trade scales
                // are verified instruments.
                self.scale_id = Some(r.path.rsplit('/').next().unwrap_or(&r.path).to_owned());
                None
            }
            _ => None,
        }
    }

    /// A scan at the desk.
    pub fn scan(&mut self, book: &dyn ParcelBook, scan: &ScanText) -> ScanResult {
        let text = scan.text.trim();
        if scan.is_qr() || text.contains("://") {
            return ScanResult::TraceCode(text.to_owned());
        }
        let r = match self.carriers.classify(text) {
            Scan::NotWaybill(what) => Ok(DeskNote::NotWaybill(what)),
            Scan::Waybill { number, carriers } => {
                if let [(only, Confidence::High)] = carriers.as_slice() {
                    self.count(book, number, only.clone())
                } else {
                    match book.remembered_carrier(&number) {
                        Ok(Some(known)) => self.count(book, number, known),
                        Ok(None) => {
                            let candidates: Vec<String> = carriers.into_iter().map(|(c, _)| c).collect();
                            let others = self
                                .carriers
                                .names()
                                .into_iter()
                                .filter(|c| !candidates.contains(c))
                                .collect();
                            self.waiting = Some(number.clone());
                            Ok(DeskNote::AskCarrier { waybill: number, candidates, others })
                        }
                        Err(e) => Err(e),
                    }
                }
            }
        };
        self.note = Some(Self::or_not_recorded(r));
        ScanResult::Done
    }

    /// A trace code scanned on the desk that the catalog does not know.
    pub fn not_a_trace_code(&mut self) {
        self.note = Some(DeskNote::NotTraceCode);
    }

    /// The keeper's tap on a carrier for the waiting waybill: remembered
    /// for numbers of its shape, then counted.
    pub fn choose_carrier(&mut self, book: &dyn ParcelBook, carrier: &str) {
        let Some(number) = self.waiting.take() else { return };
        let r = book
            .remember_carrier(&number, carrier)
            .and_then(|()| self.count(book, number, carrier.to_owned()));
        self.note = Some(Self::or_not_recorded(r));
    }

    fn or_not_recorded(r: Result<DeskNote, StoreError>) -> DeskNote {
        r.unwrap_or_else(|e| {
            tracing::error!(error = %e, "parcel not recorded");
            DeskNote::NotRecorded
        })
    }

    fn count(
        &mut self,
        book: &dyn ParcelBook,
        waybill: String,
        carrier: String,
    ) -> Result<DeskNote, StoreError> {
        self.waiting = None;
        // Weights matter for what leaves and arrives, not for a pick-up.
        let weight_g = match (self.direction, self.weight) {
            (ParcelDirection::PickUp, _) => None,
            (_, Some(Weight::Settled(g))) => u32::try_from(g).ok(),
            _ => None,
        };
        let entry = ParcelEntry {
            waybill: waybill.clone(),
            direction: self.direction,
            carrier: carrier.clone(),
            weight_g,
            scale_id: weight_g.and(self.scale_id.clone()),
        };
        Ok(match book.record_parcel(&entry)? {
            Logged::New(_) => {
                self.last = Some(ParcelSlip {
                    station: String::new(),
                    what: crate::peripherals::receipts::direction_label(self.direction).into(),
                    waybill: waybill.clone(),
                    carrier: carrier.clone(),
                    weight_g,
                    at: protocol::county_time::minute_text(crate::store::now_ms() as i64),
                });
                DeskNote::Counted { waybill, carrier, weight_g }
            }
            Logged::Again { scans, .. } => DeskNote::Again { waybill, scans },
        })
    }

    /// The last parcel's slip for `station`, or why there is none.
    pub fn slip(&mut self, station: &str, printer: bool) -> Option<ParcelSlip> {
        let slip = match (&self.last, printer) {
            (None, _) => {
                self.note = Some(DeskNote::NoParcelYet);
                return None;
            }
            (_, false) => {
                self.note = Some(DeskNote::NoPrinter);
                return None;
            }
            (Some(slip), true) => ParcelSlip { station: station.to_owned(), ..slip.clone() },
        };
        self.note = Some(DeskNote::SlipSent);
        Some(slip)
    }
}

/// A weight for people: `1.235 kg`.
pub fn kg(g: i64) -> String {
    format!("{}.{:03} kg", g / 1000, (g % 1000).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::backend::fake::FakeBackend;

    fn scan(text: &str) -> ScanText {
        ScanText { text: text.into(), symbology: None }
    }

    fn report(kind: SerialKind, path: &str, event: DeviceEvent) -> Report {
        Report { kind, path: path.into(), event }
    }

    #[test]
    fn each_scan_is_counted_once_with_the_settled_weight() {
        let book = FakeBackend::default();
        let mut desk = ParcelDesk::default();
        desk.set_direction(ParcelDirection::Out);
        let scale = "/dev/serial/by-id/usb-scale";
        desk.report(report(SerialKind::Scale, scale, DeviceEvent::Weight(Weight::Settled(1_235))));
        assert_eq!(desk.scan(&book, &scan("SF1234567890123")), ScanResult::Done);
        let counted = DeskNote::Counted {
            waybill: "SF1234567890123".into(),
            carrier: "顺丰".into(),
            weight_g: Some(1_235),
        };
        assert_eq!(desk.note, Some(counted));
        assert_eq!(book.parcels.borrow()[0].scale_id.as_deref(), Some("usb-scale"));
        desk.scan(&book, &scan("SF1234567890123"));
        assert_eq!(desk.note, Some(DeskNote::Again { waybill: "SF1234567890123".into(), scans: 2 }));
        desk.scan(&book, &scan("13812345678"));
        assert_eq!(desk.note, Some(DeskNote::NotWaybill(NotWaybill::PhoneNumber)));
        assert_eq!(
            desk.scan(&book, &scan("https://trace.example/01/1")),
            ScanResult::TraceCode("https://trace.example/01/1".into())
        );
        let slip = desk.slip("station-1", true).expect("a slip for the last parcel");
        assert_eq!((slip.station.as_str(), slip.weight_g), ("station-1", Some(1_235)));
        assert_eq!(desk.slip("station-1", false), None);
        assert_eq!(desk.note, Some(DeskNote::NoPrinter));
    }

    #[test]
    fn an_ambiguous_number_asks_once_per_shape() {
        let book = FakeBackend::default();
        let mut desk = ParcelDesk::default();
        desk.scan(&book, &scan("462598779470531"));
        let Some(DeskNote::AskCarrier { candidates, others, .. }) = desk.note.clone() else {
            panic!("{:?}", desk.note)
        };
        assert!(!candidates.is_empty() && !others.iter().any(|o| candidates.contains(o)));
        desk.choose_carrier(&book, &candidates[0]);
        assert!(matches!(desk.note, Some(DeskNote::Counted { .. })), "{:?}", desk.note);
        desk.scan(&book, &scan("462598779470532"));
        assert!(matches!(desk.note, Some(DeskNote::Counted { .. })), "known by its shape: {:?}", desk.note);
    }

    #[test]
    fn devices_are_shown_by_their_last_word() {
        let mut desk = ParcelDesk::default();
        desk.report(report(SerialKind::Printer, "p", DeviceEvent::Paper(Paper::Out)));
        desk.report(report(SerialKind::Scale, "s", DeviceEvent::Weight(Weight::Offline)));
        let states: Vec<_> = desk.devices().map(|(k, s)| (*k, s.clone())).collect();
        assert_eq!(
            states,
            [
                (SerialKind::Printer, DeviceState::Paper(Paper::Out)),
                (SerialKind::Scale, DeviceState::ScaleOffline)
            ]
        );
        assert!(!states.iter().any(|(_, s)| s.fine()));
    }
}
