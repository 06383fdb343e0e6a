"""Campaigns tab: create from a segment, review every draft (edit, drop, approve all), send or
export, and the report with cumulative return rates, contacted against held out."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.records import CrmError, InvalidInput
from assistant.outreach import campaigns as camp
from assistant.outreach.campaign_text import preview_text, summary_text
from assistant.outreach.drafting import CHANNEL_LABELS, CHANNELS, GOAL_LABELS, GOALS
from assistant.outreach.report import campaign_report, render
from assistant.outreach.sending import export_csv, send_campaign
from assistant.store.accounts import LOCAL_OWNER
from assistant.store.audit import terms
from assistant.webui import views
from assistant.webui.text import TEXT
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services
    from assistant.store import Store
    from assistant.store.accounts import User

PAGE = 50
# This tab's words, key -> (en, zh), joined to the app's table when the module loads
CAMPAIGN_TEXT: dict[str, tuple[str, str]] = {
    "tab.campaigns": ("📣 Campaigns", "📣 营销活动"),
    "camp.create_title": ("### New campaign", "### 新建活动"),
    "camp.segment": ("Who (plain words or a saved segment)", "发给谁（直接描述，或已保存的分群名）"),
    "camp.segment_hint": ("e.g. quiet for 60 days / 上海的VIP", "例如：两个月没下单 / 上海的VIP"),
    "camp.goal": ("Goal", "目的"),
    "camp.channel": ("Channel", "渠道"),
    "camp.holdout": ("Held out as a control group", "对照组比例"),
    "camp.offer": ("Offer, % off (blank: the policy's default)", "优惠（减免%，留空按政策默认）"),
    "camp.product": ("New product (for news)", "新品名称（新品推荐用）"),
    "camp.preview": ("Preview", "预览"),
    "camp.create": ("Create drafts", "生成草稿"),
    "camp.review_title": ("### Review", "### 审阅"),
    "camp.pick": ("Campaign", "活动"),
    "camp.prev": ("◀ Previous", "◀ 上一页"),
    "camp.next": ("Next ▶", "下一页 ▶"),
    "camp.message": ("Message to the selected customer", "给选中客户的消息"),
    "camp.save": ("Save edit", "保存修改"),
    "camp.drop": ("Drop", "移出"),
    "camp.restore": ("Put back", "放回"),
    "camp.approve": ("✔ Approve all", "✔ 全部批准"),
    "camp.send": ("Send / export", "发送 / 导出"),
    "camp.copy": ("Messages ready to copy", "可复制的消息"),
    "camp.csv": ("CSV", "CSV"),
    "camp.report_title": ("### Report", "### 效果报告"),
    "camp.as_of": ("As of (YYYY-MM-DD, blank: today)", "截至（YYYY-MM-DD，留空为今天）"),
    "camp.days": ("Days after the start", "开始后天数"),
    "camp.show_report": ("Show report", "查看报告"),
    "camp.plot": ("Cumulative return rate", "累计回购率"),
    "camp.none": ("No campaigns yet.", "还没有活动。"),
    "camp.pick_first": ("Pick a campaign first.", "请先选择一个活动。"),
    "camp.bad_offer": ("The offer is a % off, e.g. 10 (blank: the policy's default).",
                       "优惠请填减免百分比，例如 10（留空按政策默认）。"),
    "camp.created": (("Campaign #{id} drafted: {n} to contact, {held} held out. Review it below; "
                     "nothing is sent before you approve."),
                     "活动 #{id} 已生成草稿：联系 {n} 人，对照组 {held} 人。请在下方审阅；批准前不会发送。"),
    "camp.pick_row": ("Pick a customer in the table first.", "请先在表格里选一位客户。"),
    "camp.saved": ("Saved.", "已保存。"),
    "camp.page": ("Page {page} of {pages} · {n} messages", "第 {page}/{pages} 页 · 共 {n} 条"),
    "camp.sent": ("Sent {sent}, failed {failed}, {left} not sent yet.",
                  "已发送 {sent} 封，失败 {failed} 封，{left} 封尚未发送。"),
    "camp.handed": ("{n} messages ready to copy (also in the CSV).",
                    "{n} 条消息可复制发送（CSV 里也有）。"),
    "camp.col.customer": ("Customer", "客户"),
    "camp.col.language": ("Lang", "语言"),
    "camp.col.stage": ("Stage", "阶段"),
    "camp.col.offer": ("% off", "减免%"),
    "camp.col.message": ("Message", "消息"),
    "camp.col.flags": ("Check", "检查"),
    "camp.dropped": ("dropped", "已移出"),
    "camp.group.contacted": ("contacted", "联系组"),
    "camp.group.holdout": ("held out", "对照组"),
}
TEXT.update(CAMPAIGN_TEXT)


def _user(services: Services, request: gr.Request | None) -> User:
    return services.user(getattr(request, "username", None)) if request is not None \
        else LOCAL_OWNER


def choices(store: Store, lang: str) -> list[tuple[str, int]]:
    """The campaign picker's entries, newest first."""
    return [((f"#{s.id} · {GOAL_LABELS[s.goal][lang == 'zh']} · "
              f"{CHANNEL_LABELS[s.channel][lang == 'zh']} · {s.segment} · {s.status}"), s.id)
            for s in camp.list_campaigns(store, lang=lang)]


def offer_value(text: str | float | None, lang: str) -> float | None:
    """The offer box: blank is the policy's default, else a % off (InvalidInput when not)."""
    raw = str(text if text is not None else "").strip().rstrip("%％").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(views.tr(lang)("camp.bad_offer")) from None


def preview(store: Store, segment: str, goal: str, channel: str, holdout: float,
            offer: str | float | None, product: str | None, lang: str) -> str:
    """The campaign as it would be, as markdown (nothing saved)."""
    try:
        offer = offer_value(offer, lang)
        chosen = camp.choose_segment(store, segment, lang)
        p = camp.preview_campaign(store, chosen, goal, channel, float(holdout),
                                  offer_percent=offer, product=product or None, lang=lang)
    except CrmError as ex:
        return f"⚠️ {ex}"
    return preview_text(p, lang)


def create(services: Services, segment: str, goal: str, channel: str, holdout: float,
           offer: str | float | None, product: str | None, lang: str,
           user: User = LOCAL_OWNER) -> tuple[str, int | None]:
    """Create the drafts (one undoable action); returns a note and the new campaign's id."""
    store = services.store
    try:
        offer = offer_value(offer, lang)
        with services.acting(user):
            chosen = camp.choose_segment(store, segment, lang)
            made = camp.create_campaign(store, chosen, goal, channel, float(holdout),
                                        offer_percent=offer, product=product or None, lang=lang,
                                        actor=user.name)
    except CrmError as ex:
        return f"⚠️ {ex}", None
    return "✅ " + views.tr(lang)("camp.created", id=made.id, n=made.contacted,
                                 held=made.holdout), made.id


def summary_md(store: Store, campaign_id: int | None, lang: str) -> str:
    """One campaign's groups, skips and warnings as markdown."""
    if not campaign_id:
        return ""
    try:
        text = summary_text(camp.summary(store, int(campaign_id), lang), lang)
        skipped = camp.skipped_customers(store, int(campaign_id), lang)
    except CrmError as ex:
        return f"⚠️ {ex}"
    text += "".join(f"\n- {s['name']} (#{s['customer_id']}): {s['reason']}" for s in skipped[:20])
    return text.replace("\n", "  \n") + (f"  \n… +{len(skipped) - 20}" if len(skipped) > 20 else "")


def review_page(store: Store, campaign_id: int | None, page: int,
                lang: str) -> tuple[pd.DataFrame, str]:
    """One page of the review card (every contacted customer, dropped ones marked)."""
    import pandas as pd

    say = views.tr(lang)
    cols = ["id", *(say(f"camp.col.{k}") for k in ("customer", "language", "stage", "offer",
                                                   "message", "flags"))]
    if not campaign_id:
        return pd.DataFrame(columns=cols), say("camp.none")
    n = camp.draft_count(store, int(campaign_id))
    pages = max(1, -(-n // PAGE))
    page = min(max(1, int(page or 1)), pages)
    rows = camp.drafts(store, int(campaign_id), (page - 1) * PAGE, PAGE, include_dropped=True)
    data = [[d.customer_id, d.name, d.language, views.stage_label(d.stage, lang),
             f"{d.offer_percent:g}" if d.offer_percent else "", d.message,
             say("camp.dropped") if d.dropped else (f"⚠ {d.problems}" if d.problems else "✓")]
            for d in rows]
    return pd.DataFrame(data, columns=cols), say("camp.page", page=page, pages=pages, n=n)


def draft_message(store: Store, campaign_id: int, customer_id: int) -> str:
    """The current wording for one customer (the table's cell may be cut short)."""
    found = camp.draft_for(store, int(campaign_id), int(customer_id))
    return found.message if found else ""


def save_edit(services: Services, campaign_id: int | None, customer_id: int | None,
              message: str, lang: str, user: User = LOCAL_OWNER) -> str:
    """Save the owner's wording for one customer (refused, saying why, if it breaks a rule)."""
    say = views.tr(lang)
    if not campaign_id or not customer_id:
        return say("camp.pick_row")
    try:
        with services.acting(user):
            camp.edit_draft(services.store, int(campaign_id), int(customer_id), message, lang,
                            user.name)
    except CrmError as ex:
        return f"⚠️ {ex}"
    return "✅ " + say("camp.saved")


def set_dropped(services: Services, campaign_id: int | None, customer_id: int | None,
                dropped: bool, lang: str, user: User = LOCAL_OWNER) -> str:
    """Drop one customer from the send list, or put them back."""
    say = views.tr(lang)
    if not campaign_id or not customer_id:
        return say("camp.pick_row")
    try:
        with services.acting(user):
            camp.set_dropped(services.store, int(campaign_id), int(customer_id), dropped, lang,
                             user.name)
    except CrmError as ex:
        return f"⚠️ {ex}"
    return "✅ " + say("camp.saved")


def approve_all(services: Services, campaign_id: int | None, lang: str,
                user: User = LOCAL_OWNER) -> str:
    """Approve the campaign (owners only): one undoable action."""
    if not campaign_id:
        return views.tr(lang)("camp.pick_first")
    try:
        services.require(user, "campaigns")
        with services.acting(user):
            camp.approve(services.store, int(campaign_id), lang=lang, actor=user.name)
    except CrmError as ex:
        return f"⛔ {ex}" if "owner" in str(ex) else f"⚠️ {ex}"
    return "✅ " + summary_md(services.store, campaign_id, lang)


def send(services: Services, campaign_id: int | None, lang: str, smtp: Any = None,
         user: User = LOCAL_OWNER) -> tuple[str, str, str | None]:
    """Send email (or hand over WeChat / SMS messages), owners only; returns a note, the
    copy-ready text and a CSV file of every message and its status."""
    say = views.tr(lang)
    if not campaign_id:
        return say("camp.pick_first"), "", None
    store = services.store
    try:
        services.require(user, "campaigns")
        with terms(actor=user.name):
            result = send_campaign(store, int(campaign_id), smtp, lang, actor=user.name)
    except CrmError as ex:
        return f"⚠️ {ex}", "", _csv(store, int(campaign_id), lang)
    if result.channel == "email":
        note = say("camp.sent", sent=result.sent, failed=len(result.failed),
                   left=result.remaining)
        note += "".join(f"  \n- {name}: {why}" for name, why in result.failed[:20])
        if result.stopped:
            note = "⚠️ " + result.stopped + "  \n" + note
        copy = ""
    else:
        note = say("camp.handed", n=result.handed_over)
        copy = "\n\n".join(f"【{m['name']} · {m['address']}】\n{m['message']}"
                           for m in result.messages)
    return note, copy, _csv(store, int(campaign_id), lang)


def _csv(store: Store, campaign_id: int, lang: str) -> str | None:
    try:
        folder = Path(tempfile.mkdtemp(prefix="crm-campaign-"))
        path = folder / f"campaign-{campaign_id}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            export_csv(store, campaign_id, out, lang)
        return str(path)
    except CrmError:
        return None


def report_view(store: Store, campaign_id: int | None, as_of: str, days: float | None,
                lang: str) -> tuple[str, pd.DataFrame]:
    """The report as markdown, and the cumulative return rate per group and day for the plot."""
    import pandas as pd

    empty = pd.DataFrame({"day": pd.to_datetime([]), "rate": [], "group": []})
    if not campaign_id:
        return views.tr(lang)("camp.pick_first"), empty
    try:
        r = campaign_report(store, int(campaign_id), (as_of or "").strip() or None,
                            int(days or 30), lang)
    except CrmError as ex:
        return f"⚠️ {ex}", empty
    frame = pd.DataFrame(r.curve)
    if frame.empty:
        return render(r, lang).replace("\n", "  \n"), empty
    frame["day"] = pd.to_datetime(frame["day"])
    frame["rate"] = frame["rate"] * 100
    frame["group"] = [views.tr(lang)(f"camp.group.{g}") for g in frame["group"]]
    return render(r, lang).replace("\n", "  \n"), frame


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Campaigns tab (call inside a gr.Tab)."""
    store = services.store
    now = services.ui_language
    current = gr.State(None)  # the customer picked on the review card
    ui.make(gr.Markdown, {"value": "camp.create_title"})
    with gr.Row():
        segment = ui.make(gr.Textbox, {"label": "camp.segment", "placeholder": "camp.segment_hint"},
                          scale=3, elem_id="camp-segment")
        goal = ui.make(gr.Dropdown, {"label": "camp.goal"}, scale=1, elem_id="camp-goal",
                       choices=[(GOAL_LABELS[g][ui.lang == "zh"], g) for g in GOALS],
                       value="winback")
        channel = ui.make(gr.Dropdown, {"label": "camp.channel"}, scale=1, elem_id="camp-channel",
                          choices=[(CHANNEL_LABELS[c][ui.lang == "zh"], c) for c in CHANNELS],
                          value="wechat")
    with gr.Row():
        holdout = ui.make(gr.Slider, {"label": "camp.holdout"}, minimum=0, maximum=camp.HOLDOUT_MAX,
                          step=0.05, value=camp.HOLDOUT_DEFAULT, elem_id="camp-holdout")
        # text, not a number box: blank (the policy's default) must differ from 0 (no discount)
        offer = ui.make(gr.Textbox, {"label": "camp.offer"}, elem_id="camp-offer")
        product = ui.make(gr.Textbox, {"label": "camp.product"}, elem_id="camp-product")
    with gr.Row():
        preview_btn = ui.make(gr.Button, {"value": "camp.preview"}, elem_id="camp-preview")
        create_btn = ui.make(gr.Button, {"value": "camp.create"}, variant="primary",
                             elem_id="camp-create")
    created = gr.Markdown(elem_id="camp-created")

    ui.make(gr.Markdown, {"value": "camp.review_title"})
    with gr.Row(equal_height=True):
        picker = ui.make(gr.Dropdown, {"label": "camp.pick"}, choices=choices(store, ui.lang),
                         scale=4, elem_id="camp-pick")
        prev_btn = ui.make(gr.Button, {"value": "camp.prev"}, size="sm", scale=0, min_width=110)
        page = gr.Number(value=1, precision=0, minimum=1, show_label=False, scale=0,
                         min_width=70, elem_id="camp-page")
        next_btn = ui.make(gr.Button, {"value": "camp.next"}, size="sm", scale=0, min_width=110)
    about = gr.Markdown(elem_id="camp-summary")
    page_note = gr.Markdown(elem_id="camp-page-note")
    table = gr.Dataframe(interactive=False, wrap=True, max_height=420, elem_id="camp-drafts",
                         column_widths=["6%", "12%", "6%", "9%", "6%", "51%", "10%"])
    message = ui.make(gr.Textbox, {"label": "camp.message"}, lines=4, elem_id="camp-message")
    with gr.Row():
        save_btn = ui.make(gr.Button, {"value": "camp.save"}, size="sm", elem_id="camp-save")
        drop_btn = ui.make(gr.Button, {"value": "camp.drop"}, size="sm", elem_id="camp-drop")
        restore_btn = ui.make(gr.Button, {"value": "camp.restore"}, size="sm")
        approve_btn = ui.make(gr.Button, {"value": "camp.approve"}, variant="primary",
                              elem_id="camp-approve")
        send_btn = ui.make(gr.Button, {"value": "camp.send"}, elem_id="camp-send")
    notice = gr.Markdown(elem_id="camp-notice")
    with gr.Row():
        copy = ui.make(gr.Textbox, {"label": "camp.copy"}, lines=6, buttons=["copy"],
                       elem_id="camp-copy")
        csv_file = ui.make(gr.File, {"label": "camp.csv"}, interactive=False, elem_id="camp-csv")

    ui.make(gr.Markdown, {"value": "camp.report_title"})
    with gr.Row(equal_height=True):
        as_of = ui.make(gr.Textbox, {"label": "camp.as_of"}, scale=2, elem_id="camp-as-of")
        days = ui.make(gr.Number, {"label": "camp.days"}, value=30, precision=0, minimum=1,
                       maximum=365, scale=1)
        report_btn = ui.make(gr.Button, {"value": "camp.show_report"}, scale=1,
                             elem_id="camp-report-btn")
    report_md = gr.Markdown(elem_id="camp-report")
    plot = ui.make(gr.LinePlot, {"label": "camp.plot"}, x="day", y="rate", color="group",
                   y_title="%", elem_id="camp-plot")

    def show(cid: int | None, p: float | None) -> tuple:
        lang = now()
        frame, note = review_page(store, cid, int(p or 1), lang)
        return summary_md(store, cid, lang), frame, note

    def refresh_choices(cid: int | None = None) -> Any:
        return gr.update(choices=choices(store, now()), value=cid)

    def do_preview(s: str, g: str, c: str, h: float, o: float | None, pr: str) -> str:
        return preview(store, s, g, c, h, o, pr, now())

    def do_create(s: str, g: str, c: str, h: float, o: float | None, pr: str,
                  request: gr.Request) -> tuple:
        note, cid = create(services, s, g, c, h, o, pr, now(), _user(services, request))
        return note, refresh_choices(cid) if cid else gr.skip()

    def pick(cid: int | None, evt: gr.SelectData) -> tuple:
        row = evt.row_value or []
        if not row or not cid:
            return gr.skip(), gr.skip()
        return int(row[0]), draft_message(store, cid, int(row[0]))

    def step(delta: int) -> Any:
        def run(p: float | None) -> int:
            return max(1, int(p or 1) + delta)
        return run

    def edit(cid: int | None, who: int | None, text: str, request: gr.Request) -> str:
        return save_edit(services, cid, who, text, now(), _user(services, request))

    def dropper(flag: bool) -> Any:
        def run(cid: int | None, who: int | None, request: gr.Request) -> str:
            return set_dropped(services, cid, who, flag, now(), _user(services, request))
        return run

    def do_approve(cid: int | None, request: gr.Request) -> str:
        return approve_all(services, cid, now(), _user(services, request))

    def do_send(cid: int | None, request: gr.Request) -> tuple:
        from assistant.channels.mail import SmtpSettings

        try:
            smtp = SmtpSettings.from_env()  # read when sending: the owner may set it up later
        except CrmError as ex:
            return f"⚠️ {ex}", "", None
        return send(services, cid, now(), smtp, _user(services, request))

    def do_report(cid: int | None, when: str, d: float | None) -> tuple:
        return report_view(store, cid, when, d, now())

    preview_btn.click(do_preview, [segment, goal, channel, holdout, offer, product], created,
                      api_name=False)
    create_btn.click(do_create, [segment, goal, channel, holdout, offer, product],
                     [created, picker], api_name=False)
    picker.change(lambda: 1, None, page, api_name=False).then(
        show, [picker, page], [about, table, page_note], api_name=False)
    page.submit(show, [picker, page], [about, table, page_note], api_name=False)
    for btn, delta in ((prev_btn, -1), (next_btn, 1)):
        btn.click(step(delta), page, page, api_name=False).then(
            show, [picker, page], [about, table, page_note], api_name=False)
    table.select(pick, picker, [current, message], api_name=False)
    for btn, fn in ((save_btn, edit), (drop_btn, dropper(True)), (restore_btn, dropper(False))):
        inputs = [picker, current, message] if fn is edit else [picker, current]
        btn.click(fn, inputs, notice, api_name=False).then(
            show, [picker, page], [about, table, page_note], api_name=False)
    approve_btn.click(do_approve, picker, notice, api_name=False).then(
        show, [picker, page], [about, table, page_note], api_name=False).then(
        refresh_choices, picker, picker, api_name=False)
    send_btn.click(do_send, picker, [notice, copy, csv_file], api_name=False)
    report_btn.click(do_report, [picker, as_of, days], [report_md, plot], api_name=False)
    tab.select(refresh_choices, picker, picker, api_name=False)
    ui.on_switch(show, [picker, page], [about, table, page_note])
