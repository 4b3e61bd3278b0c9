"""The notice-text reader: exact round trip, and clear errors that name the line."""

import pytest

from cases.notices.fidelity import source_paragraphs
from cases.notices.text import NoticeFormatError, cn_to_int, parse_notice, render_notice


def test_reading_then_writing_the_seed_text_gives_back_every_paragraph(source_text):
    assert render_notice(parse_notice(source_text)) == source_paragraphs(source_text)


def test_reading_the_seed_text_finds_the_batch_and_its_eight_cases(source_text):
    notice = parse_notice(source_text)
    assert notice.batch == 4
    assert [case.number for case in notice.cases] == list(range(1, 9))
    assert notice.cases[6].agencies == ["国家税务总局海南省税务局", "海南省社会保险服务中心", "海南省农村信用社联合社"]
    assert notice.cases[6].subtitle == "构建“以费促信、以信换贷、以贷利民”新格局"


def test_a_byte_order_mark_and_windows_line_endings_are_accepted(source_text):
    text = "\ufeff" + source_text.replace("\n", "\r\n")
    assert len(parse_notice(text).cases) == 8


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_case_without_its_measures_section_is_refused_naming_the_line(source_text):
    broken = source_text.replace("  一、主要做法\n\n  (一)建立“三医联动大厅”", "  (一)建立“三医联动大厅”", 1)
    with pytest.raises(NoticeFormatError, match="案例1缺少“一、主要做法”部分") as error:
        parse_notice(broken)
    assert error.value.line == line_of(broken, "(一)建立“三医联动大厅”")
    assert str(error.value).startswith(f"第{error.value.line}行")


def test_two_cases_with_the_same_number_are_refused_naming_the_second(source_text):
    broken = source_text.replace("优化营商环境示范案例3", "优化营商环境示范案例2", 1)
    with pytest.raises(NoticeFormatError, match="案例序号2重复") as error:
        parse_notice(broken)
    assert error.value.line == line_of(broken, "优化营商环境示范案例2\n\n  深化")


def test_an_impossible_date_is_refused(source_text):
    with pytest.raises(NoticeFormatError, match="成文日期无效") as error:
        parse_notice(source_text.replace("2023年9月19日", "2023年9月31日", 1))
    assert error.value.line == line_of(source_text, "2023年9月19日")


def test_an_empty_file_is_refused():
    with pytest.raises(NoticeFormatError, match="文件为空"):
        parse_notice("  \n\n")


def test_text_that_is_not_a_notice_is_refused_on_line_one():
    with pytest.raises(NoticeFormatError) as error:
        parse_notice("这不是一份通知\n\n只是两行文字")
    assert error.value.line == 1


@pytest.mark.parametrize(
    ("text", "value"), [("一", 1), ("四", 4), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23)]
)
def test_chinese_batch_numbers_are_read(text, value):
    assert cn_to_int(text) == value
