from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from .models import Choice, Lens, Pillar, Question, RiskRule


class PillarInline(TranslationTabularInline):
    model = Pillar
    extra = 0
    fields = ["order", "key", "short_label", "name"]


@admin.register(Lens)
class LensAdmin(TranslationAdmin):
    list_display = ["name", "slug", "version", "status"]
    list_filter = ["status"]
    search_fields = ["slug", "name"]
    inlines = [PillarInline]


class ChoiceInline(TranslationStackedInline):
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
    ]


class RiskRuleInline(admin.TabularInline):
    model = RiskRule
    extra = 0
    fields = ["order", "condition", "risk"]


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ["label", "title", "pillar", "key", "order"]
    list_filter = ["pillar__lens", "pillar"]
    search_fields = ["key", "label", "title_ko", "title_en"]
    list_select_related = ["pillar", "pillar__lens"]
    inlines = [ChoiceInline, RiskRuleInline]


@admin.register(Pillar)
class PillarAdmin(TranslationAdmin):
    list_display = ["short_label", "name", "key", "lens", "order"]
    list_filter = ["lens"]


@admin.register(Choice)
class ChoiceAdmin(TranslationAdmin):
    list_display = ["key", "title", "question", "tier", "is_none"]
    list_filter = ["tier", "is_none", "question__pillar__lens"]
    search_fields = ["key", "title_ko", "title_en"]
    list_select_related = ["question"]
