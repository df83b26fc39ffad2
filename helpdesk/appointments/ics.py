"""An appointment as an iCalendar file (RFC 5545, the icalendar package) for the
confirmation email: the start in the office's local time with its zone (TZID and its
VTIMEZONE), so a phone's calendar shows the time on the office's door wherever it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone

from helpdesk.notifications.outbox import MESSAGE_ID_DOMAIN

PRODID = "-//Portal de Ayuda//Citas//ES"


@dataclass(frozen=True)
class IcsEvent:
    appointment_id: int
    start: datetime  # aware, in the office's zone
    duration: timedelta
    summary: str
    location: str
    description: str
    sequence: int = 0  # raised on each reschedule, so calendars replace the event


def calendar_text(event: IcsEvent, stamp: datetime) -> str:
    zone = event.start.tzinfo
    if zone is None:
        raise ValueError("an appointment's start must carry its zone")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    first, last = event.start - timedelta(days=1), event.start + timedelta(days=1)
    calendar.add_component(
        Timezone.from_tzinfo(zone, first_date=first.date(), last_date=last.date())
    )
    vevent = Event()
    vevent.add("uid", f"cita-{event.appointment_id}@{MESSAGE_ID_DOMAIN}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.start + event.duration)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.summary)
    vevent.add("location", event.location)
    vevent.add("description", event.description)
    calendar.add_component(vevent)
    return calendar.to_ical().decode()
