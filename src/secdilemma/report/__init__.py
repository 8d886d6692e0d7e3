"""A self-contained HTML report of a results directory, or of a comparison of readings.

``write_report`` reads what ``secdilemma run`` wrote (``manifest.json``, ``summary.json``,
``runs.parquet``, ``events.parquet`` and, when present, ``trajectories.parquet``) and writes
``report.html`` beside them. ``write_compare_report`` does the same for a ``compare`` directory
(``compare.json`` with one complete run directory per reading), putting the readings side by
side; ``write_attribution_report`` and ``write_audit_report`` write the pages of an
``attribute`` directory (``attribution.json``) and of an ``audit`` directory (``audit.json``);
``write_robust_report`` the page of a ``robust`` directory (``robust.json``).

The page has no scripts and loads nothing: the CSS is inline and every plot is a PNG in a
``data:`` URI, so the file can be mailed, archived or opened offline. Every sentence of the text
is built from the numbers of the run. Bands are the 10-90% range across replicates, computed
over whole arrays; the trajectories are streamed in record batches so that a run with many
states does not need the whole tidy table in memory, and per-pair plots and tables are capped
to the pairs with the highest mean final perceived threat.

Modules, lowest first: :mod:`.load` (reading the files), :mod:`.text` (numbers and sentences),
:mod:`.markup` (HTML building blocks), :mod:`.figures` (plots), :mod:`.tables` (a run's
summary tables), :mod:`.run_page`, :mod:`.compare_page` and :mod:`.attribution_page` (the
pages).
"""

from secdilemma.report.attribution_page import write_attribution_report
from secdilemma.report.audit_page import write_audit_report
from secdilemma.report.compare_page import write_compare_report
from secdilemma.report.robust_page import write_robust_report
from secdilemma.report.run_page import REPORT_NAME, write_report
from secdilemma.report.text import binomial_interval

__all__ = [
    "REPORT_NAME",
    "binomial_interval",
    "write_attribution_report",
    "write_audit_report",
    "write_compare_report",
    "write_report",
    "write_robust_report",
]
