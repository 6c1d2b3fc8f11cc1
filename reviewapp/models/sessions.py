"""Review sessions: the workshops in which a review's answers are given.

A session is planned (agenda, expected attendees), run against a shared clock (its timer is
stored as server timestamps: a deadline while running, the seconds left while paused), and
ended; every step is kept as a ``SessionEvent``, from which the minutes take the time spent
on each agenda item. Attendance, discussion states and the parking lot belong to the session.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from questions.models import Pillar, Question

from .reviews import Review

TITLE_MAX_LENGTH = 200
PARKING_MAX_LENGTH = 500


class ReviewSession(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    planned_start = models.DateTimeField(_("planned start"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    expected = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("expected attendees"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    current_index = models.PositiveIntegerField(_("current agenda item"), default=0)
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, help_text=_("When the current item's time runs out, while running.")
    )
    paused_remaining = models.IntegerField(
        _("seconds left when paused"), null=True, blank=True, help_text=_("The current item's seconds left, paused.")
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Grows with every step; live pages compare it to know what changed.")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["review", "planned_start", "pk"]
        verbose_name = _("review session")
        verbose_name_plural = _("review sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(status__in=["running", "paused"]),
                name="review_session_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.title}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.RUNNING, self.Status.PAUSED)


class AgendaItem(models.Model):
    """One point of a session's agenda: a pillar or a question of the review's lens, with a time box."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveIntegerField(_("order"))
    pillar = models.ForeignKey(Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, null=True, related_name="+")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="agenda_item_order_unique"),
            models.CheckConstraint(
                condition=models.Q(pillar__isnull=True) ^ models.Q(question__isnull=True), name="agenda_item_one_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.order}"

    @property
    def target_key(self) -> str:
        """``pillar:<key>`` or ``question:<key>``: what the agenda form and exports name."""
        return f"question:{self.question.key}" if self.question_id else f"pillar:{self.pillar.key}"

    @property
    def label(self) -> str:
        if self.question_id:
            return f"{self.question.label} {self.question.title}"
        return f"{self.pillar.short_label} · {self.pillar.name}"


class SessionEvent(models.Model):
    """One step of a session (start, pause, next item, end, reopen...), never edited."""

    class Kind(models.TextChoices):
        START = "start", _("Started")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        EXTEND = "extend", _("Extended")
        NEXT = "next", _("Next item")
        END = "end", _("Ended")
        REOPEN = "reopen", _("Reopened")

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    index = models.PositiveIntegerField(_("agenda item"), help_text=_("The current agenda item after the step."))
    seconds = models.IntegerField(default=0, help_text=_("For an extension: the seconds added."))

    class Meta:
        ordering = ["session", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.session} {self.kind} {self.at:%H:%M:%S}"


class Attendance(models.Model):
    """Who was in a session and for how long: recorded from presence, correctable by the facilitator."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("seconds present"), default=0)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the facilitator corrected this row: presence no longer changes it."),
    )

    class Meta:
        ordering = ["session", "user__username"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session}: {self.user} {self.seconds}s"


class DiscussionState(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet discussed")
    DISCUSSED = "discussed", _("Discussed")
    DEFERRED = "deferred", _("Deferred")
    NEEDS_EVIDENCE = "needs_evidence", _("Needs evidence")


class QuestionDiscussion(models.Model):
    """How far a question got in a session."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="discussions")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("discussion"), max_length=16, choices=DiscussionState.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["session", "question__pillar__order", "question__order"]
        constraints = [models.UniqueConstraint(fields=["session", "question"], name="question_discussion_unique")]

    def __str__(self) -> str:
        return f"{self.session} {self.question_id}: {self.state}"


class ParkingItem(models.Model):
    """Something raised in a session to follow up later, on a question or on the session as a whole."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="parking")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("text"), max_length=PARKING_MAX_LENGTH)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.session}: {self.text[:40]}"


COMMENT_MAX_LENGTH = 5000


class Comment(models.Model):
    """A comment on one question of a review (Markdown), with the members it mentions.

    Written during a session, it belongs to that session. Deleting one keeps the row without
    its text, so live pages learn that it went (``review_revision`` names when it last changed).
    """

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, help_text=_("Markdown."))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="+"
    )
    session = models.ForeignKey(
        ReviewSession,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    review_revision = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"))
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["review", "question", "created_at", "pk"]
        indexes = [models.Index(fields=["review", "review_revision"], name="comment_review_revision")]

    def __str__(self) -> str:
        return f"{self.review} {self.question_id}: {self.body[:40]}"
