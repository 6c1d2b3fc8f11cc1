"""Lenses and pillars: versions (draft, publish, retire), import and export, history."""

import json
from itertools import chain

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from ..interchange import LensAlreadyImported, LensImportError, export_warnings, lens_from_aws, lens_to_aws
from ..models import Choice, Lens, Pillar, Question, RiskRule
from ..validation import LANGUAGE_NAMES
from ..versions import LensVersionError, lens_draft_create, lens_publish, lens_retire, validate_lens
from .common import BankPermissions, _draft_parents, _preview, _untranslated_fields

_EMPTY = (None, "", [])


class PillarInline(BankPermissions, TranslationTabularInline):
    model = Pillar
    extra = 0
    fields = ["order", "key", "short_label", "name"]


class LensImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("AWS custom lens file (JSON)"))
    language = forms.ChoiceField(label=gettext_lazy("Language of the file"), choices=settings.LANGUAGES)
    slug = forms.SlugField(
        label=gettext_lazy("Slug"),
        required=False,
        help_text=gettext_lazy("Leave empty to take it from the lens name; give an existing slug to add a version."),
    )
    version = forms.CharField(label=gettext_lazy("Version"), required=False, max_length=32)
    force = forms.BooleanField(
        label=gettext_lazy("Import even if a version with the same content exists"),
        required=False,
        help_text=gettext_lazy("Without it, a file already imported makes no second copy."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 2 MB."), code="too_large")
        return upload.read()


class PublishForm(forms.Form):
    version = forms.CharField(label=gettext_lazy("New version"), max_length=32)
    release_notes_ko = forms.CharField(
        label=gettext_lazy("Release notes (Korean)"), widget=forms.Textarea, required=False
    )
    release_notes_en = forms.CharField(
        label=gettext_lazy("Release notes (English)"), widget=forms.Textarea, required=False
    )


@admin.register(Lens)
class LensAdmin(BankPermissions, TranslationAdmin):
    list_display = ["name", "slug", "version", "status", "published_at"]
    list_filter = ["status", "slug"]
    search_fields = ["slug", "name_ko", "name_en"]
    readonly_fields = ["status", "based_on", "created_at", "published_at", "questions_table", "release_notes_preview"]
    fields = [
        "slug",
        "version",
        "status",
        "name",
        "description",
        "release_notes",
        "release_notes_preview",
        "based_on",
        "created_at",
        "published_at",
        "questions_table",
    ]
    inlines = [PillarInline]
    actions = ["make_draft", "retire"]
    change_form_template = "admin/questions/lens/change_form.html"
    change_list_template = "admin/questions/lens/change_list.html"

    def save_model(self, request, obj, form, change):
        if not change:  # a lens made here starts as a draft, to be filled and then published
            obj.status = Lens.Status.DRAFT
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("Questions"))
    def questions_table(self, lens):
        if not lens.pk:
            return "—"
        rows = [
            format_html(
                '<li><a href="{}">{} {}</a> <small>({} · {} choices · {} rules)</small></li>',
                reverse("admin:questions_question_change", args=[q.pk]),
                q.label,
                q.title,
                q.key,
                q.choices.count(),
                q.risk_rules.count(),
            )
            for q in Question.objects.filter(pillar__lens=lens).order_by("pillar__order", "order")
        ]
        add = ""
        if lens.is_editable:
            add = format_html(
                '<p><a class="addlink" href="{}">{}</a></p>',
                reverse("admin:questions_question_add"),
                _("Add a question"),
            )
        return format_html("<ul>{}</ul>{}", mark_safe("".join(rows)), add)  # noqa: S308 - each row is format_html

    @admin.display(description=gettext_lazy("Release notes preview"))
    def release_notes_preview(self, lens):
        return _preview(lens.release_notes)

    @admin.action(description=gettext_lazy("Create a draft to edit"))
    def make_draft(self, request, queryset):
        for lens in queryset:
            try:
                draft = lens_draft_create(lens=lens, user=request.user)
            except LensVersionError as exc:
                self.message_user(request, f"{lens}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("Draft created: %(lens)s") % {"lens": draft}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Retire (no new reviews)"))
    def retire(self, request, queryset):
        for lens in queryset:
            try:
                lens_retire(lens=lens)
            except LensVersionError as exc:
                self.message_user(request, f"{lens}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("Retired: %(lens)s") % {"lens": lens}, messages.SUCCESS)

    def has_action_permission(self, request):
        return request.user.has_perm("questions.change_lens")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_action_permission(request):
            return {}
        return actions

    def get_urls(self):
        return [
            path("<int:pk>/publish/", self.admin_site.admin_view(self.publish_view), name="questions_lens_publish"),
            path(
                "<int:pk>/bank-history/",
                self.admin_site.admin_view(self.bank_history_view),
                name="questions_lens_bank_history",
            ),
            path(
                "<int:pk>/export/<str:language>/",
                self.admin_site.admin_view(self.export_view),
                name="questions_lens_export",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="questions_lens_import"),
        ] + super().get_urls()

    def export_view(self, request, pk: int, language: str):
        lens = get_object_or_404(Lens, pk=pk)
        if language not in LANGUAGE_NAMES:
            raise Http404("No such language.")
        warnings = [] if request.GET.get("anyway") else export_warnings(lens, language=language)
        if warnings:  # say what the AWS tool would not hold before handing the file over
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "lens": lens,
                "warnings": warnings,
                "title": _("Before you export %(lens)s") % {"lens": lens},
            }
            return render(request, "admin/questions/lens/export_warnings.html", context)
        body = json.dumps(lens_to_aws(lens, language=language), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{lens.slug}-{lens.version}-{language}.json"
        )
        return response

    def import_view(self, request):
        if not request.user.has_perm("questions.add_lens"):
            raise PermissionDenied
        form = LensImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                lens = lens_from_aws(
                    form.cleaned_data["file"],
                    language=form.cleaned_data["language"],
                    slug=form.cleaned_data["slug"] or None,
                    version=form.cleaned_data["version"] or None,
                    force=form.cleaned_data["force"],
                )
            except LensAlreadyImported as exc:
                problems = [
                    _(
                        "%(lens)s already has this content: nothing was imported. Tick “Import even if a version "
                        "with the same content exists” to make a copy."
                    )
                    % {"lens": exc.lens}
                ]
            except LensImportError as exc:
                problems = exc.messages
            else:
                self.message_user(request, _("Imported as a draft: %(lens)s") % {"lens": lens}, messages.SUCCESS)
                return redirect("admin:questions_lens_change", lens.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import an AWS custom lens"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/questions/lens/import.html", context, status=400 if problems else 200)

    def publish_view(self, request, pk: int):
        draft = get_object_or_404(Lens, pk=pk)
        if not self.has_change_permission(request, draft):
            raise PermissionDenied
        form = PublishForm(
            request.POST or None, initial={"version": (draft.based_on.version if draft.based_on else "")}
        )
        problems = validate_lens(draft)
        if request.method == "POST" and form.is_valid():
            try:
                lens = lens_publish(
                    draft=draft,
                    version=form.cleaned_data["version"],
                    user=request.user,
                    release_notes={
                        "ko": form.cleaned_data["release_notes_ko"],
                        "en": form.cleaned_data["release_notes_en"],
                    },
                )
            except LensVersionError as exc:
                problems = exc.problems
            else:
                self.message_user(request, _("Published: %(lens)s") % {"lens": lens}, messages.SUCCESS)
                return redirect("admin:questions_lens_change", lens.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(lens)s") % {"lens": draft},
            "draft": draft,
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/questions/lens/publish.html", context)

    def bank_history_view(self, request, pk: int):
        lens = get_object_or_404(Lens, pk=pk)
        entries = sorted(
            chain(
                Lens.history.filter(id=lens.pk),
                Pillar.history.filter(lens_id=lens.pk),
                Question.history.filter(pillar_id__in=lens.pillars.values("pk")),
                Choice.history.filter(question_id__in=Question.objects.filter(pillar__lens=lens).values("pk")),
                RiskRule.history.filter(question_id__in=Question.objects.filter(pillar__lens=lens).values("pk")),
            ),
            key=lambda h: h.history_date,
            reverse=True,
        )[:500]
        rows = []
        for entry in entries:
            previous = entry.prev_record
            mirrors = _untranslated_fields(entry.instance.__class__)
            changes = (
                [
                    c
                    for c in entry.diff_against(previous).changes
                    # An empty text saved where there was none (NULL -> "") is no change to a reader.
                    if c.field not in mirrors and not (c.old in _EMPTY and c.new in _EMPTY)
                ]
                if previous
                else []
            )
            rows.append({"entry": entry, "kind": entry.instance._meta.verbose_name, "changes": changes})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Changes to %(lens)s") % {"lens": lens},
            "lens": lens,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/questions/lens/bank_history.html", context)


@admin.register(Pillar)
class PillarAdmin(BankPermissions, TranslationAdmin):
    list_display = ["short_label", "name", "key", "lens", "order"]
    list_filter = ["lens"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _draft_parents(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
