from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from cases.history import history_paused, record_baseline
from cases.models import Notice


class Command(BaseCommand):
    help = (
        "数据库中还没有任何批次时载入种子数据（第四批示范案例和19个市县）；已有数据时不做任何改动。"
        "检索索引在载入提交时建立；migrate 之后也会检查并补建。"
    )

    def handle(self, *args, **options):
        if Notice.objects.exists():
            self.stdout.write("数据库中已有案例数据，未重复载入（如需覆盖，请运行 manage.py loaddata seed）。")
            return
        with transaction.atomic():
            with history_paused():
                call_command("loaddata", "seed", verbosity=options["verbosity"])
            record_baseline("载入种子数据")
        self.stdout.write(self.style.SUCCESS("已载入种子数据。"))
