"""Look and feel: the theme and a little CSS (gradio 6 takes both in launch())."""

from __future__ import annotations

from typing import Any

FONTS = ["system-ui", "-apple-system", "Segoe UI", "PingFang SC", "Microsoft YaHei",
         "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
CSS = """
.gradio-container { max-width: 1280px !important; width: 100% !important; margin: 0 auto; }
/* Tables read better in the body font than in gradio's monospace default. */
.table-wrap table, .table-wrap td, .table-wrap th, .table-wrap span { font-family: var(--font) !important; }
#app-title h2 { margin: 4px 0 0 0; }
#confirm-row { gap: 8px; }
#profile h2 small { font-size: 0.6em; font-weight: 400; color: var(--body-text-color-subdued); }
#churn-intro, #import-note { color: var(--body-text-color-subdued); }
#advice small { color: var(--body-text-color-subdued); }
"""


def launch_kwargs() -> dict[str, Any]:
    """Theme, CSS and footer for Blocks.launch()."""
    import gradio as gr

    # System fonts only: the app is offline-first, and they carry CJK glyphs (PingFang, YaHei).
    theme = gr.themes.Soft(primary_hue="orange", secondary_hue="stone", neutral_hue="stone",
                           font=FONTS, font_mono=MONO)
    return {"theme": theme, "css": CSS, "footer_links": ["api"]}
