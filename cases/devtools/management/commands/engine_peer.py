import json
import time
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.devtools import engine_peer

QUERIES = ["注销", "公积金贷", "企业注销", "数据 共享", "一照通行"]


class Command(BaseCommand):
    help = (
        "在同一批案例上比较本项目的检索核心与 tantivy（内存索引，同样的字符二元组）："
        "逐条核对命中是否完全相同，并交替计时，打印中位数（毫秒）。需要安装 tantivy（测试依赖）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("queries", nargs="*", help=f"检索词（默认：{'、'.join(QUERIES)}）")
        parser.add_argument("--rounds", type=int, default=30, help="每条检索交替计时的轮数")
        parser.add_argument("--output", type=Path, help="把结果写入这个 JSON 文件")

    def handle(self, *args, queries: list[str], rounds: int, output: Path | None, **options):
        try:
            import tantivy  # noqa: F401
        except ImportError as error:
            raise CommandError("没有安装 tantivy：请先运行 make .venv/.test-stamp（测试依赖中有它）。") from error
        started = time.perf_counter()
        peer = engine_peer.build()
        built = time.perf_counter() - started
        results = engine_peer.compare(queries or QUERIES, rounds=rounds, peer=peer)
        self.stdout.write(f"{peer.searcher.num_docs} 个已发布案例，{connection.vendor}；tantivy 建索引 {built:.1f} 秒")
        self.stdout.write(
            "| 检索 | 命中 | 命中相同 | 本项目 (ms) | tantivy (ms) | 倍数 | tantivy 只计数 (ms) |\n"
            "|---|---:|---|---:|---:|---:|---:|"
        )
        for row in results:
            self.stdout.write(
                f"| {row.query} | {row.hits} | {'是' if row.same else '否'} | {row.project_ms} | {row.peer_ms} "
                f"| {row.ratio} | {row.peer_count_ms} |"
            )
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            data = {
                "database": connection.vendor,
                "cases": peer.searcher.num_docs,
                "peer_build_seconds": round(built, 1),
                "queries": [{**asdict(row), "ratio": row.ratio} for row in results],
            }
            output.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not all(row.same for row in results):
            raise CommandError("两个引擎的命中不一致，见上表。")
