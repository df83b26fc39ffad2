"""Knowledge-base fixtures: small article folders written for the tests, loaded like the
shipped content."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from knowledge_base.content_loader import load_content


def write_article(root: Path, slug: str, meta: str, texts: dict[str, str]) -> None:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "article.toml").write_text(meta, encoding="utf-8")
    for locale, text in texts.items():
        (folder / f"{locale}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
async def kb_articles(tmp_path_factory: pytest.TempPathFactory, sessionmaker) -> dict[str, str]:
    """Three published articles, loaded once per run: {'guide', 'plain', 'unsafe'} -> slug."""
    tmp_path = tmp_path_factory.mktemp("kb-content")
    suffix = uuid.uuid4().hex[:8]
    slugs = {name: f"{name}-{suffix}" for name in ("guide", "plain", "unsafe")}
    write_article(
        tmp_path, slugs["guide"],
        f'type = "guia"\ncategory = "estampado_electronico"\ntramites = ["estampado-descarga"]\n'
        f'tags = ["estampado"]\nrelated = ["{slugs["plain"]}"]\n',
        {
            "es": '+++\ntitle = "Descargar el estampado del xilófono"\nsummary = "Cómo bajarlo."\n'
                  '[[steps]]\ntitle = "Entre al sitio"\nbody = "Abra **el portal**."\n+++\n'
                  "Introducción de la guía del xilófono.",
            "ht": '+++\ntitle = "Telechaje so elektwonik ksilofòn la"\n'
            'summary = "Kijan pou telechaje l."\n'
                  '[[steps]]\ntitle = "Antre sou sit la"\nbody = "Louvri **pòtay la**."\n+++\n'
                  "Entwodiksyon gid la.",
        },
    )  # fmt: skip
    write_article(
        tmp_path, slugs["plain"], 'type = "ficha"\ncategory = "multas"\n',
        {"es": '+++\ntitle = "Multas migratorias"\nsummary = "Qué son."\n+++\nTexto sobre multas.'},
    )  # fmt: skip
    write_article(
        tmp_path, slugs["unsafe"], 'type = "tip"\ncategory = "otros"\n',
        {"es": '+++\ntitle = "Texto peligroso"\nsummary = "Prueba."\n+++\n'
               "Hola <script>alert('x')</script> [clic](javascript:alert(1)) "
               '<img src=x onerror="alert(2)"> [bien](https://www.gob.cl)'},
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        assert await load_content(db, tmp_path) == 3
    return slugs
