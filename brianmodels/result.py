"""The one result convention of both packages (scipy.optimize's ``OptimizeResult`` style).

Every solver, simulator and comparison returns an object that is a :class:`Result`:

``success`` : bool
    ``status == 0``; never a rule of its own.
``status`` : int
    0 when the work did what was asked; a positive code otherwise. Each result class lists its
    codes in its ``STATUS`` mapping (code -> meaning), so a script can branch on the number.
``message`` : str
    What happened, in words (what converged, what did not and where, how many points were run).
``table`` : pandas.DataFrame
    The tidy result: one row per observation, documented columns with units.
``params`` : dict
    JSON-able description of everything that produced the result.
``summary()`` : pandas.DataFrame
    A short tidy overview (by default the table itself); ``report()`` is the same as text.

Results never hide their status: a solver that did not converge says so in ``status`` and
``message`` (and marks the rows concerned in ``table``), it does not raise and does not return a
silently wrong state. :meth:`Result.raise_for_status` turns a failure into an exception for
scripts that prefer one.

This module is plain Python (pandas only): the theory package ``meanfield`` builds on it too.
"""
from __future__ import annotations

__all__ = ["Result", "ResultError"]


class ResultError(RuntimeError):
    """Raised by :meth:`Result.raise_for_status` for an unsuccessful result.

    Examples
    --------
    >>> from brianmodels.result import ResultError
    >>> from meanfield import dmft
    >>> try:
    ...     dmft(K=1000, J0=3.0, phi="relu", ode=False).raise_for_status()
    ... except ResultError as err:
    ...     print(err.result.status != 0)
    True
    """

    def __init__(self, result):
        self.result = result
        super().__init__(f"{type(result).__name__} status {result.status}: {result.message}")


class Result:
    """Mix-in that gives a result class the common convention.

    Subclasses provide the attributes ``status`` (int), ``message`` (str), ``table`` (DataFrame)
    and ``params`` (dict) -- as dataclass fields or properties -- and list their status codes in
    ``STATUS``. Code 0 always means success.

    Examples
    --------
    Every solver, simulator and comparison result is one:

    >>> from meanfield import SSN
    >>> res = SSN.paper([[5, 10], [7, 11]]).steady_states(3.0)
    >>> res.success, res.status, res.message
    (True, 0, 'all steady states found at 1 input point(s)')
    >>> res.raise_for_status() is res
    True

    A class of one's own follows the convention with four attributes:

    >>> import pandas as pd
    >>> from brianmodels.result import Result
    >>> class Count(Result):
    ...     STATUS = {0: "success", 1: "nothing counted"}
    ...     def __init__(self, n):
    ...         self.status, self.message = (0, f"{n} counted") if n else (1, "nothing counted")
    ...         self.table, self.params = pd.DataFrame({"n": [n]}), {"n": n}
    >>> print(Count(0).report())
    Count: FAILED (status 1): nothing counted
     n
     0
    """

    #: status code -> meaning (subclasses extend this; 0 is success)
    STATUS = {0: "success"}

    @property
    def success(self) -> bool:
        """True when ``status == 0``.

        Examples
        --------
        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]]).steady_states(3.0).success
        True
        """
        return int(self.status) == 0

    def summary(self):
        """Short tidy overview (pandas.DataFrame); by default the table.

        Examples
        --------
        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]]).state_counts([1.0, 3.0]).summary()["n_states"].tolist()
        [1, 3]
        """
        return self.table

    def report(self) -> str:
        """The message and the summary as text.

        Examples
        --------
        >>> from meanfield import SSN
        >>> print(SSN.paper([[5, 10], [7, 11]]).state_counts([1.0, 3.0]).report())
        SteadyStates: success (status 0): all steady states found at 2 input point(s)
         point  mu_E  mu_I  n_states  n_stable  beyond_grid
             0   1.0   1.0         1         1        False
             1   3.0   3.0         3         2        False
        """
        head = f"{type(self).__name__}: {'success' if self.success else 'FAILED'} " \
               f"(status {self.status}): {self.message}"
        summary = self.summary()
        body = summary.to_string(index=False) if hasattr(summary, "to_string") else str(summary)
        return head + "\n" + body

    def raise_for_status(self):
        """Raise :class:`ResultError` unless ``success``; returns ``self`` otherwise.

        Examples
        --------
        >>> from meanfield import SSN
        >>> SSN.paper([[5, 10], [7, 11]]).steady_states(3.0).raise_for_status().status
        0
        """
        if not self.success:
            raise ResultError(self)
        return self


def check_result(result) -> None:
    """Assert that ``result`` follows the convention (used by the tests of every result class).

    Raises
    ------
    AssertionError
        Naming the attribute that breaks the convention.

    Examples
    --------
    >>> from brianmodels.result import check_result
    >>> from meanfield import SSN
    >>> check_result(SSN.paper([[5, 10], [7, 11]]).steady_states(3.0))    # passes silently
    """
    import pandas as pd

    assert isinstance(result, Result), f"{type(result).__name__} is not a brianmodels.result.Result"
    assert isinstance(result.status, int) and not isinstance(result.status, bool), \
        f"status must be an int; got {result.status!r}"
    assert result.status >= 0, f"status must be >= 0; got {result.status}"
    assert result.status in type(result).STATUS, \
        f"status {result.status} is not listed in {type(result).__name__}.STATUS"
    assert result.success is (result.status == 0), "success must be status == 0"
    assert isinstance(result.message, str) and result.message, "message must be a non-empty str"
    assert isinstance(result.table, pd.DataFrame), "table must be a pandas DataFrame"
    assert isinstance(result.params, dict), "params must be a dict"
    assert isinstance(result.summary(), pd.DataFrame), "summary() must return a DataFrame"
    assert isinstance(result.report(), str), "report() must return a str"
