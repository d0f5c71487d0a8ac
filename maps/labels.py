"""The map figures' user-facing text, Vietnamese first (maps may not import ``ioc``).

Keys mirror the app's translation table style: ``t("maps.no_data", "en")``.
"""

from __future__ import annotations

__all__ = ["TEXT", "t"]

# key -> (Vietnamese, English)
TEXT: dict[str, tuple[str, str]] = {
    "maps.no_data": ("không có dữ liệu", "no data"),
    "maps.schematic": (
        "Sơ đồ minh họa – không phải ranh giới thật",
        "Schematic – not real boundaries",
    ),
    "maps.ward": ("Phường/xã", "Ward"),
    "state.ok": ("Bình thường", "OK"),
    "state.warning": ("Cảnh báo", "Warning"),
    "state.alarm": ("Báo động", "Alarm"),
    "state.offline": ("Mất kết nối", "Offline"),
    "maps.device": ("Thiết bị", "Device"),
    "maps.domain": ("Lĩnh vực", "Domain"),
    "maps.state": ("Trạng thái", "State"),
    "maps.incident": ("Sự cố", "Incident"),
    "maps.severity": ("Mức độ", "Severity"),
    "maps.report": ("Phản ánh", "Citizen report"),
    "maps.category": ("Loại", "Category"),
    "maps.status": ("Tình trạng", "Status"),
    "covid.cases": ("Ca mới/100.000 dân/tuần", "New cases per 100k per week"),
    "covid.vaccination": ("Tỷ lệ tiêm vắc xin", "Vaccination coverage"),
    "covid.level": ("Cấp độ dịch", "Epidemic level"),
    "covid.title": ("Cấp độ dịch COVID-19 theo phường/xã", "COVID-19 epidemic level by ward"),
}


def t(key: str, lang: str = "vi") -> str:
    vi, en = TEXT[key]
    return en if lang == "en" else vi
