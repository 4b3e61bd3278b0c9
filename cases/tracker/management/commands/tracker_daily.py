"""manage.py tracker_daily: enqueue the day's deadline reminders and weekly digests (cases.tracker.reminders)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.tracker import reminders


class Command(BaseCommand):
    help = "按经批准的推广工作方案，发出当天的时限提醒和每周汇总（可重复运行，不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天。")

    def handle(self, *args, date: str | None = None, **options):
        on = None
        if date:
            try:
                on = _parse(date)
            except ValueError:
                raise CommandError(f"日期“{date}”无效，请按 YYYY-MM-DD 填写，如 2024-03-01。") from None
        run = reminders.daily(on)
        self.stdout.write(
            f"到期前提醒 {run.before} 条，逾期提醒 {run.missed} 条，每周汇总 {run.digests} 份；"
            f"此前已发、本次跳过 {run.skipped} 条。"
        )


def _parse(text: str) -> date:
    if not text.isascii():
        raise ValueError(text)
    return date.fromisoformat(text)
