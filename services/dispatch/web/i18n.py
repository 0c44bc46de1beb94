"""The desk's two languages: the browser's by default (Accept-Language), a switch kept in a cookie."""
from __future__ import annotations

from fastapi import Request

from shared.contract import stages

LANGS = ("zh", "en")
COOKIE = "desk_lang"

EN: dict[str, str] = {
    "title": "Dispatch desk", "dashboard": "Dashboard", "units": "Units", "login": "Sign in", "logout": "Sign out",
    "token": "Access token",
    "token_help": "Paste a token from your administrator (locally: make token ROLE=dispatcher).",
    "login_failed": "This token is not valid: {reason}",
    "signin_failed": "Sign-in at the identity provider failed: {reason}",
    "login_expired": "The sign-in form expired; please try again.",
    "role_refused": "Role {role} may not use the dispatch desk.",
    "forbidden": "Not allowed", "not_found": "Not found", "read_only": "Read only: actions need the dispatcher role.",
    "signed_in_as": "Signed in as", "live": "live",
    "backlog": "Backlog", "backlog_by_stage": "Backlog by stage", "backlog_by_owner": "Backlog by owner",
    "aging": "Work-in-progress aging (days in stage)", "turnaround": "Turnaround (receipt to shipment)",
    "median": "median", "p90": "90th percentile", "hours": "h", "first_pass_yield": "First-pass yield",
    "beyond_repair_rate": "Beyond-repair rate", "due_to_ship": "Units due to ship", "shipped": "Shipped",
    "split": "Destinations: domestic vs overseas", "origins": "Origins: domestic vs overseas",
    "ledger": "Ledger balances by category", "deadlines": "Deadlines", "days_in_bond": "Days in bond",
    "disposal": "Old-part disposal", "ok": "on time", "at_risk": "at risk", "breached": "breached",
    "intake": "Intake", "repair": "Repair", "dispatch": "Dispatch", "left": "Left the zone",
    "domestic": "Domestic", "overseas": "Overseas", "foreign": "Overseas", "bonded": "Stays bonded",
    "received": "Received", "exported": "Exported", "released": "Released", "destroyed": "Destroyed",
    "on_hand": "On hand", "other_out": "Transferred / consumed",
    "unit": "Unit", "item": "Item", "owner": "Owner", "stage": "Stage", "state": "State", "since": "In stage since",
    "kind": "Kind", "deadline": "Deadline", "status": "Status", "all": "All", "filter": "Filter",
    "export_csv": "Export CSV", "previous": "Previous", "next": "Next", "page": "Page", "no_rows": "Nothing here.",
    "serial": "Serial", "part_number": "Part number", "origin": "Origin", "hs_code": "HS code",
    "timeline": "Timeline", "documents": "Documents", "destinations": "Allowed destinations",
    "compliance_holds": "Trade compliance holds", "hold_open": "on hold", "hold_released": "released",
    "hold_cleared": "no longer matches", "hold_release_hint": "A compliance officer releases a hold through the API "
    "(POST /v1/compliance/holds/{id}/release); nothing on hold is declared or shipped.",
    "tax_estimate": "Tax estimate (CNY)", "no_tax": "no tax due", "at": "Time", "times_in": "Times in",
    "search": "Search",
    "search_hint": "serial, part number or unit id", "old_part": "old part",
    "service": "Service",
    "event": "Event", "details": "Details", "actions": "Actions", "not_at_dispatch": "Not at dispatch yet.",
    "choose_destination": "Choose destination", "destination": "Destination", "country": "Country (ISO alpha-2)",
    "declare_exit": "Declare the exit", "supervision_mode": "Supervision mode", "gate_pass_no": "Gate pass no.",
    "gate_pass_type": "Gate pass type", "inventory_list_no": "Bonded inventory list no.",
    "outbound_record_list_no": "Outbound record list no.", "import_declaration_no": "Import declaration no.",
    "add_to_shipment": "Add to a shipment", "new_shipment": "a new shipment", "carrier": "Carrier",
    "tracking_number": "Tracking no.", "address": "Address", "incoterm": "Incoterm", "shipment": "Shipment",
    "mark": "Mark {state}", "customs_cleared": "customs cleared", "save": "Save", "done": "Done: {what}.",
    "error": "Refused", "total": "Total", "units_open": "open units", "of_owners": "{n} owners",
    "re_export": "Re-export", "domestic_release": "Domestic release (taxed)", "return_to_owner": "Return to owner",
    "exchange_pool": "Exchange pool (bonded)", "destruction": "Destruction", "gate_registration": "Gate registration",
    "duty": "duty", "vat": "VAT", "taxable": "taxable value", "language": "中文",
    "planned": "planned", "delivered": "delivered", "mark_customs_cleared": "customs cleared",
    "mark_shipped": "shipped", "mark_delivered": "delivered", "units_awaiting_repair": "Units awaiting repair",
    "repaired_units": "Repaired units", "unrepairable_units": "Unrepairable units", "parts": "Parts",
    "old_parts": "Old parts", "scrap": "Scrap",
    # the account book (电子账册)
    "account_book": "Account book", "no_book": "No account book is open yet (an administrator opens it: POST "
    "/v1/account-book).", "enterprise": "Enterprise", "customs_district": "Customs district", "valid": "Valid",
    "ledger_cycle": "Ledger cycle", "days": "days",
    "lines_not_in_book": "{n} bonded ledger lines name no account-book item: register the item, then book them.",
    "book_balances": "Per item: moved and on hand", "item_no": "Item no.", "material_no": "Material no.",
    "goods_name": "Goods", "consumed": "Consumed", "legal_quantity": "Legal quantity",
    "value": "Value", "does_not_balance": "does not balance", "closed_periods": "Closed periods",
    "period": "Period", "closed_by": "Closed by", "part_lot": "parts lot",
}

ZH: dict[str, str] = {
    "title": "分拨调度台", "dashboard": "看板", "units": "设备", "login": "登录", "logout": "退出",
    "token": "访问令牌", "token_help": "粘贴管理员发放的令牌（本地：make token ROLE=dispatcher）。",
    "signin_failed": "身份提供方登录失败：{reason}",
    "login_failed": "令牌无效：{reason}", "login_expired": "登录表单已过期，请重试。",
    "role_refused": "角色 {role} 无权使用分拨调度台。",
    "forbidden": "无权访问", "not_found": "未找到", "read_only": "只读：操作需要调度员角色。",
    "signed_in_as": "当前用户", "live": "实时",
    "backlog": "积压", "backlog_by_stage": "各环节积压", "backlog_by_owner": "各货主积压",
    "aging": "在制品账龄（在当前环节的天数）", "turnaround": "周转时间（收货至发运）",
    "median": "中位数", "p90": "第90百分位", "hours": "小时", "first_pass_yield": "一次通过率",
    "beyond_repair_rate": "无法修复率", "due_to_ship": "待发运设备", "shipped": "已发运",
    "split": "去向：境内与境外", "origins": "来源：境内与境外",
    "ledger": "账册各类别余额", "deadlines": "期限", "days_in_bond": "保税天数",
    "disposal": "旧件处置", "ok": "正常", "at_risk": "临近", "breached": "已超期",
    "intake": "入区", "repair": "维修", "dispatch": "分拨", "left": "已出区",
    "domestic": "境内", "overseas": "境外", "foreign": "境外", "bonded": "保税留存",
    "received": "收入", "exported": "出境", "released": "内销", "destroyed": "销毁",
    "on_hand": "结存", "other_out": "转出/耗用",
    "unit": "设备", "item": "物品", "owner": "货主", "stage": "环节", "state": "状态", "since": "进入环节时间",
    "kind": "类别", "deadline": "期限", "status": "状况", "all": "全部", "filter": "筛选",
    "export_csv": "导出 CSV", "previous": "上一页", "next": "下一页", "page": "页", "no_rows": "暂无数据。",
    "serial": "序列号", "part_number": "料号", "origin": "来源", "hs_code": "商品编码",
    "timeline": "时间线", "documents": "单证", "destinations": "允许的去向",
    "compliance_holds": "贸易合规暂扣", "hold_open": "暂扣中", "hold_released": "已放行", "hold_cleared": "已不再命中",
    "hold_release_hint": "由合规专员通过接口放行（POST /v1/compliance/holds/{id}/release）；暂扣期间不得申报或发运。",
    "tax_estimate": "税款估算（人民币）", "no_tax": "无需缴税", "at": "时间", "times_in": "时区", "search": "查找",
    "search_hint": "序列号、料号或单元编号", "old_part": "旧件", "service": "系统",
    "event": "事件", "details": "详情", "actions": "操作", "not_at_dispatch": "尚未进入分拨环节。",
    "choose_destination": "选择去向", "destination": "去向", "country": "国家（ISO 两位代码）",
    "declare_exit": "出区申报", "supervision_mode": "监管方式", "gate_pass_no": "核放单号",
    "gate_pass_type": "核放单类型", "inventory_list_no": "保税核注清单号",
    "outbound_record_list_no": "出境备案清单号", "import_declaration_no": "进口报关单号",
    "add_to_shipment": "加入发运批次", "new_shipment": "新建批次", "carrier": "承运人",
    "tracking_number": "运单号", "address": "地址", "incoterm": "贸易术语", "shipment": "发运批次",
    "mark": "标记为{state}", "customs_cleared": "已通关", "save": "保存", "done": "已完成：{what}。",
    "error": "已拒绝", "total": "合计", "units_open": "台在制", "of_owners": "{n} 个货主",
    "re_export": "复运出境", "domestic_release": "内销（缴税）", "return_to_owner": "退还货主",
    "exchange_pool": "保税备件池", "destruction": "监管销毁", "gate_registration": "卡口登记出区",
    "duty": "关税", "vat": "增值税", "taxable": "完税价格", "language": "English",
    "planned": "已计划", "delivered": "已送达", "mark_customs_cleared": "已通关", "mark_shipped": "已发运",
    "mark_delivered": "已送达", "units_awaiting_repair": "待修设备", "repaired_units": "已修设备",
    "unrepairable_units": "无法修复设备", "parts": "备件", "old_parts": "旧件", "scrap": "边角料",
    "account_book": "电子账册", "no_book": "尚未设立电子账册（由管理员设立：POST /v1/account-book）。",
    "enterprise": "企业", "customs_district": "主管海关", "valid": "有效期", "ledger_cycle": "核销周期", "days": "天",
    "lines_not_in_book": "{n} 条保税台账记录未对应账册项号：请先备案该料号，再补记。",
    "book_balances": "按项号：进出与结存", "item_no": "项号", "material_no": "料号", "goods_name": "商品名称",
    "consumed": "耗用", "legal_quantity": "法定数量", "value": "金额",
    "does_not_balance": "账实不平", "closed_periods": "已核销周期", "period": "周期", "closed_by": "核销人",
    "part_lot": "备件批次",
}
STATES: dict[str, dict[str, str]] = {  # the vocabulary's states (shared/contract/stages.py), by stage
    "en": {"announced": "announced", "declared": "entry declared", "inspection_selected": "selected for inspection",
           "inspected": "inspection passed", "inspection_failed": "inspection failed", "discrepancy": "discrepancy",
           "discrepancy_resolved": "discrepancy resolved", "received": "received",
           "released": "released to repair", "queued": "queued", "diagnosing": "diagnosing",
           "quote_pending": "quote pending", "approved": "quote approved", "declined": "quote declined",
           "awaiting_parts": "awaiting parts", "in_repair": "in repair", "testing": "testing",
           "repaired": "repaired", "beyond_repair": "beyond repair", "returned_unrepaired": "returned unrepaired",
           "awaiting_dispatch": "awaiting dispatch", "destination_decided": "destination chosen",
           "exchange_pool": "exchange pool", "allocated": "allocated to a new owner",
           "exit_declared": "exit declared", "customs_cleared": "customs cleared",
           "compliance_hold": "on compliance hold",
           "shipped": "shipped", "delivered": "delivered", "disposed": "disposed",
           "rejected_4500": "returned directly (4500)", "rejected_4561": "returned (4561)", "withdrawn": "withdrawn"},
    "zh": {"announced": "已预报", "declared": "已申报入区", "inspection_selected": "布控查验", "inspected": "查验通过",
           "inspection_failed": "查验未通过", "discrepancy": "货证不符", "discrepancy_resolved": "不符已处理",
           "received": "已入库",
           "released": "已交维修", "queued": "排队中", "diagnosing": "诊断中", "quote_pending": "待确认报价",
           "approved": "报价已确认", "declined": "报价被拒", "awaiting_parts": "待料", "in_repair": "维修中",
           "testing": "测试中", "repaired": "已修复", "beyond_repair": "无法修复", "returned_unrepaired": "未修退回",
           "awaiting_dispatch": "待分拨", "destination_decided": "已定去向", "exchange_pool": "备件池",
           "allocated": "已调拨新货主", "exit_declared": "已申报出区", "customs_cleared": "已通关",
           "compliance_hold": "合规暂扣", "shipped": "已发运", "delivered": "已送达", "disposed": "已处置",
           "rejected_4500": "已直接退运（4500）", "rejected_4561": "已退运（4561）", "withdrawn": "已撤回"},
}
# Dispatch's own item states (its ItemState, as the unit page's actions read them) in the vocabulary's names;
# ``in_zone`` (repair not finished) is dispatch's alone.
ITEM_STATES = {"decided": "destination_decided", "declared": "exit_declared"}
IN_ZONE = {"en": "in the zone", "zh": "在区内"}
CATALOGUES = {"en": EN, "zh": ZH}


def pick(request: Request) -> str:
    """The cookie's choice, else the first of the browser's languages we have (by q), else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    ranked = []
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            ranked.append((float(q) if q else 1.0, tag.split("-")[0].lower()))
        except ValueError:
            continue
    for _, tag in sorted(ranked, key=lambda x: -x[0]):
        if tag in LANGS:
            return tag
    return "en"


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang, self.words = lang, CATALOGUES[lang]

    def states(self) -> list[tuple[str, str]]:
        """Every state of the vocabulary with its label, stage by stage (the units table's filter)."""
        return [(name, self.state(name)) for names in stages.STATES.values() for name in names]

    def state(self, name: str | None) -> str:
        """A desk read model's state (the vocabulary's name)."""
        return STATES[self.lang].get(name or "", name or "")

    def item_state(self, name: str | None) -> str:
        """A state of dispatch's own item (``decided``, ``declared``...), labelled as the vocabulary's."""
        if name == "in_zone":
            return IN_ZONE[self.lang]
        return self.state(ITEM_STATES.get(name or "", name))

    def __call__(self, key: str, **values: object) -> str:
        text = self.words.get(key) or EN.get(key) or key
        return text.format(**values) if values else text
