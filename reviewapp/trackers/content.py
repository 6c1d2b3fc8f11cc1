"""What an improvement item's issue says: title, Markdown body ending with the item's marker, labels."""

import hashlib
import json

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import AnswerRisk, ImprovementItem, TrackerConnection
from .clients import LABEL, IssueContent

RISK_LABELS = {AnswerRisk.HIGH: "risk:high", AnswerRisk.MEDIUM: "risk:medium"}


def item_marker(item_pk: int) -> str:
    """Found again in the issue's body before creating one, so a retry never makes a second issue."""
    return f"wa-item:{item_pk}"


def issue_content(item: ImprovementItem, connection: TrackerConnection, *, risk: str) -> IssueContent:
    """Written in the connection's language; ``item`` comes with ``choice__question__pillar`` and ``review``."""
    choice = item.choice
    question = choice.question
    with translation.override(connection.language or None):
        title = f"[{question.label}] {choice.title}"
        lines = [f"**{question.label} {question.title}**", ""]
        if risk in RISK_LABELS:
            values = {"risk": AnswerRisk(risk).label, "pillar": question.pillar.name}
            lines += [_("Risk: %(risk)s · %(pillar)s") % values, ""]
        if choice.improvement_plan:
            lines += [choice.improvement_plan.strip(), ""]
        links = [(link["text"] or link["url"], link["url"]) for link in choice.improvement_links if link["url"]]
        if choice.improvement_plan_url:
            links.insert(0, (_("Improvement guide"), choice.improvement_plan_url))
        if links:
            lines += [_("Links:")] + [f"- [{text}]({url})" for text, url in links] + [""]
        plan_url = connection.site_url.rstrip("/") + reverse("reviewapp:plan", args=[item.review_id])
        lines += [
            _("Improvement plan of the review: %(url)s") % {"url": f"{plan_url}#practice-{choice.key}"},
            "",
            "---",
            _("Synced from the Well-Architected review; keep this line: %(marker)s") % {"marker": item_marker(item.pk)},
        ]
    labels = [LABEL, f"pillar:{question.pillar.key}"]
    if risk in RISK_LABELS:
        labels.append(RISK_LABELS[risk])
    return IssueContent(title=title[:250], body="\n".join(lines), labels=tuple(labels))


def content_hash(content: IssueContent) -> str:
    text = json.dumps([content.title, content.body, list(content.labels)], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
