#!/usr/bin/env python3
"""Cut the kiosk's embedded fonts from Noto Sans CJK SC (OFL-1.1).

The subset holds every GB2312 character, ASCII, Latin-1 letters, CJK and
full-width punctuation, the arrows and symbols the UI uses, and the extra
characters in assets/fonts/extra-chars.txt (the same set `hub catalog check`
warns against leaving, see hub/src/catalog/charset.rs).

Needs fontTools (`pip install fonttools`) and Debian's fonts-noto-cjk:

    python3 assets/fonts/subset.py
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto")
OUT = ROOT / "kiosk" / "ui" / "fonts"
# Face 2 of the collection is Simplified Chinese (SC).
FACES = {"NotoSansCJK-Regular.ttc": "NotoSansSC-Regular-subset.otf", "NotoSansCJK-Bold.ttc": "NotoSansSC-Bold-subset.otf"}


def characters() -> str:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    chars.update(chr(c) for c in range(0x20, 0x7F))
    chars.update(chr(c) for c in range(0xA0, 0x180))
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    chars.update("←→↑↓✓✔✕×·…—–‘’“”•●○◀▶☎⌫¥￥")
    extra = (ROOT / "assets" / "fonts" / "extra-chars.txt").read_text(encoding="utf-8")
    chars.update(c for line in extra.splitlines() if not line.startswith("#") for c in line.strip())
    return "".join(sorted(chars))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    text = OUT / "subset-chars.txt"
    text.write_text(characters(), encoding="utf-8")
    for source, target in FACES.items():
        subprocess.run(
            [
                sys.executable, "-m", "fontTools.subset", str(SOURCE / source),
                "--font-number=2", f"--text-file={text}", f"--output-file={OUT / target}",
                "--layout-features=*", "--no-hinting",
            ],
            check=True,
        )
        print(target, (OUT / target).stat().st_size, "bytes")
    text.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
