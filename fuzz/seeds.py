#!/usr/bin/env python3
"""Writes the hand-made seeds of every fuzz target into seeds/<target>/.

The seeds are real inputs: the protocol's golden fixtures, the sample
catalog and sales files, the shipped calendar and carrier rules, the scale
frames of the unit tests, the golden receipts. The fuzzer grows its corpus
(fuzz/corpus/) from them, and `fuzz/run --minimize` keeps that small. Run
this again when a format changes.
"""

import gzip
import hashlib
import hmac
import io
import json
import pathlib
import zipfile

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CATALOG = ROOT / "assets/catalog/tongcheng"
KEY = b"a kiosk's 32-byte shared secret!"  # the targets' key


def seed(target, name, data):
    d = FUZZ / "seeds" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def seal(topic, body):
    mac = hmac.new(KEY, b"kh-sig-v1\0" + topic.encode() + b"\0" + body, hashlib.sha256)
    return b'{"sig":"' + mac.hexdigest().encode() + b'","body":' + body + b"}"


def chunked(stream, piece=7, pause=0):
    """Mirror of `tongcheng_fuzz::chunks`: each chunk is a head byte (length
    in the low six bits, the pause in the head's other bits) and its bytes."""
    out = bytearray()
    for i in range(0, len(stream), piece):
        part = stream[i : i + piece]
        out.append((pause << 6) | len(part))
        out += part
    return bytes(out)


# message_bodies: the selector of each topic kind, as in the target's match.
SELECTOR = {
    "hub_state": 0, "status": 1, "events": 2, "events_ack": 3, "catalog_desired": 4,
    "catalog_get": 5, "catalog_doc": 6, "catalog_reported": 7, "blob_get": 8,
    "release_desired": 9, "release_reported": 10, "service_ack": 11, "service_seen": 12,
    "signup_state": 13, "signup_seen": 14, "command": 15, "newer_command": 15,
    "command_result": 16, "dc_minute": 17, "dc_seats": 18, "dc_screen": 18,
}
for f in sorted((ROOT / "protocol/tests/golden/v1").glob("*.json")):
    payload = f.read_bytes()
    seed("envelope", f.stem, payload)
    body = payload[len(b'{"sig":"') + 64 + len(b'","body":') : -1]
    kind = next((k for k in sorted(SELECTOR, key=len, reverse=True) if f.stem.startswith(k)), None)
    kind = kind or ("events" if "events" in f.stem else "status" if "status" in f.stem else None)
    if kind:
        seed("message_bodies", f.stem, bytes([SELECTOR[kind]]) + body)
        seed("envelope", f.stem + "-resealed", seal("kh/v1/tc-st-001/evt", body))

for i, text in enumerate([
    "kh/v1/_hub/state", "kh/v1/_dc/screen", "kh/v1/station-shinan/status", "kh/v1/station-shinan/evt",
    "kh/v1/station-shinan/evt/ack", "kh/v1/station-shinan/catalog/desired",
    "kh/v1/station-shinan/blob/" + "ab" * 32 + "/65536", "kh/v1/station-shinan/cmd/screenshot",
    "kh/v1/station-shinan/cmd/res", "kh/v1/station-shinan/svc/ack", "kh/v1/station-shinan/signup/state",
    "station-shinan", "1.4.0", "1.10.12", "26120112000011", "mqtt://192.168.10.2:1883",
    "mqtts://hub.tongcheng.example:8883",
]):
    seed("topic", str(i), text)

FILES = ["catalog.toml", "producers.csv", "products.csv", "certifications.csv", "batches.csv",
         "trace_records.csv", "services.csv", "shops.csv", "towns.csv", "stories.csv", "courses.csv",
         "sessions.csv", "jobs.csv", "news.csv"]
for i, name in enumerate(FILES):
    text = (CATALOG / name).read_bytes()
    seed("catalog_csv", name, bytes([i]) + text)
    if name.endswith(".csv"):
        # As Excel on Windows saves "CSV UTF-8": a BOM and CRLF.
        crlf = b"\xef\xbb\xbf" + text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        seed("catalog_csv", name + "-excel", bytes([i]) + crlf)
products = (CATALOG / "products.csv").read_text()
seed("catalog_csv", "products-gbk", bytes([2]) + products.encode("gbk", errors="replace"))

def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            # A fixed date: the seeds come out the same on every run.
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()

small = [(n, (CATALOG / n).read_bytes()) for n in ["catalog.toml", "towns.csv", "services.csv"]]
seed("catalog_zip", "folder", zipped(small))
seed("catalog_zip", "nested", zipped([("tongcheng/" + n, d) for n, d in small]))
seed("catalog_zip", "dotdot", zipped([("../escape.csv", b"id\n1\n")] + small))
seed("catalog_zip", "absolute", zipped([("/tmp/escape.csv", b"id\n1\n")]))

for f in sorted((ROOT / "assets/sales/tongcheng").glob("*.csv"))[:2]:
    seed("sales_csv", f.name, f.read_bytes())

device = (ROOT / "firmware-config/src/device.rs").read_text()
good = device.split('const GOOD: &str = r#"', 1)[1].split('"#;', 1)[0]
seed("kiosk_toml", "good", good)
doc = "\n".join(l[4:] for l in device.splitlines() if l.startswith("//! ") or l == "//!")
seed("kiosk_toml", "documented", doc.split("```toml", 1)[1].split("```", 1)[0])

cal = (ROOT / "assets/calendar/cn-2026.toml").read_text()
seed("calendar", "2026", cal)
seed("calendar", "2027", cal.replace("2026", "2027"))

for i, frame in enumerate([b"\x02\x2C\x30\x20001234000000\x0D", b"\x02+00200021B\x03", b"=000.3000",
                           b"=00.1000-", b"=0003.000", b"ST,GS,+  12.345kg\r\n", b"US,NT,-   0.020kg\r\n",
                           b"ST,+00123.45  g\r\n", b"OL,GS,+999999 kg\r\n"]):
    for p in range(6):
        seed("scale", f"{i}-{p}", bytes([p]) + chunked(frame * 3, piece=5))

for i, stream in enumerate([b"SF1234567890123\r\n", b"]Q1https://trace.example.gov.cn/01/06901234567892/10/A1\r",
                            b"]C0SF1234567890123\n", "桐城小花茶\r".encode("gb18030"), b"73123456789012"]):
    seed("scanner", str(i), chunked(stream * 2, pause=1))

for i, text in enumerate(["SF1234567890123", "JDX000123456789", "JT0001112223334", "YT1234567890123456",
                          "YT1234567890123", "EA123456789CN", "73123456789012", "771234567890123",
                          "1012345678901", "123456789012345", "https://trace.example.gov.cn/01/06901234567892"]):
    seed("waybill", str(i), text)
seed("waybill_rules", "shipped", (ROOT / "assets/peripherals/carriers.toml").read_bytes())

for f in sorted((ROOT / "kiosk/tests/golden").glob("*.bin")):
    seed("escpos_decode", f.stem, f.read_bytes())
for i, text in enumerate(["受理回执 编号 26120112000011", "王*芳 138****5678", "㮾下村 😀", "A\tB\x1b@"]):
    seed("receipt_roundtrip", str(i), bytes([i]) + text.encode())

snapshot = json.dumps({"doc": "snapshot", "version": 3, "items": []}).encode()
delta = json.dumps({"doc": "delta", "base": 3, "version": 4, "upserts": [], "deletes": []}).encode()
seed("catalog_document", "snapshot", b"\x01" + snapshot)
seed("catalog_document", "delta", b"\x01" + delta)
seed("catalog_document", "snapshot-gz", b"\x00" + gzip.compress(snapshot, mtime=0))


# Dictionaries: the names a parser looks for, so the fuzzer reaches past the
# first "unknown field" instead of guessing them a byte at a time.
def words(paths, patterns):
    import re
    found = set()
    for p in paths:
        text = (ROOT / p).read_text()
        for pat in patterns:
            found.update(re.findall(pat, text))
    return sorted(found)


def dictionary(name, entries, extra=()):
    d = FUZZ / "dicts"
    d.mkdir(exist_ok=True)
    def quoted(text):  # libFuzzer's format: printable ASCII, the rest as \xNN
        return "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02X}"
                       for b in text.encode())
    lines = [f'"{quoted(e)}"' for e in list(entries) + list(extra)]
    (d / f"{name}.dict").write_text("\n".join(lines) + "\n")


json_names = words(["protocol/src/messages.rs", "protocol/src/catalog.rs", "protocol/src/screen.rs"],
                   [r"pub (\w+):", r'"([a-z_]+)"'])
dictionary("json", [f'"{n}":' for n in json_names], ['{"', '"}', "true", "false", "null", "[]", "{}"])
csv_names = words(["hub/src/catalog/import/mod.rs", "hub/src/catalog/import/content.rs", "hub/src/sales/import.rs"],
                  [r'(?:req|opt)\("(\w+)"\)', r'"(\w+)"'])
dictionary("csv", csv_names, [",", "\r\n", '"', "2026-11-30", "12.50", "是", "否"])
toml_names = words(["firmware-config/src/device.rs", "hub/src/tickets/calendar.rs", "station-formats/src/waybill.rs"],
                   [r"pub (\w+):", r'"([a-z0-9_-]+)"'])
dictionary("toml", [f"{n} = " for n in toml_names], ["[hub]", "[display]", "[[serial]]", "[update]", "[[rule]]",
                                                     "[staff]", "[parcels]", '"', "..", "2027-01-01"])
