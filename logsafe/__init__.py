"""PII-safe logging: phone numbers and emails masked, registered secrets redacted.

import logsafe
logsafe.install(secrets=[api_secret, *settings.delivery.secrets()])
logger.info("call from %s", logsafe.mask_phone(number))
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
