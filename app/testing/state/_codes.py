"""Personal codes as QR images: drawn on the server as SVG (segno), so the phone needs no
script to show them and the printed card is the same picture."""

import dataclasses
from html import escape

import segno


def qr_svg(code: str, label: str) -> str:
    """A scalable QR (viewBox only, no fixed size; the page sizes it) with its quiet zone,
    black on white even in dark mode, named for screen readers."""
    svg = segno.make(code, error="m", micro=False).svg_inline(
        scale=1, omitsize=True, dark="#000", light="#fff", svgclass="qr-svg", title=label
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


@dataclasses.dataclass
class CodeCard:
    resident_id: int
    name: str
    relation: str
    code: str
    svg: str
    position: str  # 第 2/3 位
