"""What a form's values become before a service sees them (app/forms.py), and which text an
event may carry at all (app/text_gate.py). benchmarks/fuzz.py and tests/e2e/test_fuzz_forms.py
send every form handler such input over the real websocket."""

from app.forms import form_id, form_text
from app.text_gate import readable, visible


def test_form_text_is_the_text_sent_and_nothing_else():
    form = {"name": "张三", "none": None, "list": ["a"], "dict": {"a": 1}, "tick": True}
    assert form_text(form, "name") == "张三"
    assert [form_text(form, k) for k in ("none", "list", "dict", "tick", "missing")] == [""] * 5


def test_form_id_is_a_row_id_or_zero():
    assert [form_id(v) for v in ("12", " 7 ", "１２", "2147483647")] == [12, 7, 12, 2147483647]
    refused = ["", "-1", "1.5", "²", "①", "٣", "abc", "2147483648", "9" * 5000, None, 12, [], True]
    assert [form_id(v) for v in refused] == [0] * len(refused)


def test_text_no_one_types_is_refused_and_what_no_one_sees_dropped():
    assert readable({"form": {"note": "第一行\n第二行\t完", "tick": True, "n": None}})
    for bad in ("\ud800", "a\x00b", "\x08", "\x1b[31m", "\u202eevil", "\u2067x"):
        assert not readable({"form": {"name": bad}}), repr(bad)
        assert not readable({"form": {bad: "key"}}), repr(bad)
    assert not readable({"form": {"x": [[[["\udc80"]]]]}})
    deep: object = "x"
    for _ in range(300):
        deep = [deep]
    assert not readable({"form": {"x": deep}})
    assert visible({"form": {"name": "\u200b张\ufeff三\u2060", "l": ["\u200b"]}}) == {
        "form": {"name": "张三", "l": [""]}
    }
