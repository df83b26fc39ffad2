from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpdesk.core.settings import PROJECT_ROOT
from knowledge_base.search.analyzers import JIEBA_CACHE_DIR, normalize, split_words, terms
from knowledge_base.search.fuzzy import distance, max_distance


@pytest.mark.parametrize(
    ("locale", "written", "typed"),
    [
        ("es", "residencia", "residencias"),
        ("es", "definitiva", "definitivas"),
        ("en", "permit", "permits"),
        ("en", "appointment", "appointments"),
        ("fr", "amende", "amendes"),
        ("fr", "résidence", "résidences"),
        ("ru", "штраф", "штрафы"),
        ("ru", "гражданство", "гражданства"),
    ],
)
def test_snowball_languages_stem_word_forms_together(locale: str, written: str, typed: str) -> None:
    assert set(terms(locale, written)) & set(terms(locale, typed))


@pytest.mark.parametrize(
    ("locale", "written", "typed"),
    [
        ("es", "cédula", "cedula"),
        ("es", "nacionalización", "nacionalizacion"),
        ("es", "extranjería", "extranjeria"),
        ("fr", "séjour", "sejour"),
        ("fr", "nationalité", "nationalite"),
        ("ht", "tanporè", "tanpore"),
        ("ht", "pèmanan", "pemanan"),
    ],
)
def test_accents_are_folded(locale: str, written: str, typed: str) -> None:
    assert set(terms(locale, written)) & set(terms(locale, typed))


def test_spanish_keeps_estado_although_snowball_lists_it_as_a_stop_word() -> None:
    assert terms("es", "el estado de mi solicitud") == ["estad", "solicitud"]


def test_creole_stop_words_are_dropped_and_words_are_not_stemmed() -> None:
    assert terms("ht", "Kijan pou m jwenn rezidans tanporè nan peyi a?") == [
        "jwenn",
        "rezidans",
        "tanpore",
        "peyi",
    ]
    assert terms("ht", "mwen ou li nou yo la a an nan ak pou ki se pa yon de sa") == []
    assert terms("ht", "rezidans") == ["rezidans"]


def test_chinese_is_segmented_into_words() -> None:
    indexed = terms("zh", "申请永久居留")
    assert "永久" in indexed and "居留" in indexed
    assert set(terms("zh", "永久居留")) <= set(indexed)
    assert terms("zh", "的") == []


def test_chinese_text_keeps_latin_words_whole_and_folded() -> None:
    assert "claveunica" in terms("zh", "如何获得ClaveÚnica？")


def test_normalize_lowercases_folds_and_strips_punctuation() -> None:
    assert normalize("  ¿Cómo RENUEVO mi Cédula?!  ") == "como renuevo mi cedula"
    assert normalize("carnet-de-extranjería, ClaveÚnica…") == "carnet de extranjeria claveunica"
    assert normalize("如何申请永久居留？") == "如何申请永久居留"


def test_query_words_split_chinese_runs() -> None:
    words = split_words(normalize("visa 如何申请永久居留"))
    assert words[0] == "visa"
    assert "永久" in "".join(words[1:])
    assert len(words) > 2


def test_fuzzy_distance_and_allowance() -> None:
    assert distance("recident", "resident") == 1
    assert distance("residensi", "resident") == 2
    assert distance("", "abc") == 3
    assert distance("kitten", "sitting") == 3
    assert [max_distance(w) for w in ("rut", "cedul", "resident")] == [0, 1, 2]


def test_jieba_imports_cleanly_with_warnings_as_errors(tmp_path: os.PathLike[str]) -> None:
    """A fresh interpreter compiles jieba from source (no cached bytecode), where its invalid
    escape sequences warn: the import must still pass with -W error, and the dictionary cache
    must go to our own writable folder."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path))
    code = (
        "from knowledge_base.search.analyzers import terms, initialise_jieba\n"
        "initialise_jieba()\n"
        "print(terms('zh', '申请永久居留'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-X", "dev", "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "永久" in result.stdout
    assert "Warning" not in result.stderr
    assert (JIEBA_CACHE_DIR / "jieba.cache").exists()
