from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.backups import BackupError, describe, restore_backup


class Command(BaseCommand):
    help = "从 manage.py backup 生成的备份文件恢复数据库和佐证材料文件（会替换现有内容）。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="备份文件（.tar.gz）")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, path: Path, yes: bool, **options):
        try:
            manifest = describe(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份时间 {manifest['created_at']}，{manifest['vendor']} 数据库，{rows} 行，"
            f"{len(manifest['media'])} 个材料文件。"
        )
        if not yes:
            answer = input("恢复会替换当前的数据库和材料文件。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未作任何修改。")
        try:
            result = restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复：{result.tables} 个表共 {result.rows} 行，{result.files} 个材料文件。"
                "如果代码比备份新，请再运行 manage.py migrate。"
            )
        )
