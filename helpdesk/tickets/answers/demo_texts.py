"""The respuestas tipo a new installation ships with, as seeded data.

Their texts are data like any template's (admins edit them), so they are written here in
each of the six languages rather than in the catalogue: a template that lacks the request's
language is never inserted without an agent choosing another language, so a shipped one
must have them all. Titles are what staff see in the list, in Spanish like the rest of the
staff's data.
"""

from __future__ import annotations

from typing import Final

_FINE_LINK: Final = "{enlace_ayuda}/articulo/como-pagar-una-multa"

DEMO_TEMPLATES: Final = (
    (
        "como-pagar-multa",
        "Cómo pagar una multa",
        {
            "es": "Estimada/o {nombre}:\n\nSobre su solicitud {folio}: puede pagar su multa en"
            f" línea siguiendo los pasos de {_FINE_LINK}",
            "en": "Dear {nombre},\n\nAbout your request {folio}: you can pay your fine online"
            f" following the steps at {_FINE_LINK}",
            "fr": "Bonjour {nombre},\n\nAu sujet de votre demande {folio} : vous pouvez payer"
            f" votre amende en ligne en suivant les étapes indiquées sur {_FINE_LINK}",
            "ht": "Bonjou {nombre},\n\nKonsènan demann ou an {folio}: ou ka peye amann ou an"
            f" sou entènèt si ou swiv etap ki sou {_FINE_LINK}",
            "zh": "{nombre}，您好：\n\n关于您的申请 {folio}：您可以按照以下页面的步骤在线缴纳"
            f"罚款：{_FINE_LINK}",
            "ru": "Здравствуйте, {nombre}!\n\nПо вашему запросу {folio}: вы можете оплатить"
            f" штраф онлайн, следуя инструкциям на странице {_FINE_LINK}",
        },
    ),
    (
        "recibimos-antecedentes",
        "Recibimos sus antecedentes",
        {
            "es": "Estimada/o {nombre}:\n\nRecibimos los antecedentes de su solicitud {folio}."
            " Le responderemos dentro del plazo. Mientras tanto, revise {enlace_ayuda}",
            "en": "Dear {nombre},\n\nWe have received the documents for your request {folio}."
            " We will answer you within the deadline. In the meantime, please see"
            " {enlace_ayuda}",
            "fr": "Bonjour {nombre},\n\nNous avons bien reçu les documents de votre demande"
            " {folio}. Nous vous répondrons dans le délai prévu. En attendant, consultez"
            " {enlace_ayuda}",
            "ht": "Bonjou {nombre},\n\nNou resevwa dokiman pou demann ou an {folio}. N ap"
            " reponn ou anvan dat limit la. Pandan tan sa a, gade {enlace_ayuda}",
            "zh": "{nombre}，您好：\n\n我们已收到您的申请 {folio} 的相关材料，将在规定期限内"
            "答复您。在此期间，请查看 {enlace_ayuda}",
            "ru": "Здравствуйте, {nombre}!\n\nМы получили документы по вашему запросу {folio}."
            " Мы ответим вам в установленный срок. А пока посмотрите {enlace_ayuda}",
        },
    ),
)
