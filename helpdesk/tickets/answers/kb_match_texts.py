"""The respuesta tipo sent when the knowledge base answers a new request, as seeded data.

Its texts are data like any template's (admins edit them), so they are written here in each
language rather than in the catalogue. The matching articles are listed after the text, one
title and link per line, and the "¿Resolvió su consulta?" question follows them.
"""

from __future__ import annotations

from typing import Final

KB_MATCH_CODE: Final = "kb_match"
# The AutoRule row that stands for the knowledge-base match in the log (AutoAnswer.rule_id):
# no kind is called "*", so the keyword rules never pick it.
KB_RULE_KIND: Final = "*"

KB_MATCH_TEMPLATE: Final = (
    KB_MATCH_CODE,
    "Respuesta de la base de conocimiento",
    {
        "es": "Estimada/o {nombre}:\n\nGracias por escribirnos. Sobre su solicitud {folio},"
        " encontramos en nuestro centro de ayuda información que responde a su consulta:",
        "en": "Dear {nombre},\n\nThank you for writing to us. About your request {folio},"
        " our help center has information that answers your question:",
        "fr": "Bonjour {nombre},\n\nMerci de nous avoir écrit. Au sujet de votre demande"
        " {folio}, notre centre d'aide contient des informations qui répondent à votre"
        " question :",
        "ht": "Bonjou {nombre},\n\nMèsi paske ou ekri nou. Konsènan demann ou an {folio},"
        " nou jwenn enfòmasyon nan sant èd nou an ki reponn kesyon ou a:",
        "zh": "{nombre}，您好：\n\n感谢您的来信。关于您的申请 {folio}，我们的帮助中心有能够"
        "解答您问题的信息：",
        "ru": "Здравствуйте, {nombre}!\n\nСпасибо за ваше обращение. По вашему запросу {folio}"
        " в нашем справочном центре есть информация, которая отвечает на ваш вопрос:",
    },
)
