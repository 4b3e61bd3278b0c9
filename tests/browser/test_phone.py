"""Every page at phone and desktop width, in every CJK font: nothing sticks out sideways, no short label breaks
inside a word, and every control is large enough to tap.

Officials read in many fonts (Microsoft YaHei, SimSun, PingFang, Noto …), whose
widths differ: a label that fits in one breaks in another. Each page is
checked with each CJK family this machine has forced on every element, so no
label depends on one font's widths (.ci/run installs two families).
"""

import os

import pytest

from tests.browser.screens import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/cases/",
    "/cases/?q=注销",
    "/cases/?q=开饭店要办哪些证",  # understood as words: the explanation and the themes to browse
    "/cases/?q=医注",  # only characters: the label and the words to try
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
# Labels a reader takes in at a glance: navigation, badges, dates, buttons, chips, column and row names,
# figures with their units, and the words of captions (each word is checked, not only short elements).
LABELS = (
    ".site-nav a, .site-nav button, .breadcrumbs a, .breadcrumbs span, .status, .demo-tag, .tier, .chip, "
    "button, .button, .editorial-tag, .reconstructed-tag, .nowrap, th, dt, legend, label, time, "
    ".figure, .figure-label, .browse-themes a, .suggestions a, .document-link a, .downloads a"
)
# The CJK families installed here (fc-list), each forced on the page in turn.
FONTS = ["Noto Sans CJK SC", "WenQuanYi Zen Hei"]
# WCAG 2.2's minimum target size; links inside running text are exempt.
MIN_TARGET = 24

SMALL_TARGETS = """(minimum) => {
  const small = [];
  const controls = 'a, button, input:not([type=hidden]), select, summary, textarea';
  for (const el of document.querySelectorAll(controls)) {
    if (!el.getClientRects().length || el.closest('.visually-hidden, p, li.prose, dd, td, figcaption')) continue;
    if (el.matches('.skip-link')) continue;
    // A box or a radio button is tapped through its label too: the target is the larger of the two.
    const label = el.matches('input[type=checkbox], input[type=radio]')
      ? (el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`))) : null;
    const own = el.getBoundingClientRect();
    const box = label && label.getBoundingClientRect().height > own.height ? label.getBoundingClientRect() : own;
    if (box.width === 0 || box.height === 0) continue;
    if (box.height < minimum - 0.5) {
      const text = (el.innerText || el.value || '').trim().slice(0, 20);
      small.push(`${el.tagName.toLowerCase()} "${text}" ${Math.round(box.height)}px`);
    }
  }
  return small.slice(0, 10);
}"""

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


# Where a number meets its unit or its Chinese word (2023年, 5000条, 45天) in labels, captions and meta lines.
WORDED = ".meta, figcaption, caption, .key-figure, th, dt, dd, legend, label, time, .chip, .status"
SPLIT_NUMBERS = """(selector) => {
  const split = [];
  const pattern = /[0-9][0-9.,]*[\u4e00-\u9fff%]/g;
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(pattern)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = [];
        for (const box of range.getClientRects()) {
          if (box.width < 1) continue;
          if (!lines.some(top => Math.abs(top - box.top) < box.height / 2)) lines.push(box.top);
        }
        if (lines.length > 1) split.push(`${el.tagName.toLowerCase()}: ${match[0]}`);
      }
    }
  }
  return [...new Set(split)].slice(0, 10);
}"""


def check(page, path: str, phone: bool = False) -> None:
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["page"] <= 0, f"{path} sticks out sideways: {overflow}"
    assert not overflow["elements"], f"{path} sticks out sideways: {overflow}"
    broken = page.evaluate(BROKEN_LABELS, LABELS)
    assert not broken, f"{path}: labels broken inside a word: {broken}"
    split = page.evaluate(SPLIT_NUMBERS, WORDED)
    assert not split, f"{path}: a number broken from its unit: {split}"
    if phone:
        small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
        assert not small, f"{path}: controls smaller than {MIN_TARGET} px to tap: {small}"


def in_font(page, font: str) -> None:
    """Force ``font`` on every element, as a reader whose system has only that CJK family would see the page."""
    page.add_style_tag(content=f'*, *::before, *::after {{ font-family: "{font}", sans-serif !important; }}')


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


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_fit_the_screen_and_keep_labels_whole(browser, tracker_data, viewport, font):
    # The forced font is a test-only style tag, which the pages' own policy (no inline style) would refuse.
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE, bypass_csp=True)
    page = context.new_page()
    for path in PUBLIC:
        page.goto(tracker_data.url + path)
        in_font(page, font)
        check(page, f"{path} in {font}", phone=viewport is PHONE)
    context.close()


def test_the_fonts_the_checks_need_are_installed():
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    missing = [font for font in FONTS if font not in families]
    if missing and os.environ.get("REQUIRE_BROWSER") != "1":
        pytest.skip(f"CJK fonts for the layout checks are not installed (.ci/run installs them): {missing}")
    assert not missing, f"install the CJK fonts the browser checks use (.ci/run does): {missing}"


def test_an_officials_pages_fit_a_phone(browser, tracker_data):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(tracker_data.url + "/accounts/login/")
    page.get_by_label("用户名").fill("haikou-phone")
    page.get_by_label("密码").fill("海口-手机-口令-2024")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/adoption/mine/")
    check(page, "/adoption/mine/ (signed in)", phone=True)
    for path in SIGNED_IN:
        page.goto(tracker_data.url + path)
        check(page, path, phone=True)
    # A refused report keeps the layout too, with the error summary on top.
    page.goto(tracker_data.url + SIGNED_IN[0])
    page.get_by_label("已落地").check()
    page.get_by_label("落地日期").fill("")
    page.get_by_role("button", name="保存报告").click()
    assert page.locator(".error-summary").is_visible()
    check(page, "the refused report form", phone=True)
    context.close()
