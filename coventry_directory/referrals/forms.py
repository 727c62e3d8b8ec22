"""Which fields each service's referral form takes (from ``resources/referral_forms.toml``).

No source gives any provider's real form, so the file holds our own default forms, looked
up by service key, then by the service's categories in order, then a general default. A
form takes only part of the client summary (data minimisation) and may add questions.

The file's words (titles, question labels, statements) are English msgids, listed for the
catalogs in ``form_words.py``: :meth:`FormDefinition.label` and :meth:`FormDefinition.heading`
translate them where they are shown; the PDF and email are made in English.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.referrals.models import SUMMARY_FIELDS
from coventry_directory.resources import resource_path

QUESTION_KINDS = ("text", "multiline", "yesno", "date")


class FormsFileError(ValueError):
    """The forms file is broken: a build-time problem, worded for the maintainer."""


@dataclass(frozen=True)
class Question:
    """A question of one service's form beyond the client summary."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False


@dataclass(frozen=True)
class FormDefinition:
    """One referral form: the summary fields it takes, what it requires, its own questions."""

    key: str  # "service:<key>", "category:<code>" or "default"
    title: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    questions: tuple[Question, ...] = ()
    email: bool = True  # False: this kind of service does not take referrals by email
    statement: str | None = None

    def label(self, name: str) -> str:
        """The label of a summary field or question, in the language ``_()`` speaks here."""
        for q in self.questions:
            if q.name == name:
                return _(q.label)
        known = SUMMARY_FIELDS.get(name)
        return _(known) if known else name.replace("_", " ").capitalize()

    @property
    def heading(self) -> str:
        """The form's title, in the language ``_()`` speaks here."""
        return _(self.title)

    def shared_fields(self, filled: set[str]) -> tuple[str, ...]:
        """The fields this form would actually send, given which ones hold something."""
        names = [f for f in self.fields if f in filled] + [q.name for q in self.questions if q.name in filled]
        return tuple(names)


def _definition(key: str, body: dict) -> FormDefinition:
    if not isinstance(body, dict):
        raise FormsFileError(f"form {key}: expected a table")
    fields = tuple(body.get("fields", ()))
    unknown = [f for f in fields if f not in SUMMARY_FIELDS]
    if unknown:
        raise FormsFileError(f"form {key}: unknown summary fields {unknown}")
    questions = []
    for q in body.get("questions", ()):
        kind = q.get("kind", "text")
        if kind not in QUESTION_KINDS or not q.get("name") or not q.get("label"):
            raise FormsFileError(f"form {key}: question {q!r} needs a name, a label and a kind in {QUESTION_KINDS}")
        if q["name"] in SUMMARY_FIELDS:
            raise FormsFileError(f"form {key}: question {q['name']!r} clashes with a summary field")
        questions.append(Question(q["name"], q["label"], kind, bool(q.get("required", False))))
    names = set(fields) | {q.name for q in questions}
    required = tuple(body.get("required", ()))
    one_of = tuple(tuple(g) for g in body.get("one_of", ()))
    missing = [n for n in (*required, *(n for g in one_of for n in g)) if n not in names]
    if missing:
        raise FormsFileError(f"form {key}: requires fields it does not take: {missing}")
    return FormDefinition(
        key,
        str(body.get("title", "Referral")),
        fields,
        required,
        one_of,
        tuple(questions),
        bool(body.get("email", True)),
        body.get("statement"),
    )


def parse_forms(data: dict) -> dict[str, FormDefinition]:
    """Form definitions keyed "default", "category:<code>" and "service:<key>"."""
    if "default" not in data:
        raise FormsFileError("the forms file needs a [default] form")
    forms = {"default": _definition("default", data["default"])}
    for section in ("category", "service"):
        for name, body in data.get(section, {}).items():
            key = f"{section}:{name}"
            forms[key] = _definition(key, body)
    return forms


def load_forms(path: Path | None = None) -> dict[str, FormDefinition]:
    """Read and check a forms file (the bundled one when ``path`` is None)."""
    if path is None:
        return _bundled_forms()
    try:
        with open(path, "rb") as fh:
            return parse_forms(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormsFileError(f"cannot read the referral forms file {path}: {exc}") from exc


@lru_cache(maxsize=1)
def _bundled_forms() -> dict[str, FormDefinition]:
    return load_forms(resource_path("referral_forms.toml"))


def form_for(service: Service, forms: dict[str, FormDefinition] | None = None) -> FormDefinition:
    """The form for one service: its own, else its first category's that has one, else the default."""
    forms = forms if forms is not None else load_forms()
    own = forms.get(f"service:{service.key}")
    if own:
        return own
    for code in service.categories:
        found = forms.get(f"category:{code}")
        if found:
            return found
    return forms["default"]
