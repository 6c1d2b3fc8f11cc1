import gc
import os

from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with a cache folder others could plant files in.
_serious = [message for message in run_checks(tags=[Tags.caches]) if message.is_serious()]
if _serious:
    raise ImproperlyConfigured("; ".join(str(message) for message in _serious))

if os.environ.get("REPORT_WARM_UP", "true").lower() in ("1", "true", "yes"):
    from reviewapp.reports import warm_up

    warm_up()  # template, fonts and stylesheets loaded before the first request, not during it

# Everything loaded so far lives as long as the worker: keep it out of the cycle collector's
# full passes, which would otherwise walk it again and again (about 30 ms a pass).
gc.freeze()
