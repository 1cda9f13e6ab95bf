"""Which form a call runs: dispatch metadata first, then the dialled number, then the default.

    form = select_form(settings.forms, job_metadata=ctx.job.metadata,
                       dialled_number=state.caller.trunk_number)

A name that isn't a known form is logged and skipped (the call still goes on), so a
mistyped dispatch rule never drops a caller.
"""

from __future__ import annotations

import json
import logging

from config.forms import FormSettings
from forms.model import Form

logger = logging.getLogger("consent-agent.forms")


def form_named_in_metadata(metadata: str | None, key: str) -> str | None:
    if not metadata or not metadata.strip():
        return None
    try:
        data = json.loads(metadata)
    except ValueError:
        logger.warning("dispatch metadata is not JSON; no form taken from it")
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def select_form(
    settings: FormSettings,
    *,
    job_metadata: str | None = None,
    dialled_number: str | None = None,
) -> Form | None:
    library = settings.library
    candidates = (
        ("dispatch metadata", form_named_in_metadata(job_metadata, settings.forms_metadata_key)),
        ("dialled number", settings.forms_by_number.get(dialled_number or "")),
        ("FORMS_DEFAULT", settings.forms_default),
    )
    for source, name in candidates:
        if name is None:
            continue
        if name in library:
            logger.info("form %s selected by %s", name, source)
            return library.get(name)
        logger.error("%s names form %r, which doesn't exist; ignoring it", source, name)
    return None
