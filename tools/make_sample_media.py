#!/usr/bin/env python3
"""Draw the sample shop's product pictures and build its small 3D models.

Why a script: the sample shop (``examples/shop/``) must show pictures and 3D
models on the kiosk without any downloaded asset, so every file is made here
from simple shapes and committed; re-running it rebuilds the same files.

* One PNG per product (``media/<SKU>.png``, 320 x 320): a flat drawing of its
  category, its name and price, on the category's colour. Pillow.
* A GLB (binary glTF) for a few products (``media/<SKU>.glb``): solids of
  revolution and boxes at real-world size in metres (glTF is Y-up, AR places
  them at true scale), each part with its own PBR colour. trimesh.
* ``products.csv`` gets its ``image_url`` and ``model_url`` columns filled
  with those relative paths (other columns are kept byte for byte).

Generation-time dependencies only (``pip install -e '.[media]'``, or
``make sample-media``); the server never imports this.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"
MEDIA = SHOP / "media"
SIZE = 320

# category -> (background, ink) with ink on background at >= 4.5:1 contrast
PALETTE: dict[str, tuple[str, str]] = {
    "kitchen": ("#fde7d3", "#7a2e00"),
    "coffee & tea": ("#efe2d6", "#4a2a12"),
    "audio": ("#dfe8fb", "#1b3a7a"),
    "outdoor": ("#dcefdc", "#1f5a24"),
    "home office": ("#e9e4f6", "#3f2a7a"),
    "personal care": ("#f9e1ec", "#7a1f4a"),
    "pet supplies": ("#fbf0cf", "#6a4a00"),
    "cleaning": ("#d9f1f3", "#0d5560"),
}
DEFAULT_COLOURS = ("#eeeeee", "#222222")


# --------------------------------------------------------------------------- pictures
def _icon_kitchen(d, ink: str) -> None:  # a pot with a lid
    d.rounded_rectangle((95, 105, 225, 185), radius=14, outline=ink, width=8)
    d.line((80, 120, 95, 120), fill=ink, width=8)
    d.line((225, 120, 240, 120), fill=ink, width=8)
    d.arc((105, 70, 215, 130), 180, 360, fill=ink, width=8)
    d.ellipse((150, 62, 170, 80), fill=ink)


def _icon_coffee(d, ink: str) -> None:  # a cup on a saucer, with steam
    d.rounded_rectangle((105, 100, 195, 180), radius=12, outline=ink, width=8)
    d.arc((180, 115, 225, 160), 270, 90, fill=ink, width=8)
    d.line((85, 192, 235, 192), fill=ink, width=8)
    for x in (130, 150, 170):
        d.arc((x - 8, 50, x + 8, 92), 100, 260, fill=ink, width=5)


def _icon_audio(d, ink: str) -> None:  # a speaker
    d.rounded_rectangle((110, 55, 210, 195), radius=16, outline=ink, width=8)
    d.ellipse((140, 72, 180, 112), outline=ink, width=6)
    d.ellipse((128, 122, 192, 186), outline=ink, width=8)
    d.ellipse((152, 146, 168, 162), fill=ink)


def _icon_outdoor(d, ink: str) -> None:  # a tent under a sun
    d.polygon([(80, 190), (160, 75), (240, 190)], outline=ink, width=8)
    d.line((160, 75, 160, 190), fill=ink, width=6)
    d.ellipse((210, 45, 245, 80), outline=ink, width=6)


def _icon_office(d, ink: str) -> None:  # a monitor
    d.rounded_rectangle((85, 65, 235, 160), radius=8, outline=ink, width=8)
    d.line((160, 160, 160, 185), fill=ink, width=8)
    d.line((125, 190, 195, 190), fill=ink, width=8)


def _icon_care(d, ink: str) -> None:  # a pump bottle
    d.rounded_rectangle((125, 95, 195, 195), radius=14, outline=ink, width=8)
    d.rectangle((148, 70, 172, 95), outline=ink, width=6)
    d.line((160, 70, 160, 55), fill=ink, width=6)
    d.line((160, 55, 190, 55), fill=ink, width=6)


def _icon_pet(d, ink: str) -> None:  # a paw print
    d.ellipse((125, 120, 195, 185), fill=ink)
    for x, y in ((108, 95), (138, 70), (172, 70), (202, 95)):
        d.ellipse((x - 14, y - 17, x + 14, y + 17), fill=ink)


def _icon_cleaning(d, ink: str) -> None:  # a bucket
    d.polygon([(100, 100), (220, 100), (205, 190), (115, 190)], outline=ink, width=8)
    d.arc((100, 45, 220, 150), 200, 340, fill=ink, width=6)


def _icon_kettle(d, ink: str) -> None:  # a kettle with a spout
    d.rounded_rectangle((110, 85, 210, 190), radius=20, outline=ink, width=8)
    d.line((210, 110, 240, 85), fill=ink, width=8)
    d.arc((125, 50, 195, 110), 180, 360, fill=ink, width=8)


def _icon_headphones(d, ink: str) -> None:  # a headband and two ear cups
    d.arc((95, 50, 225, 200), 180, 360, fill=ink, width=9)
    d.rounded_rectangle((85, 120, 120, 185), radius=10, fill=ink)
    d.rounded_rectangle((200, 120, 235, 185), radius=10, fill=ink)


def _icon_knife(d, ink: str) -> None:  # a blade and a handle
    d.polygon([(80, 150), (200, 120), (200, 150)], outline=ink, width=7)
    d.rounded_rectangle((200, 122, 250, 150), radius=8, fill=ink)


def _icon_pan(d, ink: str) -> None:  # a pan seen from the side, with its handle
    d.rounded_rectangle((80, 120, 200, 165), radius=12, outline=ink, width=8)
    d.line((200, 135, 250, 120), fill=ink, width=10)


# Product words that pick a more telling drawing than the category's.
WORD_ICONS: tuple[tuple[tuple[str, ...], Callable], ...] = (
    (("mug", "cup", "coffee", "tea", "espresso", "dripper", "frother"), None),
    (("kettle",), _icon_kettle),
    (("headphone", "earbud"), _icon_headphones),
    (("knife",), _icon_knife),
    (("skillet", "pan"), _icon_pan),
    (("speaker",), None),
)

ICONS: dict[str, Callable] = {
    "kitchen": _icon_kitchen,
    "coffee & tea": _icon_coffee,
    "audio": _icon_audio,
    "outdoor": _icon_outdoor,
    "home office": _icon_office,
    "personal care": _icon_care,
    "pet supplies": _icon_pet,
    "cleaning": _icon_cleaning,
}


def _icon_for(row: dict[str, str]) -> Callable:
    name = row["name"].lower()
    for words, icon in WORD_ICONS:
        if any(word in name for word in words):
            if icon is None:  # the word names what a category's drawing shows
                return _icon_coffee if words[0] == "mug" else _icon_audio
            return icon
    return ICONS.get(row["category"], _icon_kitchen)


def _wrap(text: str, font, width: int, draw) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines[:3]


def picture(row: dict[str, str]) -> bytes:
    """A 320 x 320 PNG for one product row."""
    from PIL import Image, ImageDraw, ImageFont

    background, ink = PALETTE.get(row["category"], DEFAULT_COLOURS)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    _icon_for(row)(draw, ink)
    font = ImageFont.load_default(size=20)
    small = ImageFont.load_default(size=16)
    y = 215
    for line in _wrap(row["name"], font, SIZE - 30, draw):
        draw.text((SIZE / 2, y), line, fill=ink, font=font, anchor="mt")
        y += 24
    draw.text((12, 12), row["sku"], fill=ink, font=small)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --------------------------------------------------------------------------- 3D models
def _material(colour: str, metallic: float = 0.0, roughness: float = 0.6):
    from trimesh.visual.material import PBRMaterial

    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return PBRMaterial(
        baseColorFactor=[*rgb, 255], metallicFactor=metallic, roughnessFactor=roughness
    )


def _part(mesh, colour: str, **material):
    from trimesh.visual import TextureVisuals

    mesh.visual = TextureVisuals(material=_material(colour, **material))
    return mesh


def _lathe(profile: list[tuple[float, float]], sections: int = 64):
    """A solid of revolution about Z from (radius, height) points, closed at both ends."""
    import trimesh

    return trimesh.creation.revolve(np.array(profile, dtype=float), sections=sections)


def travel_mug() -> list:
    body = [(0.0, 0.0), (0.036, 0.0), (0.04, 0.01), (0.043, 0.17), (0.0, 0.17)]
    lid = [(0.0, 0.17), (0.044, 0.17), (0.044, 0.19), (0.036, 0.198), (0.0, 0.198)]
    band = [(0.0, 0.05), (0.0415, 0.05), (0.0415, 0.075), (0.0, 0.075)]
    return [
        _part(_lathe(body), "#9aa3ad", metallic=0.85, roughness=0.3),
        _part(_lathe(lid), "#222428", roughness=0.5),
        _part(_lathe(band), "#2f6fb5", roughness=0.7),
    ]


def pour_over_dripper() -> list:
    import trimesh

    cone = [(0.0, 0.012), (0.025, 0.012), (0.058, 0.1), (0.0, 0.1)]
    base = trimesh.creation.cylinder(radius=0.055, height=0.012, sections=64)
    base.apply_translation((0, 0, 0.006))
    return [
        _part(_lathe(cone), "#f4f1ea", roughness=0.25),
        _part(base, "#e8e2d4", roughness=0.3),
    ]


def mini_speaker() -> list:
    import trimesh

    body = trimesh.creation.cylinder(radius=0.038, height=0.045, sections=64)
    body.apply_translation((0, 0, 0.0225))
    grille = trimesh.creation.cylinder(radius=0.031, height=0.004, sections=64)
    grille.apply_translation((0, 0, 0.046))
    clip = trimesh.creation.box(extents=(0.012, 0.03, 0.03))
    clip.apply_translation((0.043, 0, 0.0225))
    return [
        _part(body, "#1f4e8c", roughness=0.55),
        _part(grille, "#15171a", roughness=0.9),
        _part(clip, "#c9ccd1", metallic=0.6, roughness=0.35),
    ]


def skillet() -> list:
    import trimesh

    pan = [(0.0, 0.0), (0.1, 0.0), (0.127, 0.05), (0.121, 0.05), (0.095, 0.006), (0.0, 0.006)]
    handle = trimesh.creation.box(extents=(0.14, 0.03, 0.014))
    handle.apply_translation((0.19, 0, 0.042))
    return [
        _part(_lathe(pan), "#2b2b2b", metallic=0.4, roughness=0.75),
        _part(handle, "#2b2b2b", metallic=0.4, roughness=0.75),
    ]


MODELS: dict[str, Callable[[], list]] = {
    "KIT-1001": travel_mug,
    "COF-2004": pour_over_dripper,
    "AUD-3002": mini_speaker,
    "KIT-1005": skillet,
}


def glb(parts: list) -> bytes:
    """The parts as one binary glTF, turned Y-up as glTF expects."""
    import trimesh

    scene = trimesh.Scene()
    z_up_to_y_up = trimesh.transformations.rotation_matrix(-math.pi / 2, (1, 0, 0))
    for index, mesh in enumerate(parts):
        mesh.apply_transform(z_up_to_y_up)
        scene.add_geometry(mesh, node_name=f"part{index}", geom_name=f"part{index}")
    return scene.export(file_type="glb")


# --------------------------------------------------------------------------- products.csv
def main() -> int:
    products = SHOP / "products.csv"
    with products.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for column in ("image_url", "model_url"):
        if column not in fields:
            fields.append(column)
    MEDIA.mkdir(exist_ok=True)
    written = 0
    for row in rows:
        image = MEDIA / f"{row['sku']}.png"
        image.write_bytes(picture(row))
        row["image_url"] = f"media/{image.name}"
        build = MODELS.get(row["sku"])
        if build is not None:
            model = MEDIA / f"{row['sku']}.glb"
            model.write_bytes(glb(build()))
            row["model_url"] = f"media/{model.name}"
            written += 1
        else:
            row["model_url"] = ""
    with products.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    size = sum(p.stat().st_size for p in MEDIA.iterdir())
    print(f"{len(rows)} pictures, {written} models, {size / 1024:.0f} KiB in {MEDIA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
