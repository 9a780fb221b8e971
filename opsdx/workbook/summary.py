"""The report's first page: four pictures, a plain sentence under each, and the roadmap.

A partner reads the first page and, often, nothing else. :func:`summary_sentences`
says each finding in words a manager uses (no statistics' names), and
:func:`plot_summary` draws it: the stage on the five-step ladder, the stage that
limits throughput, how far plans run over, and who decisions wait for. A part
the client has no data for is drawn as an empty panel that says so.
:func:`roadmap` turns the recommendations into a table to fill in (owner, due
date).
"""

from __future__ import annotations

import pandas as pd

from ..maturity import FEW_RESPONDENTS
from ..maturity.questionnaire import DEFAULT_STAGE_NAMES
from ..results import likelihood, sentence_case

__all__ = ["summary_sentences", "plot_summary", "roadmap"]

_BLUE, _GREY, _RED = "#1f4e79", "#c9d3dd", "#b03a2e"


def summary_sentences(d) -> dict:
    """One plain sentence per panel (``stage``, ``constraint``, ``planning``, ``decisions``),
    or why there is none."""
    out = {}
    m = d.maturity
    if m is None:
        out["stage"] = "No questionnaire answers, so no stage."
    else:
        n = m.n_respondents
        few = " (few: another group could answer differently)" if n < FEW_RESPONDENTS else ""
        out["stage"] = (f"Stage {m.stage} of 5, \u201c{m.stage_name}\u201d: "
                        f"{likelihood(m.stage_probability)} from the answers of {n} "
                        f"{'person' if n == 1 else 'people'}{few}.")
    c = d.constraint
    if c is None:
        out["constraint"] = "No work-item data, so no constraint."
    elif c.constraint is None:
        out["constraint"] = ("No stage limits the flow yet: every stage keeps up with the work "
                             "that arrives.")
    else:
        used = c.stages.set_index("stage").at[c.constraint, "utilisation"]
        keeps_up = c.what_if(c.constraint, 1.0)["bound_now"] == "demand"
        # well under its capacity, with the line keeping up: the tightest stage, not yet a limit
        if used < 0.8 and keeps_up:
            out["constraint"] = (f"{c.constraint} is the tightest stage: the work that arrives "
                                 f"takes {used:.0%} of its capacity, so the line keeps up with "
                                 "demand today, and growth will meet this limit first.")
        elif keeps_up and used <= 1:
            # near its limit but still finishing what arrives: it makes work wait, and caps growth
            out["constraint"] = (f"{c.constraint} is the bottleneck: the work that arrives "
                                 f"takes {used:.0%} of its capacity, so work queues there and "
                                 "any growth in demand will stall at it.")
        else:
            out["constraint"] = (f"{c.constraint} limits how much work gets through: the work "
                                 f"that arrives would take {used:.0%} of its capacity"
                                 + (", more than it has, so its queue grows." if used > 1
                                    else "."))
    p = d.planning
    if p is None:
        out["planning"] = "No estimates and actuals, so no view of planning."
    else:
        h = p.headline()
        unit = h.get("unit")
        example = ("" if not unit or unit == "points" else
                   f" (a 10-{unit[:-1] if unit.endswith('s') else unit} estimate needs "
                   f"{10 * h['p80_ratio']:.0f})")
        out["planning"] = (f"Work typically takes {h['median_ratio']:.2f} times its estimate; to "
                           f"be on budget 8 times in 10, plan {h['p80_ratio']:.2f} times the "
                           f"estimate{example}.")
    dr = d.decisions
    if dr is None:
        out["decisions"] = "No decision log, so no view of decisions."
    else:
        o = dr.overall
        top = dr.by_decider.set_index("decider")["latency_p50"].get(o["top_decider"])
        others = o.get("latency_p50_others")
        known = others is not None and others == others and top is not None and top == top
        if not known:
            wait = "."
        elif top >= 1.2 * others:
            wait = (f", and a decision waits a median {_days(top)} for them against "
                    f"{_days(others)} with everyone else.")
        else:  # no longer than with the others: the share is the finding, not the wait
            wait = (f"; decisions wait no longer for them than for everyone else (a median "
                    f"{_days(top)} against {_days(others)}).")
        out["decisions"] = f"{o['top_decider']} takes {o['top_share']:.0%} of decisions{wait}"
    return {key: sentence_case(sentence) for key, sentence in out.items()}


def _days(value) -> str:
    return f"{value:.1f} days" if value is not None and value == value else "an unknown time"


def plot_summary(d, fig=None):
    """The four panels of the first page on ``fig`` (a new figure when None); returns it."""
    import matplotlib.pyplot as plt

    if fig is None:
        fig = plt.figure(figsize=(10, 6.4), layout="constrained")
    axes = fig.subplots(2, 2)
    _ladder(axes[0, 0], d.maturity)
    _constraint(axes[0, 1], d.constraint)
    _planning(axes[1, 0], d.planning)
    _decisions(axes[1, 1], d.decisions)
    return fig


def _text(value, width: int) -> str:
    """A client's name as a chart label, wrapped (drawn with ``parse_math=False``: a ``$``
    is shown as itself, never read as maths)."""
    return _wrap(str(value), width)


def _empty(ax, title: str, why: str) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.text(0.5, 0.5, why, ha="center", va="center", color="#777", transform=ax.transAxes)
    ax.set_axis_off()


def _ladder(ax, m) -> None:
    title = "Where the organisation stands"
    if m is None:
        return _empty(ax, title, "no questionnaire answers")
    names = dict(DEFAULT_STAGE_NAMES)  # the questionnaire's own names where it gives them
    names.update(dict(zip(m.summary()["stage"], m.summary()["name"])))
    names[m.stage] = m.stage_name
    for k in range(1, 6):
        here = k == m.stage
        ax.bar(k, k, width=0.9, color=_BLUE if here else _GREY)
        ax.text(k, k + 0.15, f"{m.stage_probability:.0%}" if here else "", ha="center",
                fontsize=10, color=_BLUE, fontweight="bold")
    ax.set_xticks(range(1, 6), [f"{k}\n{_text(names.get(k, ''), 12)}" for k in range(1, 6)],
                  fontsize=7, parse_math=False)
    ax.set_yticks([])
    ax.set_ylim(0, 6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=11)


def _wrap(text: str, width: int = 12) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])


def _constraint(ax, c) -> None:
    title = "What limits throughput"
    if c is None:
        return _empty(ax, title, "no work-item data")
    s = c.stages
    used = s["utilisation"].astype(float)
    shown = used.clip(upper=1.0).fillna(0)
    colours = [_RED if st == c.constraint else _GREY for st in s["stage"]]
    ax.barh(range(len(s)), shown, color=colours)
    ax.set_yticks(range(len(s)), [_text(x, 22) for x in s["stage"]], fontsize=7,
                  parse_math=False)
    ax.invert_yaxis()
    for i, u in enumerate(used):
        if u == u:
            ax.text(min(u, 1.0) + 0.02, i, f"{u:.0%}" + (" (over)" if u > 1 else ""),
                    va="center", fontsize=7)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1.0], ["0%", "50%", "100%"], fontsize=7)
    ax.set_xlabel("share of its capacity the arriving work needs", fontsize=8)
    ax.set_title(title, loc="left", fontsize=11)


def _planning(ax, p) -> None:
    title = "How far plans run over"
    if p is None:
        return _empty(ax, title, "no estimates and actuals")
    h = p.headline()
    bars = [("estimate", 1.0), ("typical\nactual", h["median_ratio"]),
            ("budget that holds\n8 times in 10", h["p80_ratio"])]
    ax.bar(range(3), [v for _, v in bars], color=[_GREY, _BLUE, _RED])
    for i, (_, v) in enumerate(bars):
        ax.text(i, v + 0.05, f"{v:.2f}\u00d7", ha="center", fontsize=9)
    ax.set_xticks(range(3), [b for b, _ in bars], fontsize=8)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=11)


def _decisions(ax, dr) -> None:
    title = "Who decisions wait for"
    if dr is None:
        return _empty(ax, title, "no decision log")
    t = dr.by_decider.head(6)
    top = dr.overall["top_decider"]
    colours = [_RED if x == top else _GREY for x in t["decider"]]
    ax.barh(range(len(t)), t["share"], color=colours)
    ax.set_yticks(range(len(t)), [_text(x, 18) for x in t["decider"]], fontsize=7,
                  parse_math=False)
    ax.invert_yaxis()
    for i, r in enumerate(t.itertuples()):
        ax.text(r.share + 0.01, i, f"{r.share:.0%}, waits {_days(r.latency_p50)}", va="center",
                fontsize=7)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.5, 1.0], ["0%", "50%", "100%"], fontsize=7)
    ax.set_xlabel("share of decisions (and the median wait for one)", fontsize=8)
    ax.set_title(title, loc="left", fontsize=11)


def roadmap(d, k: int = 5) -> pd.DataFrame:
    """The recommendations as a plan to fill in: what, why it works, the evidence, and empty
    ``Owner`` and ``Due by`` columns."""
    rows = [{"#": i, "Recommendation": sentence_case(r.title),
             "Why it works": sentence_case(r.mechanism),
             "Evidence": sentence_case(r.evidence), "Owner": "", "Due by": ""}
            for i, r in enumerate(d.recommendations(k=k), start=1)]
    return pd.DataFrame(rows, columns=["#", "Recommendation", "Why it works", "Evidence",
                                       "Owner", "Due by"])
