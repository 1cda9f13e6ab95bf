"""Forms: structured data collection declared as YAML, compiled to a LiveKit TaskGroup.

    library = load_library(settings.forms.forms_dir)       # validated: FormError lists problems
    form = select_form(settings.forms, library, job_metadata=..., dialled_number=...)
    schema = results_schema(form)                          # JSON Schema of the payload's results

A form runs in `agents.form.FormAgent` (after consent); see the README, "Structured data forms".
This package is imported by `config.settings`, so nothing here imports the call's state.
"""
