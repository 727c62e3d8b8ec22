"""Open Referral UK 1.0 service objects -> HSDS 3.0 nested service objects (pure: no database, no network).

Most UK council feeds still publish ORUK 1.0. :func:`looks_like_oruk1` tells such a document
from HSDS 3.0, :func:`oruk1_items` takes its services out, and :func:`service_to_hsds3`
converts one: the HSDS 3.0 object (None when unusable), the problems that made it unusable,
and warnings about all that was repaired or dropped, each with its JSON path. Field tables
and value repairs are in ``oruk1_fields``.

Mapped: the service's fields; ``organization`` (``url`` -> ``website``); ``contacts`` with their
``phones`` (a phone's ``language`` -> its ``languages``); ``service_at_locations[].location``
(``physical_addresses``/``postal_addresses`` -> ``addresses`` with that ``address_type``,
``address_3``/``address_4`` joined onto ``address_2``, ``uprn`` -> the location's
``external_identifier``; ``accessibility_for_disabilities`` -> ``accessibility``);
``regular_schedules`` -> weekly (or monthly) ``schedules`` with ``byday`` codes MO..SU;
``holiday_schedules`` -> ``schedules`` valid from ``start_date`` to ``end_date``, described as
closed, or open at the given hours every day of that range; ``eligibilitys`` -> the service's
``minimum_age``/``maximum_age`` (the narrowest range) and ``eligibility_description``;
``service_areas``; ``languages`` (``code`` only when the text is an ISO 639 code);
``cost_options`` (``currency`` GBP only when the feed writes £ or GBP); ``fundings`` -> ``funding``;
``service_taxonomys`` and ``link_taxonomies`` -> ``attributes`` with a nested ``taxonomy_term``
(``code`` the 1.0 id, ``taxonomy`` the vocabulary, and - HSDS 3.0 requires one, 1.0 has none -
the name as ``description``).

Dropped with a warning: ``reviews`` (no HSDS 3.0 home). Kept as extension fields (the flattener
keeps them): ``deliverable_type``, ``attending_type`` and ``attending_access`` (no 3.0 home), and,
with a warning, unknown fields holding one value (text, a number, true/false). Unknown lists
and objects, and unknown fields named like an HSDS 3.0 field, are dropped with a warning.

Ids stay the feed's text (an integer becomes text); the import pipeline makes them UUIDs. A
child without an id gets a stable one from its parent's id and position; an organisation or
taxonomy term (shared between services) from its name. See ``oruk1_fields.PREFIX`` for ids
of two 1.0 tables that meet in one 3.0 table. A service without a ``status`` is taken as
active (a feed lists the services it runs), with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from coventry_directory.core.ids import stable_id
from coventry_directory.exchange import oruk1_fields as fx
from coventry_directory.exchange.errors import Problem

_PEEK = 5  # items the detector looks at: enough to see the shape, cheap on any feed
_ONLY_1 = "regular_schedules holiday_schedules eligibilitys service_taxonomys fundings reviews link_taxonomies"
_STRONG = frozenset(f"{_ONLY_1} physical_addresses accessibility_for_disabilities".split(" "))
_ONLY_3 = "schedules attributes funding phones eligibility_description minimum_age maximum_age last_modified"
_HSDS3_ONLY = frozenset(f"{_ONLY_3} fees_description required_documents program metadata alert".split(" "))
_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
_EVERY_DAY = ",".join(fx.DAY_CODES)
_Build = Callable[[dict, str, fx.Report, dict], dict | None]


def looks_like_oruk1(doc: object) -> bool:
    """True when a parsed JSON document (services, one service, or an API page) is ORUK 1.0-shaped."""
    if isinstance(doc, dict):
        items = next((doc[k] for k in ("content", "contents") if isinstance(doc.get(k), list)), None)
        spring_page = items is not None and ("totalElements" in doc or "totalPages" in doc)
        verdicts = [_verdict(item) for item in (items if items is not None else [doc])[:_PEEK]]
    elif isinstance(doc, list):
        spring_page, verdicts = False, [_verdict(item) for item in doc[:_PEEK]]
    else:
        return False
    if True in verdicts:
        return True
    return False if False in verdicts else spring_page  # the 1.0 API pages as Spring does


def _verdict(item: object) -> bool | None:
    """True for a 1.0 service, False for an HSDS 3.0 one, None when it says neither."""
    if not isinstance(item, dict):
        return None
    sals = item.get("service_at_locations")
    locs = [s.get("location") for s in sals[:_PEEK] if isinstance(s, dict)] if isinstance(sals, list) else []
    if any(key in x for x in (item, *[x for x in locs if isinstance(x, dict)]) for key in _STRONG):
        return True
    if any(key in item for key in _HSDS3_ONLY):
        return False
    costs, org = item.get("cost_options"), item.get("organization")
    for cost in costs[:_PEEK] if isinstance(costs, list) else []:
        if isinstance(cost, dict) and "amount" in cost and "option" in cost and "currency" not in cost:
            return True
    return True if isinstance(org, dict) and "url" in org and "website" not in org else None


def oruk1_items(doc: object) -> list:
    """The service items of a document: a list, a page's ``content``/``contents``, or one service.

    Item ``i`` is at ``$[i]`` in a list and ``$.content[i]`` in a page; a lone service is ``$``.
    """
    if isinstance(doc, list):
        return list(doc)
    if isinstance(doc, dict):
        pages = [doc[k] for k in ("content", "contents") if isinstance(doc.get(k), list)]
        return list(pages[0]) if pages else [doc]
    return []


def service_to_hsds3(svc: dict, path: str) -> tuple[dict | None, list[Problem], list[Problem]]:
    """(HSDS 3.0 service or None, problems that made it unusable, warnings) for one 1.0 service."""
    if not isinstance(svc, dict):
        return None, [Problem(path, f"is {fx.describe(svc)}, not an ORUK 1.0 service object")], []
    rep = fx.Report()
    sid = fx.ident(svc.get("id"), f"{path}.id", rep)
    if sid is None:
        rep.fail(f"{path}.id", "is missing: a service needs an id")
        sid = stable_id("oruk1", path)  # only so that the rest is still checked
    out: dict = {"id": sid}
    fx.copy_fields(svc, "service", fx.SERVICE, out, path, rep)
    if "name" not in out:
        rep.fail(f"{path}.name", "is missing: a service needs a name")
    _status(svc, out, path, rep)
    _organization(svc, out, path, rep)
    _put(out, "contacts", _children(svc, "contacts", path, rep, sid, "service_id", _contact))
    _put(out, "service_at_locations", _children(svc, "service_at_locations", path, rep, sid, "service_id", _sal))
    _put(out, "schedules", _schedules(svc, path, rep, sid, "service_id"))
    links = _eligibility(svc, out, path, rep)
    _put(out, "service_areas", _children(svc, "service_areas", path, rep, sid, "service_id"))
    _put(out, "languages", _children(svc, "languages", path, rep, sid, "service_id", _language))
    _put(out, "cost_options", _children(svc, "cost_options", path, rep, sid, "service_id", _cost))
    _put(out, "funding", _children(svc, "fundings", path, rep, sid, "service_id"))
    taxa = _links(svc, "service_taxonomys", path, rep, "service", sid, "service_taxonomy")
    own = _links(svc, "link_taxonomies", path, rep, "service", sid, "service")
    if taxa is not None or own is not None or links:
        out["attributes"] = (taxa or []) + (own or []) + links
    return (None, rep.problems, rep.warnings) if rep.problems else (out, [], rep.warnings)


def _put(out: dict, key: str, value: list | None) -> None:
    if value is not None:  # absent says "not known"; an empty list says "none"
        out[key] = value


def _children(
    holder: dict, key: str, path: str, rep: fx.Report, owner: str, fk: str, build: _Build | None = None
) -> list | None:
    """A 1.0 list as HSDS 3.0 children: own id, the owner's foreign key, fields, taxonomy links."""
    items = fx.items_of(holder, key, path, rep)
    if items is None:
        return None
    table, fields = fx.LISTS[key]
    found = []
    for item, where, n in items:
        made = {"id": fx.child_id(item, where, rep, owner, key, n), fk: owner}
        fx.copy_fields(item, table, fields, made, where, rep)
        child = build(item, where, rep, made) if build else made
        if child is not None:
            _put(child, "attributes", _links(item, "link_taxonomies", where, rep, table, child["id"], table))
            found.append(child)
    return found


def _status(svc: dict, out: dict, path: str, rep: fx.Report) -> None:
    value = fx.text(svc["status"], f"{path}.status", rep) if svc.get("status") is not None else None
    if value is None:
        out["status"] = "active"
        rep.warn(f"{path}.status", "is missing: taken as 'active', since the feed lists the service")
        return
    out["status"] = tidy = " ".join(value.lower().replace("_", " ").split())
    if tidy not in _STATUSES:
        rep.fail(f"{path}.status", f"is {value!r}, not one of {', '.join(_STATUSES)}")
    elif tidy != value:
        rep.warn(f"{path}.status", f"is {value!r}: used as {tidy!r}")


def _organization(svc: dict, out: dict, path: str, rep: fx.Report) -> None:
    org, where = fx.object_of(svc, "organization", path, rep), f"{path}.organization"
    if org is None:
        given = fx.ident(svc.get("organization_id"), f"{path}.organization_id", rep)
        out.update({"organization_id": given} if given else {})
        return
    result: dict = {}
    fx.copy_fields(org, "organization", fx.ORGANIZATION, result, where, rep)
    if "name" not in result:
        rep.warn(f"{where}.name", "is missing: HSDS 3.0 needs an organisation's name, so the organisation is left out")
        return
    oid = fx.ident(org.get("id"), f"{where}.id", rep)
    if oid is None:
        oid = stable_id("oruk1", "organization", result["name"])
        rep.warn(f"{where}.id", f"is missing: given the stable id {oid}, from the organisation's name")
    result = {"id": oid, **result}
    fx.require(result, ("description",), where, rep)
    _put(result, "attributes", _links(org, "link_taxonomies", where, rep, "organization", oid, "organization"))
    out["organization"], out["organization_id"] = result, oid


def _contact(item: dict, where: str, rep: fx.Report, contact: dict) -> dict:
    _put(contact, "phones", _children(item, "phones", where, rep, contact["id"], "contact_id", _phone))
    return contact


def _phone(item: dict, where: str, rep: fx.Report, phone: dict) -> dict | None:
    if "number" not in phone:
        rep.warn(f"{where}.number", "is missing: a phone without a number is left out")
        return None
    name = fx.text(item["language"], f"{where}.language", rep) if "language" in item else None
    if name:
        lid = stable_id("oruk1", phone["id"], "language")
        phone["languages"] = [{"id": lid, "phone_id": phone["id"], **fx.language_fields(name)}]
    return phone


def _language(item: dict, where: str, rep: fx.Report, lang: dict) -> dict | None:
    if "name" not in lang:
        rep.warn(f"{where}.language", "is missing: a language without a name is left out")
        return None
    return {**lang, **fx.language_fields(lang["name"])}


def _sal(item: dict, where: str, rep: fx.Report, sal: dict) -> dict:
    loc = fx.object_of(item, "location", where, rep)
    if loc is not None:
        location = _location(loc, f"{where}.location", rep, sal["id"])
        sal["location_id"], sal["location"] = location["id"], location
    _put(sal, "schedules", _schedules(item, where, rep, sal["id"], "service_at_location_id"))
    return sal


def _location(loc: dict, path: str, rep: fx.Report, sal_id: str) -> dict:
    lid = fx.child_id(loc, path, rep, sal_id, "location", 0)
    out: dict = {"id": lid, "location_type": "physical"}  # 1.0 locations are places: physical_addresses
    fx.copy_fields(loc, "location", fx.LOCATION, out, path, rep)
    for key, limit in (("latitude", 90), ("longitude", 180)):
        if key in out and (abs(out[key]) > limit or out.get("latitude") == out.get("longitude") == 0):
            rep.warn(f"{path}.{key}", f"is {out.pop(key)}, not a position: left out")
    kinds = ("physical", "postal")
    groups = [_children(loc, f"{k}_addresses", path, rep, lid, "location_id", partial(_address, k)) for k in kinds]
    if groups != [None, None]:
        out["addresses"] = [a for group in groups for a in group or []]
        uprns = [a.pop("uprn") for a in out["addresses"] if "uprn" in a]
        out.update({"external_identifier": uprns[0], "external_identifier_type": "UPRN"} if uprns else {})
    _put(out, "accessibility", _children(loc, "accessibility_for_disabilities", path, rep, lid, "location_id"))
    _put(out, "languages", _children(loc, "languages", path, rep, lid, "location_id", _language))
    _put(out, "schedules", _schedules(loc, path, rep, lid, "location_id"))
    _put(out, "attributes", _links(loc, "link_taxonomies", path, rep, "location", lid, "location"))
    return out


def _address(kind: str, item: dict, where: str, rep: fx.Report, address: dict) -> dict | None:
    lines = [address.pop(k) for k in ("address_2", "address_3", "address_4") if k in address]
    address.update({"address_2": ", ".join(lines)} if lines else {})
    if not any(k in address for k in ("address_1", "city", "postal_code")):
        rep.warn(where, "has no street, town or postcode: left out")
        return None
    address["address_type"] = kind
    fx.require(address, ("address_1", "city", "state_province", "postal_code", "country"), where, rep)
    return address


def _schedules(holder: dict, path: str, rep: fx.Report, owner: str, fk: str) -> list | None:
    regular = _children(holder, "regular_schedules", path, rep, owner, fk, _regular)
    holiday = _children(holder, "holiday_schedules", path, rep, owner, fk, _holiday)
    return None if regular is None and holiday is None else (regular or []) + (holiday or [])


def _regular(item: dict, where: str, rep: fx.Report, out: dict) -> dict:
    """A 1.0 regular schedule as an RFC 5545-style weekly (or monthly) schedule."""
    days = fx.byday(item["byday"], f"{where}.byday", rep) if "byday" in item else None
    day = fx.weekday(item["weekday"], f"{where}.weekday", rep) if "weekday" in item else None
    if days and day and day not in [d[-2:] for d in days.split(",")]:
        rep.warn(f"{where}.weekday", f"is {day} but byday is {days}: byday is used")
    days = days or day
    freq = fx.text(item["freq"], f"{where}.freq", rep) if "freq" in item else None
    if freq and freq.upper() == "DAILY" and not days and out.get("interval", 1) == 1:
        freq, days = "WEEKLY", _EVERY_DAY
        rep.warn(f"{where}.freq", "is DAILY, which HSDS 3.0 does not have: used as WEEKLY on every day")
    elif freq and freq.upper() in ("WEEKLY", "MONTHLY"):
        if freq != freq.upper():
            rep.warn(f"{where}.freq", f"is {freq!r}: used as {freq.upper()!r}")
        freq = freq.upper()
    elif freq:
        rep.warn(f"{where}.freq", f"is {freq!r}, not WEEKLY or MONTHLY: left out, so the hours read as not known")
        freq = None
    monthdays = fx.bymonthday(item["bymonthday"], f"{where}.bymonthday", rep) if "bymonthday" in item else None
    out.update({k: v for k, v in (("byday", days), ("bymonthday", monthdays)) if v})
    if freq or days:  # a 1.0 row for a weekday repeats every week
        out["freq"] = freq or "WEEKLY"
    else:
        rep.warn(where, "gives no day and no frequency: kept, and its hours will read as not known")
    return out


def _holiday(item: dict, where: str, rep: fx.Report, out: dict) -> dict | None:
    """A 1.0 holiday schedule: closed, or open at given hours, every day from start_date to end_date."""
    closed, start, end = out.pop("closed", None), out.get("valid_from"), out.get("valid_to")
    hours = "opens_at" in out and "closes_at" in out
    if not start or not end or (closed is None and not hours):
        rep.warn(where, "does not say when it applies and whether it is closed: left out")
        return None
    if closed is None:
        closed = False
        rep.warn(f"{where}.closed", "is missing: read as open, since it gives opening hours")
    span = f"on {start}" if start == end else f"from {start} to {end}"
    if closed:
        for key in [k for k in ("opens_at", "closes_at") if k in out]:
            rep.warn(f"{where}.{key}", f"is {out.pop(key)!r} on a closed day: left out")
        out["description"] = f"Closed {span}."
    elif hours:
        out.update(freq="WEEKLY", byday=_EVERY_DAY)
        out["description"] = f"Holiday opening hours {span}: {out['opens_at']} to {out['closes_at']}."
    else:
        out["description"] = f"Open {span}; the hours are not given."
    return out


def _eligibility(svc: dict, out: dict, path: str, rep: fx.Report) -> list:
    """Fold 1.0 eligibilitys into the service's age range and text; returns their taxonomy links."""
    items, links, texts = fx.items_of(svc, "eligibilitys", path, rep), [], []
    ages: dict[str, list] = {"minimum_age": [], "maximum_age": []}
    for item, where, _n in items or []:
        found: dict = {}
        fx.copy_fields(item, None, fx.ELIGIBILITY, found, where, rep)
        for key in [k for k in ages if k in found]:
            if 0 <= found[key] <= 150:
                ages[key].append(found[key])
            else:
                rep.warn(f"{where}.{key}", f"is {found[key]}, not an age: left out")
        texts += [found["eligibility"]] if "eligibility" in found else []
        links += _links(item, "link_taxonomies", where, rep, "service", out["id"], "eligibility") or []
    low, high = max(ages["minimum_age"], default=None), min(ages["maximum_age"], default=None)
    if low is not None and high is not None and low > high:
        rep.warn(f"{path}.eligibilitys", f"the narrowest age range is {low} to {high}, which no age fits: left out")
    else:
        out.update({k: v for k, v in (("minimum_age", low), ("maximum_age", high)) if v is not None})
        if len(set(ages["minimum_age"])) > 1 or len(set(ages["maximum_age"])) > 1:
            rep.warn(f"{path}.eligibilitys", f"gives several age ranges: the narrowest, {low} to {high}, is used")
    out.update({"eligibility_description": "; ".join(dict.fromkeys(texts))} if texts else {})
    return links


def _cost(item: dict, where: str, rep: fx.Report, cost: dict) -> dict:
    value, pounds, words = fx.amount(item["amount"], f"{where}.amount", rep) if "amount" in item else (None, 0, "")
    cost.update({"amount": value} if value is not None else {})
    if words:
        moved = "amount_description" not in cost
        cost.setdefault("amount_description", words)
        rep.warn(
            f"{where}.amount",
            f"is {words!r}, not an amount: " + ("moved to amount_description" if moved else "left out"),
        )
    said = f"{cost.get('amount_description', '')} {cost.get('option', '')}"
    if "currency" in cost:
        cost["currency"] = cost["currency"].upper()
    elif value is not None and (pounds or "£" in said or "GBP" in said.upper().split()):
        cost["currency"] = "GBP"
        if not pounds:
            rep.warn(f"{where}.currency", "is missing: GBP, since the cost option says its amount is in pounds")
    return cost


def _links(holder: dict, key: str, path: str, rep: fx.Report, entity: str, link_id: str, kind: str) -> list | None:
    """1.0 ``service_taxonomys`` or ``link_taxonomies`` as HSDS 3.0 attributes, each with its term."""
    items = fx.items_of(holder, key, path, rep)
    if items is None:
        return None
    found = []
    for item, where, n in items:
        attr = {"id": fx.child_id(item, where, rep, link_id, key, n), "link_id": link_id, "link_entity": entity}
        fx.copy_fields(item, "attribute", fx.LINK, attr, where, rep)
        link_type = fx.text(item["link_type"], f"{where}.link_type", rep) if "link_type" in item else None
        detail = (
            fx.text(item["taxonomy_detail"], f"{where}.taxonomy_detail", rep) if "taxonomy_detail" in item else None
        )
        tax = fx.object_of(item, "taxonomy", where, rep)
        term = _term(tax, f"{where}.taxonomy", rep) if tax is not None else None
        term_id = term["id"] if term else fx.ident(item.get("taxonomy_id"), f"{where}.taxonomy_id", rep)
        if term_id is None:
            rep.warn(where, "names no taxonomy term: left out")
            continue
        attr.update(link_type=link_type or kind, taxonomy_term_id=term_id)
        found.append({**attr, **({"value": detail} if detail else {}), **({"taxonomy_term": term} if term else {})})
    return found


def _term(tax: dict, where: str, rep: fx.Report) -> dict | None:
    term: dict = {}
    fx.copy_fields(tax, "taxonomy_term", fx.TAXONOMY, term, where, rep)
    if "name" not in term:
        rep.warn(f"{where}.name", "is missing: a taxonomy term needs a name, so it is left out")
        return None
    tid = fx.ident(tax.get("id"), f"{where}.id", rep)
    if tid is None:
        tid = stable_id("oruk1", "taxonomy_term", term.get("taxonomy", ""), term["name"])
        rep.warn(f"{where}.id", f"is missing: given the stable id {tid}, from the term's vocabulary and name")
    else:
        term.setdefault("code", tid)
    term.setdefault("description", term["name"])  # HSDS 3.0 requires one; 1.0 terms have none
    key = "parent" if "parent" in tax else "parent_id"
    parent = tax.get(key)
    parent_id = fx.ident(parent.get("id") if isinstance(parent, dict) else parent, f"{where}.{key}", rep)
    if parent_id:
        term["parent_id"] = parent_id
    elif key in tax:
        rep.warn(f"{where}.{key}", "is null: left out" if parent is None else f"is {fx.describe(parent)}: left out")
    return {"id": tid, **term}
