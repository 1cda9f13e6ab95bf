"""Masks phone numbers and email addresses in log records and redacts registered secrets.

Two layers, both installed by `install()`:

- a log-record factory, so every record created in the process (any logger, any handler,
  including handlers added later, e.g. by LiveKit's CLI) gets its message masked when it
  is formatted, and its extra fields too (they are masked at `getMessage()`, which every
  standard formatter, and LiveKit's JSON and colour formatters, call first);
- a `PiiFilter` on the root logger's handlers present at install time (LiveKit's IPC log
  handler in a job process, your own), which masks message, args, extra fields and the
  formatted traceback before anything is formatted or sent to another process.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# A run of digits with the separators phone numbers are written with: +1 (415) 555-0123,
# 0044 20 7946 0958, 06 12 34 56 78, 415.555.0123, +14155550123.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w@/.:\-+])"  # not inside a word, an email, a path, a decimal or an identifier
    r"(?:\+|\b00)?\(?\d[\d().\- \u00a0]{5,22}\d"
    r"(?![\w@])"
)
# E.164 anywhere, even inside identifiers: LiveKit SIP room names embed the caller's
# number (call-_+14155550123_AbCd), as do SIP URIs (sip:+14155550123@...).
_E164 = re.compile(r"(?<!\d)\+\d{7,15}(?!\d)")
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_DECIMAL = re.compile(r"^\d+\.\d+$")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)*)\.([A-Za-z]{2,24})\b")

_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "_logsafe"}

_lock = threading.Lock()
_secrets: list[str] = []
_secret_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Redact `value` wherever it appears in a log record (values shorter than 6 characters
    are ignored: they would redact ordinary words)."""
    global _secret_pattern
    if not value or len(value) < 6:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.append(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def _keep_digits(digits: int) -> int:
    return 4 if digits >= 10 else 2


def mask_phone(number: str | None) -> str:
    """`+14155550123` -> `+*******0123`; formatting is kept, all but the last 4 digits (2
    for numbers shorter than 10 digits) become `*`."""
    if not number:
        return ""
    total = sum(c.isdigit() for c in number)
    keep = _keep_digits(total)
    seen = 0
    out = []
    for char in number:
        if char.isdigit():
            seen += 1
            out.append(char if seen > total - keep else "*")
        else:
            out.append(char)
    return "".join(out)


def mask_email(address: str) -> str:
    """`jane.doe@example.com` -> `j***@e***.com`."""
    match = _EMAIL.fullmatch(address.strip())
    if not match:
        return address
    return _mask_email_match(match)


def _mask_email_match(match: re.Match[str]) -> str:
    local, domain, tld = match.group(1), match.group(2), match.group(3)
    return f"{local[:1]}***@{domain[:1]}***.{tld}"


def _looks_like_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 15:
        return False
    stripped = candidate.strip()
    if _DATE_LIKE.search(stripped) or _IPV4.match(stripped) or _DECIMAL.match(stripped):
        return False
    separated = any(not c.isdigit() for c in stripped.lstrip("+"))
    # A bare run of digits (no + and no separators) is a phone number only at 10+ digits:
    # shorter runs are counts, durations and ids far more often than local numbers.
    return stripped.startswith(("+", "00")) or separated or digits >= 10


def _mask_phone_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if not _looks_like_phone(text):
        return text
    return mask_phone(text)


def mask_text(text: str) -> str:
    """Redact registered secrets, then mask emails and phone numbers in `text`."""
    if not text:
        return text
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    if sum(c.isdigit() for c in text) >= 7:
        if "+" in text:
            text = _E164.sub(lambda m: mask_phone(m.group(0)), text)
        text = _PHONE_CANDIDATE.sub(_mask_phone_match, text)
    if "@" in text:
        text = _EMAIL.sub(_mask_email_match, text)
    return text


def mask_value(value: Any, _depth: int = 0) -> Any:
    """Mask strings inside `value` (dicts, lists, tuples); other values pass unchanged,
    except objects whose str() is masked differently, which are replaced by masked text."""
    if _depth > 6:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool | int | float | type(None)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**6:
            text = str(value)
            masked = mask_text(text)
            return masked if masked != text else value
        return value
    if isinstance(value, dict):
        return {k: mask_value(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        masked = [mask_value(v, _depth + 1) for v in value]
        return masked if isinstance(value, list) else type(value)(masked)  # type: ignore[call-arg]
    try:
        text = str(value)
    except Exception:
        return value
    masked = mask_text(text)
    return masked if masked != text else value


def _mask_record(record: logging.LogRecord) -> None:
    if record.__dict__.get("_logsafe"):
        return
    record.__dict__["_logsafe"] = True
    if isinstance(record.msg, dict):
        record.msg = mask_value(record.msg)
    elif record.args or not isinstance(record.msg, str):
        try:
            message = logging.LogRecord.getMessage(record)
        except Exception:
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
    else:
        record.msg = mask_text(record.msg)
    for key, value in list(record.__dict__.items()):
        if key not in _RESERVED and not key.startswith("_"):
            record.__dict__[key] = mask_value(value)
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
        # The masked text is what formatters print; keep the type for `exc_info` users.
        record.exc_info = None
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


class PiiFilter(logging.Filter):
    """Masks a record in place (idempotent) and always lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            _mask_record(record)
        except Exception:  # never lose a log line because masking failed
            record.msg, record.args = "[log message withheld: masking failed]", None
        return True


class _MaskingRecord(logging.LogRecord):
    def getMessage(self) -> str:
        _mask_record(self)
        return super().getMessage()


_installed = False


def install(
    secrets: Iterable[str | None] = (), *, handlers: Iterable[logging.Handler] | None = None
) -> PiiFilter:
    """Mask PII and redact `secrets` in every log record of this process. Idempotent: call
    it at start-up and again where handlers are added (e.g. in a LiveKit job's prewarm),
    and register more secrets at any time."""
    global _installed
    for secret in secrets:
        register_secret(secret)
    log_filter = _FILTER
    with _lock:
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                if type(record) is logging.LogRecord:
                    record.__class__ = _MaskingRecord
                return record

            factory._logsafe_previous = previous  # type: ignore[attr-defined]
            logging.setLogRecordFactory(factory)
            _installed = True
    root = logging.getLogger()
    targets = list(handlers) if handlers is not None else list(root.handlers)
    for target in [root, *targets]:
        if log_filter not in target.filters:
            target.addFilter(log_filter)
    return log_filter


_FILTER = PiiFilter()


def uninstall() -> None:
    """Undo `install()` (tests): restore the record factory, drop the filter and secrets."""
    global _installed, _secret_pattern
    with _lock:
        factory = logging.getLogRecordFactory()
        previous = getattr(factory, "_logsafe_previous", None)
        if previous is not None:
            logging.setLogRecordFactory(previous)
        _installed = False
        _secrets.clear()
        _secret_pattern = None
    root = logging.getLogger()
    for target in [root, *root.handlers]:
        target.removeFilter(_FILTER)
