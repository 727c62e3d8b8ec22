"""The referral PDF (real PDF, read back with pdftotext) and the referral email."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest
from test_referral_support import NAME, SENDER, SERVICE_EMAIL, form_data, make_service

from coventry_directory.referrals.message import build_referral_email, new_message_id
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.pdf import render_referral_pdf, write_referral_pdf
from coventry_directory.referrals.prepare import ReferralNotReady, prepare
from coventry_directory.store.directory import DirectoryStore

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


def pdf_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_pdf_holds_referrer_form_fields_and_consent_record(tmp_path):
    ref = prepare(ReferralForm.from_dict(form_data()), make_service())
    data = render_referral_pdf(ref)
    assert data.startswith(b"%PDF")
    text = pdf_text(tmp_path, data)
    for expected in (
        NAME,
        "01/02/1990",
        "999 999 9999",
        "CV1 9ZZ",
        "Alcohol",
        "Overdose risk",
        "No — do not leave a message",
        "Alex Example",
        "Example Outreach Team",
        "Example Surgery",
        "Consent record",
        "Yes — explicit consent to this referral",
        "Verbal",
        "Example Recovery Hub (Example Organisation)",
        "Information-sharing statement",
        "not a form published by Example Recovery Hub",
        f"Email to {SERVICE_EMAIL}",
        "CASE-0001",
    ):
        assert expected in text, expected


def test_pdf_leaves_out_fields_this_service_does_not_take(tmp_path):
    ref = prepare(
        ReferralForm.from_dict(dict(form_data(), answers={"housing_situation": "Hostel"})),
        make_service(categories=("housing",)),
    )
    text = pdf_text(tmp_path, render_referral_pdf(ref))
    assert "Hostel" in text and NAME in text
    assert "999 999 9999" not in text and "Opiates" not in text


def test_pdf_metadata_names_the_service_not_the_client():
    data = render_referral_pdf(prepare(ReferralForm.from_dict(form_data()), make_service()))
    assert b"Referral to Example Recovery Hub" in data
    assert NAME.encode() not in data  # the page text is compressed; the metadata is not


def test_no_pdf_without_consent():
    data = form_data()
    data["consent"]["given"] = False
    ref = prepare(ReferralForm.from_dict(data), make_service())
    with pytest.raises(ReferralNotReady, match="explicitly agree"):
        render_referral_pdf(ref)


def test_pdf_file_is_written_atomically_and_privately(tmp_path):
    ref = prepare(ReferralForm.from_dict(form_data()), make_service())
    target = tmp_path / "out" / "referral.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    write_referral_pdf(target, render_referral_pdf(ref))
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in target.parent.iterdir()] == ["referral.pdf"]  # no temp file left behind
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_email_has_the_pdf_attached_and_no_client_details_outside_it():
    ref = prepare(ReferralForm.from_dict(form_data()), make_service())
    mid = new_message_id(SENDER)
    msg = build_referral_email(ref, render_referral_pdf(ref), sender=SENDER, message_id=mid)
    assert msg["To"] == SERVICE_EMAIL and msg["From"] == SENDER and msg["Message-ID"] == mid
    assert mid.endswith("@example.net>")  # the sender's domain, not this workstation's name
    attachments = list(msg.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    body = msg.get_body(("plain",)).get_content()
    for secret in (NAME, "1990", "999 999 9999", "CV1 9ZZ"):
        assert secret not in msg["Subject"] and secret not in body
    assert ref.id in body and "Alex Example" in body


def test_a_service_with_no_email_cannot_be_emailed_and_says_so(directory_db):
    store = DirectoryStore.open(directory_db)
    try:
        service = next(s for s in store.all_services() if not s.email and "treatment-adult" in s.categories)
    finally:
        store.close()
    ref = prepare(ReferralForm.from_dict(form_data(service=service.key)), service)
    assert not ref.can_email
    assert "no referral email address" in ref.email_problem() and "Print the PDF" in ref.email_problem()
    with pytest.raises(ValueError, match="cannot be emailed"):
        build_referral_email(ref, b"%PDF", sender=SENDER, message_id=new_message_id(SENDER))
    assert render_referral_pdf(ref).startswith(b"%PDF")  # printing is still offered


def test_a_helpline_inbox_is_not_a_referral_address():
    helpline = make_service(email="help@example.org", categories=("helpline", "mental-health"))
    ref = prepare(ReferralForm.from_dict(form_data()), helpline)
    assert not ref.can_email and "does not take referrals by email" in ref.email_problem()


# A client's details in the letters they were typed in (names the Coventry communities use).
OTHER_SCRIPTS = {
    "name": "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",  # Gurmukhi (Punjabi)
    "address": "شارع فولزهيل، كوفنتري",  # Arabic
    "wants": "মদ খাওয়া কমাতে চাই",  # Bengali
    "pattern_of_use": "Codziennie, źle śpi",  # Polish: Noto Sans has these
}


def test_details_typed_in_another_script_print_in_its_own_font_and_copy_out_as_typed(tmp_path):
    ref = prepare(ReferralForm.from_dict(form_data(**OTHER_SCRIPTS)), make_service())
    path = tmp_path / "ref.pdf"
    path.write_bytes(render_referral_pdf(ref))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # each script's bundled font is embedded: its letters are drawn, not boxes from Noto Sans
    for family in ("NotoSansGurmukhi", "NotoNaskhArabic", "NotoSansBengali", "NotoSans-Regular"):
        assert family in fonts, (family, fonts)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    for typed in (OTHER_SCRIPTS["name"], OTHER_SCRIPTS["wants"], OTHER_SCRIPTS["pattern_of_use"], "Alex Example"):
        assert typed in text, typed
    for word in OTHER_SCRIPTS["address"].replace("،", " ").split():  # right to left: each word as typed
        assert word in text, word


def test_what_no_bundled_font_draws_is_named_never_a_box(tmp_path):
    # an emoji (with its emoji-style selector and a skin tone) and a script no font here has
    typed = {"name": "Sam Example 🙂", "wants": "Cut down 👍🏽 soon ❤️", "pattern_of_use": "Daily · 張"}
    ref = prepare(ReferralForm.from_dict(form_data(**typed)), make_service())
    path = tmp_path / "ref.pdf"
    path.write_bytes(render_referral_pdf(ref))
    out = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Sam Example [slightly smiling face]" in out
    assert "Cut down [thumbs up sign] soon [heavy black heart]" in out  # the tone and the selector go with it
    assert "Daily · [cjk unified ideograph-5f35]" in out
    assert not any(ch in out for ch in "🙂👍🏽❤張\ufe0f")


def test_spelling_out_keeps_what_a_font_draws(tmp_path):
    from coventry_directory.typeset.fonts import register_font, script_fonts, spell_out_missing

    latin = register_font("NotoSans-Regular.ttf")
    fonts = (latin, *script_fonts())
    for drawn in ("Żółć", "ਗੁਰਪ੍ਰੀਤ", "شارع", "a\u200db", "line one\nline two"):
        assert spell_out_missing(drawn, fonts) == drawn
    assert spell_out_missing("💉", fonts) == "[syringe]"
    assert spell_out_missing("\U000e0001", fonts) == "[language tag]"
    assert spell_out_missing("\U0010fffd", fonts) == "[U+10FFFD]".lower()
