from decimal import Decimal

import pytest

from cases.figures import FigureError, locate, parse_figure, same_unit


@pytest.mark.parametrize(
    ("printed", "value", "upper", "unit", "approximate"),
    [
        ("约900万份", "9000000", None, "份", True),
        ("15.1万次", "151000", None, "次", False),
        ("约26亿条", "2600000000", None, "条", True),
        ("2000余人次", "2000", None, "人次", True),
        ("30多种", "30", None, "种", True),
        ("98%以上", "98", None, "%", True),
        ("5个工作日以内", "5", None, "个工作日", False),
        ("约0.3-0.5元/千瓦时", "0.3", "0.5", "元/千瓦时", True),
        ("2.06:1", "2.06", None, ":1", False),
        ("1.04个小时", "1.04", None, "个小时", False),
    ],
)
def test_printed_figures_are_read_at_full_magnitude(printed, value, upper, unit, approximate):
    figure = parse_figure(printed)
    assert figure.value == Decimal(value)
    assert figure.upper_value == (Decimal(upper) if upper else None)
    assert (figure.unit, figure.approximate) == (unit, approximate)


def test_text_without_a_number_is_not_a_figure():
    with pytest.raises(FigureError):
        parse_figure("大幅压缩")


def test_a_figure_is_not_found_inside_a_larger_number():
    text = "卡码互认约15.1万次,检查检验报告查询5.1万次"
    assert locate("5.1万次", text) == text.rindex("5.1万次")
    assert locate("9.1万次", text) == -1


def test_measure_words_do_not_make_units_differ():
    assert same_unit("个小时", "小时")
    assert not same_unit("小时", "天")
