"""The words of ``resources/referral_forms.toml``, marked for the catalogs.

The forms file is TOML, which the catalog extraction (``build-translations``) does not read,
so its form titles and question labels are listed here with ``N_()``, as ``ui/language.py``
lists Qt's own words. The wizard shows them through ``_()`` (``FormDefinition.label`` and
``FormDefinition.heading``); the English text stays the msgid, and the PDF prints it.

``tests/test_referral_forms_words.py`` fails when the forms file holds a title, label or
statement that is not listed here, so a new form cannot reach the wizard untranslated.
"""

from __future__ import annotations

from coventry_directory.i18n import N_

FORM_WORDS: tuple[str, ...] = (
    # [default]
    N_("Referral"),
    N_("GP practice"),
    # [category.treatment-adult]
    N_("Referral for drug and alcohol treatment (adult)"),
    N_("Current or past treatment, prescriptions (e.g. opioid substitution)"),
    # [category.detox-rehab]
    N_("Referral for detox or residential rehabilitation"),
    N_("Current treatment provider and prescriptions"),
    N_("Physical health conditions (e.g. seizures, liver problems)"),
    # [category.young-people]
    N_("Referral to a young people's service"),
    N_("School, college or training (if any)"),
    N_("Does a parent or carer know about this referral?"),
    # [category.criminal-justice]
    N_("Referral to a criminal justice drug and alcohol service"),
    N_("Order, licence or release details (type and end date, no offence details)"),
    N_("Probation or supervising officer (name and team)"),
    # [category.housing]
    N_("Referral for housing support"),
    N_("Where the person is staying now"),
    N_("Local connection (how long in the area)"),
    # [category.mental-health]
    N_("Referral for mental health support"),
    # [category.family-carers]
    N_("Referral for family and carer support"),
    N_("Relationship to the person who uses drugs or alcohol"),
    # [category.needle-syringe], [category.naloxone], [category.employment]
    N_("Introduction to a needle and syringe programme"),
    N_("Introduction for naloxone supply"),
    N_("Referral for employment support"),
    # [category.helpline], [category.online-support], [category.mutual-aid]
    N_("Helpline (no referral)"),
    N_("Online support (the person signs up themselves)"),
    N_("Introduction to a mutual aid group"),
)


def form_texts(forms: dict) -> list[str]:
    """Every title, question label and statement of parsed form definitions, in file order."""
    found: list[str] = []
    for definition in forms.values():
        for text in (definition.title, *(q.label for q in definition.questions), definition.statement):
            if text and text not in found:
                found.append(text)
    return found
