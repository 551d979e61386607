import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
application = get_wsgi_application()

# The objects a server process keeps for its life are left out of the cycle collector's passes
# (tremplin/core/collector.py): its p99 under load 130-233 ms -> 82-98 ms (docs/scaling.md).
from tremplin.core.collector import settle_when_warm  # noqa: E402

settle_when_warm()
