"""Charts as inline SVG drawn on the server: no script, no CDN, nothing the CSP has to allow.

Every label passes through :func:`html.escape`; numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

# One colour per language, the same in every chart; others share grey.
COLOURS = {"ru": "#1f6feb", "en": "#2da44e", "ar": "#bf8700"}
OTHER = "#8c959f"
BAR = 14


def _colour(lang: str) -> str:
    return COLOURS.get(lang, OTHER)


def _legend(langs: Sequence[str], y: int) -> str:
    items = []
    for i, lang in enumerate(langs):
        x = 10 + i * 70
        items.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{_colour(lang)}"/>'
            f'<text x="{x + 14}" y="{y + 9}">{escape(lang)}</text>'
        )
    return "".join(items)


def per_day(counts: Mapping[str, Mapping[str, int]], title: str) -> str:
    """Stacked columns: articles per day (oldest on the left), one colour per language."""
    days = sorted(counts)
    langs = sorted({lang for day in counts.values() for lang in day})
    top = max([sum(day.values()) for day in counts.values()] + [1])
    width, height, left, base = max(60 + 28 * len(days), 320), 190, 36, 150
    parts = [
        f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#999"/>',
        f'<text x="4" y="{base - 120 + 4}">{top}</text><text x="4" y="{base + 4}">0</text>',
    ]
    for i, day in enumerate(days):
        x, y = left + 6 + i * 28, float(base)
        for lang in langs:
            value = counts[day].get(lang, 0)
            if value:
                h = 120 * value / top
                y -= h
                parts.append(
                    f'<rect x="{x}" y="{y:.1f}" width="20" height="{h:.1f}" fill="{_colour(lang)}">'
                    f"<title>{escape(day)} {escape(lang)}: {value}</title></rect>"
                )
        if i % 2 == 0 or len(days) <= 8:
            parts.append(f'<text x="{x}" y="{base + 14}" class="tick">{escape(day[5:])}</text>')
    parts.append(_legend(langs, height - 14))
    return _svg(title, width, height, parts)


def rates(rows: Sequence[tuple[str, float | None, float | None]], title: str) -> str:
    """Per source, two horizontal bars: error rate and drop rate (0 to 100 %)."""
    height = 30 + len(rows) * (2 * BAR + 10)
    parts = []
    for i, (source, errors, drops) in enumerate(rows):
        y = 8 + i * (2 * BAR + 10)
        parts.append(f'<text x="4" y="{y + BAR + 4}">{escape(source)}</text>')
        for j, (label, value, colour) in enumerate((("errors", errors, "#cf222e"), ("dropped", drops, "#8250df"))):
            share = value or 0.0
            shown = "–" if value is None else f"{share:.1%}"
            top = y + j * BAR
            parts.append(
                f'<rect x="110" y="{top}" width="{max(share * 300, 1):.1f}" height="{BAR - 2}" fill="{colour}">'
                f"<title>{escape(source)} {label}: {shown}</title></rect>"
                f'<text x="{116 + share * 300:.1f}" y="{top + BAR - 3}" class="tick">{label} {shown}</text>'
            )
    return _svg(title, 520, height, parts)


def coverage(shares: Mapping[str, Mapping[str, float]], title: str) -> str:
    """For each language, the share of its stories that have each other language too."""
    rows = [(lang, other, share) for lang, others in shares.items() for other, share in others.items()]
    height = 20 + len(rows) * (BAR + 6)
    parts = []
    for i, (lang, other, share) in enumerate(rows):
        y = 6 + i * (BAR + 6)
        parts.append(
            f'<text x="4" y="{y + BAR - 3}">{escape(lang)} with {escape(other)}</text>'
            f'<rect x="90" y="{y}" width="{max(share * 300, 1):.1f}" height="{BAR}" fill="{_colour(other)}">'
            f"<title>{escape(lang)} stories with {escape(other)}: {share:.0%}</title></rect>"
            f'<text x="{96 + share * 300:.1f}" y="{y + BAR - 3}" class="tick">{share:.0%}</text>'
        )
    return _svg(title, 480, height, parts)


def _svg(title: str, width: int, height: int, parts: Sequence[str]) -> str:
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg></figure>"
    )
