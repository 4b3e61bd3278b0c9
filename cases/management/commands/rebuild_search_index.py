from django.core.management.base import BaseCommand

from cases.indexing import reindex_cases


class Command(BaseCommand):
    help = "重建全部案例的全文检索索引（导入大量数据或升级后使用）。"

    def handle(self, *args, **options):
        written = reindex_cases()
        self.stdout.write(self.style.SUCCESS(f"已重建 {written} 个案例的检索索引。"))
