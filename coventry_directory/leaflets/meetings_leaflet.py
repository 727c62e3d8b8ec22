"""The meetings list: mutual-aid meetings today or this week, grouped by day, on A4.

The same machinery as the topic leaflets (:mod:`~coventry_directory.leaflets.base`, its
styles, fonts and shaped text), so Arabic, Urdu and Punjabi are shaped and keep a text
layer. The fixed words are translated (``wording.MEETINGS_*``); what the meeting list says
(meeting names, fellowships, venues, addresses, links, notes) is printed as published. A
type the wording has no words for keeps the list's English label.

A header says what was asked ("Meetings this week near Rugby", any other filter on an
"Only:" line), the date printed, and where the details come from and when that list was
read; each day then lists its meetings in the order they start: the time (or "from" a start
when the list gives no end), the name and fellowship, the venue with its distance, or the
online link and dial-in, and the types in words. The crisis lines every leaflet carries
are on the first page, after the header.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from babel.dates import format_date
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer
from reportlab.platypus.flowables import SetTopFlowables

from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.meetings import Attending, Meeting, MeetingList, Occurrence, Window, fellowship_marks
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_measure, list_separator
from coventry_directory.i18n.languages import Language
from coventry_directory.leaflets import blocks, wording
from coventry_directory.leaflets.base import LeafletRenderer, format_day, write_pdf
from coventry_directory.leaflets.batch import slug


def type_phrases(meeting: Meeting) -> list[str]:
    """The meeting's types in the leaflet's language where the wording has words for them, else as published."""
    marks = fellowship_marks(meeting)  # 'AA' on an AA meeting says nothing the fellowship does not
    words = wording.MEETING_TYPE_WORDS
    return [_(words[t.code]) if t.code in words else t.name for t in meeting.types if t.code not in marks]


class MeetingsLeafletRenderer(LeafletRenderer):
    """A printable list of the meetings in one :class:`~coventry_directory.core.meetings.MeetingList`."""

    document_title = "Mutual-aid meetings"
    # Geometry (A4): the time column, and the space before each day and after each meeting.
    time_width = 27 * mm
    day_space = 6
    meeting_space = 2

    def __init__(self, listing: MeetingList, lang: Language | str = "en", *, place: str | None = None, printed: date):
        super().__init__(lang, size="A4")
        self.listing = listing
        self.place = place
        self.printed = printed

    def assured_dates(self):
        """When each meeting list printed was read: the sheet is as current as the oldest."""
        return [when for _name, when in self.listing.sources]

    # --- the header -------------------------------------------------------------------
    def title(self) -> str:
        """E.g. 'Meetings this week near Rugby', translated."""
        today = self.listing.when == Window.TODAY
        if self.place:
            template = wording.MEETINGS_TODAY_NEAR if today else wording.MEETINGS_THIS_WEEK_NEAR
            return _(template).format(place=self.place)
        return _(wording.MEETINGS_TODAY if today else wording.MEETINGS_THIS_WEEK)

    def only(self) -> str | None:
        """The filters other than the window and the place, in words ('' parts left out)."""
        filters = self.listing.filters
        parts = []
        if filters.near is not None:
            parts.append(_(wording.MEETINGS_WITHIN).format(km=format_measure(filters.within_km)))
            if not filters.in_person_only:
                parts.append(_(wording.MEETINGS_ONLINE_ANYWHERE))
        if filters.fellowship:
            found = {o.meeting.fellowship for o in self.listing.occurrences}
            parts.append(list_separator().join(sorted(found)) if found else filters.fellowship.strip())
        if filters.online_only:
            parts.append(_(wording.MEETINGS_ONLINE_ONLY))
        if filters.in_person_only:
            parts.append(_(wording.MEETINGS_IN_PERSON_ONLY))
        words = {code: _(w) for code, w in wording.MEETING_TYPE_WORDS.items()}
        parts += [words.get(code, code) for code in filters.types]
        return _(wording.MEETINGS_ONLY).format(filters=" · ".join(parts)) if parts else None

    def source_line(self) -> str:
        """Where the details come from and when that list was read."""
        sources = self.listing.sources or (("Coventry Directory", None),)
        names = list_separator().join(name for name, _when in sources)
        return _(wording.MEETINGS_SOURCE).format(source=names, date=format_day(self.assured_date(), self.lang))

    def assured_date(self) -> str | None:
        """The oldest date a list printed was read (None when not known)."""
        known = sorted(when for when in self.assured_dates() if when)
        return known[0] if known else None

    def header(self) -> list[Flowable]:
        """Title, date printed, filters, source, what open and closed mean, and the crisis lines."""
        kit, s = self.kit, self.styles
        out: list[Flowable] = [
            kit.t(self.title(), s.title),
            kit.t(_(wording.MEETINGS_PRINTED).format(date=format_day(self.printed.isoformat(), self.lang)), s.subtitle),
        ]
        only = self.only()
        if only:
            out.append(kit.t(only, s.body))
        out.append(kit.t(self.source_line(), s.notice))
        if self.lang.code != "en":  # names, venues and notes are printed as the list gives them
            out.append(kit.t(_(wording.ENGLISH_NOTE), s.small))
        out += [Spacer(1, 4), kit.t(_(wording.GOOD_TO_KNOW), s.heading)]
        facts = [_(f) for f in wording.FACTS["mutual-aid"]] + [_(wording.MEETINGS_OPEN_CLOSED)]
        # The crisis lines go on the first page: a list of several pages is often pinned up a page at a time.
        return [*out, *kit.bullets(facts), Spacer(1, 6), KeepTogether([blocks.crisis_box(kit)])]

    # --- the meetings ---------------------------------------------------------------------
    def day_heading(self, day: date) -> str:
        """'Monday 7 December' in the leaflet's language, capitalised as a heading ('Poniedziałek 7 grudnia')."""
        text = format_date(day, "EEEE d MMMM", locale="en_GB" if self.lang.code == "en" else self.lang.code)
        return text[:1].upper() + text[1:]

    def when_label(self, occurrence: Occurrence) -> str:
        """'18:00–19:30', or 'from 10:00' when the list gives no end time."""
        start = f"{occurrence.starts:%H:%M}"
        if occurrence.ends is None:
            return _(wording.MEETINGS_FROM_TIME).format(time=start)
        return f"{start}–{occurrence.ends:%H:%M}"

    def details(self, meeting: Meeting, attending: Attending | None, distance: float | None) -> list[Flowable]:
        """Name, fellowship, where (venue or online), dial-in, types and notes of one meeting."""
        kit, s = self.kit, self.styles
        out: list[Flowable] = [kit.c(meeting.name, s.label), kit.c(meeting.fellowship, s.small)]
        place = meeting.place if attending != Attending.ONLINE else None
        if place is not None:
            out.append(kit.c(place.one_line() or _(wording.MEETINGS_NO_PLACE)))
            if distance is not None:
                out.append(kit.t(distance_text(distance, self.listing.filters.near) or "", s.small))
            elif self.listing.filters.near is not None:
                out.append(kit.t(_(wording.MEETINGS_DISTANCE_NOT_KNOWN), s.small))
        if meeting.online_url and attending != Attending.IN_PERSON:
            template = wording.MEETINGS_ALSO_ONLINE if place is not None else wording.MEETINGS_ONLINE_AT
            out.append(kit.t(_(template).format(link=meeting.online_url)))
        if meeting.conference_phone and attending != Attending.IN_PERSON:
            out.append(kit.t(_(wording.MEETINGS_DIAL_IN).format(number=meeting.conference_phone)))
        if place is None and not meeting.online_url and not meeting.conference_phone:
            out.append(kit.t(_(wording.MEETINGS_NO_PLACE)))
        phrases = type_phrases(meeting)
        if phrases:
            out.append(kit.t(" · ".join(phrases), s.small))
        if meeting.notes:
            out.append(kit.c(meeting.notes, s.small))
        return out

    def day_head(self, day: date, holiday: str | None) -> list[Flowable]:
        """The day's heading, and the bank holiday it is, if it is one."""
        kit, s = self.kit, self.styles
        head: list[Flowable] = [kit.t(self.day_heading(day), s.heading)]
        if holiday:
            head.append(kit.t(_(wording.MEETINGS_BANK_HOLIDAY).format(name=holiday), s.notice))
        return head

    def section(
        self, head: list[Flowable], again: list[Flowable], rows: list[tuple[str, list[Flowable]]]
    ) -> list[Flowable]:
        """A heading over time/details rows; ``again`` heads each further page the section runs onto."""
        story: list[Flowable] = [Spacer(1, self.day_space)]
        for n, row in enumerate(rows):
            table = self.kit.facts([row], self.time_width)
            # A meeting is never cut by a page (unless taller than one), nor a heading left without its first meeting.
            story += [KeepTogether([*(head if n == 0 else []), table]), Spacer(1, self.meeting_space)]
            if n == 0:
                story.append(SetTopFlowables(again))  # reportlab puts these at the top of every new frame
        return [*story, SetTopFlowables([])]

    def days(self) -> list[Flowable]:
        """Each day's heading (and bank holiday) over its meetings, in the order they start."""
        story: list[Flowable] = []
        by_day: dict[date, list[Occurrence]] = {}
        for occurrence in self.listing.occurrences:
            by_day.setdefault(occurrence.day, []).append(occurrence)
        for day, occurrences in by_day.items():
            holiday = occurrences[0].bank_holiday
            rows = [(self.when_label(o), self.details(o.meeting, o.attending, o.distance_km)) for o in occurrences]
            story += self.section(self.day_head(day, holiday), self.day_head(day, holiday), rows)
        return story

    def no_time(self) -> list[Flowable]:
        """Meetings the list gives no day or time for."""
        if not self.listing.unscheduled:
            return []
        heading = [self.kit.t(_(wording.MEETINGS_NO_TIME), self.styles.heading) for _n in range(2)]
        rows = [("", self.details(meeting, meeting.attending, None)) for meeting in self.listing.unscheduled]
        return self.section(heading[:1], heading[1:], rows)

    def story(self) -> list[Flowable]:
        """Header (with the crisis lines), the meetings day by day, and those with no set time."""
        story = self.header()
        if not self.listing.occurrences:
            story += [Spacer(1, self.day_space), self.kit.t(_(wording.MEETINGS_NONE))]
        return story + self.days() + self.no_time()


def meetings_pack(
    listing: MeetingList, languages: Sequence[Language], out_dir: Path, *, place: str | None, printed: date
) -> list[Path]:
    """The list in each language, into a folder: ``meetings-<when>[-<place>]-<lang>.pdf``."""
    stem = f"meetings-{listing.when}" + (f"-{slug(place)}" if place else "")
    written = []
    for lang in languages:
        data = MeetingsLeafletRenderer(listing, lang, place=place, printed=printed).render()
        written.append(write_pdf(Path(out_dir) / f"{stem}-{lang.code}.pdf", data))
    return written
