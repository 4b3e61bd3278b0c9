from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.notices.seed import SeedError, build_seed, write_seed
from cases.notices.text import NoticeFormatError


class Command(BaseCommand):
    help = "由原文文本和 curation.json 重新生成 fixtures/seed.json（开发者使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查 seed.json 是否与来源一致，不写文件。")

    def handle(self, *args, check: bool, **options):
        source_dir = settings.NOTICE_SOURCE_DIR
        target = settings.BASE_DIR / "fixtures" / "seed.json"
        try:
            objects = build_seed(source_dir)
        except (NoticeFormatError, SeedError) as exc:
            raise CommandError(str(exc)) from exc
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
