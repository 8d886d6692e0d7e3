"""The scenario lab: a local web application (``secdilemma serve``, the ``[web]`` extra).

Modules: :mod:`.controls` (the page's inputs, from the scenario schema), :mod:`.jobs` (runs
off the request thread, cancelled with their tab), :mod:`.work` (the runs: the readings
compared, and the analysis tools), :mod:`.views` (what the page shows of a run, as JSON) and
:mod:`.app` (the FastAPI application). The page itself is ``static/lab.html``, ``lab.js`` and
``lab.css``; plotly.js comes from the installed plotly package, so the lab needs no network.
"""
