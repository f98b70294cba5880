#!/usr/bin/env python3
"""Writes the SAMPLE online sales of the sample county: one CSV per month,
2025-11 to 2026-10, for the sample catalog's producers
(assets/catalog/tongcheng/producers.csv). Invented figures, deterministic
(no randomness from the system), with seasons: camellia oil sells before
the Spring Festival, tea in spring, honey in autumn.

    python3 assets/sales/make_tongcheng_sample.py
"""
import csv, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tongcheng")
MONTHS = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]

# producer id or USCC (both are accepted; enterprises write either),
# platforms, monthly base orders, average order in fen, farm-product share,
# season peak months
SELLERS = [
    ("paoshan-oil", ["tmall", "jd", "douyin"], 420, 16800, 1.0, {11, 12, 1}),
    ("93421222MA4TC00025", ["pinduoduo", "weixin"], 150, 23800, 1.0, {12, 1}),
    ("huanglong-tea", ["taobao", "douyin"], 260, 12800, 1.0, {4, 5}),
    ("yaogu-herbs", ["taobao"], 90, 8800, 1.0, {10, 11}),
    ("91421222MA4TC0005L", ["pinduoduo", "kuaishou", "douyin"], 610, 3900, 0.85, {12, 1, 9}),
    ("guandao-farm", ["weixin"], 40, 6600, 1.0, {7, 8}),
    ("daping-bees", ["taobao", "weixin"], 75, 9800, 1.0, {9, 10}),
    ("beigang-bamboo", ["taobao", "jd"], 130, 15800, 0.0, {11, 12}),
    ("wuli-noodles", ["kuaishou"], 55, 4500, 0.9, {1, 2}),
    ("shadui-douchi", ["douyin", "other"], 35, 3600, 0.95, {12, 1}),
]

def wobble(*key):
    """A fixed pseudo-random factor in [0.8, 1.2) from the key."""
    h = 2166136261
    for part in key:
        for b in str(part).encode():
            h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return 0.8 + (h % 4000) / 10000

def main():
    os.makedirs(OUT, exist_ok=True)
    for (y, m) in MONTHS:
        path = os.path.join(OUT, f"{y}-{m:02}.csv")
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(["enterprise", "enterprise_name", "platform", "month", "orders",
                        "sales_yuan", "farm_sales_yuan", "parcels"])
            for (who, platforms, base, avg_fen, farm, peak) in SELLERS:
                season = 1.8 if m in peak else 1.0
                for i, p in enumerate(platforms):
                    # Each platform a smaller slice; the county grows 2% a month.
                    grow = 1.0 + 0.02 * MONTHS.index((y, m))
                    orders = int(base * season * grow * wobble(who, p, y, m) / (1 + i))
                    sales = orders * int(avg_fen * wobble(p, who, m, y))
                    farm_sales = int(sales * farm)
                    parcels = int(orders * 0.97)
                    w.writerow([who, "", p, f"{y}/{m}" if i % 2 else f"{y}-{m:02}", orders,
                                f"{sales // 100}.{sales % 100:02}",
                                f"{farm_sales // 100}.{farm_sales % 100:02}", parcels])
    print(f"{len(MONTHS)} files in {OUT}")

if __name__ == "__main__":
    main()
