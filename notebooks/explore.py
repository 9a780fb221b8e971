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
# # What-if explorers
#
# Three views for talking a client through their results. Each control redraws the figures
# at once; nothing here writes a file. Set `client_dir` to one of your clients (default: a
# sample client).

# %% tags=["parameters"]
client_dir = "../sample_data/northwind-freight"

# %%
import opsdx

client = opsdx.load_client(client_dir)

# %% [markdown]
# ## The constraint
#
# Add capacity at any stage and see the throughput that follows: the line delivers at
# most the pace of its tightest stage, and at most what arrives.

# %%
opsdx.explore_constraint(opsdx.find_constraint(client.work_items()))

# %% [markdown]
# ## Planning
#
# The budget the outside view gives an estimate at a chosen risk level, beside the
# estimate itself (the inside view).

# %%
opsdx.explore_planning(opsdx.assess_planning(client.estimates(), by=["kind"], trials=2000))

# %% [markdown]
# ## Maturity
#
# The attainment a stage needs and the weight of each dimension, and what they change in
# the stage and its probability.

# %%
opsdx.explore_maturity(client)
