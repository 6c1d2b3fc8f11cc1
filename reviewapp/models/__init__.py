"""Workloads, who may see them, their reviews and the answers given in them.

One module per concern; everything is importable from ``reviewapp.models``.
"""

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
from .tokens import ApiToken, ApiTokenQuerySet
from .workloads import (
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
    "Review",
    "ReviewQuerySet",
    "Role",
    "Workload",
    "WorkloadQuerySet",
]
