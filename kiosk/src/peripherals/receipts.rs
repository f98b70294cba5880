//! What the station prints: the service-request receipt a villager takes
//! home, and the slip for a parcel handed in or collected. Only masked
//! phone numbers appear; the QR code holds the ticket number, nothing
//! personal.

use super::escpos::{Align, Profile, Receipt};

/// A service request as its receipt shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSlip {
    pub station: String,
    /// 14 digits; the QR code carries it so the station can look it up.
    pub ticket_no: String,
    pub service: String,
    pub village: String,
    pub phone_masked: String,
    pub submitted: String,
    pub due: String,
}

pub fn request_receipt(profile: Profile, r: &RequestSlip) -> Vec<u8> {
    let grouped =
        protocol::TicketNo::parse(&r.ticket_no).map(|t| t.grouped()).unwrap_or_else(|_| r.ticket_no.clone());
    let mut p = Receipt::new(profile);
    p.align(Align::Centre).bold(true).size(2, 2).line("服务受理回执").size(1, 1).bold(false);
    p.line(&r.station).align(Align::Left).rule();
    p.pair("受理编号", &grouped);
    p.pair("服务", &r.service);
    p.pair("乡镇", &r.village);
    p.pair("联系电话", &r.phone_masked);
    p.pair("提交时间", &r.submitted);
    p.pair("承诺回复", &r.due);
    p.rule().align(Align::Centre).qr(&r.ticket_no);
    p.line("凭此编号在本站查询办理进度").line("首问负责 · 限时办结");
    p.feed(1).cut();
    p.into_bytes()
}

/// A training sign-up: the number and QR (never the phone), the session,
/// and the plain word that the seat is not yet confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignupSlip {
    pub station: String,
    /// 14 digits, from the same daily count as tickets.
    pub number: String,
    pub course: String,
    pub when: String,
    pub place: String,
    pub village: String,
    pub phone_masked: String,
    pub taken: String,
}

pub fn signup_receipt(profile: Profile, r: &SignupSlip) -> Vec<u8> {
    let grouped =
        protocol::TicketNo::parse(&r.number).map(|t| t.grouped()).unwrap_or_else(|_| r.number.clone());
    let mut p = Receipt::new(profile);
    p.align(Align::Centre).bold(true).size(2, 2).line("培训报名回执").size(1, 1).bold(false);
    p.line(&r.station).align(Align::Left).rule();
    p.pair("报名编号", &grouped);
    p.pair("课程", &r.course);
    p.pair("时间", &r.when);
    p.pair("地点", &r.place);
    p.pair("乡镇", &r.village);
    p.pair("联系电话", &r.phone_masked);
    p.pair("报名时间", &r.taken);
    p.pair("状态", "待县中心确认名额");
    p.rule().align(Align::Centre).qr(&r.number);
    p.line("凭此编号在本站查询是否报上").line("不能参加请在本站取消，名额留给他人");
    p.feed(1).cut();
    p.into_bytes()
}

/// A parcel handed in (寄件) or collected (取件).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParcelSlip {
    pub station: String,
    /// 寄件 / 取件 / 到件.
    pub what: String,
    pub waybill: String,
    pub carrier: String,
    pub weight_g: Option<u32>,
    pub at: String,
}

/// A direction as the printed slip names it (slips are printed in
/// Chinese, the printer's own language).
pub fn direction_label(d: protocol::messages::ParcelDirection) -> &'static str {
    use protocol::messages::ParcelDirection as D;
    match d {
        D::In => "到件",
        D::Out => "寄件",
        D::PickUp => "取件",
    }
}

pub fn parcel_slip(profile: Profile, s: &ParcelSlip) -> Vec<u8> {
    let mut p = Receipt::new(profile);
    p.align(Align::Centre).bold(true).size(2, 2).line(&format!("{}凭条", s.what)).size(1, 1).bold(false);
    p.line(&s.station).align(Align::Left).rule();
    p.pair("运单号", &s.waybill);
    p.pair("快递公司", &s.carrier);
    if let Some(g) = s.weight_g {
        p.pair("重量", &format!("{}.{:03} kg", g / 1000, g % 1000));
    }
    p.pair("时间", &s.at);
    p.rule().feed(1).cut();
    p.into_bytes()
}
