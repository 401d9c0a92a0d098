"""Copy the npm-installed front-end libraries into src/gongzhi/static/vendor (not committed)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "gongzhi" / "static" / "vendor"

FILES = {
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "alpinejs/alpine.min.js": "alpinejs/dist/cdn.min.js",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
}
DIRS = {"leaflet/images": "leaflet/dist/images"}


def main() -> None:
    for target, source in FILES.items():
        src = NODE / source
        if not src.exists():
            raise SystemExit(f"missing {src}: run `npm ci` first")
        dst = VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    for target, source in DIRS.items():
        shutil.copytree(NODE / source, VENDOR / target, dirs_exist_ok=True)
    print(f"front-end assets copied to {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
