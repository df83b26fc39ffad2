"""A person signed in with ClaveÚnica sees, on /estado, the applications under their RUN and
only those: signed in through the ClaveÚnica look-alike over real HTTP."""

from __future__ import annotations

import html
import re

from helpdesk.cases import lookup
from tests.helpdesk.accounts.test_claveunica import new_sub, set_user, sign_in, userinfo
from tests.helpdesk.cases.test_lookup import a_case
from tests.helpdesk.cases.test_staff import a_run


async def test_claveunica_person_sees_only_their_runs_cases(
    browser, oidc_provider, sessionmaker
) -> None:
    mine, theirs = a_run(), a_run()
    own = await a_case(sessionmaker, document_type="run", document_number=mine)
    other = await a_case(sessionmaker, document_type="run", document_number=theirs)
    body, digit = mine.split("-")
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(int(body), digit, ["Rose"], ["Pierre"]))
    response, _code = await sign_in(browser, sub)
    assert response.status_code in (302, 303), response.text

    page = await browser.get("/estado")
    assert page.status_code == 200
    assert own.number in page.text and other.number not in page.text
    # Their own case opens from the list's private link, without typing anything.
    link = re.search(r'href="http://testserver(/estado/c/[^"]+)"', page.text)
    assert link is not None
    opened = await browser.get(html.unescape(link.group(1)))
    assert opened.status_code == 200 and own.number in opened.text
    assert lookup.document_matches(own, mine) and not lookup.document_matches(own, theirs)
