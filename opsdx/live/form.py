"""The ipywidgets of an interview: pages of items, navigation, progress and the live panel.

Built from the questionnaire alone (no question is written here): one page per
dimension, each item with its scale's labels as buttons, N/A only where the
item allows it, the evidence to ask for, a comment box and its saved state.
Every string shown comes from the questionnaire or the client and is escaped.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..errors import OpsdxError
from .interview import FULL_BOOT, escaped, progress_of

__all__ = ["InterviewForm", "live_html"]


class InterviewForm:
    """The widgets of one :class:`~opsdx.Interview` (``iv.widget`` builds one)."""

    def __init__(self, iv):
        self.iv = iv
        self._syncing = False
        q = iv.questionnaire
        items = q.items
        self.titles = [d.title for d in q.spec.dimensions if (items["dimension"] == d.id).any()]
        dims = [d.id for d in q.spec.dimensions if (items["dimension"] == d.id).any()]
        self.bar = w.IntProgress(min=0, max=len(items), layout=w.Layout(width="12em"))
        self.count = w.Label()
        self.message = w.HTML()
        self.rows: dict[str, dict] = {}
        self.pages = []
        for dim in dims:
            ids = items[items["dimension"] == dim].sort_values("stage", kind="stable")["item_id"]
            self.pages.append(w.VBox([self._item_row(i) for i in ids]))
        self.page = 0
        self.body = w.Box([self.pages[0]], layout=w.Layout(width="100%"))
        self.previous = w.Button(description="Previous", icon="arrow-left",
                                 layout=w.Layout(width="auto"))
        self.next = w.Button(description="Next", icon="arrow-right",
                             layout=w.Layout(width="auto"))
        self.jump = w.Dropdown(options=[(t, k) for k, t in enumerate(self.titles)], value=0,
                               layout=w.Layout(width="auto"))
        self.previous.on_click(lambda _: self.go(self.page - 1))
        self.next.on_click(lambda _: self.go(self.page + 1))
        self.jump.observe(lambda ch: self.go(ch["new"]), "value")
        title = w.HTML(f"<h3>{escaped(iv.client.name)}: interview of {escaped(iv.respondent)} "
                       f"({escaped(iv.role)})</h3><p style='color:#555'>{escaped(q.spec.title)}. "
                       f"Every answer is saved at once to {escaped(iv.file.path.name)}.</p>")
        nav = w.HBox([self.previous, self.jump, self.next, self.bar, self.count])
        form = w.VBox([title, nav, self.message, self.body],
                      layout=w.Layout(flex="3 1 0%", min_width="0"))
        self.live = w.HTML()
        self.full = w.Button(description=f"Full score ({FULL_BOOT:,} resamples)",
                             layout=w.Layout(width="auto"))
        self.full.on_click(lambda _: self.refresh_live(full=True))
        panel = w.VBox([self.live, self.full],
                       layout=w.Layout(flex="1 1 0%", min_width="18em", padding="0 0 0 1em",
                                       border_left="1px solid #ddd"))
        self.widget = w.HBox([form, panel], layout=w.Layout(width="100%"))
        self.go(0)
        self.refresh_live()
        if iv.problems:
            self.message.value = ("<p style='color:#b00'>" + "<br>".join(
                escaped(p) for p in iv.problems) + "</p>")

    # ------------------------------------------------------------------ one item
    def _item_row(self, item_id: str) -> w.VBox:
        iv = self.iv
        item = iv.items.loc[item_id]
        status = w.HTML(layout=w.Layout(margin="0 0 0 1em"))
        head = w.HTML(f"<b>{escaped(item_id)}</b> <span style='color:#777'>stage "
                      f"{int(item['stage'])}</span>")
        parts = [w.HBox([head, status]), w.HTML(escaped(item["text"]))]
        if item["help"]:
            parts.append(w.HTML(f"<span style='color:#555;font-size:90%'>Evidence to ask for: "
                                f"{escaped(item['help'])}</span>"))
        choice = w.ToggleButtons(options=iv.options(item_id), value=None,
                                 style={"button_width": "auto"})
        skip = w.Button(description="Skip", tooltip="Seen, and left blank",
                        layout=w.Layout(width="4.5em", flex="0 0 auto"))
        comment = w.Textarea(placeholder="Comment: what the evidence showed",
                             continuous_update=False, layout=w.Layout(width="95%", height="3.2em"))
        choice.observe(lambda ch, i=item_id: self._clicked(i, ch["new"]), "value")
        skip.on_click(lambda _, i=item_id: self._clicked(i, None, skip=True))
        comment.observe(lambda ch, i=item_id: self._commented(i, ch["new"]), "value")
        self.rows[item_id] = {"choice": choice, "comment": comment, "status": status,
                              "skip": skip}
        parts += [w.HBox([choice, skip], layout=w.Layout(flex_flow="row wrap")), comment]
        self.show_item(item_id)
        return w.VBox(parts, layout=w.Layout(border_bottom="1px solid #eee", padding="4px 0"))

    def _clicked(self, item_id: str, label, *, skip: bool = False) -> None:
        if self._syncing or (label is None and not skip):
            return
        self._guarded(item_id, lambda: self.iv.answer(item_id, label))

    def _commented(self, item_id: str, text: str) -> None:
        if not self._syncing:
            self._guarded(item_id, lambda: self.iv.comment(item_id, text))

    def _guarded(self, item_id: str, save) -> None:
        """Save, or show why not and put the item back as it is saved."""
        try:
            save()
            self.message.value = ""
        except (OpsdxError, OSError) as exc:
            self.message.value = (f"<p style='color:#b00'>Not saved: {escaped(exc)}</p>")
            self.show_item(item_id)

    def show_item(self, item_id: str) -> None:
        """Put one item's widgets in the state saved for it."""
        answers = self.iv.answers  # once: the item's state and the progress both come from it
        state = answers.loc[item_id]
        row = self.rows[item_id]
        self._syncing = True
        try:
            shown = state["answer"] if state["answer"] in row["choice"].options else None
            row["choice"].value = shown
            row["comment"].value = state["comment"]
        finally:
            self._syncing = False
        row["status"].value = _status_html(state)
        done, total = progress_of(answers)
        self.bar.value = done
        self.count.value = f"{done} of {total} answered"

    # ------------------------------------------------------------------ pages
    def go(self, page: int) -> None:
        """Show page ``page`` (0 = the first dimension); out-of-range pages are clamped."""
        self.page = max(0, min(int(page), len(self.pages) - 1))
        self.body.children = [self.pages[self.page]]
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page == len(self.pages) - 1
        if self.jump.value != self.page:
            self.jump.value = self.page

    # ------------------------------------------------------------------ live panel
    def refresh_live(self, *, full: bool = False) -> None:
        """Score the answers so far (light bootstrap, or the full one) into the panel."""
        try:
            result = self.iv.score(FULL_BOOT) if full else self.iv.result
        except OpsdxError as exc:
            self.live.value = f"<h4>Live score</h4><p style='color:#555'>{escaped(exc)}</p>"
            return
        self.live.value = live_html(result, full=full)


def _status_html(state: pd.Series) -> str:
    if state["status"] == "not asked yet":
        return "<span style='color:#999'>not asked yet</span>"
    when = str(state["answered_at"])[11:19]
    return f"<span style='color:#2a7'>{escaped(state['status'])}, saved {escaped(when)}</span>"


def live_html(result, *, full: bool = False, blockers: int = 3) -> str:
    """The live panel: stage and probability, the index and its interval, the top blockers."""
    lo, hi = result.index_ci
    probs = result.stage_probabilities
    bars = "".join(
        f"<div style='display:flex;align-items:center;gap:4px'><span style='width:1.2em'>"
        f"{int(s)}</span><div style='background:#4c72b0;height:0.8em;width:{p * 10:.1f}em'>"
        f"</div><span>{p:.0%}</span></div>" for s, p in probs.items() if p == p)
    items = "".join(f"<li><b>{escaped(r.item_id)}</b> (stage {int(r.stage)}, gap "
                    f"{r.gap:.2f}): {escaped(r.text)}</li>"
                    for r in result.blockers.head(blockers).itertuples())
    n_boot = result.params.get("n_boot")
    interval = (f" [{lo:.2f}, {hi:.2f}]" if lo == lo else "")
    probability = (f", probability {result.stage_probability:.0%}"
                   if result.stage_probability == result.stage_probability else "")
    return (f"<h4>Live score</h4><p><b>Stage {result.stage}: {escaped(result.stage_name)}</b>"
            f"{probability}</p><p>Maturity index {result.index:.2f}{interval} from "
            f"{result.n_respondents} respondent{'s' if result.n_respondents != 1 else ''}</p>"
            f"{bars}" + (f"<p>What holds the next stage up most:</p><ol>{items}</ol>"
                         if items else "")
            + f"<p style='color:#777;font-size:85%'>{'Full' if full else 'Light'} bootstrap, "
              f"{n_boot:,} resamples.</p>")
