"""Which form a call runs, and the schema integrators validate against."""

from __future__ import annotations

import json
import logging

import jsonschema
import pytest

from config.settings import Settings
from forms.schema import results_schema
from tasks.form_selection import select_form


def test_metadata_wins_over_the_number_which_wins_over_the_default(make_settings) -> None:
    settings: Settings = make_settings(
        forms={
            "forms_default": "customer_feedback",
            "forms_by_number": {"+15550100": "patient_intake"},
        }
    )
    by_metadata = select_form(
        settings.forms,
        job_metadata=json.dumps({"form": "lead_qualification"}),
        dialled_number="+15550100",
    )
    by_number = select_form(settings.forms, job_metadata="", dialled_number="+15550100")
    by_default = select_form(settings.forms, dialled_number="+15550199")
    assert [f.name for f in (by_metadata, by_number, by_default) if f] == [
        "lead_qualification",
        "patient_intake",
        "customer_feedback",
    ]


def test_no_mapping_means_no_form(make_settings) -> None:
    settings: Settings = make_settings()
    assert select_form(settings.forms, job_metadata='{"x": 1}', dialled_number="+1555") is None


def test_an_unknown_form_in_metadata_is_logged_and_skipped(
    make_settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings: Settings = make_settings(forms={"forms_default": "customer_feedback"})
    with caplog.at_level(logging.ERROR):
        form = select_form(settings.forms, job_metadata='{"form": "intkae"}')
    assert form is not None and form.name == "customer_feedback"
    assert "names form 'intkae', which doesn't exist" in caplog.text


def test_the_results_schema_rejects_what_the_form_forbids(make_settings) -> None:
    form = make_settings().forms.library.get("customer_feedback")
    validator = jsonschema.Draft202012Validator(results_schema(form))
    good = {
        "service_type": "repair",
        "order_number": None,
        "rating": 5,
        "went_well": None,
        "went_badly": None,
        "may_follow_up": False,
    }
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "rating": 9, "service_type": "plumbing"}
    del bad["may_follow_up"]
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert messages == [
        "'may_follow_up' is a required property",
        "'plumbing' is not one of ['installation', 'repair', 'maintenance', 'consultation', "
        "'other']",
        "9 is greater than the maximum of 5",
    ]
