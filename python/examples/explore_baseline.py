# %% [markdown]
# # The baseline city from Python
#
# A notebook in the percent format (open it in Jupyter with jupytext, in VS Code or in
# Spyder as cells, or run it as a script). It runs the bundled baseline at a small size in
# this process, looks at its targets and series with pandas, changes one lever, and sweeps
# another. Set CIVITAS_EXAMPLE_OUT to keep the outputs somewhere else than `outputs/`.

# %%
import os

import civitas

out = os.environ.get("CIVITAS_EXAMPLE_OUT", "outputs/python-example")
baseline = civitas.run(agents=3000, replicates=4, seed=1, format="parquet", out=out)
baseline

# %% [markdown]
# ## Which targets are at risk?

# %%
targets = baseline.targets
print(targets[["label", "value", "probability_met", "status"]].to_string(index=False))

# %% [markdown]
# ## Adoption by district, December 2030 (mean over replicates)

# %%
ts = baseline.timeseries
adoption = ts[(ts.indicator == "adoption_rate") & (ts.scope_kind == "district")]
last = adoption[adoption.date == adoption.date.max()]
print(last.groupby("scope_name", observed=True).value.mean().sort_values().to_string())

# %% [markdown]
# ## One lever changed: twice the operations budget

# %%
ops = "policies[name=ops].amount_per_year"
more_ops = civitas.run(
    agents=3000, replicates=4, seed=1, format="parquet",
    overrides={ops: 4e8}, out=os.path.join(out, "more-ops"),
)
both = targets.merge(more_ops.targets, on="label", suffixes=("", "_more_ops"))
print(both[["label", "probability_met", "probability_met_more_ops"]].to_string(index=False))

# %% [markdown]
# ## A sweep of the same lever

# %%
sweep = civitas.sweep(
    None, {ops: [0, 2e8, 4e8]}, agents=2000, replicates=3, seed=1,
    format="parquet", out=os.path.join(out, "sweep"),
)
availability = sweep.sweep[sweep.sweep.label == "system_availability 2030"]
print(availability[["point", ops, "value", "probability_met"]].to_string(index=False))
