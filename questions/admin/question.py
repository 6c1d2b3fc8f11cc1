"""A question with its choices and risk rules on one page, and the rule tester; choices alone."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from ..models import Choice, Question, Risk, RiskRule
from ..rules import ConditionError, parse_condition, risk_distribution
from ..validation import LANGUAGE_NAMES, ChoiceData, question_problems
from .common import BankPermissions, _draft_parents, _preview


class RiskRuleFormSet(BaseInlineFormSet):
    """Checks the question as a whole: its choices (from the choices formset) and these rules."""

    choice_formset: BaseInlineFormSet | None = None

    def clean(self):
        super().clean()
        if any(self.errors) or self.choice_formset is None or not self.choice_formset.is_valid():
            return
        choices = []
        for form in self.choice_formset.forms:
            if self.choice_formset._should_delete_form(form) or not form.cleaned_data:
                continue
            data = form.cleaned_data
            choices.append(
                ChoiceData(
                    key=data.get("key", ""),
                    is_none=bool(data.get("is_none")),
                    titles={lang: data.get(f"title_{lang}", "") for lang in LANGUAGE_NAMES},
                )
            )
        rules = sorted(
            (
                form.cleaned_data.get("order") or 0,
                form.cleaned_data.get("condition", ""),
                form.cleaned_data.get("risk", ""),
            )
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        )
        problems = question_problems(choices=choices, rules=[(c, r) for _o, c, r in rules])
        if problems:
            raise ValidationError(problems)


class ChoiceInline(BankPermissions, TranslationStackedInline):
    model = Choice
    extra = 0
    fields = [
        ("order", "key", "tier", "is_none"),
        "title",
        "description",
        "helpful_resource",
        "helpful_resource_url",
        "improvement_plan",
        "improvement_plan_url",
        "improvement_preview",
        "additional_resources",
    ]
    readonly_fields = ["improvement_preview"]

    @admin.display(description=gettext_lazy("Improvement plan preview"))
    def improvement_preview(self, choice):
        return _preview(choice.improvement_plan)


class RiskRuleInline(BankPermissions, admin.TabularInline):
    model = RiskRule
    formset = RiskRuleFormSet
    extra = 0
    fields = ["order", "condition", "risk"]


class QuestionForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        fields = [f"title_{lang}" for lang in LANGUAGE_NAMES if f"title_{lang}" in self.fields]
        # The publishing rule (questions/languages.py): one language is enough, the other falls back.
        if fields and not any((data.get(name) or "").strip() for name in fields):
            self.add_error(fields[0], _("The title is empty in every language: write it in at least one."))
        return data


@admin.register(Question)
class QuestionAdmin(BankPermissions, TranslationAdmin):
    form = QuestionForm
    list_display = ["label", "title", "pillar", "key", "order"]
    list_filter = ["pillar__lens", "pillar__key"]
    search_fields = ["key", "label", "title_ko", "title_en"]
    list_select_related = ["pillar", "pillar__lens"]
    fields = [
        "pillar",
        "order",
        "key",
        "label",
        "title",
        "description",
        "description_preview",
        "helpful_resource",
        "helpful_resource_url",
    ]
    readonly_fields = ["description_preview"]
    inlines = [ChoiceInline, RiskRuleInline]
    change_form_template = "admin/questions/question/change_form.html"

    @admin.display(description=gettext_lazy("Description preview"))
    def description_preview(self, question):
        return _preview(question.description)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _draft_parents(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        choices = next((f for f in formsets if f.model is Choice), None)
        for formset in formsets:
            if isinstance(formset, RiskRuleFormSet):
                formset.choice_formset = choices
        return formsets, inline_instances

    def change_view(self, request, object_id, form_url="", extra_context=None):
        question = Question.objects.filter(pk=object_id).prefetch_related("choices", "risk_rules").first()
        extra_context = {**(extra_context or {}), **(rule_tester_context(question, request.GET) if question else {})}
        return super().change_view(request, object_id, form_url, extra_context)


def rule_tester_context(question: Question, query) -> dict:
    """Which rule fires for the ticked choices, and how all choice combinations spread over the risks."""
    choices = list(question.choices.order_by("order", "pk"))
    rules = [(r.condition, r.risk) for r in question.risk_rules.order_by("order", "pk")]
    ticked = [key for key in query.getlist("tick") if key in {c.key for c in choices}]
    none = next((c.key for c in choices if c.is_none), None)
    result, distribution, error = None, {}, ""
    try:
        distribution = risk_distribution(rules, [c.key for c in choices], none_key=none) if len(choices) <= 14 else {}
        if "test" in query and ticked:
            result = _firing_rule(rules, frozenset(ticked))
    except ConditionError as exc:
        error = str(exc)
    return {
        "tester": {
            "choices": choices,
            "ticked": ticked,
            "result": result,
            "error": error,
            "distribution": [(Risk(risk).label, n) for risk, n in sorted(distribution.items())],
            "total": sum(distribution.values()),
        }
    }


def _firing_rule(rules: list[tuple[str, str]], ticked: frozenset[str]) -> dict:
    for index, (condition, risk) in enumerate(rules, start=1):
        if parse_condition(condition).holds(ticked):
            return {"rule": index, "condition": condition, "risk": Risk(risk).label}
    raise ConditionError(_("No rule fires for this combination: the rules lack a final 'default'."))


@admin.register(Choice)
class ChoiceAdmin(BankPermissions, TranslationAdmin):
    list_display = ["key", "title", "question", "tier", "is_none"]
    list_filter = ["tier", "is_none", "question__pillar__lens"]
    search_fields = ["key", "title_ko", "title_en"]
    list_select_related = ["question"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _draft_parents(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
