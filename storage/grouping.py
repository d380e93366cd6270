"""The rule that keeps a translation group to one article per language: links are taken strongest
evidence first and kept while they respect it. Pure; :mod:`storage.groups` applies it to stored links.

The method names are the values of ``translation_links.method`` (docs/schema.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

HREFLANG = "hreflang"
OG_LOCALE = "og_locale"
SITEMAP = "sitemap"
SWITCHER = "switcher"
URL_PATTERN = "url_pattern"
CONTENT = "content"

# Rank of each method when evidence conflicts: any declared link outranks any content score.
METHOD_RANK: dict[str, int] = {HREFLANG: 0, SITEMAP: 0, OG_LOCALE: 1, SWITCHER: 2, URL_PATTERN: 3, CONTENT: 4}


def strength(method: str, score: float) -> tuple[int, float]:
    """Sort key of a link's evidence, larger is stronger: the method first, then its score."""
    return (-METHOD_RANK.get(method, len(METHOD_RANK)), score)


class _Components:
    """Union-find over articles that also knows each component's languages."""

    def __init__(self, langs: Mapping[int, str]) -> None:
        self.parent = {article_id: article_id for article_id in langs}
        self.langs = {article_id: {lang} for article_id, lang in langs.items()}

    def find(self, article_id: int) -> int:
        while self.parent[article_id] != article_id:
            self.parent[article_id] = self.parent[self.parent[article_id]]
            article_id = self.parent[article_id]
        return article_id

    def join(self, a_id: int, b_id: int) -> bool:
        """Join the components of a and b unless that puts one language in twice."""
        a_root, b_root = self.find(a_id), self.find(b_id)
        if a_root == b_root:
            return True
        if self.langs[a_root] & self.langs[b_root]:
            return False
        self.parent[b_root] = a_root
        self.langs[a_root] |= self.langs.pop(b_root)
        return True


def choose_links(
    langs: Mapping[int, str], links: Sequence[tuple[int, int, str, float]]
) -> tuple[list[int], dict[int, int]]:
    """Which links to keep so that no group holds two articles of one language.

    ``langs`` maps every article involved to its language; ``links`` are (article, article, method,
    score), older evidence first. Links are taken strongest first (a tie keeps the older one) and
    kept while they respect the rule. Returns the indices of the kept links and, for every article,
    a label shared by the articles of its group (its connected component).
    """
    components = _Components(langs)
    ranked = sorted(range(len(links)), key=lambda i: (strength(links[i][2], links[i][3]), -i), reverse=True)
    kept = sorted(i for i in ranked if components.join(links[i][0], links[i][1]))
    return kept, {article_id: components.find(article_id) for article_id in langs}
