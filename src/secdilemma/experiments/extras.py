"""The optional extras, and one clear error when a command needs a library that is not installed.

The base install runs scenarios, comparisons and their reports. The rest is opt-in
(``pip install 'secdilemma[NAME]'``; ``[all]`` installs every extra but ``[axelrod]``):

==============  ============================  =============================================
extra           libraries                     what needs them
==============  ============================  =============================================
``scale``       dask[distributed]             ``sweep --dask``
``analysis``    DuckDB, SALib                 ``query``, ``sensitivity``
``ema``         the EMA Workbench             ``discover``, ``secdilemma.interop.ema``
``evidence``    statsmodels                   ``evidence score`` (the logistic baseline)
``mesa``        Mesa                          ``secdilemma.interop.mesa``, the benchmarks
``fast``        Numba                         compiled kernels (NumPy without it)
``axelrod``     axelrod (and PyTorch)         comparisons with ``axelrod.Tournament``
==============  ============================  =============================================

Each such library is imported where it is used, through :func:`require`, so that a command that
does not need it neither loads it nor fails without it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from secdilemma.errors import InputError


def install_hint(extra: str) -> str:
    """The command that installs an extra."""
    return f"pip install 'secdilemma[{extra}]'"


def require(module: str, extra: str, source: str, feature: str) -> ModuleType:
    """Import ``module``, which the ``extra`` install brings; when it is missing, raise an
    :class:`InputError` that names the extra (the command line prints it as one line and exits
    with status 2), e.g. ``secdilemma query: SQL over a sweep store: 'duckdb': not installed:
    pip install 'secdilemma[analysis]'``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        library = module.split(".")[0]
        raise InputError(source, feature, library, f"not installed: {install_hint(extra)}") from err
