"""Workloads, who may see them, their reviews and the answers given in them.

One module per concern; everything is importable from ``reviewapp.models``.
"""

from .notifications import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    PersonalSettings,
    SentOnce,
)
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
from .templates import ReviewTemplate, ReviewTemplateAnswer, ReviewTemplateQuerySet
from .tokens import ApiToken, ApiTokenQuerySet
from .trackers import SyncError, TrackedIssue, TrackerConnection, TrackerKind, TrackerRisks
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
    "EmailChoice",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "PersonalSettings",
    "SentOnce",
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
    "ReviewTemplate",
    "ReviewTemplateAnswer",
    "ReviewTemplateQuerySet",
    "Role",
    "StaleCachedSession",
    "SyncError",
    "TrackedIssue",
    "TrackerConnection",
    "TrackerKind",
    "TrackerRisks",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Workload",
    "WorkloadQuerySet",
]
