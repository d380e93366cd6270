"""Language-independent features of an article's text, for content linking. Pure.

Two versions of a story in different languages share little vocabulary but much else: the same
numbers (digits folded across scripts, separators normalised), dates and quoted addresses
(:mod:`crawler.linking.mentions`), people and places (transliterated, :mod:`crawler.linking.translit`).
:func:`extract_features` reads them; :func:`crawler.linking.evidence.content_score` compares them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from crawler.linking.figures import fold_digits, in_order, numbers
from crawler.linking.layout import first_positions, paragraph_lengths
from crawler.linking.mentions import MONTHS, dates, links
from crawler.linking.translit import sound_key

FEATURES_VERSION = 3
"""Bump when extraction changes, so that stored features are recomputed."""

MAX_TEXT_CHARS = 20_000
"""Only the start of a very long text is read: a story's distinctive facts come first."""
MAX_ORDERED = 60
"""The order of at most this many of the body's numbers is kept."""

# --- names -------------------------------------------------------------------------------------


def _wordlist(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that start sentences or stand capitalised in titles, and the platforms every page
# links to ("follow us on Telegram"): they name nothing that tells two stories apart.
_STOPWORDS = _wordlist(
    """
    a an and as at but by for from he her his i if in into is it its mr mrs ms dr of on or our she so
    that the their them there these they this those to up we what when where which while who why will
    with after before about also all any new one two three more most other some such than then
    monday tuesday wednesday thursday friday saturday sunday read see photo video reuters ap afp
    facebook twitter instagram telegram youtube tiktok whatsapp viber vkontakte vk linkedin google
    в во на по с со за из об о к у но и а он она оно они мы я вы это этот эта эти как что при после
    до для также однако кроме среди между так по-прежнему ранее теперь сейчас уже еще ещё его её их
    der die das den dem des ein eine einer einem einen er sie es im am in auf mit von zu zum zur für
    bei nach aus und aber wir ich ihr wie was wer wo auch noch nur schon dass als an
    le la les un une des du de et en au aux il elle ils nous vous
    el los las y del al lo se
    """
)
_AR_STOPWORDS = _wordlist(
    """
    في من على إلى الى عن أن إن ان التي الذي الذين اللذين مع هذا هذه ذلك تلك كان كانت يكون قال قالت
    وقال وقالت بعد قبل حتى أو او ثم كما لكن لم لن ما لا هو هي هم نحن أنه انه أنها انها عند منذ خلال
    بين حول ضد كل بعض غير أي اي عام العام يوم اليوم قد وقد ولا أما اما إذا اذا وفي ومن وعلى وإلى وأن
    عبر نحو لدى لها له لهم به بها فيه فيها منه منها عليه عليها إليه وهو وهي وكان وكانت أيضا ايضا
    """
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:;\"«»“”]\s*$")
# Arabic writes "and", "by", "for", "like" and "the" onto the word; names are found under them.
_AR_PREFIXES = ("وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_PIECE_BREAK = re.compile(r"[-'’]")


def _cased(word: str) -> bool:
    return word[0].upper() != word[0].lower()


def _arabic_stems(word: str) -> Iterator[str]:
    yield word
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            yield word[len(prefix) :]


def title_case(heading: str) -> bool:
    """Whether a heading capitalises its every word ("Joe Biden Laments Failure to Stop Warming"),
    so that its capitals name nothing by themselves."""
    words = [w for w in _WORD.findall(heading) if len(w) >= 3 and _cased(w) and w.lower() not in _STOPWORDS]
    capitalised = sum(w[0].isupper() for w in words)
    return len(words) >= TITLE_CASE_MIN_WORDS and capitalised >= TITLE_CASE_SHARE * len(words)


TITLE_CASE_MIN_WORDS = 4
TITLE_CASE_SHARE = 0.8


def names_and_words(text: str, heading: str = "") -> tuple[set[str], set[str]]:
    """Sound keys of capitalised words (names, in scripts with case), and of every other content
    word of scripts without case (Arabic, Hebrew, Persian ...), where a name cannot be told apart.

    A capitalised word that only ever opens a sentence is left out: "Spending rose" names nothing.
    ``heading`` (a title) is read first; in title case, each of its words counts as an opening.
    """
    opening: set[str] = set()
    inside: set[str] = set()
    words: set[str] = set()
    for part, all_opening in ((heading, title_case(heading)), (text, False)):
        previous_end = 0
        for match in _WORD.finditer(part):
            word = match.group().strip("'’-")
            if not word:
                continue
            lower = word.lower()
            end_before, previous_end = previous_end, match.end()
            if not _cased(word):
                if _ARABIC_LETTER.match(word) and lower not in _AR_STOPWORDS:
                    words.update(key for stem in _arabic_stems(word) if len(key := sound_key(stem)) >= 2)
                continue
            if not word[0].isupper() or lower in _STOPWORDS:
                continue
            # Only a capitalised word needs to know whether it opens a sentence.
            gap = part[max(0, end_before - 3) : match.start()]
            sentence_start = all_opening or end_before == 0 or bool(_SENTENCE_END.search(gap)) or "\n" in gap
            for piece in _PIECE_BREAK.split(word) if _PIECE_BREAK.search(word) else (word,):
                if len(piece) < 2 or piece.lower() in _STOPWORDS or piece.lower() in MONTHS:
                    continue
                key = sound_key(piece) if piece[0].isupper() or piece.isupper() else ""
                if len(key) >= 2:
                    (opening if sentence_start else inside).add(key)
    return inside | (opening & inside), words


# --- features ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    """What content linking compares. Plain data, stored as JSON (``to_json``/``from_json``)."""

    numbers: dict[str, float] = field(default_factory=dict)  # canonical value -> weight
    dates: frozenset[str] = frozenset()  # "MM-DD"
    names: frozenset[str] = frozenset()  # sound keys of capitalised words
    words: frozenset[str] = frozenset()  # sound keys of all words of caseless scripts
    links: frozenset[str] = frozenset()  # addresses and handles
    positions: dict[str, float] = field(default_factory=dict)  # number or name -> where the body first has it
    shape: tuple[int, ...] = ()  # lengths of the body's first paragraphs
    length: int = 0  # characters of the body read
    media: frozenset[str] = frozenset()  # keys of the pictures and videos shown (linking.layout.media_key)
    order: tuple[str, ...] = ()  # the body's numbers in the order they first appear

    @cached_property
    def name_stems(self) -> frozenset[str]:
        """Names less their last consonant: a declined form one consonant longer finds them."""
        return frozenset(key[:-1] for key in self.names if len(key) >= 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FEATURES_VERSION,
            "numbers": self.numbers,
            "dates": sorted(self.dates),
            "names": sorted(self.names),
            "words": sorted(self.words),
            "links": sorted(self.links),
            "positions": self.positions,
            "shape": list(self.shape),
            "length": self.length,
            "media": sorted(self.media),
            "order": list(self.order),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Features:
        return cls(
            numbers={str(k): float(v) for k, v in dict(data.get("numbers") or {}).items()},
            dates=frozenset(data.get("dates") or ()),
            names=frozenset(data.get("names") or ()),
            words=frozenset(data.get("words") or ()),
            links=frozenset(data.get("links") or ()),
            positions={str(k): float(v) for k, v in dict(data.get("positions") or {}).items()},
            shape=tuple(int(n) for n in data.get("shape") or ()),
            length=int(data.get("length") or 0),
            media=frozenset(data.get("media") or ()),
            order=tuple(str(v) for v in data.get("order") or ()),
        )


def _fold(text: str) -> str:
    return fold_digits(unicodedata.normalize("NFKC", text))


def _body_keys(paragraph: str) -> list[str]:
    return [*numbers(paragraph), *names_and_words(paragraph)[0]]


def extract_features(
    title: str | None, body: str, *, description: str | None = None, media: Iterable[str] = ()
) -> Features:
    """The comparable features of an article: its title, description and the start of its body,
    and the keys of the pictures it shows (``media``, see :func:`crawler.linking.layout.media_key`).

    Nothing here depends on the article's language: the same rules read every script.
    """
    body = _fold(body[:MAX_TEXT_CHARS])
    text = "\n".join(_fold(part) for part in (title, description, body) if part)
    rest = "\n".join(_fold(part) for part in (description, body) if part)
    names, words = names_and_words(rest, _fold(title or ""))
    found = numbers(text)
    head = "\n".join(_fold(part) for part in (title, description) if part)
    in_head = set(_body_keys(head)) if head else set()
    positions = first_positions(body, _body_keys)
    return Features(
        numbers=found,
        dates=frozenset(dates(text)),
        names=frozenset(names),
        words=frozenset(words - names),
        links=frozenset(links(text)),
        positions={k: v for k, v in positions.items() if v > 0 and k not in in_head and (k in found or k in names)},
        shape=paragraph_lengths(body),
        length=len(body),
        media=frozenset(media),
        order=in_order(body, MAX_ORDERED),
    )
