"""The country list of the registration form, per language: ISO 3166 countries only, the
service's most common nationalities first, the rest in the language's alphabetical order
(ICU collation), names in the page's language or Spanish where CLDR has none."""

from __future__ import annotations

import icu
import pycountry
import pytest
from babel import Locale

from helpdesk.core.countries import COMMON, cldr_names, country_names
from helpdesk.core.i18n import SUPPORTED_LOCALES

FIRST_NINE = {
    "es": ["Venezuela", "Perú", "Haití", "Colombia", "Bolivia", "Argentina", "China", "Ecuador",
           "República Dominicana"],
    "ht": ["Venezuela", "Perú", "Haití", "Colombia", "Bolivia", "Argentina", "China", "Ecuador",
           "República Dominicana"],
    "en": ["Venezuela", "Peru", "Haiti", "Colombia", "Bolivia", "Argentina", "China", "Ecuador",
           "Dominican Republic"],
    "fr": ["Venezuela", "Pérou", "Haïti", "Colombie", "Bolivie", "Argentine", "Chine", "Équateur",
           "République dominicaine"],
    "zh": ["委内瑞拉", "秘鲁", "海地", "哥伦比亚", "玻利维亚", "阿根廷", "中国", "厄瓜多尔",
           "多米尼加共和国"],
    "ru": ["Венесуэла", "Перу", "Гаити", "Колумбия", "Боливия", "Аргентина", "Китай", "Эквадор",
           "Доминиканская Республика"],
}  # fmt: skip

# Names in order in each language's list, accented or not: a plain code-point sort puts
# Å, É, Ö and Ñ after Z (and Chinese by stroke order instead of pinyin).
IN_ORDER = {
    "es": ["Afganistán", "Albania", "Austria", "Bélgica", "Benín", "Zimbabue"],
    "ht": ["Afganistán", "Albania", "Austria", "Bélgica", "Benín", "Zimbabue"],
    "en": ["Afghanistan", "Åland Islands", "Albania", "Curaçao", "Cyprus", "Réunion", "Romania"],
    "fr": ["Afghanistan", "Afrique du Sud", "Égypte", "Émirats arabes unis", "Espagne",
           "Îles Åland", "Inde", "Zimbabwe"],
    # By pinyin: a, ai, ao, ba, de, ri, zhi.
    "zh": ["阿富汗", "爱尔兰", "奥地利", "巴西", "德国", "日本", "智利"],
    "ru": ["Австралия", "Австрия", "Аландские о-ва", "Албания", "Эстония", "Япония"],
}  # fmt: skip

NOT_COUNTRIES = ("EU", "EZ", "UN", "ZZ", "XA", "XB", "XK", "QO", "001", "419")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_common_nationalities_come_first(locale: str) -> None:
    countries = country_names(locale)
    assert [code for code, _name in countries[:9]] == list(COMMON)
    assert [name for _code, name in countries[:9]] == FIRST_NINE[locale]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_only_iso_countries_each_once(locale: str) -> None:
    countries = country_names(locale)
    codes = [code for code, _name in countries]
    names = [name for _code, name in countries]
    assert len(codes) == len(set(codes)) == len(pycountry.countries)
    assert len(names) == len(set(names))
    assert set(codes) == {c.alpha_2 for c in pycountry.countries}
    assert not set(codes) & set(NOT_COUNTRIES)
    for word in ("Eurozona", "Naciones Unidas", "Región desconocida", "Pseudo"):
        assert not [name for name in names if word in name], (locale, word)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_rest_in_the_languages_alphabetical_order(locale: str) -> None:
    rest = [name for _code, name in country_names(locale)[9:]]
    positions = [rest.index(name) for name in IN_ORDER[locale]]
    assert positions == sorted(positions), IN_ORDER[locale]
    assert rest[-1] not in ("Åland Islands", "Österreich", "Îles Åland", "Égypte")


def test_creole_page_gets_spanish_names_where_cldr_has_none() -> None:
    assert Locale.parse("ht").territories["DE"] == "Allemagne"  # Babel caches it merged
    cldr_names.cache_clear()
    country_names.cache_clear()
    creole = dict(country_names("ht"))
    assert creole["DE"] == "Alemania"  # not French ("Allemagne"): CLDR has no Creole names
    assert creole == dict(country_names("es"))


def test_collation_is_icus_not_code_points() -> None:
    """What the order rests on: ICU's French collation sorts É with E."""
    collator = icu.Collator.createInstance(icu.Locale("fr"))
    assert sorted(["Zambie", "Égypte", "Espagne"], key=collator.getSortKey) == [
        "Égypte",
        "Espagne",
        "Zambie",
    ]
    assert sorted(["Zambie", "Égypte", "Espagne"]) != ["Égypte", "Espagne", "Zambie"]
