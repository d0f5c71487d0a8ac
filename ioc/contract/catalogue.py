"""The metric catalogue: every domain, metric and event type the wire contract accepts.

Each metric has a unit, a valid physical range (values outside it are rejected
as sensor faults, not stored) and, where the city has one, warning and alarm
levels used to colour devices and open incidents.  Labels are Vietnamese
first, English second.  Adding a metric is an additive change to the contract;
removing or renaming one is not (version the topic root instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vocab.text import in_lang

__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "Domain",
    "EventType",
    "Metric",
    "domain",
    "metric",
]

Kind = Literal["telemetry", "event"]


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    unit: str
    min: float
    max: float
    label_vi: str
    label_en: str
    warning: float | None = None
    alarm: float | None = None
    # "high" when large values are bad (PM2.5), "low" when small values are (speed).
    bad: Literal["high", "low"] = "high"
    # How a ward combines its devices: mean of a level, sum of a count.
    ward_agg: Literal["avg", "sum", "max"] = "avg"
    # How often a device sends it (seconds); None: the domain's cadence.  A feed is
    # late, then offline, after several cadences without a message (ioc.rules.feeds).
    cadence_s: float | None = None

    def label(self, lang: str) -> str:
        return in_lang(lang, self.label_vi, self.label_en)

    def in_range(self, value: float) -> bool:
        return self.min <= value <= self.max

    def state(self, value: float) -> Literal["ok", "warning", "alarm"]:
        """Classify a value against the warning / alarm levels."""
        if self.alarm is not None and _worse(value, self.alarm, self.bad):
            return "alarm"
        if self.warning is not None and _worse(value, self.warning, self.bad):
            return "warning"
        return "ok"


def _worse(value: float, level: float, bad: str) -> bool:
    return value >= level if bad == "high" else value <= level


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    label_vi: str
    label_en: str
    severity: Literal["info", "low", "medium", "high", "critical"] = "info"

    def label(self, lang: str) -> str:
        return in_lang(lang, self.label_vi, self.label_en)


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    kind: Kind
    label_vi: str
    label_en: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    events: dict[str, EventType] = field(default_factory=dict)
    # Accepted from city-level sources too (the reserved city code in the ward position).
    city: bool = False
    cadence_s: float = 300.0  # how often a device of the domain reports (telemetry)

    def label(self, lang: str) -> str:
        return in_lang(lang, self.label_vi, self.label_en)

    def cadence(self, metric: str | None = None) -> float:
        """The expected seconds between messages of ``metric`` (the domain's by default)."""
        m = self.metrics.get(metric) if metric else None
        return m.cadence_s if m is not None and m.cadence_s is not None else self.cadence_s


def _m(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


def _e(*events: EventType) -> dict[str, EventType]:
    return {e.name: e for e in events}


# Air: thresholds from QCVN 05:2023/BTNMT (24 h limits) where they exist;
# PM2.5 warning at the 24 h limit (50 µg/m³), alarm at VN_AQI "bad" (~150).
_AIR = Domain(
    "air",
    "telemetry",
    "Chất lượng không khí",
    "Air quality",
    metrics=_m(
        Metric("pm25", "µg/m³", 0, 1000, "Bụi PM2.5", "PM2.5", 50, 150),
        Metric("pm10", "µg/m³", 0, 2000, "Bụi PM10", "PM10", 100, 250),
        Metric("no2", "µg/m³", 0, 2000, "NO₂", "NO₂", 100, 200),
        Metric("so2", "µg/m³", 0, 2000, "SO₂", "SO₂", 125, 350),
        Metric("co", "µg/m³", 0, 100_000, "CO", "CO", 10_000, 30_000),
        Metric("o3", "µg/m³", 0, 1000, "O₃", "O₃", 120, 200),
        Metric("temperature_c", "°C", -10, 60, "Nhiệt độ", "Temperature", 37, 40),
        Metric("humidity_pct", "%", 0, 100, "Độ ẩm", "Humidity"),
    ),
)

# Water: the river warning / alarm levels here are defaults for the simulator's
# gauge datum; the city sets its station's báo động I-III levels in the rules.
_WATER = Domain(
    "water",
    "telemetry",
    "Thủy văn",
    "Water",
    metrics=_m(
        Metric("level_m", "m", -3, 6, "Mực nước", "Water level", 1.65, 1.85, ward_agg="max"),
        Metric(
            "salinity_ppt", "‰", 0, 40, "Độ mặn", "Salinity", 1, 4, ward_agg="max", cadence_s=900
        ),
        Metric("rain_mm", "mm", 0, 500, "Lượng mưa", "Rainfall", 50, 100, ward_agg="max"),
        Metric(
            "flood_depth_cm",
            "cm",
            0,
            300,
            "Ngập đường",
            "Street flooding",
            10,
            30,
            ward_agg="max",
            cadence_s=120,
        ),
    ),
    cadence_s=900,  # the slowest of its metrics, for a device whose metrics are not known
)

_TRAFFIC = Domain(
    "traffic",
    "telemetry",
    "Giao thông",
    "Traffic",
    metrics=_m(
        Metric(
            "vehicles_per_min",
            "xe/phút",
            0,
            1000,
            "Lưu lượng xe",
            "Vehicles per minute",
            ward_agg="sum",
        ),
        Metric("speed_kmh", "km/h", 0, 200, "Tốc độ", "Speed", 15, 8, bad="low"),
        Metric("occupancy_pct", "%", 0, 100, "Mật độ chiếm đường", "Occupancy", 60, 85),
    ),
    cadence_s=60,
)

_LIGHTING = Domain(
    "lighting",
    "telemetry",
    "Chiếu sáng",
    "Street lighting",
    metrics=_m(
        Metric("power_kw", "kW", 0, 500, "Công suất", "Power", ward_agg="sum"),
        Metric("lamps_on", "đèn", 0, 10_000, "Đèn sáng", "Lamps on", ward_agg="sum"),
        Metric("lamps_fault", "đèn", 0, 10_000, "Đèn hỏng", "Lamp faults", 3, 10, ward_agg="sum"),
    ),
)

# Noise: QCVN 26:2010/BTNMT, 70 dBA daytime limit for ordinary areas.
_NOISE = Domain(
    "noise",
    "telemetry",
    "Tiếng ồn",
    "Noise",
    metrics=_m(Metric("laeq_db", "dBA", 0, 160, "Độ ồn", "Noise level", 70, 85)),
    cadence_s=120,
)

_HEALTH = Domain(
    "health",
    "telemetry",
    "Y tế / COVID-19",
    "Health / COVID-19",
    metrics=_m(
        Metric("covid_new_cases", "ca", 0, 1_000_000, "Ca mắc mới", "New cases", ward_agg="sum"),
        Metric("covid_active", "ca", 0, 1_000_000, "Đang điều trị", "Active cases", ward_agg="sum"),
        Metric("covid_recovered", "ca", 0, 10_000_000, "Khỏi bệnh", "Recovered", ward_agg="sum"),
        Metric("covid_deaths", "ca", 0, 1_000_000, "Tử vong", "Deaths", ward_agg="sum"),
        Metric("vaccinated_dose1", "người", 0, 10_000_000, "Tiêm mũi 1", "Dose 1", ward_agg="sum"),
        Metric("vaccinated_dose2", "người", 0, 10_000_000, "Tiêm mũi 2", "Dose 2", ward_agg="sum"),
    ),
    cadence_s=86_400,  # daily reports
)

_SERVICES = Domain(
    "services",
    "event",
    "Dịch vụ công",
    "Public services",
    events=_e(
        EventType("dossier.received", "Tiếp nhận hồ sơ", "Dossier received"),
        EventType("dossier.resolved", "Giải quyết hồ sơ", "Dossier resolved"),
        EventType("dossier.overdue", "Hồ sơ quá hạn", "Dossier overdue", "medium"),
    ),
)

_REPORTS = Domain(
    "reports",
    "event",
    "Phản ánh hiện trường",
    "Citizen reports",
    events=_e(
        EventType("report.created", "Phản ánh mới", "New report", "low"),
        EventType("report.updated", "Cập nhật phản ánh", "Report updated"),
        EventType("report.closed", "Đóng phản ánh", "Report closed"),
    ),
)

_SECURITY = Domain(
    "security",
    "event",
    "An toàn thông tin",
    "Information security",
    events=_e(
        EventType("alert.raised", "Cảnh báo ATTT", "Security alert", "high"),
        EventType("alert.resolved", "Đã xử lý cảnh báo", "Alert resolved"),
    ),
    city=True,
)

_EGOV = Domain(
    "egov",
    "event",
    "Chính quyền số",
    "E-government",
    events=_e(
        EventType("document.issued", "Văn bản điện tử phát hành", "E-document issued"),
        EventType("document.signed", "Văn bản ký số", "E-document signed"),
        EventType("meeting.held", "Họp trực tuyến", "Online meeting"),
    ),
    city=True,
)

# Traffic accidents and device faults reported by field systems as events.
_INCIDENT_FEEDS = Domain(
    "alerts",
    "event",
    "Cảnh báo hiện trường",
    "Field alerts",
    events=_e(
        EventType("traffic.accident", "Tai nạn giao thông", "Traffic accident", "high"),
        EventType(
            "lighting.cabinet_fault", "Sự cố tủ chiếu sáng", "Lighting cabinet fault", "medium"
        ),
        EventType("flood.reported", "Ngập úng", "Flooding reported", "high"),
    ),
)

CATALOGUE: dict[str, Domain] = {
    d.name: d
    for d in (
        _AIR,
        _WATER,
        _TRAFFIC,
        _LIGHTING,
        _NOISE,
        _HEALTH,
        _SERVICES,
        _REPORTS,
        _SECURITY,
        _EGOV,
        _INCIDENT_FEEDS,
    )
}

EVENT_TYPES: dict[str, EventType] = {
    name: et for d in CATALOGUE.values() for name, et in d.events.items()
}


def domain(name: str) -> Domain:
    return CATALOGUE[name]


def metric(domain_name: str, metric_name: str) -> Metric:
    return CATALOGUE[domain_name].metrics[metric_name]
