"""A refused vote on a help article: the error summary inside the vote's section, with and
without htmx, linking to the comment box."""

from __future__ import annotations

from tests.support.error_summary import check_summary, read


async def test_a_too_long_comment_is_summed_up_with_a_link(client, kb_articles) -> None:
    page = f"/ayuda/articulo/{kb_articles['plain']}"
    token = await client.csrf(page)
    form = {"csrf_token": token, "helpful": "0", "comment": "x" * 1001}
    whole = await client.post(f"{page}/voto", data=form)
    assert whole.status_code == 422
    check_summary(whole.text, ["comment"], at_top=False)
    fragment = await client.post(f"{page}/voto", data=form, headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<section id="voto"')
    assert read(fragment.text).links == [
        ("#comment", "El comentario puede tener hasta 1000 caracteres.")
    ]


async def test_a_vote_without_its_answer_is_listed_without_a_link(client, kb_articles) -> None:
    page = f"/ayuda/articulo/{kb_articles['plain']}"
    response = await client.submit(f"{page}/voto", {"helpful": "tal vez"}, page=page)
    assert response.status_code == 422
    summary = check_summary(response.text, [], at_top=False)
    assert summary.items == ["Elija «Sí» o «No»."]
