from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cases.notices.seed import SeedError, build_seed, seed_objects, write_seed


class Command(BaseCommand):
    help = "由原文文本和 curation.json 重新生成 fixtures/seed.json（开发者使用）：原文经通知导入程序写入临时数据库。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查 seed.json 是否与来源一致，不写文件。")
        parser.add_argument("--curation", default="curation.json", help="curation 文件名（位于原文目录）。")
        # Internal: the second process that build_seed starts on a temporary database.
        parser.add_argument(
            "--in-this-database",
            metavar="OUTPUT",
            help="（内部使用）在当前空数据库中生成，写到此文件。",
        )

    def handle(self, *args, check: bool, curation: str, in_this_database: str | None, **options):
        source_dir = settings.NOTICE_SOURCE_DIR
        try:
            if in_this_database:
                call_command("migrate", interactive=False, verbosity=0)
                write_seed(seed_objects(source_dir, curation), Path(in_this_database))
                return
            objects = build_seed(source_dir, curation)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        target = settings.BASE_DIR / "fixtures" / "seed.json"
        if check:
            tmp = target.with_suffix(".check.json")
            write_seed(objects, tmp)
            same = tmp.read_bytes() == target.read_bytes() if target.exists() else False
            tmp.unlink()
            if not same:
                raise CommandError("fixtures/seed.json 与原文或 curation.json 不一致，请运行 make seed。")
            self.stdout.write("seed.json 与来源一致。")
            return
        write_seed(objects, target)
        self.stdout.write(f"已写入 {target.relative_to(settings.BASE_DIR)}：{len(objects)} 条记录。")
