"""The one translation table: every user-facing word of the app, the maps and the widgets.

Every label goes through :func:`t` (Vietnamese first, English second); pages,
map figures and widgets hold no strings of their own.  Numbers, dates and the
missing-value mark are in :mod:`vocab.fmt`.  Pure: standard library only.
"""

from __future__ import annotations

from typing import Literal

from vocab.fmt import MISSING

__all__ = ["LANGS", "TEXT", "Lang", "in_lang", "lang_of", "t", "t_both", "t_code"]

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
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
    "nav.alerting": ("Quy tắc cảnh báo", "Alerting"),
    "lang.switch": ("English", "Tiếng Việt"),
    "login.title": ("Đăng nhập", "Sign in"),
    "login.user": ("Tên đăng nhập", "User name"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong user name or password"),
    "login.busy": (
        "Hệ thống đang bận, vui lòng thử lại sau giây lát.",
        "The system is busy; try again in a moment.",
    ),
    "login.throttled": (
        "Quá nhiều lần đăng nhập. Thử lại sau {minutes} phút.",
        "Too many sign-in attempts. Try again in {minutes} min.",
    ),
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
    "kpi.late": ("chậm", "late"),
    "kpi.aqi": ("Chỉ số AQI thành phố", "City AQI"),
    "kpi.river": ("Mực nước sông", "River level"),
    "kpi.dossiers": ("Hồ sơ tiếp nhận hôm nay", "Dossiers received today"),
    "kpi.ontime": ("đúng hạn", "on time"),
    "kpi.reports": ("Phản ánh đang mở", "Open citizen reports"),
    "aqi.good": ("Tốt", "Good"),
    "aqi.moderate": ("Trung bình", "Moderate"),
    "aqi.poor": ("Kém", "Poor"),
    "aqi.bad": ("Xấu", "Bad"),
    "aqi.very_bad": ("Rất xấu", "Very bad"),
    "aqi.hazardous": ("Nguy hại", "Hazardous"),
    "aqi.dominant": ("chất chính {p}", "dominant {p}"),
    "aqi.band": ("VN_AQI {band}", "VN_AQI {band}"),
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
    "col.state": ("Trạng thái", "State"),
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
    "covid.level.1": ("Cấp 1 – Nguy cơ thấp (xanh)", "Level 1 – Low risk (green)"),
    "covid.level.2": ("Cấp 2 – Nguy cơ trung bình (vàng)", "Level 2 – Medium risk (yellow)"),
    "covid.level.3": ("Cấp 3 – Nguy cơ cao (cam)", "Level 3 – High risk (orange)"),
    "covid.level.4": ("Cấp 4 – Nguy cơ rất cao (đỏ)", "Level 4 – Very high risk (red)"),
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
    "page.ward": ("Phường", "Ward"),
    # Incident operations: actions, the timeline, the detail view, refusals.
    "city": ("Toàn thành phố", "City-wide"),
    "act.ack": ("Tiếp nhận", "Acknowledge"),
    "act.dispatch": ("Điều phối", "Dispatch"),
    "act.comment": ("Ghi chú", "Comment"),
    "act.resolve": ("Báo đã xử lý", "Resolve"),
    "act.close": ("Đóng sự cố", "Close"),
    "act.reopen": ("Mở lại", "Reopen"),
    "act.done": ("Đã ghi: {action}", "Done: {action}"),
    "act.err.not_found": ("Không tìm thấy sự cố #{id}", "Incident #{id} not found"),
    "act.err.role": (
        "Vai trò của bạn không được phép thực hiện «{action}»",
        "Your role may not {action} incidents",
    ),
    "act.err.ward": (
        "Sự cố này không thuộc phường / xã bạn phụ trách",
        "This incident is outside your wards",
    ),
    "act.err.conflict": (
        "{actor} đã cập nhật sự cố này trước bạn («{did}»), hiện ở trạng thái «{status}». "
        "Đã tải lại: hãy kiểm tra rồi thao tác lại.",
        "{actor} changed this incident first ({did}); it is now {status}. "
        "Reloaded: check it and try again.",
    ),
    "act.err.transition": (
        "Không thể «{action}» sự cố đang ở trạng thái «{status}»",
        "Cannot {action} an incident that is {status}",
    ),
    "act.err.note_required": ("Cần ghi kết quả xử lý", "A resolution note is required"),
    "act.err.comment_empty": ("Ghi chú đang trống", "The comment is empty"),
    "act.err.team_required": ("Cần ghi đội / đơn vị xử lý", "A team or unit is required"),
    "act.err.too_long": ("«{field}» dài quá {n} ký tự", "{field} is longer than {n} characters"),
    "act.err.bad_body": ("Yêu cầu không hợp lệ: {why}", "Bad request: {why}"),
    "act.err.unavailable": (
        "Không kết nối được cơ sở dữ liệu; chưa có gì thay đổi",
        "The database cannot be reached; nothing changed",
    ),
    "log.open": ("Mở sự cố", "Opened"),
    "log.escalate": ("Tăng mức độ", "Severity raised"),
    "log.attach": ("Gắn thêm nguyên nhân", "Cause linked"),
    "log.ack": ("Đã tiếp nhận", "Acknowledged"),
    "log.dispatch": ("Đã điều phối", "Dispatched"),
    "log.comment": ("Ghi chú", "Comment"),
    "log.resolve": ("Đã xử lý", "Resolved"),
    "log.auto_resolve": ("Tự động đóng nguyên nhân", "Resolved automatically"),
    "log.close": ("Đã đóng", "Closed"),
    "log.reopen": ("Mở lại", "Reopened"),
    "log.transition": ("Đổi trạng thái", "Status changed"),
    "autonote.alarm_cleared": (
        "Giá trị đã xuống dưới ngưỡng báo động",
        "Back below the alarm level",
    ),
    "autonote.alert.resolved": ("Nguồn cảnh báo báo đã xử lý", "The source reported it resolved"),
    "autonote.feed_back": ("Thiết bị đã gửi dữ liệu trở lại", "The device is sending again"),
    "title.alarm.high": (
        "{metric} vượt ngưỡng báo động: {value} (ngưỡng {threshold})",
        "{metric} above the alarm level: {value} (alarm at {threshold})",
    ),
    "title.alarm.low": (
        "{metric} dưới ngưỡng báo động: {value} (ngưỡng {threshold})",
        "{metric} below the alarm level: {value} (alarm at {threshold})",
    ),
    "inc.detail": ("Sự cố #{id}", "Incident #{id}"),
    "inc.back": ("← Danh sách sự cố", "← Incident list"),
    "inc.notfound": ("Không tìm thấy sự cố", "Incident not found"),
    "inc.timeline": ("Diễn biến xử lý", "Timeline"),
    "inc.causes": ("Nguyên nhân liên quan", "Linked causes"),
    "inc.cause.primary": ("mở sự cố", "opened it"),
    "inc.facts": ("Thông tin", "Facts"),
    "inc.value.current": ("Giá trị hiện tại", "Current value"),
    "inc.value.peak": ("Mức tệ nhất từ khi mở", "Worst since opening"),
    "inc.threshold": ("Ngưỡng báo động", "Alarm level"),
    "inc.device": ("Thiết bị / nguồn", "Device or source"),
    "inc.events": ("Mã sự kiện", "Event ids"),
    "inc.team": ("Đội / đơn vị", "Team or unit"),
    "inc.assignee": ("Người phụ trách", "Assignee"),
    "inc.note": ("Ghi chú", "Note"),
    "inc.resolution": ("Kết quả xử lý", "Resolution"),
    "inc.opened": ("Mở lúc", "Opened"),
    "inc.actions": ("Thao tác", "Actions"),
    "inc.read_only": (
        "Tài khoản của bạn chỉ được xem sự cố này",
        "Your account may only view this incident",
    ),
    "inc.no_action": ("Không còn thao tác nào ở trạng thái này", "No action left in this status"),
    "inc.response": ("Thời gian phản ứng", "Response times"),
    "inc.response.hint": (
        "Trung vị và P90, tính trên các sự cố mở trong khoảng thời gian",
        "Median and 90th percentile over the incidents opened in the period",
    ),
    "col.ack": ("Tiếp nhận sau", "Time to ack"),
    "col.resolve": ("Xử lý sau", "Time to resolve"),
    "col.n": ("Số sự cố", "Incidents"),
    "col.ack_median": ("Tiếp nhận: trung vị", "Ack: median"),
    "col.ack_p90": ("Tiếp nhận: P90", "Ack: p90"),
    "col.res_median": ("Xử lý: trung vị", "Resolve: median"),
    "col.res_p90": ("Xử lý: P90", "Resolve: p90"),
    "col.actor": ("Người thực hiện", "By"),
    "col.place": ("Nơi xảy ra", "Where"),
    "col.action": ("Thao tác", "Action"),
    "col.change": ("Thay đổi", "Change"),
    "banner.title": ("Sự cố khẩn chưa tiếp nhận", "Unacknowledged urgent incidents"),
    "banner.sound.on": ("Âm báo: bật", "Alarm sound: on"),
    "banner.sound.off": ("Âm báo: tắt", "Alarm sound: off"),
    "banner.more": ("và {n} sự cố khác", "and {n} more"),
    "banner.keys": (
        "Phím tắt: Alt+A tiếp nhận sự cố đầu tiên",
        "Shortcut: Alt+A acknowledges the first",
    ),
    "sev.counts": ("Sự cố đang mở theo mức độ", "Active incidents by severity"),
    # The map figures (maps/).
    "maps.no_data": ("không có dữ liệu", "no data"),
    "maps.schematic": (
        "Sơ đồ minh họa – không phải ranh giới thật",
        "Schematic – not real boundaries",
    ),
    "maps.ward": ("Phường/xã", "Ward"),
    "maps.device": ("Thiết bị", "Device"),
    "maps.domain": ("Lĩnh vực", "Domain"),
    "maps.state": ("Trạng thái", "State"),
    "maps.incident": ("Sự cố", "Incident"),
    "maps.severity": ("Mức độ", "Severity"),
    "maps.report": ("Phản ánh", "Citizen report"),
    "maps.category": ("Loại", "Category"),
    "maps.status": ("Tình trạng", "Status"),
    "maps.covid.cases": ("Ca mới/100.000 dân/tuần", "New cases per 100k per week"),
    "maps.covid.vaccination": ("Tỷ lệ tiêm vắc xin", "Vaccination coverage"),
    "maps.covid.level": ("Cấp độ dịch", "Epidemic level"),
    "maps.covid.title": ("Cấp độ dịch COVID-19 theo phường/xã", "COVID-19 epidemic level by ward"),
    "state.ok": ("Bình thường", "OK"),
    "state.warning": ("Cảnh báo", "Warning"),
    "state.alarm": ("Báo động", "Alarm"),
    "state.offline": ("Mất kết nối", "Offline"),
    "state.late": ("Chậm tín hiệu", "Late"),
    "state.no_data": ("Chưa có dữ liệu", "No data"),
    # The admins' alerting page (ioc/pages/alerting.py).
    "alert.title": ("Quy tắc cảnh báo và gửi thông báo", "Alarm rules and notifications"),
    "alert.rules": ("Quy tắc đang áp dụng", "Rules in force"),
    "alert.channels": ("Kênh thông báo", "Notification channels"),
    "alert.log": ("Nhật ký gửi", "Delivery log"),
    "alert.origin": (
        "Nguồn: {origin} · mã {digest} · nạp lúc {at}",
        "From {origin} · digest {digest} · loaded {at}",
    ),
    "alert.refused": (
        "Tệp quy tắc mới bị từ chối, các quy tắc dưới đây vẫn áp dụng:",
        "The rules file's new content was refused; the rules below stay in force:",
    ),
    "alert.off": ("tắt", "off"),
    "alert.none": ("Chưa có kênh nào gửi thông báo", "No channel has sent anything yet"),
    "alert.col.rule": ("Quy tắc", "Rule"),
    "alert.col.scope": ("Phạm vi", "Scope"),
    "alert.col.condition": ("Điều kiện", "Condition"),
    "alert.col.steps": ("Các mức", "Steps"),
    "alert.col.hold": ("Duy trì / hết sau", "Hold / clear after"),
    "alert.col.source": ("Căn cứ", "Source"),
    "alert.col.channel": ("Kênh", "Channel"),
    "alert.col.kind": ("Loại", "Kind"),
    "alert.col.state": ("Tình trạng", "State"),
    "alert.col.pending": ("Đang chờ gửi", "Waiting"),
    "alert.col.ok": ("Gửi được lần cuối", "Last delivered"),
    "alert.col.error": ("Lỗi gần nhất", "Last error"),
    "alert.col.incident": ("Sự cố", "Incident"),
    "alert.col.outcome": ("Kết quả", "Outcome"),
    "alert.col.detail": ("Chi tiết", "Detail"),
    "alert.col.ms": ("ms", "ms"),
    "alert.cond.above": ("vượt mức", "above"),
    "alert.cond.below": ("dưới mức", "below"),
    "alert.cond.rise": ("tăng nhanh", "rising"),
    "alert.cond.no_data": ("mất tín hiệu", "no data"),
    "alert.state.ok": ("Hoạt động", "OK"),
    "alert.state.failing": ("Đang lỗi", "Failing"),
    "alert.outcome.sent": ("Đã gửi", "Sent"),
    "alert.outcome.failed": ("Lỗi", "Failed"),
    # Notifications (notify/).
    "notify.event.opened": ("Sự cố mới", "New incident"),
    "notify.event.escalated": ("Mức độ tăng", "Severity raised"),
    "notify.event.acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "notify.event.dispatched": ("Đã điều phối", "Dispatched"),
    "notify.event.resolved": ("Đã xử lý", "Resolved"),
    "notify.event.closed": ("Đã đóng", "Closed"),
    "notify.event.reopened": ("Mở lại", "Reopened"),
    "notify.event.reminder": ("Nhắc lại: chưa tiếp nhận", "Reminder: not acknowledged"),
    "notify.event.escalation": ("Chuyển cấp: chưa tiếp nhận", "Escalation: not acknowledged"),
    "notify.note": ("Ghi chú", "Note"),
    "notify.opened": ("Mở lúc", "Opened"),
    # Metrics the rules compute from others (ioc.rules.schema.DERIVED).
    "metric.vn_aqi": ("VN_AQI", "VN_AQI"),
    "metric.fault_pct": ("Tỉ lệ đèn hỏng", "Lamps out"),
    "metric.any": ("Tín hiệu", "Feed"),
}


def lang_of(value: object) -> Lang:
    """Any user-supplied language value, reduced to a supported one (Vietnamese by default)."""
    return "en" if value == "en" else "vi"


def in_lang(lang: str, vi: str, en: str) -> str:
    """The English text in English, the Vietnamese one otherwise (catalogue labels, ward names)."""
    return en if lang == "en" else vi


def t(key: str, lang: str = "vi", **fmt: object) -> str:
    """The label ``key`` in ``lang``; an unknown key shows itself so it is noticed, not hidden."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = in_lang(lang, *pair)
    return text.format(**fmt) if fmt else text


def t_both(key: str, first: str = "vi") -> str:
    """``key`` in both languages, ``first`` first: "Không có quyền / Forbidden"."""
    second = "vi" if first == "en" else "en"
    return f"{t(key, first)} / {t(key, second)}"


def t_code(prefix: str, code: str | None, lang: str = "vi") -> str:
    """The label of a data code (``t_code("cat", "ngap_ung")`` → "Ngập úng"); an unknown
    code shows as it is, a missing one as ``–``, never as a translation key."""
    if not code:
        return MISSING
    return t(f"{prefix}.{code}", lang) if f"{prefix}.{code}" in TEXT else code
