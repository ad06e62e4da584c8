"""Terraform's date and time functions on RFC 3339 timestamps: formatdate, timeadd, timecmp.

Pure functions of their arguments (unlike `timestamp()`), so they are evaluated; a malformed timestamp,
duration or format raises ValueError, which the evaluator reports as an expression Terraform rejects.
"""
from __future__ import annotations

import datetime as dt
import re

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DURATION = re.compile(r"([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# formatdate's spec tokens, longest first (Terraform's documented set)
_TOKEN = re.compile(r"'(?:[^']|'')*'|YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|AA|aa|mm|m|ss|s|ZZZZZ|ZZZZ|ZZZ|Z|[A-Za-z]+|[^A-Za-z']+")


def parse_timestamp(text: str) -> tuple[dt.datetime, str]:
    """An RFC 3339 timestamp (as Terraform requires) and its offset as written ("Z" or "+02:00")."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    zone = match.group(8)
    offset = dt.timedelta(0) if zone in "Zz" else \
        (1 if zone[0] == "+" else -1) * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    stamp = dt.datetime(year, month, day, hour, minute, second, micro, dt.timezone(offset))
    return stamp, "Z" if zone in "Zz" else zone


def _write(stamp: dt.datetime, zone: str) -> str:
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if stamp.microsecond:
        text += ("." + f"{stamp.microsecond:06d}").rstrip("0")
    return text + zone


def time_add(timestamp: str, duration: str) -> str:
    """`timeadd("2017-11-22T00:00:00Z", "10m")`: Go durations (ns, us, ms, s, m, h), kept in the same offset."""
    stamp, zone = parse_timestamp(timestamp)
    match = _DURATION.fullmatch(duration)
    if match is None and duration not in ("0", "+0", "-0"):
        raise ValueError(f"not a duration: {duration!r}")
    seconds = sum(float(number) * _SECONDS[unit] for number, unit in _DURATION_PART.findall(duration))
    if duration.startswith("-"):
        seconds = -seconds
    return _write(stamp + dt.timedelta(seconds=seconds), zone)


def time_compare(first: str, second: str) -> int:
    a, _ = parse_timestamp(first)
    b, _ = parse_timestamp(second)
    return (a > b) - (a < b)


def format_date(spec: str, timestamp: str) -> str:
    """`formatdate("DD MMM YYYY hh:mm ZZZ", ts)` with Terraform's tokens; `'...'` is literal text."""
    stamp, zone = parse_timestamp(timestamp)
    out: list[str] = []
    for token in _TOKEN.findall(spec):
        out.append(_format_token(token, stamp, zone))
    return "".join(out)


def _format_token(token: str, stamp: dt.datetime, zone: str) -> str:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'") if len(token) > 1 else ""
    hour12 = stamp.hour % 12 or 12
    offset = stamp.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    values = {
        "YYYY": f"{stamp.year:04d}", "YY": f"{stamp.year % 100:02d}",
        "MMMM": _MONTHS[stamp.month - 1], "MMM": _MONTHS[stamp.month - 1][:3], "MM": f"{stamp.month:02d}",
        "M": str(stamp.month), "DD": f"{stamp.day:02d}", "D": str(stamp.day),
        "EEEE": _DAYS[stamp.weekday()], "EEE": _DAYS[stamp.weekday()][:3],
        "hh": f"{stamp.hour:02d}", "h": str(stamp.hour), "HH": f"{hour12:02d}", "H": str(hour12),
        "AA": "AM" if stamp.hour < 12 else "PM", "aa": "am" if stamp.hour < 12 else "pm",
        "mm": f"{stamp.minute:02d}", "m": str(stamp.minute), "ss": f"{stamp.second:02d}", "s": str(stamp.second),
        "ZZZZZ": "Z" if zone == "Z" else f"{sign}{hours:02d}:{rest:02d}",
        "ZZZZ": f"{sign}{hours:02d}{rest:02d}",
        "ZZZ": "UTC" if zone == "Z" else f"{sign}{hours:02d}{rest:02d}",
        "Z": "Z" if zone == "Z" else f"{sign}{hours:02d}:{rest:02d}",
    }
    if token in values:
        return values[token]
    if token[0].isalpha():
        raise ValueError(f"invalid date format verb {token!r}")
    return token
