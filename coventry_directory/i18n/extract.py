"""A babel extractor for the taxonomy labels in ``resources/directory/taxonomy.toml``.

The labels live in TOML, not Python, so ``pybabel extract`` needs this to put them in the
catalog (see ``translations/babel.cfg``). Displayed with ``_(label)``; the English label
is the msgid, so the TOML stays the single source of the words.
"""

from __future__ import annotations

import tomllib

# Vocabularies whose labels appear on leaflets and in the app; catchment areas are
# place names and stay as written on signs and addresses.
TRANSLATED_VOCABULARIES = ("category", "substance", "client_group", "referral_route",
                           "delivery_mode", "gender", "verification")


def extract_taxonomy(fileobj, keywords, comment_tags, options):
    """Yield ``(lineno, funcname, message, comments)`` for each label (babel's extractor API)."""
    text = fileobj.read().decode("utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    for name in TRANSLATED_VOCABULARIES:
        body = data.get("taxonomy", {}).get(name)
        if not body:
            continue
        for code, label, description in body["terms"]:
            lineno = next((i + 1 for i, line in enumerate(lines) if f'"{label}"' in line), 0)
            comment = f"taxonomy {name}/{code}" + (f": {description}" if description else "")
            yield lineno, "N_", label, [comment]
