//! The parcel desk page (station, behind the staff PIN) and what the
//! serial devices report to the window: scans, the scale's weight, the
//! printer's paper. The rules are in [`crate::parcel_desk`]; this shows
//! them.

use super::{State, go, model};
use crate::parcel_desk::{Outcome, ParcelDesk};
use crate::peripherals::receipts::{ParcelSlip, parcel_slip};
use crate::peripherals::scale_driver::Weight;
use crate::peripherals::serial::DeviceEvent;
use crate::peripherals::waybill::Carriers;
use crate::peripherals::{Report, kind_name};
use crate::ui::browse::Lang;
use crate::ui::{AppWindow, CarrierRow, DeskAdapter, DeskCount, DiagRow, Nav};
use firmware_config::SerialKind;
use protocol::messages::ParcelDirection;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Carrier buttons per row: four fit a portrait screen.
const CARRIERS_PER_ROW: usize = 4;

/// The desk's own state in the window.
#[derive(Default)]
pub struct DeskState {
    desk: Option<ParcelDesk>,
    /// Each device's last word, by path: (kind, text, fine).
    devices: BTreeMap<String, (SerialKind, String, bool)>,
    /// The last parcel counted, for its slip.
    last: Option<ParcelSlip>,
    printer: Option<crate::peripherals::printer::PrintQueue>,
}

impl DeskState {
    pub fn set_printer(&mut self, q: Option<crate::peripherals::printer::PrintQueue>) {
        self.printer = q;
    }

    pub fn printer(&self) -> Option<&crate::peripherals::printer::PrintQueue> {
        self.printer.as_ref()
    }
}

fn zh(s: &Rc<RefCell<State>>) -> bool {
    s.borrow().lang == Lang::Zh
}

fn t(zh: bool, a: &str, b: &str) -> String {
    if zh { a.to_owned() } else { b.to_owned() }
}

pub(super) fn direction_label(d: ParcelDirection, zh: bool) -> String {
    match d {
        ParcelDirection::In => t(zh, "到件入站", "Arrived"),
        ParcelDirection::Out => t(zh, "寄件出站", "Sent out"),
        ParcelDirection::PickUp => t(zh, "村民取件", "Collected"),
    }
}

/// The desk for this window's runtime, made on first use.
fn with_desk<R>(s: &Rc<RefCell<State>>, f: impl FnOnce(&mut ParcelDesk) -> R) -> Option<R> {
    let mut st = s.borrow_mut();
    if st.desk.desk.is_none() {
        let handle = st.recorder.clone()?;
        st.desk.desk = Some(ParcelDesk::new(handle, Carriers::shipped()));
    }
    st.desk.desk.as_mut().map(f)
}

pub(super) fn open(w: &AppWindow, s: &Rc<RefCell<State>>) {
    if !s.borrow().station {
        return;
    }
    with_desk(s, |_| ());
    refresh(w, s);
    go(w, s, "desk", true);
}

pub(super) fn set_direction(w: &AppWindow, s: &Rc<RefCell<State>>, name: &str) {
    let d = match name {
        "out" => ParcelDirection::Out,
        "pick_up" => ParcelDirection::PickUp,
        _ => ParcelDirection::In,
    };
    with_desk(s, |desk| desk.set_direction(d));
    let desk = w.global::<DeskAdapter>();
    desk.set_message("".into());
    desk.set_message_kind("".into());
    refresh(w, s);
}

/// A scan from the scanner: on the desk page it is a parcel; anywhere, a
/// product's trace code opens its trace page.
pub(super) fn scan(w: &AppWindow, s: &Rc<RefCell<State>>, scan: &crate::peripherals::scanner::ScanText) {
    let on_desk = w.global::<Nav>().get_page() == "desk";
    if !on_desk {
        if let Some(batch) = trace_batch(s, &scan.text) {
            super::open_batch(w, s, &batch);
        } else {
            tracing::info!("scan outside the parcel desk ignored");
        }
        return;
    }
    // Scanning is the keeper at work: the page stays open.
    w.global::<Nav>().invoke_poke();
    match with_desk(s, |desk| desk.scan(scan)) {
        Some(Ok(Outcome::Trace(text))) => match trace_batch(s, &text) {
            Some(batch) => super::open_batch(w, s, &batch),
            None => show(
                w,
                s,
                "bad",
                &t(zh(s), "不是快递面单，也不是本县产品溯源码", "Neither a waybill nor a county trace code"),
            ),
        },
        Some(r) => outcome(w, s, r),
        None => {}
    }
}

pub(super) fn choose(w: &AppWindow, s: &Rc<RefCell<State>>, carrier: &str) {
    if let Some(Some(r)) = with_desk(s, |desk| desk.choose_carrier(carrier).transpose()) {
        outcome(w, s, r);
    }
}

fn outcome(w: &AppWindow, s: &Rc<RefCell<State>>, r: Result<Outcome, crate::store::StoreError>) {
    let zh = zh(s);
    let desk = w.global::<DeskAdapter>();
    desk.set_choose_for("".into());
    match r {
        Err(e) => {
            tracing::error!(error = %e, "parcel not recorded");
            show(
                w,
                s,
                "bad",
                &t(zh, "未能登记，请联系县中心", "Not recorded; please call the county centre"),
            );
        }
        Ok(Outcome::Counted { waybill, carrier, weight_g }) => {
            let direction = with_desk(s, |d| d.direction()).unwrap_or(ParcelDirection::In);
            let weight = weight_g.map(|g| format!(" · {}", kg(i64::from(g)))).unwrap_or_default();
            let msg = format!("{} {waybill} · {carrier}{weight}", t(zh, "已登记", "Recorded"));
            let station = s.borrow().recorder.as_ref().map(|r| r.config().id.to_string()).unwrap_or_default();
            s.borrow_mut().desk.last = Some(ParcelSlip {
                station,
                what: match direction {
                    ParcelDirection::In => "到件",
                    ParcelDirection::Out => "寄件",
                    ParcelDirection::PickUp => "取件",
                }
                .into(),
                waybill,
                carrier,
                weight_g,
                at: crate::ui::browse::county_time(crate::store::now_ms()),
            });
            show(w, s, "ok", &msg);
        }
        Ok(Outcome::Again { waybill, scans }) => {
            let msg = if zh {
                format!("{waybill} 已登记过（第 {scans} 次扫描），不重复计数")
            } else {
                format!("{waybill} was already recorded (scan {scans}); not counted again")
            };
            show(w, s, "again", &msg);
        }
        Ok(Outcome::ChooseCarrier { waybill, candidates }) => {
            let all = with_desk(s, |d| d.carriers().names()).unwrap_or_default();
            let others: Vec<String> = all.into_iter().filter(|c| !candidates.contains(c)).collect();
            desk.set_choose_for(waybill.clone().into());
            desk.set_candidates(model(candidates.into_iter().map(Into::into).collect()));
            let rows = others
                .chunks(CARRIERS_PER_ROW)
                .map(|c| CarrierRow { names: model(c.iter().map(|n| n.into()).collect()) })
                .collect();
            desk.set_other_carriers(model(rows));
            show(w, s, "ask", &format!("{} {waybill}", t(zh, "单号", "Waybill")));
        }
        Ok(Outcome::NotWaybill(why)) => {
            let what = match (why, zh) {
                ("phone number", true) => "这是手机号码",
                ("product barcode", true) => "这是商品条码",
                ("sort code", true) => "这是分拣三段码",
                (_, true) => "这不是快递单号",
                ("phone number", false) => "That is a phone number",
                ("product barcode", false) => "That is a product barcode",
                ("sort code", false) => "That is a sort code",
                _ => "That is not a waybill number",
            };
            show(
                w,
                s,
                "bad",
                &format!(
                    "{what}{}",
                    t(zh, "，请扫描面单上的运单号条码", "; scan the waybill number's barcode")
                ),
            );
        }
        Ok(Outcome::Trace(_)) => {}
    }
    refresh(w, s);
}

fn show(w: &AppWindow, _s: &Rc<RefCell<State>>, kind: &str, msg: &str) {
    let desk = w.global::<DeskAdapter>();
    desk.set_message(msg.into());
    desk.set_message_kind(kind.into());
}

/// The batch whose trace code this is (the URL printed on its label).
fn trace_batch(s: &Rc<RefCell<State>>, text: &str) -> Option<String> {
    let st = s.borrow();
    st.snap.as_ref()?.items.iter().find_map(|i| match &i.item {
        protocol::catalog::CatalogItem::Batch(b)
            if b.trace_uri.trim_end_matches('/') == text.trim_end_matches('/') =>
        {
            Some(b.id.clone())
        }
        _ => None,
    })
}

fn kg(g: i64) -> String {
    format!("{}.{:03} kg", g / 1000, (g % 1000).abs())
}

pub(super) fn print_slip(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let zh = zh(s);
    let (slip, printer) = {
        let st = s.borrow();
        (st.desk.last.clone(), st.desk.printer.clone())
    };
    match (slip, printer) {
        (Some(slip), Some(p)) => {
            p.print(parcel_slip(crate::peripherals::escpos::Profile::STATION_58MM, &slip));
            show(w, s, "ok", &t(zh, "凭条已发送到打印机", "Slip sent to the printer"));
        }
        (None, _) => show(w, s, "bad", &t(zh, "还没有登记包裹", "No parcel recorded yet")),
        (_, None) => show(w, s, "bad", &t(zh, "未接打印机", "No printer")),
    }
}

/// A device's report: kept for the page, and acted on.
pub(super) fn report(w: &AppWindow, s: &Rc<RefCell<State>>, r: Report) {
    let zh = zh(s);
    let line = match &r.event {
        DeviceEvent::Connected => Some((t(zh, "已连接", "connected"), true)),
        DeviceEvent::Lost(why) => Some((format!("{}: {why}", t(zh, "未连接", "not connected")), false)),
        DeviceEvent::Fault(why) => Some((why.clone(), false)),
        DeviceEvent::Paper(p) => Some(match p {
            crate::peripherals::printer::Paper::Ok => (t(zh, "纸张正常", "paper fine"), true),
            crate::peripherals::printer::Paper::Low => {
                (t(zh, "纸快用完，请备纸", "paper running low"), false)
            }
            crate::peripherals::printer::Paper::Out => (t(zh, "缺纸，请换纸", "out of paper"), false),
        }),
        DeviceEvent::Weight(Weight::Offline) => Some((t(zh, "电子秤离线", "scale offline"), false)),
        DeviceEvent::Weight(_) => Some((t(zh, "已连接", "connected"), true)),
        // Scanning or printing: there, and fine unless said otherwise.
        DeviceEvent::Scan(_) | DeviceEvent::Printed(_) => {
            (!s.borrow().desk.devices.contains_key(&r.path)).then(|| (t(zh, "已连接", "connected"), true))
        }
    };
    if let Some((text, ok)) = line {
        s.borrow_mut().desk.devices.insert(r.path.clone(), (r.kind, text, ok));
    }
    match r.event {
        DeviceEvent::Scan(scanned) => scan(w, s, &scanned),
        DeviceEvent::Weight(weight) => {
            with_desk(s, |d| d.set_weight(weight, &r.path));
            show_weight(w, s);
        }
        _ => show_devices(w, s),
    }
}

fn show_weight(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let weight = with_desk(s, |d| d.weight()).flatten();
    let desk = w.global::<DeskAdapter>();
    let (text, state) = match weight {
        None => (String::new(), "none"),
        Some(Weight::Offline) => (String::new(), "offline"),
        Some(Weight::Live(g)) => (kg(g), "live"),
        Some(Weight::Settled(g)) => (kg(g), "settled"),
    };
    desk.set_weight(text.into());
    desk.set_weight_state(state.into());
}

fn show_devices(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let zh = zh(s);
    let st = s.borrow();
    let name = |k: SerialKind| match (k, zh) {
        (SerialKind::Scanner, true) => "扫码枪".to_owned(),
        (SerialKind::Scale, true) => "电子秤".to_owned(),
        (SerialKind::Printer, true) => "打印机".to_owned(),
        (k, false) => kind_name(k).to_owned(),
    };
    let mut rows: Vec<DiagRow> = st
        .desk
        .devices
        .values()
        .map(|(k, text, ok)| DiagRow { name: name(*k).into(), value: text.clone().into(), ok: *ok })
        .collect();
    if rows.is_empty() {
        rows.push(DiagRow {
            name: t(zh, "设备", "Devices").into(),
            value: t(zh, "未配置串口设备", "none configured").into(),
            ok: false,
        });
    }
    let can_print = st.desk.printer.is_some();
    drop(st);
    let desk = w.global::<DeskAdapter>();
    desk.set_devices(model(rows));
    desk.set_can_print(can_print);
}

/// Direction, weight, today's counts and devices on the page.
pub(super) fn refresh(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let zh = zh(s);
    let desk = w.global::<DeskAdapter>();
    if let Some(d) = with_desk(s, |d| d.direction()) {
        desk.set_direction(crate::store::parcels::direction_name(d).into());
    }
    let counts = s.borrow().recorder.as_ref().and_then(|r| r.parcels_today().ok()).unwrap_or_default();
    let mut rows = Vec::new();
    for d in [ParcelDirection::In, ParcelDirection::Out, ParcelDirection::PickUp] {
        rows.push(DeskCount {
            label: direction_label(d, zh).into(),
            value: format!("{} {}", counts.total(d), t(zh, "件", "")).trim().into(),
            total: true,
        });
        for (_, carrier, n) in counts.rows.iter().filter(|(dir, _, _)| *dir == d) {
            rows.push(DeskCount { label: carrier.clone().into(), value: n.to_string().into(), total: false });
        }
    }
    desk.set_counts(model(rows));
    show_weight(w, s);
    show_devices(w, s);
}
