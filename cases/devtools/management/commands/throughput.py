"""Requests per second under gunicorn: static file, case page, list and search, in one run, with memory per worker.

Starts gunicorn with the production configuration (deploy/gunicorn.conf.py)
against the database of ``DATABASE_URL`` (and ``REDIS_URL`` when set), then
for each URL keeps ``--connections`` keep-alive connections busy for
``--seconds`` from ``--clients`` load-generating processes, and counts the
answers; the targets take turns over several rounds and each one's median
round is reported. The issue's target is a ratio: a case page, the list and a search
each serve at least half the requests per second of a static file, measured
the same way in the same run. Anonymous pages come from the page cache
after their first request, as in production. Memory is each worker's
resident set size (VmRSS) after the run.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Case

PROJECT = Path(settings.BASE_DIR)


def _hammer(port: int, path: str, seconds: float, connections: int, queue) -> None:
    """One load-generating process: ``connections`` threads, each with one keep-alive connection."""
    import threading

    done = []
    errors = []
    stop_at = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < stop_at:
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
                count += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done.append(count)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((sum(done), errors[:5], len(errors)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return round(int(match[1]) / 1024, 1) if match else 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Command(BaseCommand):
    help = "在 gunicorn 下测量每秒请求数（静态文件、案例页、列表、检索）和每个工作进程的内存。"

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=5.0, help="每轮每个地址持续加压的秒数")
        parser.add_argument("--rounds", type=int, default=3, help="轮数（各地址轮流加压，取中位数）")
        parser.add_argument("--clients", type=int, default=2, help="发起请求的进程数")
        parser.add_argument("--connections", type=int, default=4, help="每个进程的并发连接数")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 工作进程数")
        parser.add_argument("--threads", type=int, default=4, help="每个工作进程的线程数")
        parser.add_argument("--output", type=Path, help="把结果写入这个 JSON 文件")

    def handle(self, *args, seconds, rounds, clients, connections, workers, threads, output, **options):
        case = Case.objects.published().order_by("-batch", "number").first()
        if case is None:
            raise CommandError("数据库中没有已发布的案例，请先载入数据。")
        static = self._static_url()
        targets = [
            ("静态文件", "static", static),
            ("案例页", "case", case.get_absolute_url()),
            ("列表", "list", "/cases/"),
            ("检索（注销）", "search", "/cases/?q=" + urllib.parse.quote("注销")),
            ("首页", "home", "/"),
            ("接口检索（注销）", "api-search", "/api/cases/?q=" + urllib.parse.quote("注销")),
            ("推广落实矩阵", "matrix", "/adoption/"),
        ]
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "throughput-" + "x" * 50,
            "DJANGO_SECURE_COOKIES": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "DJANGO_LOG_LEVEL": "WARNING",
            # No recycling mid-measurement: at a thousand requests a second the production
            # setting (5,000) would restart each worker every few seconds; real traffic is far lower.
            "GUNICORN_MAX_REQUESTS": "0",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "portal.wsgi:application"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait(port, server)
            results = {
                "cases": Case.objects.count(),
                "database": connection.vendor,
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                "workers": workers,
                "threads": threads,
                "clients": clients,
                "connections": clients * connections,
                "seconds": seconds,
                "rounds": rounds,
                "targets": [],
            }
            for _, _, path in targets:
                self._run(port, path, 1.0, clients, connections)  # warm: caches, index, connections
            # Rounds over every target in turn, so that a noisy moment on the machine
            # does not fall on one target only; each target's median round is reported.
            measured = {key: [] for _, key, _ in targets}
            failures = {key: 0 for _, key, _ in targets}
            for _ in range(rounds):
                for _, key, path in targets:
                    total, errors = self._run(port, path, seconds, clients, connections)
                    measured[key].append(round(total / seconds, 1))
                    failures[key] += errors
            for label, key, path in targets:
                results["targets"].append(
                    {
                        "label": label,
                        "key": key,
                        "path": path,
                        "rps": statistics.median(measured[key]),
                        "rounds_rps": measured[key],
                        "errors": failures[key],
                    }
                )
            results["worker_rss_mb"] = [_rss_mb(pid) for pid in _children(server.pid)]
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        static_rps = results["targets"][0]["rps"] or 1
        for row in results["targets"]:
            row["ratio_to_static"] = round(row["rps"] / static_rps, 3)
        self.stdout.write(
            f"{results['cases']} 个案例，{results['database']}，缓存 {results['cache']}，"
            f"gunicorn {workers} 进程 × {threads} 线程，{results['connections']} 个并发连接，"
            f"{rounds} 轮 × 每项 {seconds:g} 秒（取中位数）"
        )
        self.stdout.write("| 地址 | 每秒请求数 | 与静态文件之比 | 错误 |\n|---|---:|---:|---:|")
        for row in results["targets"]:
            self.stdout.write(f"| {row['label']} | {row['rps']} | {row['ratio_to_static']} | {row['errors']} |")
        self.stdout.write(f"工作进程内存（RSS）：{results['worker_rss_mb']} MB")
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def _static_url(self) -> str:
        from django.templatetags.static import static

        try:
            return static("css/portal.css")
        except ValueError as exc:  # no manifest: collectstatic has not run
            raise CommandError("请先运行 manage.py collectstatic。") from exc

    def _wait(self, port: int, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn 未能启动。")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise CommandError("gunicorn 在 60 秒内没有开始监听。")

    def _run(self, port, path, seconds, clients, connections) -> tuple[int, int]:
        queue = multiprocessing.get_context("fork").Queue()
        processes = [
            multiprocessing.get_context("fork").Process(target=_hammer, args=(port, path, seconds, connections, queue))
            for _ in range(clients)
        ]
        for process in processes:
            process.start()
        answers = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        return sum(a[0] for a in answers), sum(a[2] for a in answers)
