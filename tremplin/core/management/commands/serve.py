from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections


class Command(BaseCommand):
    help = "Sert Tremplin avec un serveur de production (gunicorn), fichiers statiques compris."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        # Loaded once the static files are there: WhiteNoise lists them when the application
        # loads, and served none on the first start of a new home (every page unstyled).
        from tremplin.wsgi import application

        bind = f"{options['host']}:{options['port']}"

        class Server(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", options["workers"])
                self.cfg.set("timeout", 120)
                self.cfg.set("accesslog", "-")

            def load(self) -> Any:
                return application

        self.stdout.write(f"Tremplin est servi sur http://{bind}/ (Ctrl+C pour arrêter).")
        # The workers are forked from this process: none may inherit a connection it opened
        # (each worker opens its own and keeps it DATABASE_CONN_MAX_AGE seconds).
        connections.close_all()
        Server().run()
