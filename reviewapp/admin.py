from django.contrib import admin
from django.db import models

from .models import Answer, Membership, Review, Workload


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workload)
class WorkloadAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "environment", "review_owner", "industry", "updated_at"]
    list_filter = ["environment"]
    search_fields = ["name", "review_owner", "industry"]
    inlines = [MembershipInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["workload", "lens", "revision", "updated_at"]
    list_select_related = ["workload", "lens"]
    list_filter = ["lens"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["review", "question", "risk", "is_applicable", "version", "updated_by", "updated_at"]
    list_filter = ["risk", "is_applicable"]
    list_select_related = ["review__workload", "review__lens", "question", "updated_by"]
    readonly_fields = ["risk", "version", "updated_by", "updated_at"]
    filter_horizontal = ["selected_choices"]
