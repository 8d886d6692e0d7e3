"""Event data in: CAMEO-coded events as a scenario's history, and free text read into acts.

Modules: :mod:`.cameo` (the bundled CAMEO codebook and its mapping to the catalogue's acts),
:mod:`.actors` (country codes and names to a scenario's states), :mod:`.importer` (event files
to a scenario's ``events:``, aggregated to its steps), :mod:`.reader` (the offline reader of
free text) and :mod:`.llm` (the optional reader through an OpenAI-compatible endpoint, with
the offline reader as its fallback). docs/events.md describes each.
"""
