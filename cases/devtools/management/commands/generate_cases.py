import time

from django.core.management.base import BaseCommand, CommandError

from cases.devtools.synthetic import DEFER_GIN_FROM, delete_synthetic, generate_cases


class Command(BaseCommand):
    help = (
        "生成 N 个合成案例（由真实案例的句子重组，批次号从1001起，标题带【合成数据】），用于性能测试。"
        "全部在一个事务中写入：中途失败或被终止时数据库保持原样。"
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, nargs="?", default=0, help="要生成的案例数")
        parser.add_argument("--seed", type=int, default=2023, help="随机数种子（相同种子生成相同数据）")
        parser.add_argument("--per-batch", type=int, default=25, help="每个合成批次的案例数")
        parser.add_argument("--chunk", type=int, default=500, help="每次批量写入的案例数")
        parser.add_argument(
            "--defer-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help=f"PostgreSQL：先删除检索 GIN 索引、写完再重建（auto：{DEFER_GIN_FROM} 个以上时）",
        )
        parser.add_argument("--delete", action="store_true", help="删除全部合成数据")

    def handle(
        self, *args, count: int, seed: int, per_batch: int, chunk: int, defer_indexes: str, delete: bool, **options
    ):
        if delete:
            self.stdout.write(f"已删除 {delete_synthetic()} 个合成案例。")
            return
        if count <= 0 or per_batch <= 0 or chunk <= 0:
            raise CommandError("案例数、每批案例数和每次写入数都必须是正整数。")
        started = time.perf_counter()

        every = 5000 if count > 5000 else chunk

        def progress(n: int) -> None:
            if n % every == 0 or n == count:
                self.stdout.write(f"  {n}/{count}")
                self.stdout.flush()

        try:
            created = generate_cases(
                count,
                seed=seed,
                per_batch=per_batch,
                chunk=chunk,
                progress=progress,
                defer_indexes={"auto": None, "yes": True, "no": False}[defer_indexes],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"已生成 {created} 个合成案例，用时 {elapsed:.1f} 秒。"))
