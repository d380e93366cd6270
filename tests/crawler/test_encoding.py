"""crawler.extract.encoding: decoding pages whose charset is declared, mislabelled or missing."""

from __future__ import annotations

import codecs
import random

import pytest

from crawler.extract.encoding import decode_html

RU_TEXT = (
    "Государственная дума приняла во втором чтении поправки к бюджету на 2026 год. "
    "По словам председателя комитета Ирины Волковой, расходы на здравоохранение "
    "вырастут на 12 процентов, а дефицит сократится до 1,8 трлн рублей."
)
AR_TEXT = (
    "أعلنت وزارة المالية اليوم عن خطة جديدة لدعم الصناعات الصغيرة، وقال الوزير "
    "إن الحكومة ستخصص مليار دينار خلال العام المقبل لتمويل المشروعات في المحافظات."
)


def page(text: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("text", "codec", "header"),
    [
        (RU_TEXT, "windows-1251", "windows-1251"),
        (RU_TEXT, "windows-1251", "text/html; charset=windows-1251"),
        (RU_TEXT, "windows-1251", "text/html; charset=cp1251"),
        (AR_TEXT, "windows-1256", "windows-1256"),
        (AR_TEXT, "windows-1256", "text/html;charset=Windows-1256"),
    ],
)
def test_legacy_code_page_declared_by_header(text: str, codec: str, header: str) -> None:
    decoded, used = decode_html(page(text).encode(codec), header)
    assert text in decoded
    assert used == codec


@pytest.mark.parametrize(
    ("text", "codec", "meta"),
    [
        (AR_TEXT, "windows-1256", '<meta charset="windows-1256">'),
        (AR_TEXT, "windows-1256", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'),
        (RU_TEXT, "windows-1251", "<meta charset=windows-1251>"),
    ],
)
def test_legacy_code_page_declared_by_meta_only(text: str, codec: str, meta: str) -> None:
    body = page(text, meta).encode(codec)
    for header in (None, "", "text/html"):
        decoded, used = decode_html(body, header)
        assert text in decoded
        assert used == codec


def test_meta_beats_a_false_utf8_header() -> None:
    body = page(AR_TEXT, '<meta charset="windows-1256">').encode("windows-1256")
    decoded, used = decode_html(body, "utf-8")
    assert AR_TEXT in decoded
    assert used == "windows-1256"


def test_utf8_bytes_mislabelled_as_latin1_by_header() -> None:
    body = page(RU_TEXT, '<meta charset="utf-8">').encode("utf-8")
    decoded, used = decode_html(body, "text/html; charset=iso-8859-1")
    assert RU_TEXT in decoded
    assert used == "utf-8"


def test_utf8_bytes_win_over_a_wrong_meta() -> None:
    body = page(AR_TEXT, '<meta charset="windows-1256">').encode("utf-8")
    decoded, used = decode_html(body, None)
    assert AR_TEXT in decoded
    assert used == "utf-8"


@pytest.mark.parametrize(
    ("bom_codec", "bom", "label"),
    [
        ("utf-8", codecs.BOM_UTF8, "utf-8"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_beats_every_label(bom_codec: str, bom: bytes, label: str) -> None:
    body = bom + page(RU_TEXT, '<meta charset="windows-1251">').encode(bom_codec)
    decoded, used = decode_html(body, "windows-1251")
    assert used == label
    assert RU_TEXT in decoded
    assert not decoded.startswith("\ufeff")


def test_undeclared_windows_1251_is_detected() -> None:
    decoded, used = decode_html(page(RU_TEXT).encode("windows-1251"), None)
    assert RU_TEXT in decoded
    assert used == "windows-1251"


def test_undeclared_windows_1256_is_detected() -> None:
    decoded, _ = decode_html(page(AR_TEXT).encode("windows-1256"), None)
    assert AR_TEXT in decoded


def test_ascii_page_without_declaration_is_utf8() -> None:
    assert decode_html(b"<p>plain</p>", None) == ("<p>plain</p>", "utf-8")


def test_header_charset_is_used_for_pages_that_are_not_utf8() -> None:
    body = page("Café crème, naïve façade").encode("latin-1")
    decoded, used = decode_html(body, "iso-8859-1")
    assert "Café crème, naïve façade" in decoded
    # Browsers read latin-1 labels as windows-1252, a superset.
    assert used == "windows-1252"


@pytest.mark.parametrize("header", [None, "bogus-charset", "utf-7", "charset=", "text/html; charset="])
def test_unknown_or_unsafe_labels_fall_through(header: str | None) -> None:
    body = page(RU_TEXT).encode("utf-8")
    assert decode_html(body, header) == (body.decode("utf-8"), "utf-8")


def test_broken_utf8_label_keeps_utf8_with_replacements() -> None:
    # A truncated multi-byte sequence must not throw the whole page into a code page.
    body = page(RU_TEXT).encode("utf-8")[:-20] + b"\xd0"
    decoded, used = decode_html(body, "utf-8")
    assert used == "utf-8"
    assert RU_TEXT[:60] in decoded


def test_empty_body() -> None:
    assert decode_html(b"", None) == ("", "utf-8")
    assert decode_html(b"", "windows-1251") == ("", "windows-1251")


def test_binary_junk_never_raises() -> None:
    rng = random.Random(20260312)
    headers = [None, "utf-8", "windows-1251", "windows-1256", "utf-16", "x-unknown", "text/html; charset=utf-8"]
    samples = [bytes(range(256)), b"\x00" * 100, b"\xff\xfe\x00", b"\xef\xbb\xbf\xff", b"\xfe\xff\xd8"]
    samples += [rng.randbytes(rng.randint(0, 4000)) for _ in range(150)]
    for body in samples:
        for header in headers:
            text, used = decode_html(body, header)
            assert isinstance(text, str)
            assert codecs.lookup(used)
