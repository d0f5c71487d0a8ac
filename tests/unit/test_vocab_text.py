"""The one translation table and the one formatting module (vocab.text, vocab.fmt)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ioc.contract.catalogue import CATALOGUE
from vocab.fmt import (
    MISSING,
    fmt_date,
    fmt_datetime,
    fmt_day_month,
    fmt_number,
    fmt_pct,
    fmt_time,
    plotly_separators,
)
from vocab.text import TEXT, in_lang, lang_of, t, t_both, t_code

ROOT = Path(__file__).resolve().parents[2]


def test_every_label_has_both_languages() -> None:
    assert all(vi and en for vi, en in TEXT.values())


def test_t() -> None:
    assert t("nav.wall") == "Tổng quan" and t("nav.wall", "en") == "Overview"
    assert t("inc.count", "vi", n=3) == "3 sự cố"
    assert t("no.such.key") == "no.such.key"
    assert lang_of("en") == "en" and lang_of("fr") == "vi"
    assert t_both("forbidden") == "Không có quyền / Forbidden"
    assert t_both("forbidden", "en") == "Forbidden / Không có quyền"
    assert in_lang("en", "Phường 1", "Ward 1") == "Ward 1"
    assert in_lang("vi", "Phường 1", "Ward 1") == in_lang("fr", "Phường 1", "Ward 1") == "Phường 1"


def test_every_literal_key_in_the_code_is_in_the_table() -> None:
    """``t`` shows an unknown key as itself: a typo would reach the screen unnoticed."""
    call = re.compile(r"\bt(?:_both)?\(\s*[\"']([a-z0-9_.]+)[\"']")
    used = {
        key
        for package in ("ioc", "maps", "widgets", "vocab")
        for path in (ROOT / package).rglob("*.py")
        for key in call.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 60  # the scan finds the pages' and the maps' labels
    assert sorted(used - set(TEXT)) == []


def test_catalogue_labels_in_both_languages() -> None:
    air = CATALOGUE["air"]
    assert air.label("vi") == "Chất lượng không khí" and air.label("en") == "Air quality"
    assert (
        air.metrics["pm25"].label("vi") == "Bụi PM2.5"
        and air.metrics["pm25"].label("en") == "PM2.5"
    )
    issued = CATALOGUE["egov"].events["document.issued"]
    assert issued.label("en") == "E-document issued" and issued.label("vi") == issued.label_vi
    for d in CATALOGUE.values():
        for item in (d, *d.metrics.values(), *d.events.values()):
            assert (item.label("vi"), item.label("en")) == (item.label_vi, item.label_en)


def test_data_codes_show_labels_never_keys() -> None:
    assert t_code("cat", "ngap_ung") == "Ngập úng" and t_code("cat", "ngap_ung", "en") == "Flooding"
    assert t_code("status", "processing") == "Đang xử lý"
    assert t_code("cat", "unknown_code") == "unknown_code" and t_code("cat", None) == "–"


def test_numbers() -> None:
    assert fmt_number(1234.5, 1) == "1.234,5"
    assert fmt_number(1234.5, 1, "en") == "1,234.5"
    assert fmt_number(None) == "–" and fmt_number(float("nan")) == "–"
    assert fmt_pct(95.25, 1) == "95,2 %" or fmt_pct(95.25, 1) == "95,3 %"
    assert fmt_pct(85.7, 1) == "85,7 %" and fmt_pct(85.7, 1, "en") == "85.7 %"
    assert fmt_pct(None) == MISSING == "–"
    assert plotly_separators("vi") == ",." and plotly_separators("en") == ".,"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), None])
def test_one_missing_mark(value: float | None) -> None:
    assert fmt_number(value, 2, "vi") == fmt_number(value, 0, "en") == MISSING
    assert t_code("cat", "") == MISSING


def test_dates_in_ho_chi_minh() -> None:
    at = datetime(2026, 11, 26, 17, 30, 5, tzinfo=UTC)
    assert fmt_datetime(at) == "27/11/2026 00:30"
    assert fmt_datetime(at, date_only=True) == "27/11/2026"
    assert fmt_datetime(at, seconds=True) == "27/11/2026 00:30:05"
    assert fmt_datetime(at.timestamp()) == "27/11/2026 00:30"
    assert fmt_datetime(at.replace(tzinfo=None)) == "27/11/2026 00:30"  # naive means UTC
    assert fmt_datetime(None) == MISSING
    assert fmt_time(at) == "00:30" and fmt_time(at.timestamp(), seconds=True) == "00:30:05"
    assert fmt_date(date(2026, 3, 4)) == "04/03/2026" and fmt_date("2026-03-04") == "04/03/2026"
    assert fmt_day_month("2026-03-04") == "04/03" == fmt_day_month(date(2026, 3, 4))
