"""Flat vector illustrations for the sample Tongcheng catalog.

Each motif is drawn as SVG in a 480x360 frame (logos in 200x200) and
rasterised with cairosvg, so a picture reads as what it is (a bottle of
camellia oil, tea leaves, a mountain village) instead of a block of colour.
Every picture carries a "样例 SAMPLE" tag: none of it is a photograph of a real
product. Output is deterministic for a given seed.

Needs: pip install cairosvg pillow (the generator only; the PNGs are
committed). Pillow reduces each picture to a 256-colour palette: flat art
loses nothing visible, and the files (which every kiosk syncs over a village
link) shrink to less than half.
The tag's Chinese is set in the kiosk's own Noto Sans CJK SC subset, found through
a private fontconfig file, so the result does not depend on the fonts of the
machine that runs the generator.
"""
import io
import math
import os
import random
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_FONTS = os.path.normpath(os.path.join(_HERE, "..", "..", "..", "kiosk", "ui", "fonts"))


def _use_kiosk_fonts():
    """Point fontconfig at the kiosk's fonts before cairo loads."""
    conf = os.path.join(tempfile.mkdtemp(prefix="kh-fc-"), "fonts.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(f'<?xml version="1.0"?><fontconfig><dir>{_FONTS}</dir>'
                f'<dir>/usr/share/fonts</dir><cachedir>{os.path.dirname(conf)}</cachedir></fontconfig>')
    os.environ["FONTCONFIG_FILE"] = conf


_use_kiosk_fonts()
import cairosvg  # noqa: E402  (fontconfig must be set up first)
from PIL import Image  # noqa: E402


def hexc(c):
    return "#%02x%02x%02x" % tuple(max(0, min(255, int(v))) for v in c)


def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def darker(c, t=0.3):
    return mix(c, (0, 0, 0), t)


def lighter(c, t=0.4):
    return mix(c, (255, 255, 255), t)


# ------------------------------------------------------------------ motifs
# Each takes (accent, rng) and returns SVG elements in a 480x360 frame.

def camellia_flower(x, y, r, rot=0):
    petals = "".join(
        f'<ellipse cx="{x + r * 0.55 * math.cos(a):.1f}" cy="{y + r * 0.55 * math.sin(a):.1f}" '
        f'rx="{r * 0.55:.1f}" ry="{r * 0.42:.1f}" fill="#fffaf2" stroke="#e8d8c0" stroke-width="1.5" '
        f'transform="rotate({math.degrees(a):.0f} {x + r * 0.55 * math.cos(a):.1f} {y + r * 0.55 * math.sin(a):.1f})"/>'
        for a in (rot + k * 2 * math.pi / 5 for k in range(5)))
    return petals + f'<circle cx="{x}" cy="{y}" r="{r * 0.28:.1f}" fill="#f2c230"/>'


def leaf(x, y, length, width, angle, fill, vein="#ffffff"):
    return (f'<g transform="translate({x} {y}) rotate({angle})">'
            f'<path d="M0 0 C {width} {-length * 0.3} {width * 0.8} {-length * 0.8} 0 {-length} '
            f'C {-width * 0.8} {-length * 0.8} {-width} {-length * 0.3} 0 0 Z" fill="{fill}"/>'
            f'<path d="M0 -4 L0 {-length * 0.9}" stroke="{vein}" stroke-opacity="0.55" stroke-width="2.5" fill="none"/></g>')


def bottle(acc, r):
    """A glass bottle of golden camellia oil, camellia flower on the label, fruit beside it."""
    oil = (222, 168, 40)
    s = ['<ellipse cx="240" cy="318" rx="120" ry="14" fill="#000" fill-opacity="0.12"/>',
         # glass body and shoulders
         '<path d="M196 120 C196 100 214 92 222 84 L222 52 L258 52 L258 84 C266 92 284 100 284 120 '
         'L284 300 Q284 318 266 318 L214 318 Q196 318 196 300 Z" fill="#f4f1e4" fill-opacity="0.55" stroke="#b8a77c" stroke-width="3"/>',
         # the oil
         f'<path d="M200 140 L280 140 L280 300 Q280 314 266 314 L214 314 Q200 314 200 300 Z" fill="{hexc(oil)}"/>',
         f'<rect x="200" y="140" width="80" height="10" fill="{hexc(lighter(oil, 0.35))}"/>',
         # cap
         f'<rect x="216" y="34" width="48" height="24" rx="5" fill="{hexc(darker(acc, 0.35))}"/>',
         # label
         f'<rect x="204" y="190" width="72" height="86" rx="6" fill="#fbf6e8" stroke="{hexc(acc)}" stroke-width="3"/>',
         camellia_flower(240, 222, 20, r.uniform(0, 1)),
         f'<rect x="218" y="252" width="44" height="6" rx="3" fill="{hexc(acc)}"/>',
         f'<rect x="224" y="264" width="32" height="5" rx="2.5" fill="{hexc(lighter(acc, 0.3))}"/>',
         # highlight on the glass
         '<path d="M206 160 L206 290" stroke="#fff" stroke-opacity="0.6" stroke-width="6" stroke-linecap="round"/>']
    # camellia fruit and leaves on the right, a flower on the left
    s += [leaf(360, 300, 80, 30, 40, "#3f7f45"), leaf(360, 300, 70, 26, 75, "#4f9254"),
          '<circle cx="348" cy="292" r="28" fill="#a45a36"/><circle cx="340" cy="284" r="8" fill="#c88058"/>',
          '<circle cx="392" cy="304" r="20" fill="#8e4a2c"/>',
          leaf(120, 308, 70, 26, -50, "#3f7f45"), camellia_flower(118, 272, 34, 0.3)]
    return s


def tea(acc, r):
    """A tea shoot (one bud, two leaves) over a cup of green tea."""
    green = (70, 140, 80) if acc[1] < acc[0] else acc
    s = ['<ellipse cx="240" cy="322" rx="150" ry="12" fill="#000" fill-opacity="0.1"/>',
         # cup and saucer
         '<ellipse cx="300" cy="300" rx="110" ry="20" fill="#f4f4ee" stroke="#c9c9bb" stroke-width="2"/>',
         '<path d="M220 236 L380 236 Q376 300 300 304 Q224 300 220 236 Z" fill="#fbfbf6" stroke="#c9c9bb" stroke-width="2"/>',
         '<ellipse cx="300" cy="236" rx="80" ry="14" fill="#c7c25a"/>',
         '<ellipse cx="300" cy="236" rx="70" ry="10" fill="#d8d478"/>',
         # steam
         '<path d="M280 214 C270 194 292 184 282 162" stroke="#ffffff" stroke-width="5" fill="none" stroke-linecap="round" stroke-opacity="0.8"/>',
         '<path d="M318 214 C308 194 330 184 320 162" stroke="#ffffff" stroke-width="5" fill="none" stroke-linecap="round" stroke-opacity="0.8"/>']
    # the shoot: a stem, two leaves and a silver bud
    tilt = r.uniform(-6, 6)
    s += [f'<g transform="rotate({tilt:.1f} 130 320)">',
          '<path d="M130 320 C134 260 126 200 138 120" stroke="#5a7a3a" stroke-width="6" fill="none" stroke-linecap="round"/>',
          leaf(132, 250, 120, 44, -58, hexc(green)),
          leaf(134, 196, 104, 38, 52, hexc(lighter(green, 0.12))),
          leaf(138, 124, 70, 16, 4, hexc(lighter(green, 0.45)), "#eef6e4"),
          '</g>',
          leaf(70, 330, 60, 22, -80, hexc(darker(green, 0.15))),
          leaf(420, 150, 50, 18, 30, hexc(lighter(green, 0.2)))]
    return s


def village_mountains(acc, r):
    """Layered green mountains in mist, a sun, and a village of white walls and dark roofs."""
    s = ['<circle cx="378" cy="70" r="30" fill="#ffd678"/>']
    ridges = [(140, (150, 180, 170)), (180, (110, 150, 125)), (222, (78, 122, 92))]
    for i, (base, col) in enumerate(ridges):
        pts = []
        for k in range(0, 9):
            x = k * 60
            y = base - r.uniform(20, 70) * (1 if k % 2 else 0.4)
            pts.append(f"{x},{y:.0f}")
        s.append(f'<polygon points="0,360 {" ".join(pts)} 480,360" fill="{hexc(col)}"/>')
        s.append(f'<rect x="0" y="{base + 8}" width="480" height="14" fill="#ffffff" fill-opacity="0.35"/>')
    # terraces
    for k in range(4):
        y = 290 + k * 16
        s.append(f'<path d="M0 {y} Q240 {y - 18} 480 {y}" stroke="#cfe1a4" stroke-width="4" fill="none" stroke-opacity="0.7"/>')
    # houses
    for hx, hy, sc in ((150, 258, 1.0), (214, 266, 0.85), (300, 254, 1.1)):
        w, h = 56 * sc, 36 * sc
        s += [f'<rect x="{hx}" y="{hy}" width="{w:.0f}" height="{h:.0f}" fill="#f8f6f0"/>',
              f'<polygon points="{hx - 8},{hy + 2} {hx + w / 2:.0f},{hy - 18 * sc:.0f} {hx + w + 8:.0f},{hy + 2}" fill="#3a3f45"/>',
              f'<rect x="{hx + w * 0.4:.0f}" y="{hy + h * 0.4:.0f}" width="{w * 0.2:.0f}" height="{h * 0.6:.0f}" fill="#6b4b32"/>']
    return s


def tongcheng_pig(acc, r):
    """A Tongcheng pig: black head and rump, white middle (the 'two black ends' breed)."""
    s = ['<ellipse cx="240" cy="300" rx="150" ry="14" fill="#000" fill-opacity="0.12"/>',
         '<defs><clipPath id="pigbody"><ellipse cx="240" cy="200" rx="130" ry="78"/></clipPath></defs>',
         # legs
         *[f'<rect x="{x}" y="240" width="24" height="58" rx="8" fill="#2b2b2b"/>' for x in (150, 190, 280, 318)],
         '<ellipse cx="240" cy="200" rx="130" ry="78" fill="#f7efe8"/>',
         '<g clip-path="url(#pigbody)"><rect x="90" y="100" width="62" height="200" fill="#2b2b2b"/>'
         '<rect x="316" y="100" width="70" height="200" fill="#2b2b2b"/></g>',
         # head (black), ear, snout, eye
         '<ellipse cx="378" cy="188" rx="56" ry="50" fill="#2b2b2b"/>',
         '<path d="M360 146 L392 120 L398 160 Z" fill="#1c1c1c"/>',
         '<ellipse cx="428" cy="204" rx="22" ry="18" fill="#e7b4ae"/>',
         '<circle cx="422" cy="202" r="4" fill="#7a3c38"/><circle cx="436" cy="204" r="4" fill="#7a3c38"/>',
         '<circle cx="392" cy="178" r="5" fill="#fff"/>',
         # tail
         '<path d="M110 184 C90 170 96 150 84 158" stroke="#2b2b2b" stroke-width="6" fill="none" stroke-linecap="round"/>']
    # grass tufts
    for x in (40, 70, 440):
        s.append(f'<path d="M{x} 312 l6 -24 l4 24 l8 -20 l2 20" stroke="#5c8a3c" stroke-width="4" fill="none"/>')
    return s


def earthen_jar(acc, r):
    """An earthenware jar, its mouth tied with red paper and string, as country honey and bean pastes are sold."""
    clay = mix(acc, (150, 96, 56), 0.6)
    s = ['<ellipse cx="240" cy="318" rx="120" ry="14" fill="#000" fill-opacity="0.13"/>',
         f'<path d="M186 96 L294 96 L300 120 C372 150 372 290 310 316 L170 316 C108 290 108 150 180 120 Z" fill="{hexc(clay)}"/>',
         f'<path d="M150 190 C170 200 310 200 330 190" stroke="{hexc(darker(clay, 0.2))}" stroke-width="5" fill="none"/>',
         f'<path d="M146 246 C170 256 310 256 334 246" stroke="{hexc(darker(clay, 0.2))}" stroke-width="5" fill="none"/>',
         # red paper over the mouth, tied with string
         '<path d="M172 100 Q240 56 308 100 L300 130 Q240 112 180 130 Z" fill="#c7362f"/>',
         '<path d="M180 118 Q240 102 300 118" stroke="#e8c36a" stroke-width="4" fill="none"/>',
         # the paper label with a drop of honey
         '<rect x="200" y="200" width="80" height="62" rx="4" fill="#fbf1d6"/>',
         '<path d="M240 212 C226 232 228 248 240 250 C252 248 254 232 240 212 Z" fill="#e0a32a"/>',
         '<path d="M160 150 L166 280" stroke="#fff" stroke-opacity="0.25" stroke-width="10" stroke-linecap="round"/>']
    # a honey dipper and a small bowl
    s += ['<ellipse cx="400" cy="306" rx="46" ry="10" fill="#000" fill-opacity="0.1"/>',
          '<path d="M356 270 L444 270 Q440 306 400 308 Q360 306 356 270 Z" fill="#f7f1e2"/>',
          '<ellipse cx="400" cy="270" rx="44" ry="10" fill="#e6a52c"/>',
          '<path d="M420 266 L470 200" stroke="#a0713e" stroke-width="8" stroke-linecap="round"/>']
    return s


def bamboo(acc, r):
    """Moso bamboo stalks with nodes and leaves."""
    s = []
    for i, (x, w) in enumerate(((80, 30), (170, 36), (282, 32), (380, 28))):
        col = mix((92, 150, 74), (140, 180, 90), i / 3)
        s.append(f'<rect x="{x}" y="0" width="{w}" height="360" fill="{hexc(col)}"/>')
        s.append(f'<rect x="{x + 4}" y="0" width="6" height="360" fill="#fff" fill-opacity="0.25"/>')
        off = r.randint(0, 60)
        for y in range(off, 360, 86):
            s.append(f'<rect x="{x - 3}" y="{y}" width="{w + 6}" height="7" rx="3" fill="{hexc(darker(col, 0.3))}"/>')
        for y in range(off + 40, 360, 172):
            side = 1 if i % 2 else -1
            for k in range(3):
                s.append(leaf(x + w / 2, y, 70 - k * 8, 14, side * (50 + k * 22), hexc(mix(col, (40, 100, 50), 0.5))))
    s.append(f'<rect x="0" y="318" width="480" height="42" fill="{hexc(mix(acc, (120, 90, 50), 0.6))}"/>')
    return s


def woven_basket(acc, r):
    """A round woven bamboo basket with a handle."""
    cane = (212, 170, 104)
    s = ['<ellipse cx="240" cy="316" rx="150" ry="14" fill="#000" fill-opacity="0.12"/>',
         f'<path d="M110 170 Q240 -30 370 170" stroke="{hexc(darker(cane, 0.15))}" stroke-width="14" fill="none"/>',
         '<defs><clipPath id="bowl"><path d="M96 170 L384 170 Q370 300 240 310 Q110 300 96 170 Z"/></clipPath></defs>',
         f'<path d="M96 170 L384 170 Q370 300 240 310 Q110 300 96 170 Z" fill="{hexc(cane)}"/>',
         '<g clip-path="url(#bowl)">']
    for k in range(8):
        y = 180 + k * 17
        s.append(f'<path d="M90 {y} Q240 {y + 22} 390 {y}" stroke="{hexc(darker(cane, 0.25))}" stroke-width="3" fill="none"/>')
    for x in range(100, 390, 22):
        s.append(f'<path d="M{x} 170 Q{240 + (x - 240) * 0.6:.0f} 250 {240 + (x - 240) * 0.45:.0f} 320" stroke="{hexc(lighter(cane, 0.25))}" stroke-width="4" fill="none"/>')
    s.append('</g>')
    s.append(f'<ellipse cx="240" cy="170" rx="144" ry="22" fill="{hexc(darker(cane, 0.35))}"/>')
    # produce peeking out
    for x, col in ((190, acc), (236, lighter(acc, 0.2)), (282, darker(acc, 0.1))):
        s.append(f'<circle cx="{x}" cy="162" r="26" fill="{hexc(col)}"/>')
    s.append(f'<ellipse cx="240" cy="176" rx="144" ry="14" fill="{hexc(cane)}"/>')
    return s


def eggs_in_nest(acc, r):
    """Brown free-range eggs in a straw nest."""
    s = ['<ellipse cx="240" cy="318" rx="170" ry="14" fill="#000" fill-opacity="0.12"/>',
         '<ellipse cx="240" cy="262" rx="170" ry="54" fill="#c9a15a"/>']
    for (ex, ey, rot) in ((170, 214, -12), (244, 200, 4), (318, 216, 14), (206, 238, -4), (286, 240, 8)):
        s.append(f'<ellipse cx="{ex}" cy="{ey}" rx="38" ry="50" fill="#e9c8a0" transform="rotate({rot} {ex} {ey})"/>')
        s.append(f'<ellipse cx="{ex - 12}" cy="{ey - 18}" rx="9" ry="14" fill="#fff" fill-opacity="0.45" transform="rotate({rot} {ex} {ey})"/>')
    for k in range(34):
        a = r.uniform(math.pi * 0.05, math.pi * 0.95)
        x0 = 240 + 170 * math.cos(a) * r.uniform(0.7, 1.0)
        y0 = 262 + 54 * math.sin(a) * r.uniform(0.3, 1.0)
        s.append(f'<path d="M{x0 - 30:.0f} {y0:.0f} q30 {r.uniform(-12, 12):.0f} 60 0" stroke="{hexc(mix((150, 110, 50), (230, 200, 120), r.random()))}" stroke-width="4" fill="none"/>')
    return s


def kiwi(acc, r):
    """Red-heart kiwifruit: one whole, two halves with the red ring and seeds."""
    s = ['<ellipse cx="240" cy="316" rx="170" ry="14" fill="#000" fill-opacity="0.12"/>',
         '<ellipse cx="120" cy="230" rx="78" ry="66" fill="#8a6a3e"/>',
         '<ellipse cx="104" cy="208" rx="24" ry="14" fill="#a98a5a"/>']
    for cx, cy in ((270, 220), (380, 252)):
        s += [f'<circle cx="{cx}" cy="{cy}" r="74" fill="#8a6a3e"/>',
              f'<circle cx="{cx}" cy="{cy}" r="66" fill="#9cc440"/>',
              f'<circle cx="{cx}" cy="{cy}" r="34" fill="#c8403a"/>',
              f'<circle cx="{cx}" cy="{cy}" r="20" fill="#f4f0c8"/>']
        for k in range(18):
            a = k * 2 * math.pi / 18
            s.append(f'<ellipse cx="{cx + 38 * math.cos(a):.1f}" cy="{cy + 38 * math.sin(a):.1f}" rx="3" ry="6" fill="#2a1e10" '
                     f'transform="rotate({math.degrees(a) + 90:.0f} {cx + 38 * math.cos(a):.1f} {cy + 38 * math.sin(a):.1f})"/>')
    s.append(leaf(60, 140, 70, 30, -30, "#4f8a3c"))
    return s


def gift_box(acc, r):
    """A gift box with a ribbon and a bow."""
    lid = darker(acc, 0.1)
    s = ['<ellipse cx="240" cy="320" rx="160" ry="14" fill="#000" fill-opacity="0.12"/>',
         f'<rect x="110" y="150" width="260" height="166" rx="6" fill="{hexc(acc)}"/>',
         f'<rect x="98" y="120" width="284" height="44" rx="6" fill="{hexc(lid)}"/>',
         '<rect x="224" y="120" width="32" height="196" fill="#e9c25a"/>',
         '<path d="M240 120 C200 70 160 96 190 118 Z" fill="#e9c25a" stroke="#c79a34" stroke-width="3"/>',
         '<path d="M240 120 C280 70 320 96 290 118 Z" fill="#e9c25a" stroke="#c79a34" stroke-width="3"/>',
         '<circle cx="240" cy="118" r="12" fill="#d4a63e"/>',
         f'<rect x="132" y="200" width="72" height="92" rx="4" fill="{hexc(lighter(acc, 0.75))}"/>',
         camellia_flower(168, 236, 20, r.uniform(0, 1)),
         '<rect x="146" y="268" width="44" height="6" rx="3" fill="#c79a34"/>',
         '<path d="M120 170 L120 300" stroke="#fff" stroke-opacity="0.25" stroke-width="8"/>']
    return s


def paida_dancers(acc, r):
    """Three dancers of the Paida dance (拍打舞), clapping, on a stage under lights."""
    s = ['<path d="M0 290 L480 290 L480 360 L0 360 Z" fill="#6b3a2a"/>',
         '<polygon points="120,0 60,290 180,290" fill="#fff6c8" fill-opacity="0.35"/>',
         '<polygon points="360,0 300,290 420,290" fill="#fff6c8" fill-opacity="0.35"/>',
         '<path d="M0 0 Q60 70 0 150 Z" fill="#a8232a"/><path d="M480 0 Q420 70 480 150 Z" fill="#a8232a"/>']
    for i, x in enumerate((130, 240, 350)):
        lift = -16 if i == 1 else 0
        body = "#c8332c" if i != 1 else hexc(acc)
        s += [f'<g transform="translate({x} {lift})">',
              '<circle cx="0" cy="118" r="20" fill="#f0c8a0"/>',
              '<path d="M-22 106 Q0 86 22 106 Z" fill="#222"/>',
              f'<path d="M-26 142 L26 142 L34 222 L-34 222 Z" fill="{body}"/>',
              '<rect x="-30" y="176" width="60" height="10" fill="#f2c230"/>',
              # arms up, hands meeting: the clap
              f'<path d="M-22 148 L-44 104 L-12 84" stroke="{body}" stroke-width="12" fill="none" stroke-linecap="round" stroke-linejoin="round"/>',
              f'<path d="M22 148 L44 104 L12 84" stroke="{body}" stroke-width="12" fill="none" stroke-linecap="round" stroke-linejoin="round"/>',
              '<circle cx="0" cy="82" r="8" fill="#f0c8a0"/>',
              '<path d="M-18 222 L-26 288 M18 222 L30 284" stroke="#333" stroke-width="12" stroke-linecap="round"/>',
              '</g>']
    return s


def wetland(acc, r):
    """Daxi wetland: water with ripples, reeds, a boat and an egret."""
    s = ['<rect x="0" y="200" width="480" height="160" fill="#6aa4c0"/>',
         '<path d="M0 200 Q120 186 240 200 T480 200 L480 214 L0 214 Z" fill="#8fb86a"/>']
    for k in range(7):
        y = 236 + k * 18
        x = r.randint(0, 300)
        s.append(f'<path d="M{x} {y} q30 -6 60 0 t60 0" stroke="#fff" stroke-opacity="0.5" stroke-width="3" fill="none"/>')
    for k in range(16):
        x = 10 + k * 14 + r.randint(-4, 4)
        h = r.randint(70, 130)
        s.append(f'<path d="M{x} 230 Q{x + 6} {230 - h / 2} {x + r.randint(-10, 16)} {230 - h}" stroke="#5b7d3a" stroke-width="4" fill="none"/>')
        s.append(f'<ellipse cx="{x + 4}" cy="{230 - h + 8}" rx="5" ry="14" fill="#a08050"/>')
    # boat with a canopy
    s += ['<path d="M260 268 L430 268 L410 296 L280 296 Z" fill="#6b4b32"/>',
          '<path d="M300 268 Q345 230 390 268 Z" fill="#3a3f45"/>',
          '<path d="M418 262 L452 212" stroke="#4a3524" stroke-width="5"/>']
    # egret in flight
    s += ['<path d="M330 96 Q360 70 392 90 Q366 92 356 104 Z" fill="#fff"/>',
          '<path d="M356 104 Q380 112 412 100" stroke="#fff" stroke-width="6" fill="none" stroke-linecap="round"/>',
          '<path d="M330 96 Q306 78 290 84" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round"/>']
    return s


def papercut(acc, r):
    """A red paper-cut window flower (窗花) in a card frame."""
    red = "#c7362f"
    s = ['<rect x="90" y="34" width="300" height="292" rx="8" fill="#fbf3e4" stroke="#d9c7a6" stroke-width="3"/>',
         f'<rect x="104" y="48" width="272" height="264" rx="4" fill="none" stroke="{hexc(acc)}" stroke-width="6"/>',
         f'<circle cx="240" cy="180" r="104" fill="{red}"/>',
         '<circle cx="240" cy="180" r="92" fill="#fbf3e4"/>',
         f'<circle cx="240" cy="180" r="86" fill="{red}"/>']
    for k in range(8):
        a = k * math.pi / 4
        x, y = 240 + 58 * math.cos(a), 180 + 58 * math.sin(a)
        s.append(f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="20" ry="9" fill="#fbf3e4" transform="rotate({math.degrees(a):.0f} {x:.1f} {y:.1f})"/>')
        x2, y2 = 240 + 28 * math.cos(a + math.pi / 8), 180 + 28 * math.sin(a + math.pi / 8)
        s.append(f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="6" fill="#fbf3e4"/>')
    s.append(camellia_flower(240, 180, 16))
    for cx, cy in ((128, 72), (352, 72), (128, 288), (352, 288)):
        s.append(f'<path d="M{cx - 12} {cy} L{cx} {cy - 12} L{cx + 12} {cy} L{cx} {cy + 12} Z" fill="{red}"/>')
    return s


MOTIFS = {
    "bottle": bottle, "leaf": tea, "mountain": village_mountains, "pig": tongcheng_pig,
    "jar": earthen_jar, "bamboo": bamboo, "basket": woven_basket, "egg": eggs_in_nest,
    "fruit": kiwi, "box": gift_box, "dance": paida_dancers, "water": wetland, "scroll": papercut,
}


def sample_tag(w, h):
    """The corner tag that says none of this is a real product photograph."""
    tw, th = 124, 30
    x, y = w - tw - 8, h - th - 8
    return (f'<rect x="{x}" y="{y}" width="{tw}" height="{th}" rx="6" fill="#000" fill-opacity="0.55"/>'
            f'<text x="{x + tw / 2}" y="{y + 21}" text-anchor="middle" font-family="Noto Sans CJK SC, DejaVu Sans" '
            f'font-size="17" font-weight="bold" fill="#fff">样例 SAMPLE</text>')


def emblem(motif, accent, seed, size=200):
    """A producer's logo: its product's motif inside a round badge."""
    r = random.Random(seed)
    body = "".join(MOTIFS[motif](accent, r))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 200 200">'
            f'<rect width="200" height="200" fill="#fbfaf5"/>'
            f'<defs><clipPath id="badge"><circle cx="100" cy="96" r="78"/></clipPath></defs>'
            f'<circle cx="100" cy="96" r="86" fill="{hexc(accent)}"/>'
            f'<circle cx="100" cy="96" r="78" fill="{hexc(lighter(accent, 0.8))}"/>'
            f'<g clip-path="url(#badge)"><g transform="translate(-4 -6) scale(0.43)">{body}</g></g>'
            f'<rect x="132" y="176" width="62" height="20" rx="4" fill="#000" fill-opacity="0.55"/>'
            f'<text x="163" y="191" text-anchor="middle" font-family="Noto Sans CJK SC, DejaVu Sans" '
            f'font-size="13" font-weight="bold" fill="#fff">样例</text></svg>')


def render_logo(path, motif, accent, seed, size=200):
    """Write a producer's logo as a size x size PNG."""
    _write_png(emblem(motif, accent, seed, size), path, size, size)


def svg(motif, c1, c2, accent, seed, w=480, h=360):
    """The SVG text of one picture; the motif is scaled to fit w x h."""
    r = random.Random(seed)
    body = "".join(MOTIFS[motif](accent, r))
    scale = min(w / 480, h / 360)
    dx, dy = (w - 480 * scale) / 2, (h - 360 * scale) / 2
    tag = sample_tag(w, h)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
            f'<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
            f'<stop offset="0" stop-color="{hexc(c1)}"/><stop offset="1" stop-color="{hexc(c2)}"/></linearGradient></defs>'
            f'<rect width="{w}" height="{h}" fill="url(#bg)"/>'
            f'<g transform="translate({dx:.1f} {dy:.1f}) scale({scale:.4f})">{body}</g>{tag}</svg>')


def render(path, motif, c1, c2, accent, seed, w=480, h=360):
    """Draw one motif and write it as a PNG at w x h pixels."""
    _write_png(svg(motif, c1, c2, accent, seed, w, h), path, w, h)


def _write_png(svg_text, path, w, h):
    """Rasterise, then store as a 256-colour palette PNG (no dithering: flat colours stay flat)."""
    png = cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), output_width=w, output_height=h)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
