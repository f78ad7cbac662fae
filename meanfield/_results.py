"""The dataclass base of the ``meanfield`` results; the convention itself is :mod:`brianmodels.result`.

:class:`TableResult` holds the fields every table-shaped theory result has (``table``, ``status``,
``message``, ``params``, ``diagnostics``). A result class derives from it, sets ``STATUS`` (code ->
meaning) and documents its table; extra fields are declared keyword-only
(``@dataclass(kw_only=True)``), so they may follow the fields with defaults here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brianmodels.result import Result

__all__ = ["TableResult"]


@dataclass
class TableResult(Result):
    """Table, int status, message, params and diagnostics (:class:`brianmodels.result.Result`).

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy table (columns documented by the function that made it).
    status : int
        0 success, a positive code of the subclass's ``STATUS`` otherwise.
    message : str
        What happened.
    params : dict
        JSON-able description of what produced the result.
    diagnostics : dict
        Counters and other details of the computation.
    """

    table: object
    status: int
    message: str
    params: dict = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict)
