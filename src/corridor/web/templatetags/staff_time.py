"""Times on staff pages: one zone (CORRIDOR_STAFF_TIME_ZONE) and one format, in every language."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# ISO 8601 order reads the same in Russian and English and sorts as text; minutes are
# enough on a page (the audit log's order is its sequence number, not its seconds).
STAFF_FORMAT = "%Y-%m-%d %H:%M"


def staff_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.CORRIDOR_STAFF_TIME_ZONE)


def format_staff_time(value: datetime) -> str:
    """The time as staff pages write it, in the staff time zone."""
    return value.astimezone(staff_zone()).strftime(STAFF_FORMAT)


@register.filter(expects_localtime=False)
def staff_time(value: datetime | None) -> SafeString | str:
    """A `<time>` element: the staff zone's wall-clock time, with the exact UTC instant for machines."""
    if not isinstance(value, datetime):
        return "—"
    instant = value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return format_html('<time datetime="{}">{}</time>', instant, format_staff_time(value))


@register.simple_tag
def staff_time_zone() -> str:
    """The zone's name and its current offset from UTC, e.g. "Europe/Moscow, UTC+03:00"."""
    offset = datetime.now(staff_zone()).strftime("%z")
    return f"{settings.CORRIDOR_STAFF_TIME_ZONE}, UTC{offset[:3]}:{offset[3:]}"
