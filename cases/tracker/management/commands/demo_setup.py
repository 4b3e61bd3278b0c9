"""Demo accounts (one per role) and sample adoption reports, so a new user can try the whole flow.

Debug mode only. Passwords are generated here and printed once; they are
stored nowhere else (run again with --reset to get new ones). Sample reports
are marked 演示数据 on every page; --delete removes them and the accounts.
The seed fixture itself holds no reports.
"""

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases import roles
from cases.models import Agency, Case, Region
from cases.tracker.models import AdoptionReport, AdoptionResult, OfficialProfile
from cases.tracker.roles import PROVINCIAL_OFFICE

DEMO_MARK = "【演示数据】"
ACCOUNTS = [
    # username, description, staff, groups, region slug, agency slug
    ("demo-office", "省营商环境办：查看和修改全部报告", True, [PROVINCIAL_OFFICE], None, None),
    ("demo-haikou", "海口市工作人员：填报海口市的报告", False, [], "haikou", None),
    ("demo-ledong", "乐东县工作人员：填报乐东的报告", False, [], "ledong", None),
    (
        "demo-yibao",
        "省医疗保障局工作人员：审核其负责推广的案例，并填报本单位的报告",
        False,
        [],
        None,
        "hainan-healthcare-security",
    ),
    ("demo-editor", "编辑：在后台修改案例内容", True, [roles.EDITOR], None, None),
    ("demo-publisher", "发布人：在后台发布案例", True, [roles.PUBLISHER], None, None),
]
# (case number in the newest batch, region slug, status, started, completed)
SAMPLES = [
    (1, "haikou", "landed", date(2023, 11, 1), date(2024, 3, 15)),
    (1, "sanya", "in_progress", date(2024, 1, 10), None),
    (3, "haikou", "in_progress", date(2023, 12, 5), None),
    (3, "ledong", "landed", date(2023, 10, 20), date(2024, 2, 28)),
    (5, "sansha", "not_applicable", None, None),
    (6, "danzhou", "in_progress", date(2024, 4, 1), None),
]


class Command(BaseCommand):
    help = "（仅调试模式）创建每种角色的演示账号和标明“演示数据”的示例报告；密码只打印这一次。"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="为已有的演示账号重新生成密码")
        parser.add_argument("--delete", action="store_true", help="删除演示账号和演示报告")

    def handle(self, *args, reset: bool, delete: bool, **options):
        if not settings.DEBUG:
            raise CommandError("演示账号只能在调试模式下创建（DJANGO_DEBUG=1），以免生产环境出现弱口令账号。")
        if delete:
            reports = AdoptionReport.objects.filter(is_demo=True).delete()[0]
            users = User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).delete()[0]
            self.stdout.write(f"已删除演示报告和账号（共 {reports + users} 条记录）。")
            return
        if not Case.objects.published().exists():
            raise CommandError("还没有已发布的案例，请先运行 manage.py load_seed。")
        with transaction.atomic():
            printed = self._accounts(reset)
            created = self._reports()
        if printed:
            self.stdout.write("演示账号（密码只显示这一次，请妥善保存）：")
            for username, password, description in printed:
                self.stdout.write(f"  {username:16} {password:16} {description}")
        else:
            self.stdout.write("演示账号已存在，密码未改变（加 --reset 重新生成）。")
        self.stdout.write(f"演示报告：新建 {created} 份，均标明“演示数据”。")

    def _accounts(self, reset: bool) -> list[tuple[str, str, str]]:
        printed = []
        for username, description, staff, groups, region, agency in ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
            if created or reset:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.save()
                printed.append((username, password, description))
            user.groups.set(Group.objects.filter(name__in=groups))
            if region or agency:
                OfficialProfile.objects.update_or_create(
                    user=user,
                    defaults={
                        "region": Region.objects.get(slug=region) if region else None,
                        "agency": Agency.objects.get(slug=agency) if agency else None,
                    },
                )
        return printed

    def _reports(self) -> int:
        batch = Case.objects.published().order_by("-batch").values_list("batch", flat=True).first()
        office = User.objects.get(username="demo-office")
        created = 0
        for number, region_slug, status, started, completed in SAMPLES:
            case = Case.objects.published().filter(batch=batch, number=number).first()
            region = Region.objects.filter(slug=region_slug).first()
            if case is None or region is None:
                continue
            report, made = AdoptionReport.objects.get_or_create(
                case=case,
                region=region,
                defaults={
                    "status": status,
                    "started_on": started,
                    "completed_on": completed,
                    "is_demo": True,
                    "actions": f"{DEMO_MARK}参照{case.notice.batch_label}案例{case.number}的做法，结合本地实际推进。",
                    "not_applicable_reason": (
                        f"{DEMO_MARK}本地不具备该案例的实施条件。" if status == "not_applicable" else ""
                    ),
                    "contact_name": "演示联系人",
                    "contact_phone": "0898-00000000",
                    "updated_by": office,
                },
            )
            if made:
                created += 1
                if status == "landed":
                    AdoptionResult.objects.create(
                        report=report,
                        label=f"{DEMO_MARK}办理时间",
                        value=3,
                        unit="个工作日",
                        baseline_value=15,
                        baseline_unit="个工作日",
                    )
        return created
