from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "备份整个门户：数据库（在线、一致）和全部佐证材料文件，写成一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份文件路径（默认 backups/yingshang-日期-时间.tar.gz）")

    def handle(self, *args, output: Path | None, **options):
        try:
            result = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {result.path}：{result.tables} 个表共 {result.rows} 行，{result.files} 个材料文件。"
            )
        )
