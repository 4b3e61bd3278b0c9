"""Who to call: agencies' contact details, kept by editors, on agency and case pages; nothing invented."""

import re

import pytest
from django.core.exceptions import ValidationError

from cases.models import Agency, Case

pytestmark = pytest.mark.django_db


def contacts_section(html: str) -> str:
    return html.split('id="contacts"')[1].split("</section>")[0]


def test_the_seed_has_no_contacts_and_the_pages_say_so(client, seed):
    assert not any(agency.has_contact for agency in Agency.objects.all())
    html = client.get("/cases/4/1/").content.decode()
    section = contacts_section(html)
    case = Case.objects.get(batch=4, number=1)
    for link in case.case_agencies.all():
        assert link.agency.name in section
    assert section.count("联系方式尚未登记。") == len(re.findall(r"<li><h3>", section))
    assert "tel:" not in section
    assert "联系方式尚未登记。" in client.get("/agencies/hainan-healthcare-security/").content.decode()


def test_an_editor_enters_contacts_in_the_admin_and_both_pages_show_them(admin_client, client, seed):
    agency = Agency.objects.get(slug="hainan-healthcare-security")
    url = f"/admin/cases/agency/{agency.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "region": "",
            "suggested_match": "",
            "contact_office": "医药服务管理处",
            "contact_person": "",
            "contact_phone": "0898-65201234 转 801、０８９８-６５２０１２３５",
            "contact_address": "海口市美兰区国兴大道9号",
            "website": "https://ybj.hainan.gov.cn/",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        }
    )
    data["needs_review"] = "on" if agency.needs_review else ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.contact_office == "医药服务管理处"
    for page in ("/agencies/hainan-healthcare-security/", "/cases/4/1/"):
        html = client.get(page).content.decode()
        assert "医药服务管理处" in html, page
        assert '<a href="tel:089865201234" class="nowrap">0898-65201234 转 801</a>' in html, page
        assert 'href="tel:089865201235"' in html, page  # full-width digits dial as digits
        assert "海口市美兰区国兴大道9号" in html, page
        assert 'href="https://ybj.hainan.gov.cn/"' in html, page
    table = client.get("/responsibilities/").content.decode()  # Annex 2's units, with their numbers
    assert '<a href="tel:089865201234" class="nowrap">0898-65201234 转 801</a>' in table
    assert "未登记" in table


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_phone", "请拨打热线"),
        ("contact_phone", '=HYPERLINK("x")'),
        ("contact_phone", "1234"),
        ("website", "javascript:alert(1)"),
        ("website", "不是网址"),
    ],
)
def test_bad_contact_details_are_refused_in_chinese(seed, field, value):
    agency = Agency.objects.get(slug="hainan-healthcare-security")
    setattr(agency, field, value)
    with pytest.raises(ValidationError) as caught:
        agency.full_clean()
    message = " ".join(caught.value.message_dict[field])
    assert re.search(r"[\u4e00-\u9fff]", message), message


def test_a_case_lists_each_agency_once_with_all_its_roles(client, seed):
    case = Case.objects.get(batch=4, number=1)
    section = contacts_section(client.get("/cases/4/1/").content.decode())
    names = re.findall(r'<h3><a href="/agencies/[^"]+/">([^<]+)</a>', section)
    assert len(names) == len(set(names))
    expected = {link.agency.name for link in case.case_agencies.all()} | {
        r.agency.name for r in case.responsibilities.all()
    }
    assert set(names) == expected
