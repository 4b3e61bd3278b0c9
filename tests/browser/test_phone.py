"""Every page at phone width (390 px): nothing sticks out sideways and no short label breaks inside a word."""

import pytest

from tests.browser.screens import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/cases/",
    "/cases/?q=注销",
    "/cases/4/8/",
    "/agencies/",
    "/agencies/hainan-market-regulation/",
    "/responsibilities/",
    "/notices/4/",
    "/adoption/",
    "/adoption/rankings/",
    "/adoption/cases/4/1/",
    "/adoption/regions/haikou/",
    "/cases/compare/?cases=4-1,4-3,4-8",
    "/accounts/login/",
    "/no-such-page/",
]
SIGNED_IN = [
    "/adoption/cases/4/1/region/haikou/edit/",
    "/adoption/regions/haikou/",
    "/accounts/password_change/",
    "/adoption/mail/",
]
# Labels a reader takes in at a glance: navigation, badges, dates, buttons, chips, column names.
LABELS = (
    ".site-nav a, .site-nav button, .breadcrumbs a, .breadcrumbs span, .status, .demo-tag, .tier, .chip, "
    "button, .button, .editorial-tag, .reconstructed-tag, .nowrap, thead th, legend, label"
)

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let inScroller = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { inScroller = true; break; }
    }
    if (!inScroller) found.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(box.right)}px)`);
  }
  return {page: document.documentElement.scrollWidth - width, elements: found.slice(0, 8)};
}"""

BROKEN_LABELS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const text = el.innerText.trim();
    if (!text || text.length > 12 || !el.getClientRects().length) continue;
    let hidden = false;  // inside a visually hidden box (screen readers only): 1 px wide by design
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      const box = up.getBoundingClientRect();
      if (getComputedStyle(up).position === 'absolute' && box.width <= 1) { hidden = true; break; }
    }
    if (hidden) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = [];
    for (const box of range.getClientRects()) {
      if (box.width < 1) continue;
      if (!lines.some(top => Math.abs(top - box.top) < box.height / 2)) lines.push(box.top);
    }
    if (lines.length > 1) broken.push(`${el.tagName.toLowerCase()}: ${text}`);
  }
  return broken;
}"""


def check(page, path: str) -> None:
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["page"] <= 0, f"{path} sticks out sideways: {overflow}"
    assert not overflow["elements"], f"{path} sticks out sideways: {overflow}"
    broken = page.evaluate(BROKEN_LABELS, LABELS)
    assert not broken, f"{path}: labels broken inside a word: {broken}"


@pytest.fixture
def tracker_data(seeded_server):
    """A demo report and an official of Haikou, so the tracker's pages show badges, dates and forms."""
    from datetime import date

    from django.contrib.auth.models import User

    from cases.models import Case, Region
    from cases.tracker.models import AdoptionReport, OfficialProfile

    haikou = Region.objects.get(slug="haikou")
    AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=1),
        region=haikou,
        status="landed",
        started_on=date(2023, 11, 1),
        completed_on=date(2024, 3, 15),
        is_demo=True,
        actions="【演示数据】参照第四批案例1的做法。",
    )
    user = User.objects.create_user("haikou-phone", password="海口-手机-口令-2024")
    OfficialProfile.objects.create(user=user, region=haikou)
    return seeded_server


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_fit_the_screen_and_keep_labels_whole(browser, tracker_data, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE)
    page = context.new_page()
    for path in PUBLIC:
        page.goto(tracker_data.url + path)
        check(page, path)
    context.close()


def test_an_officials_pages_fit_a_phone(browser, tracker_data):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(tracker_data.url + "/accounts/login/")
    page.get_by_label("用户名").fill("haikou-phone")
    page.get_by_label("密码").fill("海口-手机-口令-2024")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/adoption/mine/")
    check(page, "/adoption/mine/ (signed in)")
    for path in SIGNED_IN:
        page.goto(tracker_data.url + path)
        check(page, path)
    # A refused report keeps the layout too, with the error summary on top.
    page.goto(tracker_data.url + SIGNED_IN[0])
    page.get_by_label("已落地").check()
    page.get_by_label("落地日期").fill("")
    page.get_by_role("button", name="保存报告").click()
    assert page.locator(".error-summary").is_visible()
    check(page, "the refused report form")
    context.close()
