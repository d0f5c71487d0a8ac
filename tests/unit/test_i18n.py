"""The translation table and Vietnamese formatting."""

from __future__ import annotations

from datetime import UTC, datetime

from ioc.i18n import TEXT, fmt_datetime, fmt_number, fmt_pct, lang_of, t, t_code


def test_every_label_has_both_languages() -> None:
    assert all(vi and en for vi, en in TEXT.values())


def test_t() -> None:
    assert t("nav.wall") == "Tổng quan" and t("nav.wall", "en") == "Overview"
    assert t("inc.count", "vi", n=3) == "3 sự cố"
    assert t("no.such.key") == "no.such.key"
    assert lang_of("en") == "en" and lang_of("fr") == "vi"


def test_data_codes_show_labels_never_keys() -> None:
    assert t_code("cat", "ngap_ung") == "Ngập úng" and t_code("cat", "ngap_ung", "en") == "Flooding"
    assert t_code("status", "processing") == "Đang xử lý"
    assert t_code("cat", "unknown_code") == "unknown_code" and t_code("cat", None) == "–"


def test_numbers() -> None:
    assert fmt_number(1234.5, 1) == "1.234,5"
    assert fmt_number(1234.5, 1, "en") == "1,234.5"
    assert fmt_number(None) == "–" and fmt_number(float("nan")) == "–"
    assert fmt_pct(95.25, 1) == "95,2 %" or fmt_pct(95.25, 1) == "95,3 %"


def test_dates_in_ho_chi_minh() -> None:
    at = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    assert fmt_datetime(at) == "27/11/2026 00:30"
    assert fmt_datetime(at, date_only=True) == "27/11/2026"
