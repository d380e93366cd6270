"""Paragraph shape, covered share and picture keys: evidence a translation carries and another
report of the same story does not."""

from crawler.linking.evidence import content_score
from crawler.linking.features import extract_features
from crawler.linking.figures import in_order
from crawler.linking.layout import covered_share, in_same_order, media_key, shape_agreement

EN = [
    "The port of Varna handled 14,350 containers in March, the harbour authority said on Tuesday.",
    "That is the most in a single month since the terminal opened, and 12.4 percent more than a year earlier.",
    "Director Stefan Ivanov said the new cranes bought from Liebherr had cut waiting times to 31 hours.",
    "Two more berths will open in 2027, financed by a loan of 86 million euros from the EIB.",
    "Shipping lines from Istanbul and Constanta have asked for extra weekly slots.",
    "The authority expects 165,000 containers this year.",
]
RU = [
    "Порт Варны в марте обработал 14 350 контейнеров, сообщило во вторник управление порта.",
    "Это больше всего за один месяц с открытия терминала и на 12,4 процента больше, чем годом ранее.",
    "Директор Стефан Иванов сказал, что новые краны, купленные у Liebherr, сократили ожидание до 31 часа.",
    "Ещё два причала откроются в 2027 году на кредит в 86 млн евро от ЕИБ.",
    "Судоходные линии из Стамбула и Констанцы попросили дополнительные еженедельные окна.",
    "Управление ожидает в этом году 165 000 контейнеров.",
]


def test_a_translation_has_the_shape_of_its_original():
    compared, agreement = shape_agreement([len(p) for p in EN], [len(p) for p in RU])
    assert compared == 6 and agreement > 0.1
    shuffled = [len(p) for p in RU[::-1]]
    assert shape_agreement([len(p) for p in EN], shuffled)[1] < agreement
    assert shape_agreement([100, 200], [100, 200]) == (2, 0.0)  # too few paragraphs to tell


def test_a_shortened_version_is_held_only_to_what_it_covers():
    full = extract_features("Varna port", "\n\n".join(EN))
    short = extract_features("Порт Варны", "\n\n".join(RU[:3]))
    assert covered_share(full.length, short.length)[0] < 1.0
    whole = content_score(full, extract_features("Порт Варны", "\n\n".join(RU)))
    cut = content_score(full, short)
    assert cut.score > 0.22
    assert whole.score >= cut.score * 0.8


def test_the_same_picture_is_evidence_and_a_logo_is_not():
    assert media_key("https://cdn.example.com/img/2026/03/varna-port-cranes_1200x630.jpg") == "image:varna-port-cranes"
    assert media_key("https://example.com/ru/img/varna-port-cranes-800x450.webp") == "image:varna-port-cranes"
    assert media_key("https://example.com/static/logo-share.png") is None
    assert media_key("https://www.youtube.com/watch?v=dQw4w9WgXcQ") == "video:dQw4w9WgXcQ"
    assert media_key(None) is None
    a = extract_features("Varna", EN[0], media=["image:varna-port-cranes"])
    b = extract_features("Варна", RU[0], media=["image:varna-port-cranes"])
    c = extract_features("Варна", RU[0])
    assert content_score(a, b).score > content_score(a, c).score


def test_numbers_in_the_same_order_are_evidence_and_a_shuffle_is_not():
    assert in_same_order(list("abcdefg"), list("xbadcfeg"), set("abcdefg")) == ["b", "d", "f", "g"]
    assert in_same_order(list("abc"), list("cba"), set("abc")) in (["a"], ["b"], ["c"])
    assert in_same_order(list("abc"), list("abc"), {"a", "c"}) == ["a", "c"]
    en = extract_features("Varna port", "\n\n".join(EN))
    ru = extract_features("Порт Варны", "\n\n".join(RU))
    assert ru.order[:3] == ("14350", "12.4", "31")
    shuffled = extract_features("Порт Варны", "\n\n".join(RU[::-1]))
    assert set(shuffled.order) == set(ru.order)
    assert content_score(en, ru).order > content_score(en, shuffled).order


def test_numbers_written_together_are_one_figure_in_the_order():
    # A phone number or a date gives its parts in the writer's format, not the story's order.
    assert in_order("Call +7 495 123 45 67 today. In all, 48 people came.", 10) == ("7495123", "48")
    text = "On 18 June 2020 the storm came. Officials said 105 were hurt and, days later, 50 more."
    assert in_order(text, 10) == ("18", "105", "50")
    assert in_order(text, 2) == ("18", "105")
