"""import_notice: the next batch from the notice's text, exactly, repeatably, and all or nothing."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Agency, Annex, Case, CaseAgency, Metric, Notice, Responsibility, Section
from cases.notices.importer import ImportFailed, decode_notice, import_notice
from tests.conftest import SOURCE_TEXT_PATH

pytestmark = pytest.mark.django_db

MODELS = [Notice, Annex, Case, Section, CaseAgency, Responsibility, Agency, Metric]
CASE_FIELDS = [
    "number",
    "batch",
    "label",
    "title",
    "subtitle",
    "subtitle_separator",
    "intro",
    "measures_heading",
    "outcomes_heading",
]
NOTICE_FIELDS = [
    "batch",
    "title",
    "title_in_source",
    "issuer",
    "issued_on",
    "recipients",
    "body",
    "meeting",
    "publicity",
    "source_file",
]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def seed_objects(model: str) -> list[dict]:
    data = json.loads((settings.FIXTURE_DIRS[0] / "seed.json").read_text(encoding="utf-8"))
    return [{"pk": o["pk"], **o["fields"]} for o in data if o["model"] == f"cases.{model}"]


def run(path, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_notice", str(path), *args, stdout=out)
    return out.getvalue()


def test_importing_the_seed_text_into_an_empty_database_reproduces_the_seed(db):
    run(SOURCE_TEXT_PATH, "--publish")
    agency_names = {a["pk"]: a["name"] for a in seed_objects("agency")}

    (notice,) = seed_objects("notice")
    imported = Notice.objects.get()
    for name in NOTICE_FIELDS:
        expected = notice[name]
        actual = getattr(imported, name)
        assert (actual.isoformat() if name == "issued_on" else actual) == expected, name
    assert [(a.number, a.title, a.kind, a.image_name) for a in imported.annexes.all()] == [
        (a["number"], a["title"], a["kind"], a["image_name"]) for a in seed_objects("annex")
    ]

    seed_cases = {c["pk"]: c for c in seed_objects("case")}
    cases = list(Case.objects.order_by("number"))
    assert len(cases) == len(seed_cases) == 8
    case_pk = {}
    for case, expected in zip(cases, sorted(seed_cases.values(), key=lambda c: c["number"]), strict=True):
        case_pk[expected["pk"]] = case
        assert {f: getattr(case, f) for f in CASE_FIELDS} == {f: expected[f] for f in CASE_FIELDS}
        assert case.is_published

    def rows(model, fields):
        return sorted(
            (case_pk[o["case"]].number, *(agency_names[o[f]] if f == "agency" else o[f] for f in fields))
            for o in seed_objects(model)
        )

    section_fields = ["kind", "position", "label", "heading", "body"]
    assert sorted((s.case.number, *(getattr(s, f) for f in section_fields)) for s in Section.objects.all()) == rows(
        "section", section_fields
    )
    assert sorted((link.case.number, link.agency.name, link.position) for link in CaseAgency.objects.all()) == rows(
        "caseagency", ["agency", "position"]
    )
    responsibility_fields = ["agency", "role", "position", "reconstructed", "note"]
    assert sorted(
        (r.case.number, r.agency.name, r.role, r.position, r.reconstructed, r.note)
        for r in Responsibility.objects.all()
    ) == rows("responsibility", responsibility_fields)
    # The notice reassembled from the database is the source text, paragraph by paragraph.
    from cases.notices.fidelity import stored_paragraphs
    from cases.notices.text import paragraphs_with_lines

    assert stored_paragraphs(imported) == [p for _, p in paragraphs_with_lines(SOURCE_TEXT_PATH.read_text("utf-8"))]


def test_a_second_import_of_the_same_file_changes_nothing(seed):
    before = counts()
    updated = dict(Case.objects.values_list("pk", "updated_at"))
    history = Case.history.count() + Section.history.count()
    assert "没有需要写入的内容" in run(SOURCE_TEXT_PATH)
    assert counts() == before
    assert dict(Case.objects.values_list("pk", "updated_at")) == updated
    assert Case.history.count() + Section.history.count() == history


def test_a_dry_run_reports_and_writes_nothing(db):
    out = run(SOURCE_TEXT_PATH, "--dry-run")
    assert "新建：通知（第四批）" in out
    assert "新建：案例 4-8" in out
    assert "试运行" in out
    assert set(counts().values()) == {0}


def test_without_publish_new_cases_are_drafts(db):
    run(SOURCE_TEXT_PATH)
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.DRAFT}
    run(SOURCE_TEXT_PATH, "--publish")
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.PUBLISHED}


def test_a_gb18030_file_imports_the_same_as_utf8(db, tmp_path):
    path = tmp_path / "notice-gb18030.txt"
    path.write_bytes(SOURCE_TEXT_PATH.read_text("utf-8").encode("gb18030"))
    run(path)
    from cases.notices.fidelity import stored_paragraphs
    from cases.notices.text import parse_notice

    expected = parse_notice(SOURCE_TEXT_PATH.read_text("utf-8"))
    assert [(c.title, c.intro) for c in Case.objects.order_by("number")] == [(c.title, c.intro) for c in expected.cases]
    assert len(stored_paragraphs(Notice.objects.get())) == 130


def test_a_new_batch_matches_existing_agencies_by_name_and_alias(seed, tmp_path):
    text = SOURCE_TEXT_PATH.read_text("utf-8").replace("第四批", "第五批")
    text = text.replace("\n  乐东黎族自治县人民法院\n", "\n  乐东法院\n", 1)  # an alias, as a later text may print it
    path = tmp_path / "batch-5.txt"
    path.write_text(text, encoding="utf-8")
    agencies = Agency.objects.count()
    run(path)
    assert Agency.objects.count() == agencies
    case = Case.objects.get(batch=5, number=6)
    assert [link.agency.slug for link in case.case_agencies.order_by("position")] == [
        "ledong-government",
        "ledong-court",
    ]
    assert Case.objects.filter(batch=5).count() == 8
    assert Metric.objects.filter(case__batch=5).count() == 0  # metrics are curated by editors


def test_a_corrected_text_updates_what_changed_and_reports_it(seed, tmp_path):
    text = SOURCE_TEXT_PATH.read_text("utf-8")
    old_title = Case.objects.get(batch=4, number=5).title
    path = tmp_path / "corrected.txt"
    path.write_text(text.replace(old_title, old_title + "（修订）", 1), encoding="utf-8")
    out = run(path)
    assert "更新：案例 4-5" in out
    assert "（修订）" in out
    assert Case.objects.get(batch=4, number=5).title == old_title + "（修订）"
    assert Case.objects.get(batch=4, number=5).history.first().history_change_reason == "导入通知文本 corrected.txt"


def test_a_correction_that_would_orphan_a_metric_fails_whole(seed, tmp_path):
    metric = Metric.objects.filter(section__isnull=False).select_related("section", "case").first()
    text = SOURCE_TEXT_PATH.read_text("utf-8")
    assert metric.printed in text
    broken = text.replace(metric.source_text, metric.source_text.replace(metric.printed, "若干"), 1)
    other_title = Case.objects.get(batch=4, number=8).title
    broken = broken.replace(other_title, other_title + "（改）", 1)  # an earlier, valid change must roll back too
    path = tmp_path / "orphan.txt"
    path.write_text(broken, encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match=f"案例{metric.case.number}的数据指标“{metric.label}”"):
        run(path)
    assert counts() == before
    assert Case.objects.get(batch=4, number=8).title == other_title


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:68] + lines[69:], "第70行：案例2缺少“一、主要做法”部分"),
        (
            lambda lines: [line.replace("优化营商环境示范案例3", "优化营商环境示范案例2") for line in lines],
            "案例序号2重复（第55行已有）",
        ),
        (lambda lines: [line.replace("2023年9月19日", "2023年13月45日") for line in lines], "第11行：成文日期无效"),
        (lambda lines: [], "第1行：文件为空"),
    ],
)
def test_a_malformed_file_fails_naming_the_line_and_writes_nothing(db, tmp_path, edit, message):
    lines = SOURCE_TEXT_PATH.read_text("utf-8").split("\n")
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(edit(lines)), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(path)
    assert set(counts().values()) == {0}


def test_a_file_in_neither_encoding_or_binary_is_refused_in_chinese(db, tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="不是纯文本"):
        run(path)
    with pytest.raises(ImportFailed, match="无法识别文件编码"):
        decode_notice(b"\xff\xfe\xfd\x81")
    with pytest.raises(CommandError, match="无法读取文件"):
        run(tmp_path / "missing.txt")


def test_imported_objects_have_history_with_the_reason(db):
    import_notice(SOURCE_TEXT_PATH.read_text("utf-8"), source_name="batch4.txt")
    record = Case.objects.get(number=1).history.get()
    assert record.history_type == "+"
    assert record.history_change_reason == "导入通知文本 batch4.txt"


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("三亚市营商环境建设局", None),  # another city's bureau, however alike its name
        ("琼海市市场监督管理局", None),  # a county's bureau is not the province's
        ("海口市营商环境局", "海口市营商环境建设局"),  # the same city: a near copy
        ("省医保局", "海南省医疗保障局"),  # the province's own short form
        ("海南农信社", "海南省农村信用社联合社"),
    ],
)
def test_an_alias_is_never_suggested_across_two_places(seed, name, suggested):
    from cases.notices.importer import closest_agency

    match = closest_agency(name)
    assert (match.name if match else None) == suggested
