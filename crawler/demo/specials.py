"""Pages of the demo that are not in stories.json: the malformed article and the trap pages.

Ids 180-199 are reserved for them (and for stories.json's wrong_language entries), so they never
share a URL id with a story and never look like a translation of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.demo.data import Version


@dataclass(frozen=True)
class Special:
    path: str
    lang: str
    published: datetime
    version: Version


MALFORMED = Special(
    path="/en/news/182-kestrel-bay-ferry-returns",
    lang="en",
    published=datetime.fromisoformat("2026-03-14T09:15:00+03:00"),
    version=Version(
        title="Kestrel Bay ferry returns to service after 19-day hull repair",
        description="The Marta Solberg is back on the Northquay crossing after a cracked hull plate.",
        author="Tomas Ravel",
        paragraphs=(
            "The passenger ferry Marta Solberg returned to the Kestrel Bay crossing on Saturday "
            "morning, 19 days after a cracked hull plate forced the port authority to withdraw it "
            "from service. The first sailing left the Northquay terminal at 07:40 with 212 "
            "passengers and 38 cars on board.",
            "Harbour master Ilse Varga said the repair at the Dunmere dry dock cost 1.4 million "
            "euros, about 300,000 more than the yard's first estimate, because inspectors found "
            "corrosion on two neighbouring plates.",
            "During the closure, islanders relied on a smaller replacement boat that carried only "
            "60 passengers and no vehicles. The operator, Bayline Ferries, says the full timetable "
            "of 14 daily crossings will resume on Monday, and that season tickets will be extended "
            "by three weeks.",
        ),
    ),
)

NOT_ARTICLE = Special(
    path="/en/news/180-live-index",
    lang="en",
    published=datetime.fromisoformat("2026-03-15T08:00:00+03:00"),
    version=Version(
        title="Live: today's headlines",
        description="All of today's stories from Demo Meridian in one list.",
        author="Demo Meridian",
        paragraphs=("Updated through the day.",),
    ),
)

EMPTY_BODY = Special(
    path="/ru/news/181-photo-report",
    lang="ru",
    published=datetime.fromisoformat("2026-03-15T12:00:00+03:00"),
    version=Version(
        title="Фоторепортаж: весенняя ярмарка на набережной",
        description="Фотографии с весенней ярмарки.",
        author="Редакция Demo Meridian",
        paragraphs=(),
    ),
)

# The three URLs that fail; their titles only appear in the feeds that list them.
SLOW = Special(
    path="/ar/news/196-slow",
    lang="ar",
    published=datetime.fromisoformat("2026-03-15T10:00:00+03:00"),
    version=Version(title="بث مباشر: جلسة مجلس المدينة", description="", author="", paragraphs=()),
)
ERROR = Special(
    path="/ru/news/197-error",
    lang="ru",
    published=datetime.fromisoformat("2026-03-15T10:30:00+03:00"),
    version=Version(title="Курс рубля: итоги торгов", description="", author="", paragraphs=()),
)
MISSING = Special(
    path="/en/news/198-missing",
    lang="en",
    published=datetime.fromisoformat("2026-03-15T11:00:00+03:00"),
    version=Version(title="City council approves the new tram line", description="", author="", paragraphs=()),
)

PRIVATE_PATH = "/private/secret-draft"
