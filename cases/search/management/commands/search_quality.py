"""manage.py search_quality: top-1 accuracy, MRR and dead ends of search on a relevance set (cases.search.quality)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.search import quality


class Command(BaseCommand):
    help = "按检索相关性测试集（默认 tests/search_relevance.json）评估检索：首位命中率、MRR 和无结果的查询数。"

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="path", default=str(quality.DEFAULT_SET), help="测试集文件（JSON）。")
        parser.add_argument("--each", action="store_true", help="逐条列出每个查询的结果。")

    def handle(self, *args, path: str, each: bool, **options):
        try:
            queries = quality.load(Path(path))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"读不了测试集“{path}”：{error}") from None
        if not queries:
            raise CommandError(f"测试集“{path}”没有查询。")
        result = quality.evaluate(queries)
        if each:
            for answer in result.answers:
                mark = "✓" if answer.rank == 1 else ("无结果" if answer.dead_end else f"第{answer.rank or '—'}位")
                shown = " ".join(answer.found[:5]) or "—"
                self.stdout.write(f"{mark}\t{answer.query}\t应为 {'/'.join(answer.accept)}\t实得 {shown}")
        figures = f"首位命中率 {result.top1:.3f}，MRR {result.mrr:.3f}，无结果 {result.dead_ends} 个"
        self.stdout.write(f"{len(result.answers)} 个查询：{figures}")
