"""The client's address for sign-in throttling, trusting exactly the proxies we run.

Behind N proxies that each append the address they saw to X-Forwarded-For (TRUSTED_PROXY_COUNT,
1 behind one load balancer), the client is the N-th entry from the right: everything left of
it came from the client and can be forged. With no proxy, the connection's address counts.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
