"""Registry: GB 32100-2015 check character, import checks naming row and field, nothing stored on error."""

from __future__ import annotations

import pandas as pd
import pytest

from qinggong.collect import credit_code_check_char, is_valid_credit_code, make_credit_code, register_enterprises
from qinggong.collect.registry import read_registry_file
from qinggong.errors import InputError


def test_check_character_of_published_example():
    # The worked example of GB 32100-2015 (福建): 91350100M000100Y4 + check character 3.
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")
    assert not is_valid_credit_code("91350100M000100Y4")  # 17 characters
    code = make_credit_code("330102", 1234567)
    assert is_valid_credit_code(code) and code[2:8] == "330102"


def _rows(**override):
    base = {
        "统一社会信用代码": make_credit_code("330102", 1),
        "企业名称": "杭州试验食品有限公司",
        "行业代码": "1431",
        "地区代码": "330102",
        "规模": "中型",
        "规上企业": "是",
        "重点企业": "否",
        "开业日期": "2020-03-01",
        "停业日期": "",
    }
    second = {**base, "统一社会信用代码": make_credit_code("440305", 2), "企业名称": "深圳试验家具有限公司",
              "行业代码": "2110", "地区代码": "440305"}
    second.update(override)
    return pd.DataFrame([base, second])


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ({"统一社会信用代码": "91440305000000002X"}, "统一社会信用代码", "校验码"),
        ({"行业代码": "9999"}, "行业代码", "小类"),
        ({"行业代码": "21"}, "行业代码", "不是小类"),
        ({"地区代码": "990000"}, "地区代码", "省级"),
        ({"开业日期": "去年"}, "开业日期", "日期"),
    ],
)
def test_bad_registry_rows_name_row_and_field_and_store_nothing(store, override, field, words):
    with pytest.raises(InputError) as caught:
        register_enterprises(store, _rows(**override), file="名录.csv")
    err = caught.value
    assert err.row == 3 and err.field == field and words in err.reason
    assert "第 3 行" in str(err) and "名录.csv" in str(err)
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise") == 0


def test_import_csv_and_update(store, tmp_path):
    path = tmp_path / "名录.csv"
    _rows().to_csv(path, index=False, encoding="utf-8-sig")
    result = register_enterprises(store, read_registry_file(path), file=path.name)
    assert result == {"rows": 2, "new": 2, "updated": 0}
    again = register_enterprises(store, _rows(**{"企业名称": "深圳试验家具股份有限公司"}))
    assert again["updated"] == 2
    names = sorted(r[0] for r in store.backend.fetchall("SELECT name FROM enterprise"))
    assert names == ["杭州试验食品有限公司", "深圳试验家具股份有限公司"]


def test_vectorised_credit_code_check_agrees_with_the_rule():
    import random

    from qinggong.collect.creditcode import ALPHABET, valid_credit_codes

    rng = random.Random(7)
    good = [make_credit_code(rng.choice(["330102", "440305", "110101"]), rng.randrange(10**8)) for _ in range(300)]
    codes = good + [c[:17] + rng.choice(ALPHABET) for c in good] + ["".join(rng.choice(ALPHABET) for _ in range(18))
                                                                     for _ in range(300)]
    codes += ["", "91350100M000100Y4", "91350100M000100Y43", "91350100M000100YI3", "9135010中M000100Y43", "x" * 18]
    assert valid_credit_codes(codes).tolist() == [is_valid_credit_code(c) for c in codes]


def test_the_first_bad_row_of_a_large_registry_is_named(store):
    # Columns are checked whole; the row named is still the first bad one, with the message a
    # row-by-row check gives (a duplicate names the row it repeats), and nothing is stored.
    rows = pd.concat([_rows()] * 300, ignore_index=True)
    rows["统一社会信用代码"] = [make_credit_code("330102", 1000 + i) for i in range(len(rows))]
    rows.loc[400, "统一社会信用代码"] = rows.loc[123, "统一社会信用代码"]
    rows.loc[450, "开业日期"] = "去年"
    with pytest.raises(InputError) as caught:
        register_enterprises(store, rows)
    assert caught.value.row == 402 and "与第 125 行重复" in caught.value.reason
    rows.loc[400, "统一社会信用代码"] = make_credit_code("330102", 99999)
    rows.loc[30, "停业日期"] = "2019-01-01"  # before its 开业日期 2020-03-01
    with pytest.raises(InputError) as caught:
        register_enterprises(store, rows)
    assert caught.value.row == 32 and caught.value.field == "停业日期" and "早于开业日期" in caught.value.reason
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise") == 0
    rows.loc[30, "停业日期"] = "2024-06-30"
    rows.loc[450, "开业日期"] = "2021-05-01"
    rows["生成数据"] = ["是" if i % 2 else "否" for i in range(len(rows))]
    assert register_enterprises(store, rows)["new"] == 600
    stored = store.backend.fetch_df("SELECT credit_code, name, exit_date, generated, above_scale FROM enterprise")
    by_code = stored.set_index("credit_code")
    assert by_code["generated"].sum() == 300 and by_code["above_scale"].all()
    assert by_code["name"].str.startswith("（生成）").sum() == 300
    assert str(by_code.loc[rows.loc[30, "统一社会信用代码"], "exit_date"])[:10] == "2024-06-30"
