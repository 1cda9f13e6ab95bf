"""THE BASELINE, not our product: the documented recipe re-typed for side-by-side runs.

`recipe.py` is our own re-typing of the code shown in LiveKit's "Collect recording
consent with tasks" recipe (seed 000) and the "Consent and Escalations" workshop (seed
001), kept as close to the documents as possible. It exists only so the benchmarks can
drive the documented pattern and our agents through the same scripted model, on the same
session settings, in the same run. Do not import it from the application.
"""
