"""Is the medical review current? And every content check of a document in one call."""

from __future__ import annotations

import calendar
import datetime as dt

from ..diagnostics import Diagnostic
from .claims import claim_findings
from ..models import Document
from .readability import readability_findings


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(doc: Document, interval_months: int | None = None) -> dt.date | None:
    """When the next medical review is due (None for a document never reviewed)."""
    if doc.byline.reviewed is None:
        return None
    interval = doc.site.review_interval_months if interval_months is None else interval_months
    return add_months(doc.byline.reviewed, interval)


def review_findings(doc: Document, today: dt.date,
                    interval_months: int | None = None) -> list[Diagnostic]:
    """A warning when the medical review is older than the interval (site.yml's
    `review_interval_months`, 12 by default) or dated after `today`; a note when the
    document names no medical reviewer."""
    interval = doc.site.review_interval_months if interval_months is None else interval_months
    reviewed = doc.byline.reviewed
    if not doc.byline.reviewers or reviewed is None:
        return [Diagnostic(doc.source_path, doc.front_line("authors"), "no medical reviewer is named", fix="have a clinician review the article, then add 'reviewers: [person-id]' "
                        "and 'reviewed: YYYY-MM-DD' to the front matter", severity="info", rule="medical-review")]
    line = doc.front_line("reviewed")
    if reviewed > today:
        return [Diagnostic(doc.source_path, line, f"the medical review is dated {reviewed.isoformat()}, "
                        f"after today ({today.isoformat()})", fix="write the date on which the review was done", severity="warning", rule="medical-review")]
    due = add_months(reviewed, interval)
    if due < today:
        return [Diagnostic(doc.source_path, line, f"the medical review of {reviewed.isoformat()} is "
                        f"overdue: reviews are due every {interval} months (site.yml "
                        f"'review_interval_months'), so this one was due on {due.isoformat()}", fix="have the article reviewed again, then update 'reviewed:' (and "
                        "'reviewers:' if someone else reviewed it)", severity="warning", rule="medical-review")]
    return [Diagnostic(doc.source_path, line, f"medically reviewed on {reviewed.isoformat()}; the next "
                    f"review is due by {due.isoformat()}", fix="", severity="info", rule="medical-review")]


def content_findings(doc: Document, rules, today: dt.date) -> list[Diagnostic]:
    """Everything `invoke check` says about what a document claims and how it reads:
    unsupported claims (`rules` from claims.load_rules), the reading grade level, and
    whether the medical review is current."""
    return [*claim_findings(doc, rules), *readability_findings(doc),
            *review_findings(doc, today)]
