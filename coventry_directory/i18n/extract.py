"""A babel extractor for the taxonomy labels in ``resources/directory/taxonomy.toml``.

The labels live in TOML, not Python, so ``pybabel extract`` needs this to put them in the
catalog (see ``translations/babel.cfg``). Displayed with ``_(label)``; the English label
is the msgid, so the TOML stays the single source of the words.
"""

from __future__ import annotations

import tomllib

# Vocabularies whose labels appear on leaflets and in the app. Catchment areas are mostly
# place names, kept as written on signs and addresses, but "Warwick district" and
# "Nuneaton and Bedworth" have words in them, so the app translates their labels too.
TRANSLATED_VOCABULARIES = (
    "category",
    "substance",
    "client_group",
    "referral_route",
    "delivery_mode",
    "gender",
    "verification",
    "catchment",
)
# Vocabularies whose term descriptions the app shows (tooltips on the filter lists).
DESCRIBED_VOCABULARIES = ("category", "substance", "client_group", "referral_route", "delivery_mode")


def _lineno(lines: list[str], text: str) -> int:
    return next((i + 1 for i, line in enumerate(lines) if f'"{text}"' in line), 0)


def extract_taxonomy(fileobj, keywords, comment_tags, options):
    """Yield ``(lineno, funcname, message, comments)`` for each title and label (babel's extractor API)."""
    text = fileobj.read().decode("utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    for name in TRANSLATED_VOCABULARIES:
        body = data.get("taxonomy", {}).get(name)
        if not body:
            continue
        # the vocabulary's own title heads its list in keeper mode's form
        yield _lineno(lines, body["name"]), "N_", body["name"], [f"taxonomy {name}: the vocabulary's title"]
        for code, label, description in body["terms"]:
            comment = f"taxonomy {name}/{code}" + (f": {description}" if description else "")
            yield _lineno(lines, label), "N_", label, [comment]
            if description and name in DESCRIBED_VOCABULARIES:
                comment = f"taxonomy {name}/{code}: description of “{label}”"
                yield _lineno(lines, description), "N_", description, [comment]
