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
    # A profile and its answers are checked together (reviewapp.profiles.workload_profile_set): set on the workload page.
    readonly_fields = ["profile", "profile_answers"]
    inlines = [MembershipInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["workload", "lens", "revision", "updated_at"]
    list_select_related = ["workload", "lens"]
    list_filter = ["lens"]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: answers change only through answer_save, which keeps risk,
    version, history, plan items and the review's revision together. A row goes only with its
    review or workload (Django asks this admin when one of those is deleted). Their history
    (AnswerChange) and milestone copies (MilestoneAnswer) are not in the admin at all."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        own_views = f"{self.opts.app_label}_{self.opts.model_name}_"
        match = request.resolver_match
        return match is not None and not (match.url_name or "").startswith(own_views)


@admin.register(Answer)
class AnswerAdmin(ViewOnlyAdmin):
    list_display = ["review", "question", "risk", "is_applicable", "version", "updated_by", "updated_at"]
    list_filter = ["risk", "is_applicable"]
    list_select_related = ["review__workload", "review__lens", "question", "updated_by"]
