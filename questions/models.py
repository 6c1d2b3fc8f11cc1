"""The question bank: lenses, their pillars, questions, choices and risk rules.

Every text a reviewer reads is translated (Korean and English) through
django-modeltranslation; see ``questions/translation.py``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .resources import validate_additional_resources


class Risk(models.TextChoices):
    """Risk a rule gives, in the AWS custom lens vocabulary."""

    HIGH = "HIGH_RISK", _("High risk")
    MEDIUM = "MEDIUM_RISK", _("Medium risk")
    NONE = "NO_RISK", _("No risk")


class LensQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Lens.Status.PUBLISHED)

    def drafts(self):
        """Lenses still being written: only staff see them, and only they take new pillars and questions."""
        return self.filter(status=Lens.Status.DRAFT)

    def without_drafts(self):
        """Lenses reviews can use: published and retired."""
        return self.exclude(status=Lens.Status.DRAFT)

    def for_user(self, user):
        """The lenses the user may see: all for staff, else all but drafts."""
        return self if user.is_staff else self.without_drafts()

    def latest_published(self, slug: str):
        return (
            self.published().filter(slug=slug).order_by(models.F("published_at").desc(nulls_last=True), "-pk").first()
        )


class Lens(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    slug = models.SlugField(_("slug"), max_length=64, help_text=_("Stable id of the lens, e.g. 'serverless'."))
    version = models.CharField(_("version"), max_length=32, help_text=_("Version string, e.g. '2019-12'."))
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    release_notes = models.TextField(_("release notes"), blank=True, help_text=_("Markdown: what changed."))
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published version a draft was copied from."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = LensQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="lens_slug_version_unique")]
        verbose_name = _("lens")
        verbose_name_plural = _("lenses")

    def __str__(self) -> str:
        return f"{self.name} ({self.version}, {self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        """Only drafts change; a published or retired version is fixed for the reviews that use it."""
        return self.status == self.Status.DRAFT


class Pillar(models.Model):
    lens = models.ForeignKey(Lens, verbose_name=_("lens"), on_delete=models.CASCADE, related_name="pillars")
    key = models.CharField(_("key"), max_length=64, help_text=_("Stable id, e.g. 'operationalExcellence'."))
    short_label = models.CharField(_("short label"), max_length=16, help_text=_("Short label, e.g. 'OPS'."))
    name = models.CharField(_("name"), max_length=128)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["lens", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["lens", "key"], name="pillar_key_unique")]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self) -> str:
        return f"{self.short_label} {self.name}"


class Question(models.Model):
    pillar = models.ForeignKey(Pillar, verbose_name=_("pillar"), on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(
        _("key"), max_length=128, help_text=_("Stable id, e.g. 'ops_q1' (AWS allows 128 characters).")
    )
    label = models.CharField(_("label"), max_length=16, help_text=_("Display label, e.g. 'OPS 1'."))
    title = models.CharField(_("title"), max_length=512)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    helpful_resource = models.TextField(
        _("helpful resource"), blank=True, help_text=_("The text of the question's link (AWS: helpfulResource).")
    )
    helpful_resource_url = models.URLField(_("helpful resource URL"), max_length=2048, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["pillar__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["pillar", "key"], name="question_key_unique")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.label} {self.title}"


class Choice(models.Model):
    class Tier(models.TextChoices):
        REQUIRED = "required", _("Required")
        GOOD = "good", _("Good")
        BEST = "best", _("Best")

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices")
    key = models.CharField(_("key"), max_length=100, help_text=_("Stable id, e.g. 'ops_ops_q1_a1'."))
    title = models.CharField(_("title"), max_length=512)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    helpful_resource = models.TextField(_("helpful resource"), blank=True, help_text=_("Markdown."))
    helpful_resource_url = models.URLField(_("helpful resource URL"), max_length=2048, blank=True)
    improvement_plan = models.TextField(_("improvement plan"), blank=True, help_text=_("Markdown."))
    improvement_plan_url = models.URLField(_("improvement plan URL"), max_length=2048, blank=True)
    additional_resources = models.JSONField(
        _("additional resources"),
        default=list,
        blank=True,
        validators=[validate_additional_resources],
        help_text=_(
            'More links, as in the AWS custom lens format: [{"type": "HELPFUL_RESOURCE" or "IMPROVEMENT_PLAN", '
            '"content": [{"displayText": "...", "url": "https://..."}]}].'
        ),
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    is_none = models.BooleanField(
        _("“None of these” choice"), default=False, help_text=_("The exclusive 'None of these' choice of its question.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique"),
            models.UniqueConstraint(
                fields=["question"], condition=models.Q(is_none=True), name="one_none_choice_per_question"
            ),
        ]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.title

    @property
    def helpful_links(self) -> list[dict[str, str]]:
        """The additional helpful resources as ``{"text", "url"}``, in the lens's order."""
        return self._links("HELPFUL_RESOURCE")

    @property
    def improvement_links(self) -> list[dict[str, str]]:
        """The additional improvement plan links as ``{"text", "url"}``, in the lens's order."""
        return self._links("IMPROVEMENT_PLAN")

    def _links(self, kind: str) -> list[dict[str, str]]:
        return [
            {"text": link.get("displayText", ""), "url": link.get("url", "")}
            for resource in self.additional_resources or []
            if resource.get("type") == kind
            for link in resource.get("content", [])
        ]


class RiskRule(models.Model):
    """One ``condition -> risk`` rule; the first true rule of a question wins."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="risk_rules"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    condition = models.CharField(
        _("condition"),
        max_length=1024,
        help_text=_("Choice keys combined with &&, || , ! and parentheses, or 'default'."),
    )
    risk = models.CharField(_("risk"), max_length=16, choices=Risk.choices)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self) -> str:
        return f"{self.condition} -> {self.risk}"


def validate_question_keys(value) -> None:
    """A list of question ids (``"ops_q1"``), as a profile choice's ``prioritises`` holds."""
    if not isinstance(value, list) or not all(isinstance(key, str) and key.strip() for key in value):
        raise ValidationError(_('Give a list of question ids, e.g. ["ops_q1", "sec_q2"].'), code="invalid_keys")


class ProfileQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Profile.Status.PUBLISHED)

    def latest_published(self, slug: str):
        return self.published().filter(slug=slug).order_by("-version").first()

    def current(self):
        """The latest published version of every profile: the ones a workload can choose."""
        return self.published().order_by("slug", "-version").distinct("slug")


class Profile(models.Model):
    """A short questionnaire about a workload's business context (AWS: profile).

    Each answer choice marks questions of a lens (by their stable ids, so any version of the
    lens) as prioritised for workloads that pick it. Versions of one profile share the slug;
    a published version never changes, so the answers given to it keep their meaning.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    slug = models.SlugField(
        _("slug"), max_length=64, help_text=_("Stable id of the profile, e.g. 'serverless-context'.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    lens_slug = models.SlugField(
        _("lens"), max_length=64, help_text=_("Slug of the lens whose questions it prioritises, e.g. 'serverless'.")
    )
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="profile_slug_version_unique")]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version}, {self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ProfileQuestion(models.Model):
    profile = models.ForeignKey(Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("key"), max_length=64, help_text=_("Stable id, e.g. 'regulated_data'."))
    title = models.CharField(_("title"), max_length=512)
    description = models.TextField(_("description"), blank=True)
    multiple = models.BooleanField(_("several answers"), default=False, help_text=_("Allow more than one choice."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["profile", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["profile", "key"], name="profile_question_key_unique")]
        verbose_name = _("profile question")
        verbose_name_plural = _("profile questions")

    def __str__(self) -> str:
        return self.title


class ProfileChoice(models.Model):
    question = models.ForeignKey(
        ProfileQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    key = models.CharField(_("key"), max_length=64, help_text=_("Stable id, e.g. 'regulated_data_yes'."))
    title = models.CharField(_("title"), max_length=512)
    prioritises = models.JSONField(
        _("prioritised questions"),
        default=list,
        blank=True,
        validators=[validate_question_keys],
        help_text=_('Ids of the lens questions this answer prioritises, e.g. ["sec_q1", "sec_q3"].'),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="profile_choice_key_unique")]
        verbose_name = _("profile choice")
        verbose_name_plural = _("profile choices")

    def __str__(self) -> str:
        return self.title
