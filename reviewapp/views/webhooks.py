"""A workload's outbound webhooks (owners only): add (the secret is shown once), delete, deliveries, send again."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_workload_for_user
from ..models import Webhook, WebhookDelivery, WebhookEvent
from ..webhooks import WebhookRefused, resend, webhook_create, webhook_delete

DELIVERIES_SHOWN = 30


class WebhookForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Payload URL"), max_length=2048, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )


@never_cache
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhook_create(
                workload=workload, user=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
            form = WebhookForm()
        except WebhookRefused as refused:
            form.add_error("url", str(refused))
    webhooks = Webhook.objects.filter(workload=workload)
    deliveries = WebhookDelivery.objects.filter(webhook__workload=workload).select_related("webhook")[:DELIVERIES_SHOWN]
    context = {"workload": workload, "form": form, "webhooks": webhooks, "deliveries": deliveries, "created": created}
    return render(request, "reviewapp/webhooks.html", context, status=400 if form.errors else 200)


@require_POST
def webhook_delete_view(request: HttpRequest, pk: int, webhook_pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    webhook = get_object_or_404(Webhook, pk=webhook_pk, workload=workload)
    webhook_delete(webhook=webhook)
    messages.success(request, _("Webhook to %(url)s deleted.") % {"url": webhook.url})
    return redirect("reviewapp:webhook_list", pk=workload.pk)


@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    workload, _role = get_workload_for_user(request, pk, owner=True)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, webhook__workload=workload)
    resend(delivery=delivery)
    messages.success(request, _("The delivery is being sent again."))
    return redirect("reviewapp:webhook_list", pk=workload.pk)
