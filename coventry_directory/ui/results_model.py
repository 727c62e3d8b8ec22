"""The results list: a Qt model over search hits and a delegate that draws each row.

A row shows the name, organisation and category, distance, open / closed / not known, a
"not verified since" badge for stale records, and, in client mode, whether this person
can use it (excluded services greyed, with the reason).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from coventry_directory.core.clock import uk_today
from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.eligibility import Eligibility
from coventry_directory.core.filter_words import check_text
from coventry_directory.core.places import Place
from coventry_directory.core.schedules import OpenState
from coventry_directory.core.search import Hit
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import N_, _
from coventry_directory.ui.palette_colours import caution_colour, muted_colour, open_colour

_ROOT = QModelIndex()  # the invalid index: a list model's only parent

HitRole = Qt.UserRole + 1
STALE_AFTER_DAYS = 365

_OPEN_WORDS = {"open": N_("Open now"), "closed": N_("Closed now"), "unknown": N_("Hours not known")}


def stale_badge(hit: Hit, today: date | None = None) -> str | None:
    """A warning when the record's evidence is old or the provider may have changed."""
    today = today or uk_today()
    if hit.verification == "provider-may-have-changed":
        return _("Provider may have changed")
    if hit.verification == "historic":
        return _("Old information ({date})").format(date=hit.evidence_date or _("undated"))
    evidence = (hit.evidence_date or "")[:4]
    if evidence.isdigit() and today.year - int(evidence) >= STALE_AFTER_DAYS // 365 + 1:
        return _("Not verified since {year}").format(year=evidence)
    return None


_STATUS_WORDS = {
    "temporarily closed": N_("Temporarily closed"),
    "inactive": N_("Marked inactive by its source"),
    "defunct": N_("Closed for good, says its source"),
}


def status_words(status: str) -> str | None:
    """What a result row says about a service whose source does not call it active (None when it does)."""
    if status == "active":
        return None
    return _(_STATUS_WORDS[status]) if status in _STATUS_WORDS else _("Status not known: check with the service")


def row_summary(hit: Hit, near: Place | None = None) -> tuple[str, str, str]:
    """(title, detail line, status line) for a hit, as words a screen reader can speak.

    ``near`` is the place the search was near: a service within about 1 km of it is "in" it.
    """
    cat = label("category", hit.categories[0]) if hit.categories else ""
    detail = " · ".join(p for p in (hit.organization, cat) if p)
    status = [_(_OPEN_WORDS.get(hit.open_state, _OPEN_WORDS["unknown"]))]
    distance = distance_text(hit.distance_km, near)
    if distance:
        status.insert(0, distance)
    badge = stale_badge(hit)
    if badge:
        status.append(badge)
    checks = check_text(hit.checks)  # what the filters asked that its record does not say
    if checks:
        status.append(checks)
    closed = status_words(hit.status)
    if closed:
        status.insert(0, closed)  # first: a closed service is the one thing not to miss
    if hit.verdict is not None:
        if hit.verdict.status == Eligibility.EXCLUDED:
            status.append(_("Not for this client: {reasons}").format(reasons="; ".join(hit.verdict.reasons)))
        elif hit.verdict.status == Eligibility.CHECK:
            status.append(_("Check: {what}").format(what="; ".join(hit.verdict.checks)))
        else:
            status.append(_("Can use"))
    return hit.name, detail, " · ".join(status)


class ResultsModel(QAbstractListModel):
    """Search hits in ranked order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hits: list[Hit] = []
        self.near: Place | None = None  # the place the distances are from

    def set_hits(self, hits: list[Hit], near: Place | None = None) -> None:
        """Replace the rows (with the place the search was near, for the distance words)."""
        self.beginResetModel()
        self.hits = list(hits)
        self.near = near
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        """How many hits the list shows."""
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        """What one row shows for ``role`` (text, tooltip, accessible text or the hit itself)."""
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == HitRole:
            return hit
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return ". ".join(row_summary(hit, self.near))
        if role == Qt.ToolTipRole:
            return row_summary(hit, self.near)[2]
        return None


class ResultDelegate(QStyledItemDelegate):
    """Draws a hit as three lines: name, organisation · category, status badges."""

    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        """The height of a two-line row at the current font."""
        fm = QFontMetrics(option.font)
        return QSize(option.rect.width(), fm.height() * 3 + self.PAD * 3)

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        """Draw one result row with palette colours (readable in dark and high-contrast themes)."""
        hit: Hit = index.data(HitRole)
        if hit is None:
            return super().paint(painter, option, index)
        painter.save()
        style = option.widget.style() if option.widget else None
        if style:
            style.drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.State_Selected)
        pal = option.palette
        text = pal.color(QPalette.HighlightedText if selected else QPalette.Text)
        muted = QColor(text)
        excluded = hit.verdict is not None and hit.verdict.status == Eligibility.EXCLUDED
        if excluded and not selected:
            text = muted_colour(pal)
        muted.setAlpha(200)
        title, detail, status = row_summary(hit, getattr(index.model(), "near", None))
        fm = QFontMetrics(option.font)
        line = fm.height()
        r = option.rect.adjusted(self.PAD, self.PAD // 2, -self.PAD, 0)
        # Start-aligned in the reading direction: right-aligned when the app is right-to-left.
        align = QStyle.visualAlignment(option.direction, Qt.AlignLeft | Qt.AlignVCenter)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        # The name is the directory's English: laid out left to right (so "…" ends it on the
        # right) even where the row is right-aligned; the lines below follow the app.
        painter.setLayoutDirection(Qt.LeftToRight)
        painter.drawText(
            QRect(r.left(), r.top(), r.width(), line),
            align,
            QFontMetrics(bold).elidedText(title, Qt.ElideRight, r.width()),
        )
        painter.setLayoutDirection(option.direction)
        painter.setFont(option.font)
        painter.setPen(muted if not excluded else text)
        painter.drawText(
            QRect(r.left(), r.top() + line + 2, r.width(), line), align, fm.elidedText(detail, Qt.ElideRight, r.width())
        )
        colour = _status_colour(hit, pal, selected)
        painter.setPen(colour)
        painter.drawText(
            QRect(r.left(), r.top() + 2 * line + 4, r.width(), line),
            align,
            fm.elidedText(status, Qt.ElideRight, r.width()),
        )
        painter.restore()


def _status_colour(hit: Hit, pal: QPalette, selected: bool) -> QColor:
    if selected:
        return pal.color(QPalette.HighlightedText)
    if hit.verdict is not None and hit.verdict.status == Eligibility.EXCLUDED:
        return muted_colour(pal)
    # readable on this theme's background, and never the only signal: the words say it too
    if hit.open_state == OpenState.OPEN:
        return open_colour(pal)
    if hit.verification in ("historic", "provider-may-have-changed"):
        return caution_colour(pal)
    return pal.color(QPalette.Text)
