"""What every bank admin page shares: who may change what, Markdown previews, drafts as the only parents."""

from django.contrib import admin
from django.db import models
from modeltranslation.translator import NotRegistered, translator

from ..markup import render_markdown
from ..models import Choice, Lens, Pillar, Question, RiskRule


def _lens_of(obj) -> Lens | None:
    if isinstance(obj, Lens):
        return obj
    if isinstance(obj, Pillar):
        return obj.lens
    if isinstance(obj, Question):
        return obj.pillar.lens
    if isinstance(obj, Choice | RiskRule):
        return obj.question.pillar.lens
    return None


class BankPermissions:
    """Staff read the bank; editors change drafts only. Published and retired versions are read-only."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a link typed without a scheme is https

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A text in one language is enough (the publishing rule, questions/languages.py): no
        # language's field is required here; the forms and publishing check "at least one".
        if field is not None and getattr(db_field, "translated_field", None) is not None:
            field.required = False
        return field

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def _editable(self, obj) -> bool:
        lens = _lens_of(obj)
        return lens is None or lens.is_editable

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)

    def has_add_permission(self, request, obj=None):
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj) and self._editable(obj)
        return super().has_add_permission(request)


def _untranslated_fields(model) -> set[str]:
    """The plain columns modeltranslation keeps in step with the active language: not real changes."""
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def _preview(text: str):
    return render_markdown(text) if text else "—"


def _draft_parents(db_field, kwargs) -> None:
    """New pillars, questions and choices can only go into a draft lens."""
    if db_field.name == "lens":
        kwargs["queryset"] = Lens.objects.drafts()
    elif db_field.name == "pillar":
        kwargs["queryset"] = Pillar.objects.filter(lens__status=Lens.Status.DRAFT).select_related("lens")
    elif db_field.name == "question":
        kwargs["queryset"] = Question.objects.filter(pillar__lens__status=Lens.Status.DRAFT).select_related("pillar")
