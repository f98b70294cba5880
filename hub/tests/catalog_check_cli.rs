//! `hub catalog check` on a folder with many kinds of mistakes: every one is
//! reported as file:line:column, the exit code is 1, and `publish` applies
//! nothing.

use std::path::Path;
use std::process::Command;

fn hub(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hub")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A minimal valid PNG (from the sample catalog).
fn png() -> Vec<u8> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng/images/kiwi-1.png");
    std::fs::read(sample).unwrap()
}

fn broken_catalog(dir: &Path) {
    std::fs::create_dir_all(dir.join("images")).unwrap();
    write(
        dir,
        "catalog.toml",
        "name = \"broken\"\ncounty_code = \"421222\"\ntrace_base = \"https://trace.example.gov.cn\"\n",
    );
    std::fs::write(dir.join("images/ok.png"), png()).unwrap();
    let good = png();
    std::fs::write(dir.join("images/cut.png"), &good[..good.len() / 2]).unwrap();
    write(dir, "images/notes.png", "this is not an image");
    // A PNG header claiming to be 5000 pixels wide.
    let mut huge = good[..33].to_vec();
    huge[16..20].copy_from_slice(&5000u32.to_be_bytes());
    huge.extend_from_slice(b"\0\0\0\0IEND\xAE\x42\x60\x82");
    std::fs::write(dir.join("images/huge.png"), huge).unwrap();

    write(
        dir,
        "producers.csv",
        "id,kind,name_zh,town,address,contact_phone,uscc\n\
         acme,enterprise,某公司,隽水镇,通城大道1号,13812345678,91421222MA4TC00018\n\
         Bad Id,cooperative,某合作社,麦市镇,麦市,12345,91421222MA4TC00019\n",
    );
    // Excel in a Chinese locale: a BOM, and `2026/9/5` dates.
    write(
        dir,
        "products.csv",
        "\u{feff}id,category,subcategory_zh,name_zh,spec_zh,price_yuan,price_unit_zh,producer_id,gtin,images,certification_ids\n\
         oil,farm_produce,食用油,山茶油,500毫升,68,元/瓶,acme,2000000000015,ok.png,\n\
         tea,drinks,茶叶,绿茶,250克,12.345,元/罐,acme,2000000000016,missing.png,\n\
         oil,farm_produce,食用油,又一个,1升,70,元/瓶,nobody,,cut.png,cert-x\n\
         veg,farm_produce,蔬菜,㮾下青菜,5千克,30,元/箱,acme,,notes.png;huge.png,\n",
    );
    write(
        dir,
        "batches.csv",
        "id,product_id,lot,production_date,packaging_date,best_before,expiry,quantity,origin_zh,commitment_cert,trace_code\n\
         b1,oil,ab 1,2026-13-01,,,,100瓶,隽水镇,,\n\
         b2,veg,2610-A1,2026/10/1,,2026-09-01,,50箱,麦市镇,,42122226100100019\n\
         b3,oil,L3,2030-01-01,,,,1瓶,隽水镇,,\n",
    );
    write(dir, "services.csv", "id,kind,name_zh,price_yuan,price_unit_zh\nphoto,value_added,商品拍摄,,\n");
    write(
        dir,
        "shops.csv",
        "id,producer_id,product_id,platform,label_zh,url\ns1,acme,oil,taobao,淘宝店,http://shop.example.cn/x\n",
    );
    write(dir, "certifications.csv", "id,kind,number,issuer,holder,valid_from,valid_until\n");
    // Saved by Excel as plain "CSV" on Chinese Windows: GBK, not UTF-8.
    let (gbk, _, _) =
        encoding_rs::GBK.encode("batch_id,date,stage,actor_zh,detail_zh\nb1,2026-09-01,produce,张三,采收\n");
    std::fs::write(dir.join("trace_records.csv"), gbk).unwrap();
}

#[test]
fn every_mistake_is_reported_with_its_place_and_nothing_is_published() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = tmp.path().join("catalog");
    broken_catalog(&cat);
    let (code, out) = hub(&["catalog", "check", cat.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let expected = [
        ("producers.csv:3:1 (id)", "must be 1–64 characters"),
        ("producers.csv:3:6 (contact_phone)", "neither an 11-digit mobile"),
        ("producers.csv:3:7 (uscc)", "check character 9, but its characters give 8"),
        ("products.csv:3:2 (category)", "\"drinks\" is not one of"),
        ("products.csv:3:6 (price_yuan)", "at most 2 decimals"),
        ("products.csv:3:9 (gtin)", "check digit 6, but its digits give 5"),
        ("products.csv:3:10 (images)", "images/missing.png does not exist"),
        ("products.csv:4:1 (id)", "used twice (first on line 2)"),
        ("products.csv:4:8 (producer_id)", "producer \"nobody\" is not in producers.csv"),
        ("products.csv:4:10 (images)", "images/cut.png is truncated"),
        ("products.csv:5:10 (images)", "images/notes.png is not a PNG or JPEG"),
        ("products.csv:5:10 (images)", "5000×360 pixels"),
        ("products.csv:5:4 (name_zh)", "'㮾' (U+3BBE) not in the kiosk font"),
        ("batches.csv:2:3 (lot)", "lot \"ab 1\" must be 1–20 characters"),
        ("batches.csv:2:4 (production_date)", "there is no month 13"),
        ("batches.csv:3:6 (best_before)", "best_before 2026-09-01 is before production_date 2026-10-01"),
        ("batches.csv:3:10 (commitment_cert)", "needs a 承诺达标合格证"),
        ("batches.csv:3:11 (trace_code)", "check digit 9, but its digits give 8"),
        ("batches.csv:4:4 (production_date)", "2030-01-01 is in the future"),
        ("services.csv:2:4 (price_yuan)", "must publish its price"),
        ("shops.csv:2:6 (url)", "must start with https://"),
        ("certifications.csv:1:5 (holder)", "unknown column \"holder\""),
        ("certifications.csv:1", "required column \"holder_id\" is missing"),
        // Unreadable, so references into it are not checked (no follow-on errors).
        (
            "certifications.csv",
            "products.csv not checked against certifications.csv, which could not be read",
        ),
        ("trace_records.csv:2", "not UTF-8: it looks like GBK/GB18030"),
    ];
    for (place, message) in expected {
        assert!(
            out.lines().any(|l| l.starts_with(place) && l.contains(message)),
            "missing `{place}: … {message}` in:\n{out}"
        );
    }
    assert!(out.contains("warning: '㮾'"), "font coverage is a warning, not an error");

    // Publishing the same folder applies nothing.
    let data = tmp.path().join("data");
    let (code, out) = hub(&["catalog", "publish", cat.to_str().unwrap(), "--data", data.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("nothing was published"));
    let (code, out) = hub(&["catalog", "versions", "--data", data.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "[]");
}

#[test]
fn versions_and_diff_describe_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = tmp.path().join("catalog");
    std::fs::create_dir_all(cat.join("images")).unwrap();
    write(
        &cat,
        "catalog.toml",
        "name = \"small\"\ncounty_code = \"421222\"\ntrace_base = \"https://trace.example.gov.cn\"\n",
    );
    std::fs::write(cat.join("images/ok.png"), png()).unwrap();
    write(&cat, "producers.csv", "id,kind,name_zh,town,address\nacme,individual,某人,隽水镇,通城大道1号\n");
    write(
        &cat,
        "products.csv",
        "id,category,subcategory_zh,name_zh,spec_zh,price_yuan,price_unit_zh,producer_id,images\noil,farm_produce,食用油,山茶油,500毫升,68,元/瓶,acme,ok.png\ntea,farm_produce,茶叶,绿茶,250克,30,元/罐,acme,ok.png\n",
    );
    let d = tmp.path().join("data");
    let d = d.to_str().unwrap();
    let (code, out) = hub(&["catalog", "publish", cat.to_str().unwrap(), "--data", d]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("published version 1 to every kiosk"), "{out}");
    write(
        &cat,
        "products.csv",
        "id,category,subcategory_zh,name_zh,spec_zh,price_yuan,price_unit_zh,producer_id,images\noil,farm_produce,食用油,山茶油,500毫升,72,元/瓶,acme,ok.png\n",
    );
    let (code, out) = hub(&["catalog", "publish", cat.to_str().unwrap(), "--data", d, "--group", "showroom"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("published version 2 to group showroom"), "{out}");
    let (_, out) = hub(&["catalog", "diff", "1", "2", "--data", d]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("product") && l.contains("oil") && l.contains("changed: price_fen")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("product") && l.contains("tea") && l.contains("removed")),
        "{out}"
    );
    let (_, out) = hub(&["catalog", "versions", "--data", d, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["targets"][0], "*");
    assert_eq!(v[1]["targets"][0], "group:showroom");
    let (code, out) = hub(&["catalog", "promote", "2", "--data", d]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = hub(&["catalog", "promote", "9", "--data", d]);
    assert_eq!(code, 1);
    assert!(out.contains("there is no catalog version 9"), "{out}");
}

/// A copy of the sample catalog under `dir`.
fn sample_copy(dir: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng");
    let to = dir.join("catalog");
    let mut todo = vec![(from, to.clone())];
    while let Some((a, b)) = todo.pop() {
        std::fs::create_dir_all(&b).unwrap();
        for e in std::fs::read_dir(&a).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push((p.clone(), b.join(e.file_name())));
            } else {
                std::fs::copy(&p, b.join(e.file_name())).unwrap();
            }
        }
    }
    to
}

/// Issue #14: saved by Excel on Windows ("CSV UTF-8" with CRLF line ends),
/// a mistake is reported on its own line, not the one above.
#[test]
fn crlf_files_report_the_line_an_editor_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample_copy(tmp.path());
    let products = std::fs::read_to_string(dir.join("products.csv")).unwrap();
    let mut lines: Vec<String> = products.lines().map(str::to_owned).collect();
    // Line 4 gets a price no one can read.
    let cells: Vec<&str> = lines[3].split(',').collect();
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
    let price = header.iter().position(|h| *h == "price_yuan").unwrap();
    let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    cells[price] = "12元".into();
    lines[3] = cells.join(",");
    std::fs::write(dir.join("products.csv"), lines.join("\r\n") + "\r\n").unwrap();
    let (code, out) = hub(&["catalog", "check", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("products.csv:4:"), "the bad price is on line 4: {out}");
}

/// Issue #14: a products.csv saved in GBK is reported once, with the fix,
/// and the files that refer to products are not buried in follow-on errors.
#[test]
fn an_unreadable_table_is_reported_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample_copy(tmp.path());
    let products = std::fs::read_to_string(dir.join("products.csv")).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(products.trim_start_matches('\u{feff}'));
    std::fs::write(dir.join("products.csv"), gbk).unwrap();
    let (code, out) = hub(&["catalog", "check", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let problems: Vec<&str> = out.lines().filter(|l| l.contains("error") || l.contains("warning")).collect();
    assert!(problems[0].contains("products.csv") && problems[0].contains("GBK"), "first and alone: {out}");
    assert!(!out.contains("is not in products.csv"), "no follow-on errors: {out}");
    assert!(out.contains("batches.csv, shops.csv and stories.csv not checked against products.csv"), "{out}");
}

/// Issue #19: the content tables' mistakes, each at its place, in a copy of
/// the sample whose other tables are sound.
#[test]
fn every_mistake_in_the_content_tables_is_reported_at_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample_copy(tmp.path());
    write(&dir, "images/notes.png", "this is not an image");
    write(
        &dir,
        "stories.csv",
        "id,subject,name_zh,town,title_zh,text_zh,date,photos,producer_id,consent\n\
         s1,person,李四,shinan,返乡创业,开网店卖茶油。,2026-09-01,story-oil-sister-1.png,paoshan-oil,\n\
         s2,enterprise,某公司,shinan,竹编出海,跨境订单。,2026-09-01,notes.png,,\n\
         s3,enterprise,某公司,atlantis,未来故事,还没发生。,2030-01-01,story-oil-sister-1.png,,\n",
    );
    write(
        &dir,
        "courses.csv",
        "id,kind,audience,title_zh,organiser_zh\n\
         c1,cooking,everyone,烹饪,中心\n\
         c2,basics,kids,电商入门,中心\n\
         c3,basics,women,巾帼电商,县妇联\n",
    );
    write(
        &dir,
        "sessions.csv",
        "id,course_id,place_zh,starts_at,ends_at,seats,signup,signup_note_zh,signup_closes_at\n\
         x1,c3,中心教室,2027-01-05 14:00,2027-01-05 09:00,20,kiosk,,\n\
         x2,c3,中心教室,2027-01-06 09:00,2027-01-06 12:00,-5,kiosk,,\n\
         x3,nope,中心教室,2027-01-07 09:00,2027-01-07 12:00,20,kiosk,,\n\
         x4,c3,中心教室,2027-01-08 09:00,2027-01-08 12:00,20,kiosk,,2027-01-08 10:00\n\
         x5,c3,中心教室,2027-01-09 09:00,2027-01-09 12:00,20,phone,,\n\
         x6,c3,中心教室,2027-01-10 9点,2027-01-10 12:00,20,kiosk,,\n",
    );
    write(
        &dir,
        "jobs.csv",
        "id,producer_id,title_zh,town,pay_min_yuan,pay_max_yuan,pay_unit_zh,openings,valid_until\n\
         j1,ghost-co,客服,shinan,3000,4000,元/月,2,2027-03-31\n\
         j2,paoshan-oil,客服,shinan,5000,4000,元/月,2,2027-03-31\n\
         j3,paoshan-oil,客服,shinan,3000,4000,,0,2027-03-31\n",
    );
    write(
        &dir,
        "news.csv",
        "id,producer_id,date,title_zh,text_zh,photo\n\
         n1,paoshan-oil,2026-13-40,新季开榨,茶籽入库。,missing.png\n",
    );
    let (code, out) = hub(&["catalog", "check", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let expected = [
        ("stories.csv:2:10 (consent)", "only with their written consent"),
        ("stories.csv:3:8 (photos)", "images/notes.png is not a PNG or JPEG"),
        ("stories.csv:4:4 (town)", "town \"atlantis\" is not in towns.csv"),
        ("stories.csv:4:7 (date)", "2030-01-01 is in the future"),
        ("courses.csv:2:2 (kind)", "\"cooking\" is not one of"),
        ("courses.csv:3:3 (audience)", "\"kids\" is not one of"),
        (
            "sessions.csv:2:5 (ends_at)",
            "the session ends (2027-01-05 09:00) before it starts (2027-01-05 14:00)",
        ),
        ("sessions.csv:3:6 (seats)", "-5 is too small; at least 1"),
        ("sessions.csv:4:2 (course_id)", "course \"nope\" is not in courses.csv"),
        ("sessions.csv:5:9 (signup_closes_at)", "sign-up closes (2027-01-08 10:00) after the session starts"),
        ("sessions.csv:6:8 (signup_note_zh)", "needs the number to call"),
        ("sessions.csv:7:4 (starts_at)", "must look like 2026-12-08 09:00"),
        ("jobs.csv:2:2 (producer_id)", "producer \"ghost-co\" is not in producers.csv"),
        ("jobs.csv:3:6 (pay_max_yuan)", "pay_max_yuan 4000 is below pay_min_yuan 5000"),
        ("jobs.csv:4:7 (pay_unit_zh)", "pay needs its unit"),
        ("jobs.csv:4:8 (openings)", "0 is too small; at least 1"),
        ("news.csv:2:3 (date)", "there is no month 13"),
        ("news.csv:2:6 (photo)", "images/missing.png does not exist"),
    ];
    for (place, message) in expected {
        assert!(
            out.lines().any(|l| l.starts_with(place) && l.contains(message)),
            "missing `{place}: … {message}` in:\n{out}"
        );
    }
    let errors = out.lines().filter(|l| l.contains(": error")).count();
    assert_eq!(errors, expected.len(), "one finding per mistake, no follow-on errors:\n{out}");
}
