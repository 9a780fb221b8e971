# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# The workbook's parameters (papermill -p NAME VALUE; papermill --help-notebook lists them)
client_dir: str = ""  # the client folder, with client.yaml (required when run by papermill)
seed: int = 0  # seed of every random draw: the same seed gives the same figures
n_boot: int = 2000  # bootstrap resamples of the maturity score
threshold: float = 0.75  # attainment a stage needs to be reached, 0 to 1
trials: int = 10000  # Monte Carlo trials of the forecasts
by: list = ["kind"]  # reference-class attributes, used when the estimates have the column
weights: "Optional[str]" = None  # "recency" weighs recent history more
freq: str = "QS"  # periods of the constraint timeline (a pandas frequency)
as_of: "Optional[str]" = None  # first day of the forecasts, YYYY-MM-DD (default: after the data)
results_path: "Optional[str]" = None  # where to write results.json (default: not written)
excel_path: "Optional[str]" = None  # where to write the Excel workbook (default: not written)
history_dir: "Optional[str]" = None  # the client's earlier snapshots (default: no comparison)
figures_dir: "Optional[str]" = None  # where to write the figures as PNG and SVG (default: not)
firm: str = ""  # the consultancy's name, on the cover
prepared_by: str = ""  # who prepared the report, on the cover
logo: "Optional[str]" = None  # the firm's logo on the cover: a PNG, JPEG or SVG file
confidentiality: str = "Confidential: prepared for the management of {client}."
columns: dict = {}  # the client's headers on top of client.yaml's: {"item_id": "Ticket"}
dates: "Optional[str]" = None  # the client's dates: "dayfirst" or a strftime format
ignore_columns: list = []  # columns of a wide answers file that are not items

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt

from opsdx.workbook import diagnose, notebook_params, record_results
from opsdx.workbook.display import bullets, cover, heading, note, say, show_figure, show_table
from opsdx.workbook.excel import write_excel
from opsdx.workbook.summary import plot_summary, roadmap, summary_sentences

# checked: an unknown parameter stops the run; without client_dir, only a person in
# JupyterLab sees the sample client
params = notebook_params(globals(), sample="../sample_data/northwind-freight")
plt.rcParams["text.parse_math"] = False  # a client's "$5k-$50k" is text in every chart
d = diagnose(params.client_dir, params)

# %%
cover(d, params)

# %% [markdown]
# This report says where the organisation stands on the five maturity stages, what limits its
# throughput, who decisions wait for, and how optimistic its plans are, each with the evidence
# behind it and how sure that evidence is. The method notes at the end say how each figure is
# computed.

# %% [markdown]
# ## Summary

# %%
plot_summary(d)
plain = summary_sentences(d)
show_figure("summary", params, alt="The summary in four pictures. " + " ".join(plain.values()))
bullets(plain.values())
heading("Roadmap: the recommendations with the largest expected effect", 3)
say("Ranked by a stated rule of thumb of expected effect (see the method notes); the owner "
    "and the due date are for the client to fill in.")
show_table(roadmap(d))

# %% [markdown]
# ## The findings in full

# %%
h = d.headline()
sources = [label for part, label in (
    (d.maturity, "maturity from the questionnaire"), (d.constraint, "flow from work-item timestamps"),
    (d.decisions, "decisions from the decision log"), (d.planning, "planning from estimates and actuals"))
    if part is not None]
say(f"Analyses: {'; '.join(sources) or 'none'}.")
bullets(d.sentences())

# %% [markdown]
# ## Since the last assessment

# %%
since = d.since_last
if since is None:
    say(f"No earlier assessment of {d.name} is recorded with this report. The next one, due by "
        f"{d.next_assessment_due.day} {d.next_assessment_due:%B %Y}, will be compared with it.")
else:
    say(f"Compared with the assessment of {since.date_before.day} {since.date_before:%B %Y} "
        f"({(since.date_now - since.date_before).days} days earlier):")
    bullets(since.sentences())
    show_table(since.summary().drop(columns="measure")
               .map(lambda v: round(v, 2) if isinstance(v, float) else v))
    moved = since.items[since.items["change"] != 0].head(8)
    if len(moved):
        say("The practices whose score moved most (0 is the worst answer, 1 the best):")
        show_table(moved)
    since.plot_trend()
    show_figure("assessments-over-time", params,
                alt="The measures of each assessment over time. " + " ".join(since.sentences()))
    for n in since.notes:
        note(n)

# %% [markdown]
# ## Maturity profile and the road to the next stage

# %%
if d.maturity is None:
    note("; ".join(n for n in d.notes if n.part == "maturity"))
else:
    m = d.maturity
    say(f"Stage {m.stage} ({m.stage_name}), probability {m.stage_probability:.2f}; maturity "
        f"index {m.index:.2f} ({m.params['ci']:.0%} interval {m.index_ci[0]:.2f} to "
        f"{m.index_ci[1]:.2f}), from {m.n_respondents} respondents.")
    if m.index_ci[0] < m.stage:
        note(f"The interval reaches below stage {m.stage}: in some resamples of the answers a "
             "practice of a stage already reached falls just under the threshold (the warnings "
             "at the end of this section name it).")
    show_table(m.summary())
    m.plot_profile()
    show_figure("maturity-profile", params, alt="How far each stage's practices are in place, "
                "by dimension, against the threshold a stage needs. " + plain.get("stage", ""))
    if len(m.blockers):
        say(f"What keeps stage {m.stage + 1} out of reach, largest gap first:")
        show_table(m.blockers[["item_id", "dimension", "text", "score", "recommendation",
                               "mechanism"]].head(8))
    for n in m.notes:
        if n.code != "read_by_wording":  # how the file was read: the appendix says it
            note(n)

# %% [markdown]
# ## Flow and the constraint

# %%
if d.constraint is None:
    note("; ".join(n for n in d.notes
                                          if n.part in ("constraint", "flow")))
else:
    c = d.constraint
    bullets(c.sentences())
    show_table(c.stages[["stage", "role", "arrivals_per_week", "mean_wip", "time_p50",
                         "wait_p50", "servers", "capacity_per_week", "utilisation",
                         "next_idle_share"]])
    fig, axes = plt.subplots(3, 1, figsize=(8, 11), layout="constrained")
    c.plot_cfd(ax=axes[0])
    c.plot_time_in_stage(ax=axes[1])
    c.plot_wip(ax=axes[2])
    show_figure("flow", params, alt="Work entering and leaving each stage over time, the time "
                "items spend in each stage, and the work in progress. " + plain.get("constraint", ""))
    if c.constraint is not None:
        change = c.what_if(c.constraint, 1.25)
        util = c.stages.set_index("stage").at[c.constraint, "utilisation"]
        if change["bound_now"] == "demand":
            say(f"What if {c.constraint} had 25% more capacity? Throughput stays at "
                f"{change['throughput_per_week_now']:.1f} items a week, because the line already "
                f"delivers what arrives; {c.constraint} would run at {util / 1.25:.0%} of its "
                f"capacity instead of {util:.0%}, and the queue in front of it would shrink. "
                f"It stays the tightest stage, so it limits growth first.")
        else:
            say(f"What if {c.constraint} had 25% more capacity? Throughput would go from "
                f"{change['throughput_per_week_now']:.1f} to "
                f"{change['throughput_per_week_after']:.1f} items a week; the tightest stage "
                f"would then be {change['tightest_after']}.")
        arriving = c.stages.set_index("stage").at[c.constraint, "arrivals_per_week"]
        if abs(arriving - change["demand_per_week"]) > 0.05 * change["demand_per_week"]:
            say(f"Why {arriving:.1f} items a week arrive at {c.constraint} in the table but "
                f"{change['demand_per_week']:.1f} here: the table counts every visit to the "
                "stage, work sent back and visited again included, and the what-if counts new "
                "items entering the line; items still open or abandoned at the end of the data "
                "have arrived without being finished.")
    over = c.stages[c.stages["utilisation"] > 1]
    for r in over.itertuples():
        note(f"{r.stage} needs {r.utilisation:.0%} of the capacity it showed: more work arrived "
             "than it finished over the period, so its queue grew (or it worked faster than "
             "measured while the queue was long, which makes the capacity an underestimate).")
    say("The constraint period by period (it can move as the work changes):")
    show_table(c.timeline.assign(period_start=c.timeline["period_start"].dt.date,
                                 period_end=c.timeline["period_end"].dt.date))
    if (c.timeline["utilisation"] > 1).any():
        say("A period above 1 (100% of capacity) is one in which more work arrived at the stage "
            "than it could finish, so its queue grew then; the figure for the whole data above "
            "averages the periods of growing and shrinking queues.")
    for n in c.notes:
        note(n)

# %% [markdown]
# ## Decisions and hero dependency

# %%
if d.decisions is None:
    note("; ".join(n for n in d.notes if n.part == "decisions"))
else:
    bullets(d.decisions.sentences())
    show_table(d.decisions.summary())
    d.decisions.plot_deciders()
    show_figure("decisions", params, alt="Each decider's share of the decisions and how long "
                "decisions wait for them. " + plain.get("decisions", ""))
    for n in d.decisions.notes:
        note(n)
if d.heroes is not None:
    say("Share of work items each stage's most-involved person touched:")
    show_table(d.heroes)

# %% [markdown]
# ## Planning reality

# %%
if d.planning is None:
    note("; ".join(n for n in d.notes if n.part == "planning"))
else:
    p = d.planning
    bullets(p.sentences())
    same = (p.classes["uses"] == p.classes["class"]).all()
    show_table(p.classes.drop(columns=["uses", "n_used"]) if same else p.classes)
    if len(p.estimators):
        show_table(p.estimators)
    if p.backtest is not None:
        p.backtest.plot_calibration()
        show_figure("forecast-calibration", params, alt="How often past work finished within "
                    "the budget given at each stated confidence level, against that level. "
                    + (p.statement("backtest") or ""))
    if p.completion is not None:
        say("When the open items will be finished, at each level of confidence:")
        show_table(p.completion.percentiles().assign(date=lambda t: t["date"].dt.date))
    for n in p.notes:
        note(n)

# %% [markdown]
# ## Organisation mechanics

# %%
if d.paths is not None:
    say("Communication paths grow as n(n-1)/2 with team size (Brooks): teams above 8 people "
        "are flagged.")
    show_table(d.paths)
if d.delegation is not None:
    note("What survives each management layer, under " + d.delegation.attrs["assumption"])
    show_table(d.delegation.reset_index())
if d.paths is None and d.delegation is None:
    note("client.yaml gives no teams or management layers.")

# %% [markdown]
# ## Appendix: data quality and method notes
#
# * **Maturity**: a stage is reached when its practices, and those of every stage below it, score
#   at least the threshold; the probabilities come from resampling the answers (bootstrap). In
#   the stage table, *practices in place* is the weighted score of a stage's practices, its
#   attainment (stage 1 has none: every organisation starts there), *clears the bar* whether
#   it reaches the threshold, *reached* whether every stage below it does too.
# * **Constraint**: each stage's capacity is estimated from how many people or slots are busy
#   while work waits for it, or, without start times, from how fast work leaves it as work
#   piles up; the constraint is the stage whose arriving work uses the largest share of its
#   capacity (utilisation), among the stages that have shown a limit (Goldratt; Hopp and
#   Spearman, *Factory Physics*). *Days in stage (typical)* is the median, queue included;
#   *idle share of the stages it feeds* the share of time the stages its work goes to next
#   had nothing to do, weighted by the work each gets from it; a stage whose visits mostly
#   last exactly the same time (an auto-close after 15 days) is a timer, not a capacity; and
#   a stage is named the constraint only when its work takes at least half its capacity.
# * **Decisions**: Kaplan-Meier latency with pending decisions counted at their age;
#   Herfindahl concentration; truck factor over decision categories.
# * **Planning**: reference-class forecasting (Kahneman and Tversky; Lovallo and Kahneman;
#   Flyvbjerg), walk-forward backtest of the stated confidence, Evidence-Based Scheduling
#   and throughput Monte Carlo.
# * **Recommendations** are ordered by a stated heuristic of expected effect (the share of
#   capacity or time each finding puts at stake), not by money or time saved.

# %%
if d.flow is not None:
    summary = d.flow.quality_summary()
    if len(summary):
        say("Rows of the work-item data set aside:")
        show_table(summary)
    else:
        say("No row of the work-item data was set aside.")
if d.maturity is not None:
    for n in d.maturity.notes:
        if n.code == "read_by_wording":
            note(n)
for n in d.notes:
    note(n)
say(f"Computed with opsdx {h['opsdx_version']}; random draws seeded with {params.seed}, so "
    "the same data give the same figures.")
note(params.confidentiality.replace("{client}", d.name))

# %% [markdown]
# ## Glossary
#
# * **Stage**: one of five steps from "single hero" (work depends on one person) to "multiple
#   chains" (linked teams run the work whoever is present).
# * **Maturity index**: where the answers place the organisation between stage 1 and 5; its
#   *interval* is the range the index would likely take with another group of respondents.
# * **Constraint**: the one step of the work whose capacity limits how much gets through;
#   adding capacity anywhere else does not raise output.
# * **Share of capacity needed** (utilisation): the work that arrives at a step, as a share of
#   what the step can finish; near or above 100%, a queue builds.
# * **Work in progress**: items started and not yet finished.
# * **Rework**: work sent back to an earlier step and done again.
# * **Outside view**: judging a plan by what similar past work actually took, rather than by
#   the plan's own estimate (the *inside view*).
# * **A budget that holds 8 times in 10** (P80): the estimate plus the margin that past work
#   needed in eight cases out of ten.
# * **Backtest**: checking the budgets against work finished after them, as if made at the time.
# * **Decision latency**: the days between a question being raised and its decision.
# * **Founder-as-router**: most decisions pass through one person, and they wait longer there.
# * **Two-way door**: a decision that can be reversed cheaply, and so can be taken quickly.
# * **Truck factor**: the fewest people whose absence would leave most kinds of decision with
#   no one who has taken one before.
# * **Hero dependency**: the share of a step's work that one person touched.

# %% tags=["remove-cell"]
if params.results_path:
    record_results(d, params.results_path)
if params.excel_path:
    write_excel(d, params.excel_path)
