"""Part of the store: the directory's mutual-aid meetings as :class:`~coventry_directory.core.meetings.Meeting` values.

A meeting is a service that has an attribute of the ``meeting-type`` taxonomy (every
meeting a Meeting Guide list gave, and any HSDS service carrying those terms), or any
service that a source of kind ``meetings`` described (``service_source`` and
``directory_source``, migration m004). Each part is read for all meetings at once, a few
hundred ids per query, as :mod:`~coventry_directory.store.service_loader` does:

- the service, its organisation (the fellowship) and status;
- its schedules, also those at the service-at-location level (the loader's rules), with
  ``attending_type``;
- its places: physical ones with their address, the virtual one's ``url`` (the conference
  link);
- the dial-in: a phone whose description says it is the dial-in, as the Meeting Guide import
  writes it ("Dial-in for the online meeting");
- its type codes with their term names;
- its source: the first meetings source that described it (else the first source), and
  when that source was last read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlite_utils import Database

from coventry_directory.core.meetings import Meeting, MeetingPlace, MeetingTime, MeetingType
from coventry_directory.store.service_loader import ServiceLoader, chunks

MEETING_TYPE_TAXONOMY = "meeting-type"
MEETINGS_KIND = "meetings"
DIAL_IN = "dial-in"  # how a dial-in phone's description begins (case aside)

_IDS = """
SELECT a.link_id FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
 WHERE a.link_entity = 'service' AND t.taxonomy = ?
UNION
SELECT ss.service_id FROM service_source ss JOIN directory_source d ON d.name = ss.source WHERE d.kind = ?
"""
_SERVICES = """
SELECT s.id, s.name, s.description, s.status, s.last_modified, o.name
  FROM service s LEFT JOIN organization o ON o.id = s.organization_id WHERE s.id IN ({ids})
"""
_PLACES = """
SELECT sal.service_id, l.id, l.location_type, l.name, l.url, l.latitude, l.longitude,
       ad.address_1, ad.address_2, ad.city, ad.postal_code
  FROM service_at_location sal JOIN location l ON l.id = sal.location_id
  LEFT JOIN address ad ON ad.location_id = l.id
 WHERE sal.service_id IN ({ids}) ORDER BY sal.rowid, ad.rowid
"""
_PHONES = (
    "SELECT service_id, number, description FROM phone WHERE service_id IN ({ids}) ORDER BY rowid",
    "SELECT sal.service_id, p.number, p.description FROM phone p JOIN service_at_location sal"
    " ON sal.id = p.service_at_location_id WHERE p.service_id IS NULL AND sal.service_id IN ({ids}) ORDER BY p.rowid",
)
_TYPES = """
SELECT a.link_id, t.code, t.name FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
 WHERE a.link_entity = 'service' AND t.taxonomy = ? AND a.link_id IN ({ids})
 ORDER BY a.link_id, CAST(a.value AS INTEGER), a.rowid
"""
_SOURCES = """
SELECT ss.service_id, ss.source, d.kind, coalesce(nullif(d.pulled_at, ''), nullif(d.updated_at, ''))
  FROM service_source ss LEFT JOIN directory_source d ON d.name = ss.source
 WHERE ss.service_id IN ({ids}) ORDER BY ss.service_id, coalesce(d.rank, 0), ss.source
"""
_ATTENDING = "SELECT id, attending_type FROM schedule WHERE id IN ({ids})"


class MeetingQueries:
    """Reads meetings from the HSDS tables in batched queries."""

    def __init__(self, db: Database):
        self._db = db

    def _tuples(self, sql: str, ids: Sequence[str], extra: Sequence = ()) -> Iterator[tuple]:
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(sql.format(ids=marks), [*extra, *chunk]).fetchall()

    def ids(self) -> list[str]:
        """Every meeting's service id, sorted by name then id."""
        found = {r[0] for r in self._db.execute(_IDS, [MEETING_TYPE_TAXONOMY, MEETINGS_KIND])}
        rows = self._tuples("SELECT id, name FROM service WHERE id IN ({ids})", sorted(found))
        return [sid for sid, _name in sorted(rows, key=lambda r: ((r[1] or "").casefold(), r[0]))]

    def all(self) -> list[Meeting]:
        """Every meeting in the directory, sorted by name."""
        return self.load(self.ids())

    def load(self, ids: Sequence[str]) -> list[Meeting]:
        """The meetings with these service ids, in the order given (ids that are not services are skipped)."""
        services = {r[0]: r for r in self._tuples(_SERVICES, ids)}
        found = sorted(services)
        times = self._times(found)
        places, urls = self._places(found)
        dial_ins = self._dial_ins(found)
        types: dict[str, list[MeetingType]] = defaultdict(list)
        for sid, code, name in self._tuples(_TYPES, found, [MEETING_TYPE_TAXONOMY]):
            if code not in {t.code for t in types[sid]}:
                types[sid].append(MeetingType(code, name or code))
        sources = self._sources(found)
        out = []
        for sid in ids:
            if sid not in services:
                continue
            _id, name, description, status, modified, fellowship = services[sid]
            source, source_date = sources.get(sid, (None, None))
            out.append(
                Meeting(
                    id=sid,
                    name=name,
                    fellowship=fellowship or "",
                    times=tuple(times.get(sid, ())),
                    places=tuple(places.get(sid, ())),
                    online_url=urls.get(sid),
                    conference_phone=dial_ins.get(sid),
                    types=tuple(types.get(sid, ())),
                    notes=description or "",
                    last_modified=modified,
                    status=status or "active",
                    source=source,
                    source_date=source_date,
                )
            )
        return out

    def _times(self, ids: list[str]) -> dict[str, list[MeetingTime]]:
        # The loader knows where else a schedule may hang (the service at a location, the place).
        schedules = ServiceLoader(self._db).schedules(ids)
        attending = dict(self._tuples(_ATTENDING, sorted({s.id for ss in schedules.values() for s in ss})))
        return {
            sid: [
                MeetingTime(
                    id=s.id,
                    freq=s.freq,
                    interval=s.interval,
                    byday=s.byday,
                    bymonthday=s.bymonthday,
                    opens_at=s.opens_at,
                    closes_at=s.closes_at,
                    valid_from=s.valid_from,
                    valid_to=s.valid_to,
                    dtstart=s.dtstart,
                    until=s.until,
                    attending_type=attending.get(s.id),
                    notes=s.notes,
                )
                for s in rows
            ]
            for sid, rows in schedules.items()
        }

    def _places(self, ids: list[str]) -> tuple[dict[str, list[MeetingPlace]], dict[str, str]]:
        places: dict[str, list[MeetingPlace]] = defaultdict(list)
        urls: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        for sid, lid, kind, name, url, lat, lon, line1, line2, city, postcode in self._tuples(_PLACES, ids):
            if (sid, lid) in seen:
                continue  # a second address of the same place
            seen.add((sid, lid))
            street = ", ".join(p for p in (line1, line2, city) if p) or None
            if kind == "virtual" or (url and lat is None and not street):
                if url and sid not in urls:
                    urls[sid] = url
                continue
            places[sid].append(MeetingPlace(name or None, street, postcode or None, city or None, lat, lon))
        return places, urls

    def _dial_ins(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for sid, number, description in (row for sql in _PHONES for row in self._tuples(sql, ids)):
            if number and (description or "").strip().lower().startswith(DIAL_IN):
                out.setdefault(sid, number)
        return out

    def _sources(self, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        by_service: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
        for sid, source, kind, when in self._tuples(_SOURCES, ids):
            by_service[sid].append((source, kind, when))
        out: dict[str, tuple[str | None, str | None]] = {}
        for sid, rows in by_service.items():
            source, _kind, when = next((r for r in rows if r[1] == MEETINGS_KIND), rows[0])
            out[sid] = (source, when)
        return out
