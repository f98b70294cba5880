//! The parcel desk's rules, apart from any screen: what a scan means in the
//! chosen direction, which carrier it is (asking the keeper once per kind
//! of number when several fit), the weight the scale settled on, and the
//! record that counts it once. The desk page and the tests drive this.

use crate::peripherals::scale_driver::Weight;
use crate::peripherals::scanner::ScanText;
use crate::peripherals::waybill::{Carriers, Scan};
use crate::runtime::Handle;
use crate::store::StoreError;
use crate::store::parcels::{Logged, ParcelEntry};
use protocol::messages::ParcelDirection;

/// What the desk did with a scan or a tap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Counted.
    Counted { waybill: String, carrier: String, weight_g: Option<u32> },
    /// Already counted in this direction; not counted again.
    Again { waybill: String, scans: u32 },
    /// Several carriers (or none) fit: the keeper taps one.
    ChooseCarrier { waybill: String, candidates: Vec<String> },
    /// Not a waybill (a phone number, a product barcode, a sort code).
    NotWaybill(&'static str),
    /// A product trace code: show its trace page.
    Trace(String),
}

pub struct ParcelDesk {
    handle: Handle,
    carriers: Carriers,
    direction: ParcelDirection,
    weight: Option<Weight>,
    scale_id: Option<String>,
    /// The waybill waiting for the keeper's carrier.
    waiting: Option<String>,
}

impl ParcelDesk {
    pub fn new(handle: Handle, carriers: Carriers) -> ParcelDesk {
        ParcelDesk {
            handle,
            carriers,
            direction: ParcelDirection::In,
            weight: None,
            scale_id: None,
            waiting: None,
        }
    }

    pub fn direction(&self) -> ParcelDirection {
        self.direction
    }

    pub fn set_direction(&mut self, d: ParcelDirection) {
        self.direction = d;
        self.waiting = None;
    }

    /// The scale's latest word, and which scale (its by-id name, logged
    /// with each weight: trade scales are verified instruments).
    pub fn set_weight(&mut self, w: Weight, scale_id: &str) {
        self.weight = Some(w);
        self.scale_id = Some(scale_id.rsplit('/').next().unwrap_or(scale_id).to_owned());
    }

    pub fn weight(&self) -> Option<Weight> {
        self.weight
    }

    pub fn carriers(&self) -> &Carriers {
        &self.carriers
    }

    /// The waybill waiting for a carrier, if any.
    pub fn waiting(&self) -> Option<&str> {
        self.waiting.as_deref()
    }

    pub fn scan(&mut self, scan: &ScanText) -> Result<Outcome, StoreError> {
        let text = scan.text.trim();
        if scan.is_qr() || text.contains("://") {
            return Ok(Outcome::Trace(text.to_owned()));
        }
        match self.carriers.classify(text) {
            Scan::NotWaybill(why) => Ok(Outcome::NotWaybill(why)),
            Scan::Waybill { number, carriers } => {
                if let [(only, crate::peripherals::waybill::Confidence::High)] = carriers.as_slice() {
                    return self.count(number, only.clone());
                }
                if let Some(known) = self.handle.remembered_carrier(&number)? {
                    return self.count(number, known);
                }
                let candidates: Vec<String> = carriers.into_iter().map(|(c, _)| c).collect();
                self.waiting = Some(number.clone());
                Ok(Outcome::ChooseCarrier { waybill: number, candidates })
            }
        }
    }

    /// The keeper's tap on a carrier for the waiting waybill: remembered
    /// for numbers of its shape, then counted.
    pub fn choose_carrier(&mut self, carrier: &str) -> Result<Option<Outcome>, StoreError> {
        let Some(number) = self.waiting.take() else { return Ok(None) };
        self.handle.remember_carrier(&number, carrier)?;
        self.count(number, carrier.to_owned()).map(Some)
    }

    fn count(&mut self, waybill: String, carrier: String) -> Result<Outcome, StoreError> {
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
        Ok(match self.handle.record_parcel(&entry)? {
            Logged::New(_) => Outcome::Counted { waybill, carrier, weight_g },
            Logged::Again { scans, .. } => Outcome::Again { waybill, scans },
        })
    }
}
