from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.notices.importer import ImportFailed, import_notice, read_notice_file


class Command(BaseCommand):
    help = (
        "从通知原文导入一批通知及其案例：纯文本（UTF-8 或 GB18030）、Word（.docx）或保存的网页（.html）。"
        "重复导入同一文件不会改变任何内容；文件有误时整体不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="通知原文文件（.txt、.docx 或 .html）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要新建或修改的内容，不写入数据库")
        parser.add_argument("--publish", action="store_true", help="导入后直接发布；不加此项时新案例为草稿")

    def handle(self, *args, path: Path, dry_run: bool, publish: bool, **options):
        try:
            source = read_notice_file(path)
            report = import_notice(
                source.text, source_name=path.name, publish=publish, dry_run=dry_run, web_page=source.web_page
            )
        except ImportFailed as exc:
            raise CommandError("导入失败，数据库未作任何修改：\n" + "\n".join(exc.messages)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING(f"试运行：以上 {len(report.changes)} 项均未写入数据库。"))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{len(report.changes)} 项变更，共 {report.cases} 个案例。"))
