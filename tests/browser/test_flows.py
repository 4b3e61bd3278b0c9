"""What an official does in the browser: search, filter, read, by mouse, keyboard and phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.screens import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_to_the_admin(page, username: str, password: str) -> None:
    page.goto(page.base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")


def result_count(page) -> str:
    return page.locator(".result-count").inner_text()


def test_searching_for_a_term_and_opening_the_case(page):
    page.goto(page.base + "/")
    page.get_by_label("输入您遇到的问题或想了解的做法").fill("简易注销")
    page.get_by_role("button", name="检索案例").click()
    page.wait_for_url("**/cases/?q=*")
    assert "找到 1 个包含“简易注销”的案例" in result_count(page)
    assert page.locator(".result mark").first.inner_text() == "简易注销"
    page.get_by_role("link", name="深化经营主体注销便利化改革").click()
    page.wait_for_url("**/cases/4/3/")
    assert page.locator("h1").inner_text().startswith("深化经营主体注销便利化改革")
    assert "45天 → 7天" in page.locator(".metric-list").inner_text()


def test_combining_two_filters_then_removing_one(page):
    page.goto(page.base + "/cases/")
    assert "共 8 个案例" in result_count(page)
    # Checking a box submits the form at once (JavaScript enhancement).
    with page.expect_navigation():
        page.get_by_role("checkbox", name="政务服务").check()
    assert "共 3 个案例" in result_count(page)
    with page.expect_navigation():
        page.get_by_role("checkbox", name="市级").check()
    assert "共 2 个案例" in result_count(page)
    assert page.locator(".chip").count() == 2
    with page.expect_navigation():
        page.get_by_role("link", name="移除条件：主题 政务服务").click()
    assert "共 3 个案例" in result_count(page)
    assert page.locator(".chip").count() == 1
    assert "level=city" in page.url
    assert "theme=" not in page.url


def test_the_list_works_with_the_keyboard_alone(page):
    page.goto(page.base + "/cases/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab on through the search box and the filters until the first result's link.
    for _ in range(80):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/cases/4/"):
            break
    else:
        pytest.fail("no case link was reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link must show where focus is"
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/4/*/")
    assert page.locator("h1").count() == 1


def test_the_layout_fits_a_phone(browser, seeded_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    for path in ["/", "/cases/", "/cases/4/8/", "/responsibilities/"]:
        page.goto(seeded_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    page.goto(seeded_server.url + "/cases/")
    results_top = page.locator(".results").bounding_box()["y"]
    facets_top = page.locator(".facets").bounding_box()["y"]
    assert results_top < facets_top, "on a phone the results come before the filters"
    context.close()


A11Y_PAGES = [
    "/",
    "/cases/",
    "/cases/?q=注销",
    "/cases/4/8/",
    "/agencies/hainan-market-regulation/",
    "/responsibilities/",
    "/notices/4/",
    "/adoption/",
    "/adoption/rankings/",
    "/adoption/cases/4/1/",
    "/adoption/regions/haikou/",
    "/cases/compare/?cases=4-1,4-3",
    "/accounts/login/",
]
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", A11Y_PAGES)
def test_pages_pass_an_automated_accessibility_check(page, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(page.base + path)
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_the_main_pages(browser, seeded_server, name, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    for label, path in [
        ("home", "/"),
        ("list", "/cases/?q=数据"),
        ("case", "/cases/4/8/"),
        ("adoption-matrix", "/adoption/"),
    ]:
        page.goto(seeded_server.url + path)
        assert screenshot(page, f"{label}-{name}").stat().st_size > 10_000
    context.close()


def test_an_official_signs_in_lands_on_their_region_reads_a_case_and_files_a_report(page):
    """The official's day: sign in, land on 我的工作台, open a case, see the map and whom to call, file a report."""
    from django.contrib.auth.models import User

    from cases.models import Region
    from cases.tracker.models import OfficialProfile

    user = User.objects.create_user("wenchang", password="文昌-测试-口令-2024")
    OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="wenchang"))
    page.goto(page.base + "/adoption/")
    page.get_by_role("link", name="工作人员登录").click()
    page.get_by_label("用户名").fill("wenchang")
    page.get_by_label("密码").fill("文昌-测试-口令-2024")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/adoption/mine/")
    assert page.locator("h1").inner_text() == "我的工作台：文昌市"
    for path in ("/adoption/mail/", "/adoption/mine/"):  # the official's own pages, at both widths
        page.goto(page.base + path)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            results = Axe().run(page, options=WCAG_21_AA)
            assert results.violations_count == 0, (path, results.generate_report())
    page.set_viewport_size(DESKTOP)
    page.locator("#newest-heading + table").get_by_role("link", name="4-3 深化经营主体注销便利化改革").click()
    page.wait_for_url("**/cases/4/3/")
    assert page.locator("figure.region-map a").count() == 19
    assert page.get_by_label("文昌市：未启动").count() == 1
    contacts = page.locator("#contacts")
    assert "海南省市场监督管理局" in contacts.inner_text()
    assert "申报单位" in contacts.inner_text()
    page.get_by_role("link", name="查看各市县推广进度 →").click()
    page.get_by_role("link", name="填写或更新本市县的报告").click()
    page.get_by_label("已落地").check()
    page.get_by_label("启动日期").fill("2024-01-15")
    page.get_by_label("落地日期").fill("2024-04-30")
    page.get_by_label("主要做法").fill("推行简易注销公告期压缩。")
    page.get_by_role("button", name="保存报告").click()
    assert "推广落实报告已保存" in page.locator(".messages").inner_text()
    page.goto(page.base + "/adoption/")
    cell = page.get_by_label("文昌市：已落地")
    assert cell.inner_text() == "落地"


def test_the_admin_works_under_the_content_security_policy(page):
    """Django admin's scripts and styles load under the portal's CSP: no violation, and its JavaScript runs."""
    from django.contrib.auth.models import User

    from cases.models import Case

    User.objects.create_superuser("chief", password="管理员-测试-口令-2026")
    violations, errors = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"
    )
    sign_in_to_the_admin(page, "chief", "管理员-测试-口令-2026")
    case = Case.objects.get(batch=4, number=1)
    pages = ["/admin/", "/admin/cases/case/", f"/admin/cases/case/{case.pk}/history/", "/admin/cases/case/export/"]
    pages += ["/admin/cases/metric/import/", "/admin/cases/notice/", f"/admin/cases/case/{case.pk}/change/"]
    for path in pages:
        response = page.goto(page.base + path)
        assert "Content-Security-Policy" in {k.title() for k in response.headers}, path
        violations += [f"{path}: {v}" for v in page.evaluate("window.__csp || []")]
    # The admin's own JavaScript ran: the inline formsets' "add another" rows and the date shortcuts exist.
    assert page.locator(".add-row a").count() > 0
    page.goto(page.base + "/admin/cases/case/")
    page.locator("#action-toggle").check()  # actions.js selects every row
    assert page.locator("input.action-select:checked").count() == Case.objects.count()
    violations += page.evaluate("window.__csp || []")
    assert violations == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_an_official_picks_cases_in_the_list_and_compares_them(page):
    page.goto(page.base + "/cases/")
    page.check('input[name="cases"][value="4-1"]')
    page.check('input[name="cases"][value="4-3"]')
    assert "/cases/compare/" not in page.url  # ticking a box does not submit the list's own filters
    page.click('button[form="compare-form"]')
    page.wait_for_url("**/cases/compare/**")
    assert page.locator("table.compare thead th").count() == 3
    assert "4-1" in page.url
    assert "4-3" in page.url


def test_the_map_the_charts_and_the_comparison_print(page):
    """In print: the map and the charts stay, the comparison is an A4 landscape page without its chooser."""
    import re

    page.emulate_media(media="print")
    page.goto(page.base + "/adoption/cases/4/1/")
    assert page.locator("figure.region-map svg").bounding_box()["height"] > 100
    page.goto(page.base + "/cases/4/8/")
    assert page.locator(".charts svg").first.bounding_box()["height"] > 10
    assert page.locator("figure.region-map svg").bounding_box()["height"] > 100
    page.goto(page.base + "/cases/compare/?cases=4-1,4-3")
    assert page.locator(".compare-chooser").is_hidden()
    assert page.locator("table.compare").is_visible()
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", page.pdf(prefer_css_page_size=True)))
    assert boxes
    for width, height in boxes:
        assert float(width) > float(height)  # landscape
        assert abs(float(width) - 841.9) < 2  # A4: 297 mm


def test_the_editors_pages_pass_the_accessibility_check_signed_in_as_an_editor(page):
    """An editor (the 编辑 group, not a superuser) works on these pages every day: WCAG 2.1 AA, as the public ones."""
    from django.contrib.auth.models import Group, User

    from cases import roles
    from cases.models import Agency, Case, Notice

    editor = User.objects.create_user("axe-editor", password="编辑-测试-口令-2026", is_staff=True)
    editor.groups.add(Group.objects.get(name=roles.EDITOR))
    sign_in_to_the_admin(page, "axe-editor", "编辑-测试-口令-2026")
    case = Case.objects.get(batch=4, number=1)
    paths = [
        f"/admin/cases/case/{case.pk}/change/",
        f"/admin/cases/case/{case.pk}/changes/",
        f"/admin/cases/notice/{Notice.objects.get(batch=4).pk}/change/",
        f"/admin/cases/agency/{Agency.objects.get(slug='hainan-healthcare-security').pk}/change/",
        "/admin/cases/case/export/",
    ]
    for path in paths:
        page.goto(page.base + path)
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, (path, results.generate_report())
    # On a phone the history scrolls sideways in its box; no column is squeezed to a character a line.
    page.set_viewport_size(PHONE)
    page.goto(page.base + paths[1])
    from tests.browser.test_phone import BROKEN_LABELS

    assert page.evaluate(BROKEN_LABELS, ".timeline td, .timeline th") == []  # short cells stay on one line
    parts = page.evaluate("[...document.querySelectorAll('.timeline td:nth-child(3)')].map(td => td.offsetWidth)")
    assert min(parts) >= 100  # the part's name is read in words, not a character a line
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_printed_case_and_comparison_carry_a_qr_code_that_reads_as_their_public_address(page, settings):
    """Printed on paper, the page's QR code leads back to the living page (decoded from the rendered pixels)."""
    import io

    import zxingcpp
    from PIL import Image

    settings.PORTAL_URL = "https://yingshang.example.gov.cn"
    page.emulate_media(media="print")
    for path in ("/cases/4/1/", "/cases/compare/?cases=4-1,4-3"):
        page.goto(page.base + path)
        code = page.locator(".print-qr svg")
        assert code.is_visible()
        box = code.bounding_box()
        assert 90 <= box["width"] <= 120  # 28 mm on paper
        pixels = Image.open(io.BytesIO(code.screenshot()))
        assert [found.text for found in zxingcpp.read_barcodes(pixels)] == [settings.PORTAL_URL + path]
    page.emulate_media(media="screen")
    assert page.locator(".print-qr svg").is_hidden()
