"""What the demo people write and what the agents answer, in the six languages (data).

One opening per kind (subject, first message), and the replies a conversation is made of.
Short and plain, as people write on a phone; the agents answer in the person's language.
"""

# ruff: noqa: E501 (one message per line reads best in this table of texts)
from __future__ import annotations

from typing import Final

LOCALES: Final = ("es", "ht", "en", "fr", "zh", "ru")

# kind -> locale -> (subject, first message)
OPENINGS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "permanencia_transitoria": {
        "es": (
            "Prórroga de permanencia transitoria",
            "Entré como turista hace 70 días. ¿Puedo pedir la prórroga en línea o debo ir a una oficina?",
        ),
        "ht": (
            "Pwolongasyon pèmi touris",
            "Mwen antre kòm touris sa gen 70 jou. Èske m ka mande pwolongasyon an sou entènèt oswa fò m al nan yon biwo?",
        ),
        "en": (
            "Extending my tourist stay",
            "I entered as a tourist 70 days ago. Can I request the extension online or do I have to go to an office?",
        ),
        "fr": (
            "Prolongation de mon séjour touristique",
            "Je suis entré comme touriste il y a 70 jours. Puis-je demander la prolongation en ligne ou dois-je aller dans un bureau ?",
        ),
        "zh": (
            "延长旅游停留",
            "我以游客身份入境已经70天了。可以在网上申请延期吗？还是必须去办公室？",
        ),
        "ru": (
            "Продление туристического пребывания",
            "Я въехал как турист 70 дней назад. Можно подать на продление онлайн или нужно идти в офис?",
        ),
    },
    "regularizacion": {
        "es": (
            "Regularizar a mi hija",
            "Mi hija de 8 años entró conmigo por un paso no habilitado. ¿Cómo pido su residencia? No tiene pasaporte.",
        ),
        "ht": (
            "Regilarize pitit fi m",
            "Pitit fi m ki gen 8 an te antre avè m pa yon pasaj ki pa otorize. Kijan pou m mande rezidans li? Li pa gen paspò.",
        ),
        "en": (
            "Regularising my daughter",
            "My 8-year-old daughter entered with me through an unauthorised crossing. How do I apply for her residence? She has no passport.",
        ),
        "fr": (
            "Régulariser ma fille",
            "Ma fille de 8 ans est entrée avec moi par un passage non autorisé. Comment demander sa résidence ? Elle n'a pas de passeport.",
        ),
        "zh": (
            "为女儿办理合法身份",
            "我8岁的女儿和我一起从非正式口岸入境。怎样为她申请居留？她没有护照。",
        ),
        "ru": (
            "Легализация дочери",
            "Моя дочь 8 лет въехала со мной через неразрешённый пункт. Как подать на её вид на жительство? У неё нет паспорта.",
        ),
    },
    "estampado_electronico": {
        "es": (
            "No puedo descargar el estampado",
            "Me otorgaron la residencia temporal pero el botón para descargar el estampado no aparece. Ya pagué.",
        ),
        "ht": (
            "Mwen pa ka telechaje estampado a",
            "Yo ban m rezidans tanporè a men bouton pou telechaje estampado a pa parèt. Mwen deja peye.",
        ),
        "en": (
            "Cannot download my estampado",
            "My temporary residence was granted but the button to download the estampado does not appear. I already paid.",
        ),
        "fr": (
            "Impossible de télécharger l'estampado",
            "Ma résidence temporaire a été accordée mais le bouton pour télécharger l'estampado n'apparaît pas. J'ai déjà payé.",
        ),
        "zh": (
            "无法下载电子盖章",
            "我的临时居留已经批准，但是没有出现下载电子盖章的按钮。我已经付款了。",
        ),
        "ru": (
            "Не могу скачать estampado",
            "Мне одобрили временное проживание, но кнопка для скачивания estampado не появляется. Я уже заплатил.",
        ),
    },
    "residencia_temporal": {
        "es": (
            "Estado de mi solicitud de residencia temporal",
            "Postulé hace cuatro meses y sigue en análisis. ¿Hay algo que deba hacer?",
        ),
        "ht": (
            "Ki kote demann rezidans tanporè m nan ye",
            "Mwen te fè demann lan sa gen kat mwa e li toujou an analiz. Èske gen yon bagay mwen dwe fè?",
        ),
        "en": (
            "Status of my temporary residence application",
            "I applied four months ago and it is still under review. Is there anything I should do?",
        ),
        "fr": (
            "Où en est ma demande de résidence temporaire",
            "J'ai déposé ma demande il y a quatre mois et elle est toujours en analyse. Dois-je faire quelque chose ?",
        ),
        "zh": ("临时居留申请进度", "我四个月前提交了申请，现在还在审核中。我需要做什么吗？"),
        "ru": (
            "Статус заявления на временное проживание",
            "Я подал заявление четыре месяца назад, оно всё ещё на рассмотрении. Нужно ли мне что-то сделать?",
        ),
    },
    "residencia_definitiva": {
        "es": (
            "Me pidieron más antecedentes",
            "Me llegó un correo que pide más documentos para la residencia definitiva, pero no dice cuáles.",
        ),
        "ht": (
            "Yo mande m plis dokiman",
            "Mwen resevwa yon imèl ki mande plis dokiman pou rezidans definitif la, men li pa di ki dokiman.",
        ),
        "en": (
            "I was asked for more documents",
            "I got an email asking for more documents for permanent residence, but it does not say which ones.",
        ),
        "fr": (
            "On me demande d'autres documents",
            "J'ai reçu un courriel qui demande d'autres documents pour la résidence définitive, mais il ne dit pas lesquels.",
        ),
        "zh": ("要求补充材料", "我收到一封邮件，要求为永久居留补充材料，但没有说明需要哪些。"),
        "ru": (
            "Запросили дополнительные документы",
            "Мне пришло письмо с запросом дополнительных документов для постоянного проживания, но не сказано, каких именно.",
        ),
    },
    "nacionalizacion": {
        "es": (
            "Pago de la carta de nacionalización",
            "Mi solicitud de nacionalización fue aprobada. ¿Dónde pago los derechos y cuánto tiempo tengo?",
        ),
        "ht": (
            "Peman lèt nasyonalizasyon",
            "Yo apwouve demann nasyonalizasyon m nan. Ki kote pou m peye frè yo e konbyen tan mwen genyen?",
        ),
        "en": (
            "Paying for the naturalisation letter",
            "My naturalisation application was approved. Where do I pay the fees and how much time do I have?",
        ),
        "fr": (
            "Paiement de la lettre de naturalisation",
            "Ma demande de naturalisation a été approuvée. Où dois-je payer les droits et combien de temps ai-je ?",
        ),
        "zh": ("入籍证书付款", "我的入籍申请已获批准。在哪里缴费？有多长时间？"),
        "ru": (
            "Оплата письма о натурализации",
            "Моё заявление о натурализации одобрено. Где оплатить пошлину и сколько у меня времени?",
        ),
    },
    "refugio": {
        "es": (
            "Solicitud de refugio",
            "Salí de mi país por amenazas. ¿Cómo presento una solicitud de refugio y qué pasa mientras espero?",
        ),
        "ht": (
            "Demann refij",
            "Mwen kite peyi m akoz menas. Kijan pou m prezante yon demann refij e kisa k ap pase pandan m ap tann?",
        ),
        "en": (
            "Asylum application",
            "I left my country because of threats. How do I apply for refugee status and what happens while I wait?",
        ),
        "fr": (
            "Demande d'asile",
            "J'ai quitté mon pays à cause de menaces. Comment déposer une demande de refuge et que se passe-t-il pendant l'attente ?",
        ),
        "zh": ("申请难民身份", "我因为受到威胁离开了我的国家。怎样申请难民身份？等待期间会怎样？"),
        "ru": (
            "Заявление о статусе беженца",
            "Я уехал из своей страны из-за угроз. Как подать заявление о статусе беженца и что происходит, пока я жду?",
        ),
    },
    "multas": {
        "es": (
            "Pagué la multa y sigue pendiente",
            "Pagué mi multa en la TGR hace una semana y en la plataforma sigue como pendiente. Adjunto el comprobante.",
        ),
        "ht": (
            "Mwen peye amann lan e li toujou an atant",
            "Mwen peye amann mwen nan TGR sa gen yon semèn e sou platfòm nan li toujou an atant. Mwen mete resi a.",
        ),
        "en": (
            "Fine paid but still pending",
            "I paid my fine at the TGR a week ago and the platform still shows it as pending. I attach the receipt.",
        ),
        "fr": (
            "Amende payée mais toujours en attente",
            "J'ai payé mon amende à la TGR il y a une semaine et la plateforme l'indique toujours en attente. Je joins le reçu.",
        ),
        "zh": (
            "罚款已付但仍显示待处理",
            "我一周前在TGR缴纳了罚款，平台上仍然显示待处理。附上收据。",
        ),
        "ru": (
            "Штраф оплачен, но всё ещё не закрыт",
            "Я оплатил штраф в TGR неделю назад, а на платформе он всё ещё значится неоплаченным. Прилагаю квитанцию.",
        ),
    },
    "registro_civil": {
        "es": (
            "Hora para la cédula de identidad",
            "Ya descargué mi estampado. ¿Cómo pido la cédula en el Registro Civil? No encuentro horas.",
        ),
        "ht": (
            "Randevou pou kat idantite",
            "Mwen deja telechaje estampado m nan. Kijan pou m mande kat idantite a nan Registro Civil? Mwen pa jwenn randevou.",
        ),
        "en": (
            "Appointment for my identity card",
            "I already downloaded my estampado. How do I get the identity card at the Registro Civil? I cannot find appointments.",
        ),
        "fr": (
            "Rendez-vous pour la carte d'identité",
            "J'ai déjà téléchargé mon estampado. Comment obtenir la carte d'identité au Registro Civil ? Je ne trouve pas de rendez-vous.",
        ),
        "zh": (
            "预约办理身份证",
            "我已经下载了电子盖章。怎样在民事登记处办理身份证？我约不到时间。",
        ),
        "ru": (
            "Запись на удостоверение личности",
            "Я уже скачал estampado. Как получить удостоверение личности в Registro Civil? Не могу найти свободное время.",
        ),
    },
    "beneficio_migratorio": {
        "es": (
            "¿Mi permiso sigue vigente?",
            "Mi certificado de residencia en trámite venció. ¿Puedo seguir trabajando mientras resuelven?",
        ),
        "ht": (
            "Èske pèmi m toujou valab?",
            "Sètifika rezidans an kou m nan ekspire. Èske m ka kontinye travay pandan y ap pran desizyon an?",
        ),
        "en": (
            "Is my permit still valid?",
            "My certificate of residence in process has expired. Can I keep working while they decide?",
        ),
        "fr": (
            "Mon permis est-il toujours valable ?",
            "Mon certificat de résidence en cours a expiré. Puis-je continuer à travailler en attendant la décision ?",
        ),
        "zh": (
            "我的许可还有效吗？",
            "我的居留办理中证明已经过期。在等待结果期间我还能继续工作吗？",
        ),
        "ru": (
            "Действует ли ещё моё разрешение?",
            "Срок моей справки о рассмотрении заявления истёк. Могу ли я продолжать работать, пока решают?",
        ),
    },
    "otros": {
        "es": (
            "Cambiar el correo de mi cuenta",
            "Perdí acceso a mi correo antiguo. ¿Cómo cambio el correo de mi cuenta en la plataforma de trámites?",
        ),
        "ht": (
            "Chanje imèl kont mwen",
            "Mwen pèdi aksè nan ansyen imèl mwen. Kijan pou m chanje imèl kont mwen sou platfòm demach yo?",
        ),
        "en": (
            "Changing the email of my account",
            "I lost access to my old email. How do I change the email of my account on the procedures platform?",
        ),
        "fr": (
            "Changer l'adresse de mon compte",
            "J'ai perdu l'accès à mon ancienne adresse. Comment changer l'adresse de mon compte sur la plateforme des démarches ?",
        ),
        "zh": ("更改账户邮箱", "我无法登录旧邮箱了。怎样更改办理平台上账户的邮箱？"),
        "ru": (
            "Смена почты в учётной записи",
            "Я потерял доступ к старой почте. Как сменить почту в учётной записи на платформе?",
        ),
    },
    "consulta": {
        "es": (
            "Consulta por atención presencial",
            "¿Necesito hora para ir a la dirección regional o puedo ir sin reserva?",
        ),
        "ht": (
            "Kesyon sou resepsyon an pèsòn",
            "Èske m bezwen randevou pou m al nan biwo rejyonal la oswa m ka ale san rezèvasyon?",
        ),
        "en": (
            "Question about in-person attention",
            "Do I need an appointment to go to the regional office or can I go without booking?",
        ),
        "fr": (
            "Question sur l'accueil en personne",
            "Ai-je besoin d'un rendez-vous pour aller à la direction régionale ou puis-je y aller sans réservation ?",
        ),
        "zh": ("关于现场办理的咨询", "去大区办公室需要预约吗？还是可以直接去？"),
        "ru": (
            "Вопрос о личном приёме",
            "Нужна ли запись, чтобы прийти в региональное управление, или можно прийти без неё?",
        ),
    },
    "reclamo": {
        "es": (
            "Reclamo por demora",
            "Llevo ocho meses esperando respuesta a mi solicitud y nadie me contesta los correos.",
        ),
        "ht": (
            "Plent pou reta",
            "Sa fè uit mwa m ap tann repons pou demann mwen an e pèsonn pa reponn imèl mwen yo.",
        ),
        "en": (
            "Complaint about delay",
            "I have been waiting eight months for an answer to my application and nobody answers my emails.",
        ),
        "fr": (
            "Réclamation pour retard",
            "J'attends depuis huit mois une réponse à ma demande et personne ne répond à mes courriels.",
        ),
        "zh": ("投诉处理延误", "我的申请已经等了八个月，发邮件也没有人回复。"),
        "ru": (
            "Жалоба на задержку",
            "Я восемь месяцев жду ответа по заявлению, и никто не отвечает на мои письма.",
        ),
    },
    "sugerencia": {
        "es": (
            "Sugerencia para la plataforma",
            "Sería útil que la plataforma avise por SMS cuando cambia el estado de la solicitud.",
        ),
        "ht": (
            "Sijesyon pou platfòm nan",
            "Li ta itil si platfòm nan te voye yon SMS lè eta demann lan chanje.",
        ),
        "en": (
            "Suggestion for the platform",
            "It would help if the platform sent a text message when the status of an application changes.",
        ),
        "fr": (
            "Suggestion pour la plateforme",
            "Ce serait utile que la plateforme envoie un SMS quand l'état de la demande change.",
        ),
        "zh": ("对平台的建议", "如果申请状态变化时平台能发短信通知就好了。"),
        "ru": (
            "Предложение для платформы",
            "Было бы удобно, если бы платформа присылала SMS при изменении статуса заявления.",
        ),
    },
    "felicitacion": {
        "es": (
            "Felicitaciones al equipo",
            "Quiero agradecer a la funcionaria que me atendió en la oficina: fue muy amable y clara.",
        ),
        "ht": (
            "Felisitasyon pou ekip la",
            "Mwen vle di mèsi pou anplwaye ki te resevwa m nan biwo a: li te janti anpil e li te klè.",
        ),
        "en": (
            "Thanks to the team",
            "I want to thank the officer who helped me at the office: she was very kind and clear.",
        ),
        "fr": (
            "Félicitations à l'équipe",
            "Je veux remercier la fonctionnaire qui m'a reçu au bureau : elle a été très aimable et claire.",
        ),
        "zh": ("感谢工作人员", "我想感谢在办公室接待我的工作人员，她非常友善，解释得很清楚。"),
        "ru": (
            "Благодарность сотрудникам",
            "Хочу поблагодарить сотрудницу, которая приняла меня в офисе: она была очень вежлива и всё понятно объяснила.",
        ),
    },
    "opinion": {
        "es": (
            "Opinión sobre la atención",
            "La atención en terreno en mi comuna fue buena, pero había muy pocos cupos.",
        ),
        "ht": (
            "Opinyon sou resepsyon an",
            "Operasyon sou teren an nan komin mwen an te bon, men pa t gen anpil plas.",
        ),
        "en": (
            "Opinion about the service",
            "The field operation in my district was good, but there were very few places.",
        ),
        "fr": (
            "Avis sur l'accueil",
            "L'opération sur le terrain dans ma commune était bien, mais il y avait très peu de places.",
        ),
        "zh": ("对服务的意见", "在我们区的现场服务很好，但是名额太少了。"),
        "ru": (
            "Мнение об обслуживании",
            "Выездной приём в моём районе был хорошим, но мест было очень мало.",
        ),
    },
    "peticion": {
        "es": (
            "Petición de copia de resolución",
            "Necesito una copia de la resolución que rechazó mi solicitud para presentar un recurso.",
        ),
        "ht": (
            "Demann kopi rezolisyon",
            "Mwen bezwen yon kopi rezolisyon ki te rejte demann mwen an pou m ka prezante yon rekou.",
        ),
        "en": (
            "Request for a copy of the decision",
            "I need a copy of the decision that rejected my application so I can file an appeal.",
        ),
        "fr": (
            "Demande de copie de la résolution",
            "J'ai besoin d'une copie de la résolution qui a rejeté ma demande pour déposer un recours.",
        ),
        "zh": ("申请决定书副本", "我需要拒绝我申请的决定书副本，以便提出行政复议。"),
        "ru": (
            "Запрос копии решения",
            "Мне нужна копия решения об отказе, чтобы подать административную жалобу.",
        ),
    },
    "comentario": {
        "es": (
            "Comentario sobre el sitio",
            "Las instrucciones del sitio están solo en español; mi esposo no entiende bien.",
        ),
        "ht": (
            "Kòmantè sou sit la",
            "Enstriksyon sou sit la se an panyòl sèlman; mari m pa konprann byen.",
        ),
        "en": (
            "Comment about the website",
            "The website's instructions are only in Spanish; my husband does not understand them well.",
        ),
        "fr": (
            "Commentaire sur le site",
            "Les instructions du site sont seulement en espagnol ; mon mari ne comprend pas bien.",
        ),
        "zh": ("关于网站的意见", "网站上的说明只有西班牙语，我丈夫看不太懂。"),
        "ru": (
            "Комментарий о сайте",
            "Инструкции на сайте только на испанском; мой муж плохо понимает.",
        ),
    },
    "transparencia": {
        "es": (
            "Solicitud de información pública",
            "Solicito el número de permisos de residencia temporal otorgados en 2025, por región.",
        ),
        "ht": (
            "Demann enfòmasyon piblik",
            "Mwen mande kantite pèmi rezidans tanporè yo te bay an 2025, pa rejyon.",
        ),
        "en": (
            "Public information request",
            "I request the number of temporary residence permits granted in 2025, by region.",
        ),
        "fr": (
            "Demande d'information publique",
            "Je demande le nombre de permis de résidence temporaire accordés en 2025, par région.",
        ),
        "zh": ("政府信息公开申请", "我申请获取2025年按大区统计的临时居留许可发放数量。"),
        "ru": (
            "Запрос публичной информации",
            "Прошу сообщить число разрешений на временное проживание, выданных в 2025 году, по регионам.",
        ),
    },
}

# The turns of a conversation, by who writes them: agent (staff) or person (citizen).
ASK_DOCUMENTS: Final = {
    "es": "Hola. Para revisar su caso necesitamos una foto de su documento de identidad y el número (ID) de su solicitud. Puede responder a este mensaje.",
    "ht": "Bonjou. Pou nou ka egzamine ka ou a, nou bezwen yon foto dokiman idantite ou ak nimewo (ID) demann ou an. Ou ka reponn mesaj sa a.",
    "en": "Hello. To review your case we need a photo of your identity document and the number (ID) of your application. You can reply to this message.",
    "fr": "Bonjour. Pour examiner votre cas, nous avons besoin d'une photo de votre pièce d'identité et du numéro (ID) de votre demande. Vous pouvez répondre à ce message.",
    "zh": "您好。为了核查您的情况，我们需要您的身份证件照片和申请编号（ID）。您可以直接回复本消息。",
    "ru": "Здравствуйте. Чтобы проверить Ваш случай, нам нужна фотография документа, удостоверяющего личность, и номер (ID) заявления. Вы можете ответить на это сообщение.",
}
SENDS_DOCUMENTS: Final = {
    "es": "Gracias. Aquí va la foto de mi pasaporte. El ID de mi solicitud es 4827193.",
    "ht": "Mèsi. Men foto paspò m nan. ID demann mwen an se 4827193.",
    "en": "Thank you. Here is the photo of my passport. My application ID is 4827193.",
    "fr": "Merci. Voici la photo de mon passeport. L'ID de ma demande est 4827193.",
    "zh": "谢谢。这是我的护照照片。我的申请编号是4827193。",
    "ru": "Спасибо. Вот фото моего паспорта. ID моего заявления 4827193.",
}
ANSWER: Final = {
    "es": "Revisamos su caso. Su solicitud está en orden y la respuesta llegará a su correo. Si necesita algo más, responda a este mensaje.",
    "ht": "Nou egzamine ka ou a. Demann ou an an règ e repons lan ap rive nan imèl ou. Si w bezwen lòt bagay, reponn mesaj sa a.",
    "en": "We reviewed your case. Your application is in order and the answer will reach your email. If you need anything else, reply to this message.",
    "fr": "Nous avons examiné votre cas. Votre demande est en règle et la réponse arrivera par courriel. Si vous avez besoin d'autre chose, répondez à ce message.",
    "zh": "我们已核查您的情况。您的申请材料齐全，结果会发送到您的邮箱。如有其他需要，请回复本消息。",
    "ru": "Мы проверили Ваш случай. Заявление в порядке, ответ придёт на Вашу почту. Если нужно что-то ещё, ответьте на это сообщение.",
}
TAKING_IT: Final = {
    "es": "Hola, recibimos su mensaje. Estamos revisando su caso con el área correspondiente y le escribiremos pronto.",
    "ht": "Bonjou, nou resevwa mesaj ou a. N ap egzamine ka ou a ak sèvis ki konsène a e n ap ekri w byento.",
    "en": "Hello, we received your message. We are reviewing your case with the team concerned and will write to you soon.",
    "fr": "Bonjour, nous avons reçu votre message. Nous examinons votre cas avec le service concerné et vous écrirons bientôt.",
    "zh": "您好，我们已收到您的消息，正在与相关部门核查您的情况，会尽快回复您。",
    "ru": "Здравствуйте, мы получили Ваше сообщение. Мы рассматриваем Ваш случай с профильным отделом и скоро Вам напишем.",
}
STILL_NEEDS_HELP: Final = {
    "es": "No, todavía necesito ayuda: la plataforma me sigue mostrando el mismo error.",
    "ht": "Non, mwen toujou bezwen èd: platfòm nan toujou montre m menm erè a.",
    "en": "No, I still need help: the platform keeps showing me the same error.",
    "fr": "Non, j'ai encore besoin d'aide : la plateforme m'affiche toujours la même erreur.",
    "zh": "没有，我仍然需要帮助：平台还是显示同样的错误。",
    "ru": "Нет, мне всё ещё нужна помощь: платформа показывает ту же ошибку.",
}
THANKS: Final = {
    "es": "Muchas gracias por la ayuda.",
    "ht": "Mèsi anpil pou èd la.",
    "en": "Thank you very much for your help.",
    "fr": "Merci beaucoup pour votre aide.",
    "zh": "非常感谢您的帮助。",
    "ru": "Большое спасибо за помощь.",
}
# Agents' internal notes are written in Spanish: staff read them, the person never does.
INTERNAL_NOTES: Final = (
    "Revisé en la plataforma de trámites: el pago figura conciliado desde ayer.",
    "Caso derivado a la jefatura regional por la demora.",
    "La persona llamó por teléfono; se le explicó el plazo.",
    "Pendiente confirmar con Registro Civil.",
)
