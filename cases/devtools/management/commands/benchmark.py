"""Server time of the main pages, p50/p95, measured in-process through the full middleware stack."""

import json
import platform
import random
import resource
import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.signals import request_finished
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from cases.models import Case
from portal.gc_tuning import WarmUpFreeze

SCENARIOS = [
    ("列表", "list", "/cases/"),
    ("筛选后的列表", "filtered", "/cases/?theme=getting-credit&kind=local_department&level=county"),
    ("检索：两字（注销）", "search-2", "/cases/?q=注销"),
    ("检索：四字（公积金贷）", "search-4", "/cases/?q=公积金贷"),
    ("检索：无结果（鼹鼷）", "search-none", "/cases/?q=鼹鼷"),
    ("检索：只按单字（医注）", "search-characters", "/cases/?q=医注"),
    ("检索：按词语（开饭店要办哪些证）", "search-words", "/cases/?q=开饭店要办哪些证"),
    ("检索：按词语（看病报销）", "search-everyday", "/cases/?q=看病报销"),
    ("检索+筛选（数据 共享，市县政府部门）", "search-filtered", "/cases/?q=数据+共享&kind=local_department"),
    ("接口检索（注销）", "api-search", "/api/cases/?q=注销"),
    ("检索：同义词（企业注销）", "search-synonym", "/cases/?q=企业注销"),
    # A form of seven characters (一照(证)通行): verified against the text while PostgreSQL's windows held six,
    # one lexeme since they hold eight (search 0009).
    ("检索：长同义词（一照通行）", "search-long-form", "/cases/?q=一照通行"),
    ("检索：部分词语（公积金贷 注销 充电桩）", "search-partial", "/cases/?q=公积金贷+注销+充电桩"),
    ("案例页", "case", None),
    ("首页", "home", "/"),
    ("接口：案例详情", "api-case", "/api/cases/4/1/"),
    ("推广落实矩阵（最新一批，第一页）", "matrix", "/adoption/"),
    ("推广落实排名", "rankings", "/adoption/rankings/"),
    ("市县推广页（海口）", "region", "/adoption/regions/haikou/"),
    ("案例推广进度", "case-progress", "/adoption/cases/4/1/"),
    ("下载：案例 CSV（第四批）", "download-cases", "/cases/download.csv?batch=4"),
    ("下载：指标 XLSX（第四批）", "download-metrics", "/cases/metrics.xlsx?batch=4"),
    ("下载：推广矩阵 CSV（全部批次）", "download-matrix", "/adoption/matrix.csv?batch=all"),
]
#: Scenarios timed with fewer requests: each answer is the whole catalog.
HEAVY = {"download-matrix": 10}

WARM_UP_ROUNDS = 8


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "测量主要页面的服务器耗时（p50/p95）和查询数，结果写入 JSON 并打印表格。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests", type=int, default=100, help="每个场景的请求次数（p95 取第 95 百分位，样本太少会很不稳定）"
        )
        parser.add_argument("--output", type=Path, help="把结果写入这个 JSON 文件")

    def handle(self, *args, requests: int, output: Path | None, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        case_urls = [c.get_absolute_url() for c in Case.objects.select_related("notice").order_by("?")[:200]]
        rng = random.Random(7)
        version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
        results = {
            "cases": Case.objects.count(),
            "database": f"{connection.vendor} {version}",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {_cpu_name()}, {_cpus()} CPUs",
            "scenarios": [],
        }
        freezer = WarmUpFreeze()
        request_finished.connect(freezer.request_done, dispatch_uid="benchmark-gc-freeze")
        # Each scenario twice: rendered (the page cache stores nothing, as for a signed-in
        # official or the first reader after an edit), then as an anonymous reader is served.
        modes = [("rendered", {"PAGE_CACHE_MAX_BYTES": 0}), ("cached", {})]
        for mode, overrides in modes:
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], DOWNLOADS_PER_MINUTE=10**9, **overrides):
                # Warm the process as a server that has been up a while: every
                # scenario several times, past the requests after which it
                # freezes long-lived objects (portal.gc_tuning, as the gunicorn workers do).
                for _ in range(WARM_UP_ROUNDS if mode == "rendered" else 1):
                    for _, key, url in SCENARIOS:
                        if key not in HEAVY:
                            client.get(url or rng.choice(case_urls)).getvalue()
                if mode == "cached":  # every case page the scenario rotates over, once
                    for url in case_urls:
                        client.get(url).getvalue()
                for label, key, url in SCENARIOS:
                    row = self._measure(client, url, key, case_urls, rng, HEAVY.get(key, requests))
                    if mode == "rendered":
                        results["scenarios"].append({"label": label, "key": key, **row})
                    else:
                        scenario = next(s for s in results["scenarios"] if s["key"] == key)
                        scenario["cached_p50_ms"], scenario["cached_p95_ms"] = row["p50_ms"], row["p95_ms"]
        results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        self.stdout.write(f"{results['cases']} 个案例，{results['database']}，{results['machine']}")
        self.stdout.write("| 场景 | p50 (ms) | p95 (ms) | 查询数 | 缓存后 p50 / p95 (ms) |\n|---|---:|---:|---:|---:|")
        for row in results["scenarios"]:
            self.stdout.write(
                f"| {row['label']} | {row['p50_ms']} | {row['p95_ms']} | {row['queries']} "
                f"| {row['cached_p50_ms']} / {row['cached_p95_ms']} |"
            )
        self.stdout.write(f"进程内存峰值：{results['peak_rss_mb']} MB")
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def _measure(self, client, url, key, case_urls, rng, requests: int) -> dict:
        pick = (lambda: rng.choice(case_urls)) if url is None else (lambda u=url: u)
        executed: list[int] = []

        def count(execute, *args, executed=executed):
            executed.append(1)
            return execute(*args)

        with connection.execute_wrapper(count):
            response = client.get(pick())
            response.getvalue()
        assert response.status_code == 200, (key, response.status_code)
        timings = []
        for _ in range(requests):
            target = pick()
            started = time.perf_counter()
            client.get(target).getvalue()  # a streamed download is read to its end
            timings.append((time.perf_counter() - started) * 1000)
        return {
            "url": url or "/cases/<batch>/<number>/",
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "queries": len(executed),
            "requests": requests,
        }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
