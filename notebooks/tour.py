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

# %% [markdown]
# # A short tour of opsdx
#
# Each cell below is checked by `nbval` in the test suite: the cells marked
# `NBVAL_CHECK_OUTPUT` must print exactly what they print here.

# %%
# NBVAL_CHECK_OUTPUT
import opsdx

client = opsdx.load_client("../sample_data/harbour-analytics")
result = opsdx.score_maturity(client.responses(), client.questionnaire, seed=0, n_boot=500)
print(result.stage, result.stage_name)

# %%
# NBVAL_CHECK_OUTPUT
report = opsdx.find_constraint(client.work_items())
print(report.constraint)

# %%
# NBVAL_CHECK_OUTPUT
decisions = opsdx.decision_report(client.decisions())
print(decisions.overall["top_decider"], f"{decisions.overall['top_share']:.0%}")

# %%
planning = opsdx.assess_planning(client.estimates(), by=["kind"], trials=2000)
planning.sentences()[0]
