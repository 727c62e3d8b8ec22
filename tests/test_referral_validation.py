"""Referral checks: NHS number, postcode, phone, date of birth and age range, consent, forms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_referral_support import form_data, make_service

from coventry_directory.referrals.forms import FormsFileError, form_for, load_forms, parse_forms
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.prepare import prepare
from coventry_directory.referrals.validate import (
    nhs_number_valid,
    normalise_phone,
    normalise_postcode,
    parse_date,
    validate_summary,
)

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize("number", ["9999999999", "999 999 9999", "999-999-9999", "9434765919", "4010232137"])
def test_nhs_numbers_that_pass_modulus_11(number):
    assert nhs_number_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9999999998",
        "943 476 5918",
        "123456789",
        "12345678901",
        "abcdefghij",
        "",
        # first nine digits whose check value would be 10: no valid number
        "0000000060",
    ],
)
def test_nhs_numbers_that_fail(number):
    assert not nhs_number_valid(number)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cv1 2ab", "CV1 2AB"),
        ("CV12AB", "CV1 2AB"),
        ("CV21 1AA", "CV21 1AA"),
        ("B33 8TH", "B33 8TH"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("  m1 1ae ", "M1 1AE"),
    ],
)
def test_uk_postcodes_are_recognised_and_tidied(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("text", ["CV1", "12345", "CV1 2CI", "QV1 2AB", "CV1 2AB X", "", "ZZ99 3VZ"])
def test_not_postcodes(text):
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)24 7600 0000", "02476000000"),
        ("024-7600-0000", "02476000000"),
        ("0044 1788 000000", "01788000000"),
        ("0800 123 4567", "08001234567"),
    ],
)
def test_uk_phone_numbers(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["07700 90012", "12345", "06700 900123", "+1 212 555 0100", "phone me", ""])
def test_not_uk_phone_numbers(text):
    assert normalise_phone(text) is None


def test_dates_of_birth_in_uk_and_iso_forms():
    assert parse_date("01/02/1990") == parse_date("1990-02-01") == dt.date(1990, 2, 1)
    assert parse_date("31/02/1990") is None
    assert parse_date("1/2/90") is None  # a two-digit year is ambiguous
    assert parse_date("01021990") == dt.date(1990, 2, 1)  # eight digits, typed without separators: day first
    assert parse_date("31021990") is None  # not a date
    assert parse_date("1121990") is None  # 11/2 or 1/12: seven digits cannot be read one way only
    assert parse_date("19900201") is None  # the UK form is day first; this is no day


def _errors(data, service=None, today=TODAY):
    service = service or make_service()
    return prepare(ReferralForm.from_dict(data), service, today=today).errors


def _fields(errors):
    return {e.field for e in errors}


def test_a_complete_referral_has_no_errors():
    assert _errors(form_data()) == []


def test_each_bad_field_gets_its_own_clear_message_and_nothing_is_lost():
    data = form_data(nhs_number="999 999 9998", postcode="not a postcode", phone="12", date_of_birth="2090-01-01")
    form = ReferralForm.from_dict(data)
    errors = prepare(form, make_service(), today=TODAY).errors
    assert {"nhs_number", "postcode", "phone", "date_of_birth"} <= _fields(errors)
    assert any("Modulus 11" in e.message for e in errors)
    assert any("future" in e.message for e in errors)
    # what was typed is all still there, so the person only fixes the mistakes
    assert form.summary.postcode == "not a postcode" and form.summary.phone == "12"
    # messages never repeat the typed value (they may be read aloud or shown on a shared screen)
    assert not any("999 999 9998" in e.message or "not a postcode" in e.message for e in errors)


def test_age_range_of_the_service_is_checked():
    youth = make_service(minimum_age=11, maximum_age=18, categories=("young-people",), name="Example Youth Service")
    errors = _errors(form_data(), service=youth)  # born 1990: 35 on TODAY
    assert [e.message for e in errors if e.field == "date_of_birth"] == [
        "Example Youth Service is for ages 11–18; by the date of birth given this person is 35."
    ]
    assert _errors(form_data(date_of_birth="2010-01-01"), service=youth) == []
    adult = make_service(minimum_age=18)
    assert "date_of_birth" in _fields(_errors(form_data(date_of_birth="2010-01-01"), service=adult))


def test_consent_is_required_and_the_statement_must_be_shown_first():
    data = form_data()
    data["consent"] = {"given": "yes", "statement_shown": True}  # only a real true counts
    assert "consent" in _fields(_errors(data))
    data["consent"] = {"given": True}
    assert any("information-sharing statement" in e.message for e in _errors(data))
    data["consent"] = {"given": True, "statement_shown": True, "recorded_at": "3000-01-01T00:00:00"}
    assert any("future" in e.message for e in _errors(data))


def test_required_fields_and_a_way_to_make_contact():
    data = form_data(phone="", postcode="", substances=[])
    data["summary"].pop("wants")
    fields = _fields(_errors(data))
    assert {"postcode", "substances", "wants", "phone"} <= fields
    data["referrer"] = {"name": "", "organisation": ""}
    assert {"referrer.name", "referrer.organisation", "referrer.phone"} <= _fields(_errors(data))


def test_nhs_number_is_optional():
    assert _errors(form_data(nhs_number="")) == []


def test_unknown_substance_codes_are_reported_not_guessed():
    assert "substances" in _fields(_errors(form_data(substances=["alcohol", "beer"])))


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "text",
        42,
        {"summary": "x", "consent": [], "answers": 3},
        {"summary": {"name": {"nested": 1}, "substances": 5, "risks": None}},
    ],
)
def test_garbage_input_never_raises(garbage):
    form = ReferralForm.from_dict(garbage)
    errors = prepare(form, make_service(), today=TODAY).errors
    assert errors and "consent" in _fields(errors)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "date_of_birth",
                "nhs_number",
                "phone",
                "postcode",
                "email",
                "substances",
                "risks",
                "may_leave_message",
            ]
        ),
        st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text()), st.booleans()),
    )
)
def test_fuzz_any_summary_gives_errors_never_exceptions(summary):
    form = ReferralForm.from_dict({"summary": summary, "consent": {"given": True, "statement_shown": True}})
    prepare(form, make_service(), today=TODAY)
    validate_summary(form.summary, TODAY)


# --- forms ------------------------------------------------------------------------
def test_forms_are_looked_up_by_key_then_category_then_default():
    forms = load_forms()
    assert form_for(make_service(categories=("housing", "treatment-adult")), forms).key == "category:housing"
    assert form_for(make_service(categories=("bbv-testing",)), forms).key == "default"
    custom = parse_forms({"default": {"fields": ["name"]}, "service": {"example-adult": {"fields": ["name", "phone"]}}})
    assert form_for(make_service(), custom).key == "service:example-adult"


def test_the_forms_file_says_they_are_our_defaults():
    from coventry_directory.resources import resource_path

    text = resource_path("referral_forms.toml").read_text(encoding="utf-8")
    assert "OUR OWN DEFAULT FORMS, NOT THE PROVIDERS' FORMS" in text.upper().replace("COVENTRY DIRECTORY'S ", "OUR ")


def test_a_form_only_takes_the_fields_its_service_needs():
    housing = make_service(categories=("housing",))
    ref = prepare(
        ReferralForm.from_dict(dict(form_data(), answers={"housing_situation": "Sofa surfing"})), housing, today=TODAY
    )
    assert ref.ok, ref.errors
    shared = set(ref.form.consent.shared_fields)
    assert "housing_situation" in shared and "name" in shared
    assert not shared & {"substances", "nhs_number", "pattern_of_use"}  # housing does not need them
    assert "Substances" not in dict(ref.client_rows())


def test_a_broken_forms_file_is_reported_for_the_maintainer():
    with pytest.raises(FormsFileError, match="unknown summary fields"):
        parse_forms({"default": {"fields": ["name", "shoe_size"]}})
    with pytest.raises(FormsFileError, match="requires fields it does not take"):
        parse_forms({"default": {"fields": ["name"], "required": ["phone"]}})


def test_the_documented_form_example_is_a_valid_referral():
    import json
    import re
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "referrals.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", doc, re.DOTALL).group(1))
    ref = prepare(ReferralForm.from_dict(example), make_service(), today=TODAY)
    assert ref.ok, ref.errors
    assert example["summary"]["name"] == "Test Person" and nhs_number_valid(example["summary"]["nhs_number"])
