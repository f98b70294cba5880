//! `DeskAdapter`: the parcel desk (station, behind the staff PIN): the
//! direction, the scale's weight, what the last scan did, the carrier
//! buttons when the keeper is asked, today's counts and each device.

use super::model;
use super::staff::device_kind;
use crate::controllers::parcel_desk::{DeskNote, DeviceState, kg};
use crate::controllers::screens::{Dirty, Screens};
use crate::peripherals::printer::Paper;
use crate::peripherals::scale_driver::Weight;
use crate::peripherals::waybill::NotWaybill;
use crate::runtime::Handle;
use crate::ui::{AppWindow, DeskAdapter, DeskCount, DeviceKind, DeviceRow, Direction, Glue, WeightState};
use protocol::messages::ParcelDirection;
use slint::{ComponentHandle, SharedString};

pub fn connect(window: &AppWindow, glue: &Glue) {
    let a = window.global::<DeskAdapter>();
    let g = glue.clone();
    a.on_open_desk(move || g.act(|s, now| s.open_desk(now)));
    let g = glue.clone();
    a.on_set_direction(move |d| {
        let d = match d {
            Direction::Arrived => ParcelDirection::In,
            Direction::Sent => ParcelDirection::Out,
            Direction::Collected => ParcelDirection::PickUp,
        };
        g.act(|s, _| s.desk_direction(d))
    });
    let g = glue.clone();
    a.on_choose(move |carrier| g.act(|s, _| s.desk_choose(&carrier)));
    let g = glue.clone();
    a.on_print_slip(move || g.act(|s, _| s.print_slip()));
}

fn direction(d: ParcelDirection) -> Direction {
    match d {
        ParcelDirection::In => Direction::Arrived,
        ParcelDirection::Out => Direction::Sent,
        ParcelDirection::PickUp => Direction::Collected,
    }
}

fn strings(items: &[String]) -> slint::ModelRc<SharedString> {
    model(items.iter().map(SharedString::from).collect())
}

pub fn show(window: &AppWindow, screens: &Screens, runtime: &Handle, dirty: &Dirty) {
    if !dirty.desk {
        return;
    }
    let a = window.global::<DeskAdapter>();
    let desk = &screens.desk;
    a.set_direction(direction(desk.direction()));
    let (weight, state) = match desk.weight() {
        None => (String::new(), WeightState::None),
        Some(Weight::Offline) => (String::new(), WeightState::Offline),
        Some(Weight::Live(g)) => (kg(g), WeightState::Live),
        Some(Weight::Settled(g)) => (kg(g), WeightState::Settled),
    };
    a.set_weight(weight.into());
    a.set_weight_state(state);
    show_note(&a, desk.note.as_ref());

    let counts = runtime.parcels_today().unwrap_or_else(|e| {
        tracing::error!(error = %e, "today's parcels not read");
        Default::default()
    });
    let mut rows = Vec::new();
    for d in ParcelDirection::ALL {
        rows.push(DeskCount {
            direction: direction(d),
            total: true,
            carrier: SharedString::default(),
            count: counts.total(d) as i32,
        });
        for (_, carrier, n) in counts.rows.iter().filter(|(dir, _, _)| *dir == d) {
            rows.push(DeskCount {
                direction: direction(d),
                total: false,
                carrier: carrier.into(),
                count: *n as i32,
            });
        }
    }
    a.set_counts(model(rows));

    let mut devices: Vec<DeviceRow> = desk
        .devices()
        .map(|(kind, state)| {
            let (s, detail) = match state {
                DeviceState::Connected => (crate::ui::DeviceState::Connected, ""),
                DeviceState::Lost(why) => (crate::ui::DeviceState::Lost, why.as_str()),
                DeviceState::Fault(why) => (crate::ui::DeviceState::Fault, why.as_str()),
                DeviceState::Paper(Paper::Ok) => (crate::ui::DeviceState::PaperFine, ""),
                DeviceState::Paper(Paper::Low) => (crate::ui::DeviceState::PaperLow, ""),
                DeviceState::Paper(Paper::Out) => (crate::ui::DeviceState::PaperOut, ""),
                DeviceState::ScaleOffline => (crate::ui::DeviceState::ScaleOffline, ""),
            };
            DeviceRow { kind: device_kind(*kind), state: s, detail: detail.into(), ok: state.fine() }
        })
        .collect();
    if devices.is_empty() {
        devices.push(DeviceRow {
            kind: DeviceKind::None,
            state: crate::ui::DeviceState::NoneConfigured,
            detail: SharedString::default(),
            ok: false,
        });
    }
    a.set_devices(model(devices));
    a.set_can_print(screens.has_printer());
}

fn show_note(a: &DeskAdapter, note: Option<&DeskNote>) {
    use crate::ui::DeskNote as N;
    let (code, waybill, carrier, weight, scans) = match note {
        None => (N::Ready, "", "", String::new(), 0),
        Some(DeskNote::Counted { waybill, carrier, weight_g }) => (
            N::Counted,
            waybill.as_str(),
            carrier.as_str(),
            weight_g.map(|g| kg(i64::from(g))).unwrap_or_default(),
            0,
        ),
        Some(DeskNote::Again { waybill, scans }) => {
            (N::Again, waybill.as_str(), "", String::new(), *scans as i32)
        }
        Some(DeskNote::AskCarrier { waybill, .. }) => (N::AskCarrier, waybill.as_str(), "", String::new(), 0),
        Some(DeskNote::NotWaybill(NotWaybill::PhoneNumber)) => (N::PhoneNumber, "", "", String::new(), 0),
        Some(DeskNote::NotWaybill(NotWaybill::ProductBarcode)) => {
            (N::ProductBarcode, "", "", String::new(), 0)
        }
        Some(DeskNote::NotWaybill(NotWaybill::SortCode)) => (N::SortCode, "", "", String::new(), 0),
        Some(DeskNote::NotTraceCode) => (N::NotTraceCode, "", "", String::new(), 0),
        Some(DeskNote::NotRecorded) => (N::NotRecorded, "", "", String::new(), 0),
        Some(DeskNote::SlipSent) => (N::SlipSent, "", "", String::new(), 0),
        Some(DeskNote::NoParcelYet) => (N::NoParcelYet, "", "", String::new(), 0),
        Some(DeskNote::NoPrinter) => (N::NoPrinter, "", "", String::new(), 0),
    };
    a.set_note(code);
    a.set_note_waybill(waybill.into());
    a.set_note_carrier(carrier.into());
    a.set_note_weight(weight.into());
    a.set_note_scans(scans);
    match note {
        Some(DeskNote::AskCarrier { waybill, candidates, others }) => {
            a.set_choose_for(waybill.into());
            a.set_candidates(strings(candidates));
            a.set_other_carriers(strings(others));
        }
        _ => a.set_choose_for(SharedString::default()),
    }
}
