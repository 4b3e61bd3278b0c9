"""The replication loop in the browser, with the clock moved by the test: plan, deadline, reminder, report,
review, answer and bulletin, each by the role that does it, on the pages they use."""

import os
from datetime import datetime, timedelta

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.management import call_command

from tests.browser.screens import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "推广-测试-口令-2026"
SHOTS = os.environ.get("LOOP_SCREENSHOTS", "")  # a folder: also save the new pages at both widths, to look at


@pytest.fixture
def accounts():
    from django.contrib.auth.models import Group, User

    from cases.models import Agency, Region
    from cases.tracker.models import OfficialProfile
    from cases.tracker.roles import PROVINCIAL_OFFICE

    office = User.objects.create_user("loop-office", password=PASSWORD, first_name="省办")
    office.groups.add(Group.objects.get(name=PROVINCIAL_OFFICE))
    yibao = User.objects.create_user("loop-yibao", password=PASSWORD)
    OfficialProfile.objects.create(user=yibao, agency=Agency.objects.get(slug="hainan-healthcare-security"))
    wenchang = User.objects.create_user("loop-wenchang", password=PASSWORD, email="wenchang@example.gov.cn")
    OfficialProfile.objects.create(user=wenchang, region=Region.objects.get(slug="wenchang"))


def signed_in(browser, server, username):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = server.url
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/adoption/mine/")
    return page


def accessible(page, path):
    page.goto(page.base + path)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, (path, viewport, results.generate_report())
    page.set_viewport_size(DESKTOP)


def test_the_replication_loop_from_plan_to_bulletin(browser, seeded_server, accounts):
    from cases.tracker import deadlines

    today = deadlines.today()
    # 省医保局 leads case 4-1: it writes the plan and submits it.
    unit = signed_in(browser, seeded_server, "loop-yibao")
    unit.goto(unit.base + "/adoption/cases/4/1/plan/")
    unit.get_by_role("link", name="编写海南省医疗保障局的推广工作方案").click()
    accessible(unit, "/adoption/cases/4/1/plan/hainan-healthcare-security/edit/")
    unit.get_by_label("方案实施起始日期").fill(today.isoformat())
    for box in unit.locator('input[name="regions"]').all():
        box.check()
    unit.locator("#id_milestones-0-kind").select_option("start")
    unit.locator("#id_milestones-0-due_on").fill(today.isoformat())
    unit.locator("#id_milestones-1-kind").select_option("land")
    unit.locator("#id_milestones-1-due_on").fill((today + timedelta(days=30)).isoformat())
    unit.get_by_label("联系人").fill("李某")
    unit.get_by_label("联系电话").fill("0898-00000000")
    unit.get_by_role("button", name="提交审批").click()
    assert "方案已提交省营商环境办审批" in unit.locator(".messages").inner_text()

    # The office approves it from the plan page.
    office = signed_in(browser, seeded_server, "loop-office")
    assert "待审批的推广工作方案（1）" in office.locator("main").inner_text()
    office.get_by_role("link", name="4-1 推进“三医联动一张网”改革：海南省医疗保障局").click()
    office.get_by_role("button", name="批准方案").click()
    assert "方案已批准" in office.locator(".messages").inner_text()
    accessible(office, "/adoption/cases/4/1/plan/")
    office.emulate_media(media="print")  # the plan prints: its content without the forms and buttons
    assert office.locator(".plan dl").first.is_visible()
    assert office.get_by_role("link", name="修改方案").is_hidden()
    office.emulate_media(media="screen")

    # The start date passes. The daily run, twice: Wenchang's officials get one mail.
    with time_machine.travel(datetime.combine(today + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)):
        mail.outbox.clear()
        call_command("tracker_daily")
        call_command("tracker_daily")
        late = [m for m in mail.outbox if m.to == ["wenchang@example.gov.cn"]]
        assert [m.subject for m in late] == ["【营商环境示范案例库】文昌市：案例4-1逾期未启动"]

        office.goto(office.base + "/adoption/?batch=4")
        cell = office.locator("table.matrix tbody tr").first.locator("td.status").nth(_region_column(office, "文昌"))
        assert "逾期未启动" in cell.inner_text()
        office.goto(office.base + "/adoption/overdue/")
        assert "文昌市" in office.locator("table.overdue").inner_text()
        accessible(office, "/adoption/overdue/")

        # Wenchang files its report from 我的工作台, where the late case is listed first.
        region = signed_in(browser, seeded_server, "loop-wenchang")
        assert "逾期未启动" in region.locator("#deadlines-heading + table").inner_text()
        region.locator("#deadlines-heading + table").get_by_role("link", name="填写报告").click()
        region.get_by_label("推进中").check()
        region.get_by_label("启动日期").fill((today + timedelta(days=1)).isoformat())
        region.get_by_label("主要做法").fill("召开部署会，明确医保结算窗口。")
        region.get_by_role("button", name="保存报告").click()
        assert "推广落实报告已保存" in region.locator(".messages").inner_text()
        report_url = region.url

        # The responsible unit comments, then marks it reviewed.
        unit.goto(report_url)
        unit.get_by_label("审核意见").fill("请补充佐证材料。")
        unit.get_by_role("button", name="提交意见").click()
        unit.get_by_role("button", name="标记为已审核").click()

        # The comment stays unread for Wenchang until it opens the report; then it answers.
        region.goto(region.base + "/adoption/mine/")
        assert "有未读审核意见的报告（1）" in region.locator("main").inner_text()
        accessible(region, "/adoption/mine/")
        region.goto(report_url)
        region.get_by_label("回复审核意见").fill("已补充，见附件。")
        region.get_by_role("button", name="提交回复").click()
        region.goto(region.base + "/adoption/mine/")
        assert "有未读审核意见的报告（0）" in region.locator("main").inner_text()

        # The office's bulletin: its tables say what the matrix says.
        office.goto(office.base + "/adoption/bulletins/")
        accessible(office, "/adoption/bulletins/")
        office.get_by_role("button", name="生成通报").click()
        assert "通报已生成并存档" in office.locator(".messages").inner_text()
        accessible(office, office.url.replace(office.base, ""))
        row = office.locator("#bulletin-cases tbody tr").first
        cells = [c.inner_text() for c in row.locator("td").all()]
        office.goto(office.base + "/adoption/cases/4/1/")
        summary = office.locator("main p").nth(0).inner_text()
        assert f"已在 {cells[0]} / 19 个市县落地" in summary
        assert f"推进中 {cells[1]}，未启动 {cells[2]}，不适用 {cells[3]}" in summary
        assert cells[1] == "1"  # Wenchang
        if SHOTS:
            for path in (
                "/adoption/cases/4/1/plan/",
                "/adoption/overdue/",
                office.url.replace(office.base, ""),
                "/adoption/?batch=4",
            ):
                office.goto(office.base + path)
                for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    office.set_viewport_size(viewport)
                    office.screenshot(
                        path=f"{SHOTS}/{path.strip('/').replace('/', '_')}-{name}.png", full_page=name == "desktop"
                    )
            office.set_viewport_size(DESKTOP)


def _region_column(page, short_name: str) -> int:
    headers = [h.inner_text() for h in page.locator("table.matrix thead th").all()][2:]
    return headers.index(short_name)
