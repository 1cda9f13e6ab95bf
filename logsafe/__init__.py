"""PII-safe logging: phone numbers and emails masked, registered secrets redacted.

import logsafe
logsafe.install(secrets=[api_secret, *settings.delivery.secrets()])
logger.info("call from %s", logsafe.mask_phone(number))

For text that goes to another person rather than a log (a colleague's briefing),
`logsafe.contacts.redact_contacts` withholds every phone number and email address whole,
written or spoken.
"""

from logsafe.filter import (
    PiiFilter,
    install,
    mask_email,
    mask_phone,
    mask_text,
    register_secret,
    uninstall,
)

__all__ = [
    "PiiFilter",
    "install",
    "mask_email",
    "mask_phone",
    "mask_text",
    "register_secret",
    "uninstall",
]
