"""Churn tab: ranked at-risk customers with reasons, three plots and a CSV export."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.analytics.churn_report import churn_report
from assistant.analytics.labels import probability_agrees
from assistant.core.csv_safe import safe_frame
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services
    from assistant.store import Store

log = logging.getLogger(__name__)
STAGE_ORDER = ("exploration", "formation", "stability", "decline")
RISKS = ("all", "high", "medium", "low")
BINS = [0, .2, .4, .6, .8, 1.0001]


def report_frame(store: Store, lang: str) -> pd.DataFrame:
    """Every customer's churn row, in the report's order (riskiest and most at stake first)."""
    import pandas as pd


    return pd.DataFrame([views.plain(r) for r in churn_report(store, top=None, lang=lang)])


def ranked_table(frame: pd.DataFrame, risk: str, top: int, lang: str) -> pd.DataFrame:
    """The at-risk list as shown: translated labels, reasons joined into one cell."""
    import pandas as pd

    cols = ["#", *views.headers(["col.id", "col.name", "col.risk", "col.stage", "col.next",
                                 "col.clv", "col.reasons"], lang)]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    shown = frame if risk == "all" else frame[frame["risk"] == risk]
    shown = shown.head(int(top))
    out = pd.DataFrame({
        "#": range(1, len(shown) + 1),
        "id": shown["customer_id"].to_numpy(),
        "name": shown["name"].to_numpy(),
        # the percentage only where it tells the same story as the level (churn_labels)
        "risk": [views.risk_label(r, lang) + (f" {p:.0%}" if probability_agrees(p, r) else "")
                 for r, p in zip(shown["risk"], shown["churn_probability"])],
        "stage": [views.stage_label(s, lang) for s in shown["stage"]],
        "next": shown.get("expected_next_purchase", pd.Series([""] * len(shown))).fillna(
            "").astype(str).to_numpy(),
        "clv": shown["clv"].fillna(0).round(0).to_numpy() if "clv" in shown else 0,
        "reasons": ["; ".join(r or []) for r in shown["reasons"]],
    })
    out.columns = cols
    return out


def plots(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, ...]:
    """(risk histogram, customers by stage, revenue at risk by stage) as small frames."""
    import pandas as pd

    if frame.empty:
        empty = pd.DataFrame({"x": [], "y": []})
        return empty, empty, empty
    bins = pd.cut(frame["churn_probability"].clip(0, 1), BINS, right=False,
                  labels=[f"{int(b * 100)}–{min(int(b * 100) + 20, 100)}%" for b in BINS[:-1]])
    risk = bins.value_counts(sort=False).rename_axis("x").reset_index(name="y")
    risk["x"] = risk["x"].astype(str)
    stages = [s for s in STAGE_ORDER if s in set(frame["stage"])] + sorted(
        set(frame["stage"].dropna()) - set(STAGE_ORDER))
    label = {s: views.stage_label(s, lang) for s in stages}
    by_stage = frame.groupby("stage")
    count = pd.DataFrame({"x": [label[s] for s in stages],
                          "y": [int(by_stage.size().get(s, 0)) for s in stages]})
    at_risk = revenue_at_risk(frame).groupby(frame["stage"]).sum()
    money = pd.DataFrame({"x": [label[s] for s in stages],
                          "y": [round(float(at_risk.get(s, 0.0)), 2) for s in stages]})
    return risk, count, money


def revenue_at_risk(frame: pd.DataFrame) -> pd.Series:
    """Per customer: the revenue a churn would cost (the report's at_stake, else p × CLV)."""
    if "at_stake" in frame:
        return frame["at_stake"].fillna(0)
    return frame["clv"].fillna(0) * frame["churn_probability"]


def export_csv(frame: pd.DataFrame, lang: str) -> str | None:
    """Write the shown list to a CSV (UTF-8 with BOM so Excel opens Chinese correctly)."""
    if frame.empty:
        return None
    folder = Path(tempfile.mkdtemp(prefix="crm-churn-"))
    path = folder / ("流失风险.csv" if lang == "zh" else "churn-risk.csv")
    # names and reasons come from stored text: a cell starting with = + - @ is made inert
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return str(path)


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Churn tab (call inside a gr.Tab; it computes when first opened)."""
    import pandas as pd

    store = services.store
    intro = ui.make(gr.Markdown, {"value": "churn.intro"}, elem_id="churn-intro")
    with gr.Row(equal_height=True):
        risk = ui.make(gr.Radio, {"label": "col.risk", "choices": [
            ("churn.all", "all"), ("risk.high", "high"), ("risk.medium", "medium"),
            ("risk.low", "low")]}, value="all", scale=3)
        top = ui.make(gr.Slider, {"label": "churn.top"}, minimum=5, maximum=300, step=5,
                      value=20, scale=3)
        refresh = ui.make(gr.Button, {"value": "churn.refresh"}, scale=1, min_width=100)
        download = ui.make(gr.DownloadButton, {"label": "churn.export"}, value=None, scale=1,
                           min_width=120, elem_id="churn-export")
    table = gr.Dataframe(ranked_table(pd.DataFrame(), "all", 20, ui.lang), interactive=False,
                         wrap=True, max_height=420, elem_id="churn-table",
                         column_widths=["4%", "5%", "11%", "9%", "9%", "10%", "8%", "44%"])
    with gr.Row():
        p1 = ui.make(gr.BarPlot, {"title": "churn.plot_risk", "x_title": "churn.prob",
                                  "y_title": "churn.customers"},
                     x="x", y="y", height=260, sort=None, elem_id="plot-risk")
        p2 = ui.make(gr.BarPlot, {"title": "churn.plot_stage", "x_title": "col.stage",
                                  "y_title": "churn.customers"},
                     x="x", y="y", height=260, sort=None, elem_id="plot-stage")
        p3 = ui.make(gr.BarPlot, {"title": "churn.plot_money", "x_title": "col.stage",
                                  "y_title": "churn.money"},
                     x="x", y="y", height=260, sort=None, elem_id="plot-money")
    frame_state = gr.State(None)

    def compute(level: str, n: int) -> tuple:
        lang = services.ui_language()
        frame = report_frame(store, lang)
        shown = ranked_table(frame, level, n, lang)
        a, b, c = (gr.update(value=p, sort=list(p["x"])) for p in plots(frame, lang))
        return frame, gr.skip(), shown, a, b, c, export_csv(shown, lang)

    def reshow(frame: Any, level: str, n: int) -> tuple:
        if frame is None:
            return gr.skip(), gr.skip()
        lang = services.ui_language()
        shown = ranked_table(frame, level, n, lang)
        return shown, export_csv(shown, lang)

    outputs = [frame_state, intro, table, p1, p2, p3, download]
    tab.select(compute, [risk, top], outputs, api_name=False)
    def redo(frame: Any, level: str, n: int) -> tuple:
        # Only recompute when the tab has been opened (the reasons are written in one language).
        return tuple(gr.skip() for _ in outputs) if frame is None else compute(level, n)

    ui.on_switch(redo, [frame_state, risk, top], outputs)
    refresh.click(compute, [risk, top], outputs, api_name=False)
    risk.change(reshow, [frame_state, risk, top], [table, download], api_name=False)
    top.release(reshow, [frame_state, risk, top], [table, download], api_name=False)
