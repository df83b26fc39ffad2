"""Text analysis for each reader language: what a word becomes in the index and in a query.

es, en, fr, ru: Snowball stemming and stop words, with accents folded. ht: Haitian Creole has
no inflection to strip and no Snowball stemmer (``LanguageAnalyzer("ht")`` would silently fall
back to a plain tokenizer), so it gets stop words only. zh: jieba segments runs of Chinese
characters into words (Whoosh's tokenizer would keep a whole run as one token).
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

with warnings.catch_warnings():
    # jieba 0.42.1 predates Python 3.11: its modules hold invalid escape sequences in regular
    # expressions (DeprecationWarning when compiled, SyntaxWarning from 3.12), it may import
    # pkg_resources (DeprecationWarning), and jieba.analyse reads idf.txt without closing the
    # file (ResourceWarning). Tests run with warnings as errors; these come from the import only.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", ResourceWarning)
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from jieba.analyse.analyzer import STOP_WORDS as JIEBA_STOP_WORDS
    from jieba.analyse.analyzer import ChineseTokenizer

# jieba logs its dictionary loading at DEBUG on stderr; and it caches the parsed dictionary in
# a file, by default in the system temp dir. Give it a folder of its own that is writable by
# this user (jieba writes the cache to a temporary file and renames it, so processes that start
# together do not corrupt it).
jieba.setLogLevel(logging.WARNING)
JIEBA_CACHE_DIR = Path(tempfile.gettempdir()) / "portal-de-ayuda-jieba"
jieba.dt.tmp_dir = str(JIEBA_CACHE_DIR)
_jieba_lock = threading.Lock()
_jieba_ready = False


def initialise_jieba() -> None:
    """Loads jieba's dictionary once per process (about 0.3 s from its cache)."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            JIEBA_CACHE_DIR.mkdir(parents=True, exist_ok=True)
            jieba.initialize()
            _jieba_ready = True


def fold(text: str) -> str:
    """Accents and ligatures folded (é→e, ñ→n, Ú→U); Chinese and Cyrillic are unchanged."""
    return text.translate(accent_map)


# Words that say nothing about which article is wanted. Spanish keeps "estado" (Snowball lists
# it as a form of "estar", but people ask for the "estado de mi solicitud"); each language adds
# the question words people type into a search box.
_EXTRA_STOP = {
    "es": {"cómo", "cuánto", "cuánta", "cuántos", "cuál", "cuáles", "dónde", "puedo", "quiero"},
    "en": {"can", "get", "do", "how", "i", "need", "want", "what", "where"},
    "fr": {"comment", "quoi", "où", "puis", "peux", "faire", "quel", "quelle", "est-ce"},
    "ru": {"как", "где", "мне", "можно", "нужно", "что"},
}
_KEEP = {"es": {"estado", "estados"}}


def _word_list(text: str) -> list[str]:
    return text.split()


# Pronouns, articles, particles, tense markers and question words of Haitian Creole.
HAITIAN_STOP_WORDS = frozenset(
    fold(w)
    for w in _word_list(
        """
        mwen m ou w li l nou n yo y la lan nan a an ak avèk avek pou ki ke se pa yon on de sa
        sila ap pral te t va ta ka kab kapab e epi men oswa si lè tou deja gen genyen sou kijan
        kouman kòman kisa kilès kilè kote poukisa èske ban bay fè
        """
    )
)
CHINESE_STOP_WORDS = frozenset(JIEBA_STOP_WORDS) | frozenset(
    _word_list(
        "的 了 和 是 在 我 你 您 吗 呢 吧 啊 什么 怎么 怎样 如何 哪里 哪儿 可以 需要 要 能 有 为"
        " 与 及"
    )
)


@cache
def stop_words(locale: str) -> frozenset[str]:
    """Each stop word as written and accent-folded (queries arrive folded)."""
    if locale == "ht":
        return HAITIAN_STOP_WORDS
    if locale == "zh":
        return CHINESE_STOP_WORDS
    words = (set(stopwords_for_language(locale)) | _EXTRA_STOP.get(locale, set())) - _KEEP.get(
        locale, set()
    )
    return frozenset(words | {fold(w) for w in words})


class FoldingStemFilter(Filter):
    """Stems each word both as written and accent-folded, and folds the result.

    Snowball's suffix lists carry accents: "nacionalización" stems to "nacionaliz" but the
    "nacionalizacion" people type on a phone keyboard does not stem at all. The index gets both
    stems at the same position, so the typed form and the written form meet whichever way a
    query arrives.
    """

    is_morph = True

    def __init__(self, lang: str, cachesize: int = 50000) -> None:
        self.lang = lang
        self.cachesize = cachesize
        self._setup()

    def _setup(self) -> None:
        self._stem = lru_cache(maxsize=self.cachesize)(stemmer_for_language(self.lang))

    def __getstate__(self) -> dict[str, Any]:
        return {"lang": self.lang, "cachesize": self.cachesize}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldingStemFilter) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(("FoldingStemFilter", self.lang))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self._stem
        for token in tokens:
            if token.stopped:
                yield token
                continue
            word = token.text
            folded = fold(word)
            written = fold(stem(word))
            token.text = written
            yield token
            if folded != word:
                typed = stem(folded)
                if typed != written:
                    token.text = typed
                    yield token


# Accent folding that keeps every character one character long, so token offsets still
# point into the original text.
_SAME_LENGTH_FOLD = {k: v for k, v in accent_map.items() if isinstance(v, str) and len(v) == 1}


class JiebaTokenizer(ChineseTokenizer):  # type: ignore[misc]
    """jieba's Whoosh tokenizer (search mode: long words also yield their parts), loading the
    dictionary on first use. Defined here so that an index's pickled schema imports this module,
    which imports jieba quietly, rather than jieba directly.

    jieba cuts Latin words at accented letters ("ClaveÚnica" → "Clave", "Ú", "nica"), so it
    reads the text with accents folded."""

    def __call__(self, text: str, **kwargs: Any) -> Iterator[Token]:
        initialise_jieba()
        yield from super().__call__(text.translate(_SAME_LENGTH_FOLD), **kwargs)


WORD_PATTERN = r"\w+"


def snowball_analyzer(locale: str) -> Analyzer:
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=stop_words(locale), minsize=1)
        | FoldingStemFilter(locale)
    )


def haitian_analyzer() -> Analyzer:
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=stop_words("ht"), minsize=1)
    )


def chinese_analyzer() -> Analyzer:
    """jieba's ChineseAnalyzer (Porter stems the Latin words Chinese text may hold), with our
    tokenizer, stop words and accent folding ("ClaveÚnica" in a Chinese text)."""
    analyzer = ChineseAnalyzer(stoplist=stop_words("zh"), minsize=1, stemfn=porter_stem)
    analyzer.items[0] = JiebaTokenizer()
    analyzer.items.insert(2, CharsetFilter(accent_map))
    return analyzer


@cache
def analyzer_for(locale: str) -> Analyzer:
    if locale in ("es", "en", "fr", "ru"):
        return snowball_analyzer(locale)
    if locale == "ht":
        return haitian_analyzer()
    if locale == "zh":
        return chinese_analyzer()
    raise ValueError(f"no analyzer for locale {locale!r}")


def terms(locale: str, text: str) -> list[str]:
    """The index terms ``text`` becomes in ``locale`` (distinct, in order)."""
    return list(dict.fromkeys(t.text for t in analyzer_for(locale)(text, mode="query")))


_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lowercase, accents folded, punctuation and extra spaces removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def split_words(normalized: str) -> list[str]:
    """Words of a normalized query; runs of Chinese characters are segmented by jieba."""
    words: list[str] = []
    for chunk in normalized.split():
        for i, part in enumerate(_CJK.split(chunk)):
            if not part:
                continue
            if i % 2:
                initialise_jieba()
                words.extend(w for w in jieba.cut(part) if w.strip())
            else:
                words.append(part)
    return words


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
