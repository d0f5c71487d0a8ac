"""The one translation table of the control room, and Vietnamese date / number formatting.

Every user-facing label goes through :func:`t`; pages and widgets never hold
their own strings.  Vietnamese is the default, English the second language.
Times are stored in UTC and shown in Asia/Ho_Chi_Minh as ``dd/mm/yyyy HH:MM``;
numbers use ``.`` for thousands and ``,`` for decimals in Vietnamese.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "LANGS",
    "TEXT",
    "TZ",
    "Lang",
    "fmt_datetime",
    "fmt_number",
    "fmt_pct",
    "lang_of",
    "t",
    "t_code",
]

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# key -> (Vietnamese, English)
TEXT: dict[str, tuple[str, str]] = {
    "app.title": ("Trung tâm Điều hành Thông minh Tân An", "Tân An Intelligent Operations Center"),
    "app.short": ("IOC Tân An", "Tân An IOC"),
    "nav.wall": ("Tổng quan", "Overview"),
    "nav.map": ("Bản đồ", "Map"),
    "nav.covid": ("COVID-19", "COVID-19"),
    "nav.services": ("Dịch vụ công", "Public services"),
    "nav.incidents": ("Sự cố", "Incidents"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "lang.switch": ("English", "Tiếng Việt"),
    "login.title": ("Đăng nhập", "Sign in"),
    "login.user": ("Tên đăng nhập", "User name"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong user name or password"),
    "forbidden": ("Không có quyền", "Forbidden"),
    "forbidden.detail": (
        "Tài khoản của bạn không được xem dữ liệu này.",
        "Your account may not see this data.",
    ),
    "notfound": ("Không tìm thấy phường / xã", "Ward not found"),
    "error.panel": ("Không tải được dữ liệu", "Could not load data"),
    "empty": ("Chưa có dữ liệu", "No data yet"),
    "fresh.ok": ("Dữ liệu cập nhật", "Data live"),
    "fresh.stale": ("Mất tín hiệu", "Feeds stopped"),
    "fresh.never": ("Chưa nhận dữ liệu", "No data received"),
    "fresh.ago": ("cách đây {s} giây", "{s} s ago"),
    "fresh.nolive": ("Mất kết nối dữ liệu trực tiếp", "Live data unavailable"),
    "kpi.incidents": ("Sự cố đang mở", "Open incidents"),
    "kpi.devices": ("Thiết bị trực tuyến", "Devices online"),
    "kpi.offline": ("ngoại tuyến", "offline"),
    "kpi.aqi": ("Chỉ số AQI thành phố", "City AQI"),
    "kpi.river": ("Mực nước sông", "River level"),
    "kpi.dossiers": ("Hồ sơ tiếp nhận hôm nay", "Dossiers received today"),
    "kpi.ontime": ("đúng hạn", "on time"),
    "kpi.reports": ("Phản ánh đang mở", "Open citizen reports"),
    "aqi.good": ("Tốt", "Good"),
    "aqi.moderate": ("Trung bình", "Moderate"),
    "aqi.usg": ("Kém", "Poor"),
    "aqi.unhealthy": ("Xấu", "Bad"),
    "aqi.very": ("Rất xấu", "Very bad"),
    "aqi.hazardous": ("Nguy hại", "Hazardous"),
    "river.normal": ("Dưới báo động", "Below alert"),
    "river.warning": ("Báo động I", "Alert I"),
    "river.alarm": ("Báo động II+", "Alert II+"),
    "sev.low": ("Thấp", "Low"),
    "sev.medium": ("Trung bình", "Medium"),
    "sev.high": ("Cao", "High"),
    "sev.critical": ("Nghiêm trọng", "Critical"),
    "status.open": ("Mới", "Open"),
    "status.acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "status.dispatched": ("Đã điều phối", "Dispatched"),
    "status.resolved": ("Đã xử lý", "Resolved"),
    "status.closed": ("Đã đóng", "Closed"),
    "status.new": ("Mới", "New"),
    "status.processing": ("Đang xử lý", "In progress"),
    "cat.giao_thong": ("Giao thông", "Traffic"),
    "cat.moi_truong": ("Môi trường", "Environment"),
    "cat.trat_tu_do_thi": ("Trật tự đô thị", "Urban order"),
    "cat.chieu_sang": ("Chiếu sáng", "Street lighting"),
    "cat.ngap_ung": ("Ngập úng", "Flooding"),
    "cat.khac": ("Khác", "Other"),
    "col.time": ("Thời gian", "Time"),
    "col.ward": ("Phường / xã", "Ward"),
    "col.domain": ("Lĩnh vực", "Domain"),
    "col.severity": ("Mức độ", "Severity"),
    "col.status": ("Trạng thái", "Status"),
    "col.title": ("Nội dung", "Title"),
    "col.device": ("Thiết bị", "Device"),
    "col.metric": ("Chỉ số", "Metric"),
    "col.value": ("Giá trị", "Value"),
    "col.seen": ("Cập nhật", "Last seen"),
    "col.category": ("Loại", "Category"),
    "col.level": ("Cấp độ", "Level"),
    "col.cases100k": ("Ca mới / 100.000 dân / 7 ngày", "New cases / 100k / 7 days"),
    "col.vacc": ("Tiêm mũi 1 (%)", "Dose 1 coverage (%)"),
    "col.procedure": ("Thủ tục", "Procedure"),
    "col.dossier": ("Số hồ sơ", "Dossier no."),
    "ticker.empty": ("Không có sự cố đang mở", "No open incidents"),
    "map.domain": ("Lĩnh vực", "Domain"),
    "map.metric": ("Chỉ số", "Metric"),
    "map.window": ("Khoảng thời gian", "Time window"),
    "map.hint": ("Bấm vào phường để xem chi tiết", "Click a ward to drill down"),
    "win.live": ("Hiện tại", "Live"),
    "win.hour": ("1 giờ", "1 hour"),
    "win.day": ("24 giờ", "24 hours"),
    "win.week": ("7 ngày", "7 days"),
    "win.month": ("30 ngày", "30 days"),
    "ward.devices": ("Thiết bị và giá trị mới nhất", "Devices and latest values"),
    "ward.series": ("Diễn biến", "Time series"),
    "ward.incidents": ("Sự cố của phường", "Ward incidents"),
    "ward.reports": ("Phản ánh hiện trường", "Citizen reports"),
    "ward.services": ("Dịch vụ công (30 ngày)", "Public services (30 days)"),
    "ward.covid": ("Lịch sử cấp độ dịch", "Epidemic level history"),
    "ward.population": ("Dân số", "Population"),
    "ward.area": ("Diện tích", "Area"),
    "covid.title": ("Cấp độ dịch COVID-19", "COVID-19 epidemic levels"),
    "covid.date": ("Ngày", "Date"),
    "covid.trend": ("Xu hướng toàn thành phố", "City trend"),
    "covid.table": ("Bảng cấp độ", "Level table"),
    "covid.new": ("Ca mắc mới", "New cases"),
    "covid.level": ("Cấp {n}", "Level {n}"),
    "svc.title": ("Chính quyền số và dịch vụ công", "Digital government and public services"),
    "svc.received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "svc.online": ("Trực tuyến", "Online"),
    "svc.in_person": ("Trực tiếp", "In person"),
    "svc.resolved": ("Đã giải quyết", "Resolved"),
    "svc.ontime": ("Tỷ lệ đúng hạn", "On-time rate"),
    "svc.overdue": ("Hồ sơ quá hạn", "Overdue dossiers"),
    "svc.level34": ("Tỷ lệ DVC mức 3 / 4", "Level 3 / 4 share"),
    "svc.docs": ("Văn bản điện tử phát hành", "E-documents issued"),
    "svc.signed": ("Tỷ lệ ký số", "Digitally signed share"),
    "svc.meetings": ("Họp trực tuyến", "Online meetings"),
    "svc.by_day": ("Theo ngày", "By day"),
    "svc.by_ward": ("Theo phường / xã", "By ward"),
    "svc.target": ("Mục tiêu {v}", "Target {v}"),
    "inc.title": ("Danh sách sự cố", "Incident list"),
    "inc.all": ("Tất cả", "All"),
    "inc.count": ("{n} sự cố", "{n} incidents"),
}


def lang_of(value: object) -> Lang:
    """Any user-supplied language value, reduced to a supported one (Vietnamese by default)."""
    return "en" if value == "en" else "vi"


def t(key: str, lang: str = "vi", **fmt: object) -> str:
    """The label ``key`` in ``lang``; an unknown key shows itself so it is noticed, not hidden."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fmt) if fmt else text


def t_code(prefix: str, code: str | None, lang: str = "vi") -> str:
    """The label of a data code (``t_code("cat", "ngap_ung")`` → "Ngập úng"); an unknown
    code shows as it is, a missing one as ``–``, never as a translation key."""
    if not code:
        return "–"
    return t(f"{prefix}.{code}", lang) if f"{prefix}.{code}" in TEXT else code


def fmt_number(value: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; ``–`` for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_pct(value: float | None, decimals: int = 1, lang: str = "vi") -> str:
    return "–" if value is None else f"{fmt_number(value, decimals, lang)} %"


def fmt_datetime(
    value: datetime | float | None, *, seconds: bool = False, date_only: bool = False
) -> str:
    """``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh, from an aware datetime or epoch seconds."""
    if value is None:
        return "–"
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(TZ)
    if date_only:
        return local.strftime("%d/%m/%Y")
    return local.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
