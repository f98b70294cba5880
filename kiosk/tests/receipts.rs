//! Receipts as bytes: the service-request receipt and the parcel slip are
//! compared with golden files (`UPDATE_GOLDEN=1` re-blesses them after a
//! deliberate change), and read back by the test decoder: the Chinese text,
//! the QR code's data, and the raster images a printer without the font or
//! without `GS ( k` gets, which must still scan.

use kiosk::peripherals::escpos::{Align, Profile, Receipt};
use kiosk::peripherals::escpos_decode::{Cmd, decode, qr_codes, text_lines};
use kiosk::peripherals::receipts::{
    ParcelSlip, RequestSlip, SignupSlip, parcel_slip, request_receipt, signup_receipt,
};
use std::path::PathBuf;

/// `UPDATE_GOLDEN=1`, and only that, rewrites the golden files; unset,
/// empty or `0` does not, and any other value is refused (any value at all
/// once meant yes).
fn update_golden() -> bool {
    match std::env::var("UPDATE_GOLDEN").as_deref() {
        Ok("1") => true,
        Ok("" | "0") | Err(std::env::VarError::NotPresent) => false,
        other => panic!("UPDATE_GOLDEN: {other:?}: set it to 1, or leave it unset"),
    }
}

fn golden(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if update_golden() {
        std::fs::write(&path, bytes).unwrap();
    }
    let want = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if want != bytes {
        let at = want.iter().zip(bytes).position(|(a, b)| a != b).unwrap_or(want.len().min(bytes.len()));
        let show = |b: &[u8]| {
            b[at.saturating_sub(8)..(at + 16).min(b.len())]
                .iter()
                .map(|x| format!("{x:02X}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        panic!("{name} differs at byte {at}:\n golden: {}\n built:  {}", show(&want), show(bytes));
    }
}

/// Station 12's third request of 29 November 2026 (with its check digit).
fn ticket() -> String {
    protocol::TicketNo::new("261129", 12, 3).unwrap().to_string()
}

fn request() -> RequestSlip {
    RequestSlip {
        station: "石南镇黄袍山村服务站".into(),
        ticket_no: ticket(),
        service: "网店开设指导".into(),
        village: "石南镇".into(),
        phone_masked: "138****5678".into(),
        submitted: "11月29日 09:30".into(),
        due: "12月1日 09:30".into(),
    }
}

/// Decode `GS v 0` images with a QR decoder, as a phone would.
fn scan_raster(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter()
        .filter_map(Cmd::bitmap)
        .filter_map(|b| {
            let width = b.row_bytes * 8;
            let mut img = rqrr::PreparedImage::prepare_from_bitmap(width, b.height, |x, y| b.dark(x, y));
            img.detect_grids().first().and_then(|g| g.decode().ok()).map(|(_, text)| text)
        })
        .collect()
}

#[test]
fn the_request_receipt_is_its_golden_bytes_and_reads_back() {
    let bytes = request_receipt(Profile::STATION_58MM, &request());
    golden("request-receipt.bin", &bytes);
    let cmds = decode(&bytes).unwrap();
    assert_eq!(cmds[..2], [Cmd::Init, Cmd::ChineseMode(true)]);
    let lines = text_lines(&cmds);
    assert!(lines.contains(&"服务受理回执".to_owned()), "{lines:?}");
    let find = |label: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{label} ")))
            .unwrap_or_else(|| panic!("{label} in {lines:?}"))
    };
    let grouped = protocol::TicketNo::parse(&ticket()).unwrap().grouped();
    assert!(find("受理编号").ends_with(&grouped), "{grouped}");
    assert!(find("联系电话").ends_with("138****5678"));
    assert!(find("承诺回复").ends_with("12月1日 09:30"));
    // Label left, value right, 32 columns (a Chinese character is two).
    use unicode_width::UnicodeWidthStr;
    assert_eq!(find("服务").width(), 32);
    assert_eq!(qr_codes(&cmds), [ticket()], "the code holds the ticket number only");
    assert!(!String::from_utf8_lossy(&bytes).contains("13812345678"));
    assert!(matches!(cmds.last(), Some(Cmd::Cut(0x42))));
}

#[test]
fn the_signup_receipt_carries_the_number_and_says_the_seat_is_not_yet_confirmed() {
    let number = protocol::TicketNo::new("261201", 12, 5).unwrap().to_string();
    let slip = SignupSlip {
        station: "石南镇黄袍山村服务站".into(),
        number: number.clone(),
        course: "农村妇女直播带货专场（样例）".into(),
        when: "2026-12-15 09:30".into(),
        place: "石南镇村级服务站".into(),
        village: "石南镇".into(),
        phone_masked: "138****5678".into(),
        taken: "2026-12-01 10:05".into(),
    };
    let bytes = signup_receipt(Profile::STATION_58MM, &slip);
    golden("signup-receipt.bin", &bytes);
    let cmds = decode(&bytes).unwrap();
    let lines = text_lines(&cmds);
    assert!(lines.contains(&"培训报名回执".to_owned()), "{lines:?}");
    let grouped = protocol::TicketNo::parse(&number).unwrap().grouped();
    assert!(lines.iter().any(|l| l.starts_with("报名编号") && l.ends_with(&grouped)), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("状态") && l.ends_with("待县中心确认名额")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("时间") && l.ends_with("2026-12-15 09:30")), "{lines:?}");
    assert_eq!(qr_codes(&cmds), [number], "the code holds the sign-up number only");
    assert!(!String::from_utf8_lossy(&bytes).contains("13812345678"));
}

#[test]
fn the_parcel_slip_is_its_golden_bytes() {
    let slip = ParcelSlip {
        station: "石南镇黄袍山村服务站".into(),
        what: "寄件".into(),
        waybill: "SF1234567890123".into(),
        carrier: "顺丰".into(),
        weight_g: Some(1_235),
        at: "11月29日 10:05".into(),
    };
    let bytes = parcel_slip(Profile::STATION_58MM, &slip);
    golden("parcel-slip.bin", &bytes);
    let lines = text_lines(&decode(&bytes).unwrap());
    assert!(lines.contains(&"寄件凭条".to_owned()));
    assert!(lines.iter().any(|l| l.starts_with("运单号") && l.ends_with("SF1234567890123")));
    assert!(lines.iter().any(|l| l.starts_with("重量") && l.ends_with("1.235 kg")));
}

#[test]
fn a_chinese_receipt_with_a_trace_url_decodes_to_its_text_and_url() {
    let url = "https://trace.example.gov.cn/01/06901234567892/10/2409A1?11=240915";
    let mut r = Receipt::new(Profile::STATION_58MM);
    r.align(Align::Centre).line("扫码溯源").qr(url).line("农产品");
    let bytes = r.into_bytes();
    // The documented encodings (domain.md §4.2) and the QR golden header.
    assert!(bytes.windows(8).any(|w| w == [0xC9, 0xA8, 0xC2, 0xEB, 0xCB, 0xDD, 0xD4, 0xB4]));
    assert!(bytes.windows(6).any(|w| w == [0xC5, 0xA9, 0xB2, 0xFA, 0xC6, 0xB7]));
    let store = [0x1D, 0x28, 0x6B, 0x45, 0x00, 0x31, 0x50, 0x30];
    assert!(bytes.windows(8).any(|w| w == store), "66-byte URL: pL = 0x45");
    let cmds = decode(&bytes).unwrap();
    assert_eq!(text_lines(&cmds), ["扫码溯源", "", "农产品"]);
    assert_eq!(qr_codes(&cmds), [url]);
}

#[test]
fn without_native_qr_the_code_is_an_image_that_scans() {
    let profile = Profile { native_qr: false, ..Profile::STATION_58MM };
    let cmds = decode(&request_receipt(profile, &request())).unwrap();
    assert!(qr_codes(&cmds).is_empty());
    assert_eq!(scan_raster(&cmds), [ticket()]);
}

#[test]
fn a_rare_character_line_is_drawn_not_garbled() {
    // 𠮷 needs four GB18030 bytes, which receipt printers print as garbage.
    let mut slip = request();
    slip.station = "𠮷家村服务站".into();
    let cmds = decode(&request_receipt(Profile::STATION_58MM, &slip)).unwrap();
    let lines = text_lines(&cmds);
    assert!(!lines.iter().any(|l| l.contains("家村")), "the line went as an image: {lines:?}");
    let images: Vec<_> = cmds.iter().filter_map(Cmd::bitmap).collect();
    assert!(images.iter().any(|b| b.row_bytes == 48 && b.height == 30 && b.data.iter().any(|x| *x != 0)));
    // A printer without the Chinese font gets every Chinese line as an image.
    let plain = Profile { chinese_font: false, ..Profile::STATION_58MM };
    let cmds = decode(&request_receipt(plain, &request())).unwrap();
    assert!(text_lines(&cmds).iter().all(|l| l.is_ascii()));
    assert!(!cmds.contains(&Cmd::ChineseMode(true)));
}
