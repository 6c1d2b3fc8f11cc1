import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
application = get_wsgi_application()

if os.environ.get("REPORT_WARM_UP", "true").lower() in ("1", "true", "yes"):
    from reviewapp.reports import warm_up

    warm_up()  # template, fonts and stylesheets loaded before the first request, not during it

# Everything loaded so far lives as long as the worker: keep it out of the cycle collector's
# full passes, which would otherwise walk it again and again (about 30 ms a pass).
gc.freeze()
