"""Workloads, who may see them, their reviews and the answers given in them.

One module per concern; everything is importable from ``reviewapp.models``.
"""

from .reports import ReportRender
from .reviews import Answer, AnswerChange, ImprovementItem, Milestone, MilestoneAnswer, Review, ReviewQuerySet
from .sessions import (
    AgendaItem,
    Attendance,
    Comment,
    DiscussionState,
    ParkingItem,
    QuestionDiscussion,
    ReviewSession,
    SessionEvent,
)
from .signed_in_sessions import StaleCachedSession
from .tokens import ApiToken, ApiTokenQuerySet
from .webhooks import Webhook, WebhookDelivery, WebhookEvent
from .workloads import (
    CHOICE_NOTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    RISK_COUNT_FIELDS,
    RISKY,
    WRITE_ROLES,
    AnswerRisk,
    Invitation,
    InvitationQuerySet,
    Membership,
    Role,
    Workload,
    WorkloadQuerySet,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "Comment",
    "DiscussionState",
    "ParkingItem",
    "QuestionDiscussion",
    "ReviewSession",
    "SessionEvent",
    "CHOICE_NOTES_MAX_LENGTH",
    "NOTES_MAX_LENGTH",
    "RISK_COUNT_FIELDS",
    "RISKY",
    "WRITE_ROLES",
    "Answer",
    "AnswerChange",
    "AnswerRisk",
    "ApiToken",
    "ApiTokenQuerySet",
    "ImprovementItem",
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "Milestone",
    "MilestoneAnswer",
    "ReportRender",
    "Review",
    "ReviewQuerySet",
    "Role",
    "StaleCachedSession",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Workload",
    "WorkloadQuerySet",
]
