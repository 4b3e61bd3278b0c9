from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.search import schema as search_schema
from cases.search.indexing import reindex_cases


class Command(BaseCommand):
    help = "检查并修复检索所需的数据库对象（索引、触发器），然后重建全部案例的检索索引和分面取值。"

    def handle(self, *args, **options):
        with transaction.atomic():
            report = search_schema.repair(connection)
        for line in report.repaired:
            self.stdout.write(f"已修复：{line}")
        if report.problems:
            raise CommandError("检索结构仍有问题：" + "；".join(report.problems))
        written = reindex_cases()
        self.stdout.write(self.style.SUCCESS(f"检索结构完好；已重建 {written} 个案例的检索索引。"))
