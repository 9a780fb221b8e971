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
# # Live interview
#
# One respondent's interview, run in JupyterLab. Every answer is saved the moment it is
# given to `interviews.csv` in the client folder; restart the kernel, run the notebook again
# with the same respondent, and the form opens where it stopped. The panel on the right
# scores every answer of the client so far and moves as the answers come in.
#
# Set `client_dir`, `respondent` and `role` below. Left empty, `client_dir` is a practice
# copy of a sample client in `../build/lab/`, so the bundled sample data is never written to.

# %% tags=["parameters"]
client_dir = ""        # the client folder; empty: a practice copy of a sample client
respondent = "R-demo"  # the respondent's id (a new id, or one interviewed before)
role = "manager"       # the respondent's role

# %%
import opsdx

client_dir = client_dir or opsdx.live.practice_copy("../sample_data/harbour-analytics",
                                                    "../build/lab")
iv = opsdx.interview(client_dir, respondent=respondent, role=role)
iv

# %% [markdown]
# ## The workshop view
#
# Pick respondents to see where they disagree most; **Refresh** reads the answers again
# (those given in other kernels too).

# %%
opsdx.workshop(client_dir)
