"""Template helpers: partials rendered once per language."""

from __future__ import annotations

import jinja2
import pytest

from helpdesk.core import i18n
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment, options


def _environment(tmp_path, app_env: str = "test") -> jinja2.Environment:  # type: ignore[no-untyped-def]
    (tmp_path / "help.html").write_text('<p>{{ _("Cerrar") }}</p>')
    (tmp_path / "personal.html").write_text("<p>{{ viewer }}</p>")
    (tmp_path / "page.html").write_text('{{ per_language("help.html") }}')
    return make_environment(Settings(app_env=app_env), tmp_path)


def test_a_per_language_partial_is_rendered_once_per_language(tmp_path) -> None:
    env = _environment(tmp_path)
    page = env.get_template("page.html")
    i18n.set_locale("es")
    spanish = page.render()
    i18n.set_locale("ht")
    creole = page.render()
    assert spanish == "<p>Cerrar</p>" and creole != spanish and "Cerrar" not in creole
    (tmp_path / "help.html").write_text("<p>changed</p>")
    assert page.render() == creole  # kept: templates change only on deployment
    i18n.set_locale("es")
    assert page.render() == spanish


def test_development_renders_it_again(tmp_path) -> None:
    env = _environment(tmp_path, app_env="development")
    i18n.set_locale("es")
    assert env.get_template("page.html").render() == "<p>Cerrar</p>"
    (tmp_path / "help.html").write_text("<p>changed</p>")
    assert env.get_template("page.html").render() == "<p>changed</p>"


def test_a_partial_that_needs_page_variables_fails(tmp_path) -> None:
    env = _environment(tmp_path)
    (tmp_path / "page.html").write_text('{{ per_language("personal.html") }}')
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("page.html").render(viewer="someone")


def test_options_escape_values_and_labels_and_mark_the_selected_one() -> None:
    html = options({"a": "Uno", 'x"><script>': "<b>dos</b>"}, selected="a")
    assert html == (
        '<option value="a" selected>Uno</option>'
        '<option value="x&quot;&gt;&lt;script&gt;">&lt;b&gt;dos&lt;/b&gt;</option>'
    )
    assert options([(3, "Ana & Luis")], selected=3) == (
        '<option value="3" selected>Ana &amp; Luis</option>'
    )
    assert options(["prensa", "o'higgins"]) == (
        '<option value="prensa">prensa</option>'
        '<option value="o&#x27;higgins">o&#x27;higgins</option>'
    )
