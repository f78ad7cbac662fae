"""Results into the ecosystem: spikes of a :class:`~brianmodels.lif.result.SimulationResult`
to ``neo`` (``SpikeTrain`` s in a ``Block``, for ``elephant``) and to NWB files (``pynwb``),
and back.

Both are optional extras, imported only when called: ``pip install "brianmodels[neo]"``,
``pip install "brianmodels[nwb]"``. The same functions are methods of the result
(``result.to_neo()``, ``result.to_nwb(path)``, ``SimulationResult.from_neo(block)``,
``SimulationResult.from_nwb(path)``).

Examples
--------
>>> from brianmodels.export import to_neo, from_neo, to_nwb, from_nwb
"""
from .neo_format import from_neo, to_neo
from .nwb_format import from_nwb, to_nwb

__all__ = ["to_neo", "from_neo", "to_nwb", "from_nwb"]
