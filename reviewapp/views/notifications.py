"""A person's notifications: the list (with mark read / all read) and their preferences."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Notification
from ..notifications.inbox import listed, notification_mark_read, unread_count
from ..notifications.preferences import PreferencesForm, preferences_initial, preferences_save
from ..notifications.texts import describe, excerpt

PAGE_SIZE = 30


@never_cache
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    prefix = get_script_prefix()
    entries = [
        {
            "pk": n.pk,
            "text": describe(n),
            "excerpt": excerpt(n),
            "url": prefix + n.link,
            "read": n.read_at,
            "at": n.created_at,
        }
        for n in page
    ]
    return render(
        request,
        "reviewapp/notification_list.html",
        {"page": page, "entries": entries, "unread": unread_count(request.user)},
    )


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user, in_app=True)
    notification_mark_read(user=request.user, ids=[notification.pk])
    return redirect("reviewapp:notification_list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    changed = notification_mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", changed)
        % {"count": changed},
    )
    return redirect("reviewapp:notification_list")


@never_cache
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial=preferences_initial(request.user))
    if request.method == "POST" and form.is_valid():
        preferences_save(user=request.user, language=form.cleaned_data["language"], choices=form.choices())
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("reviewapp:notification_preferences")
    return render(request, "reviewapp/notification_preferences.html", {"form": form})
