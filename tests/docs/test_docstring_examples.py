"""The docstrings' Examples sections: they run, and every public entry point has one.

(a) The doctests of every module of ``meanfield`` and ``brianmodels`` run and pass (examples
    marked ``# doctest: +SKIP`` -- those that compile or simulate -- stay skipped). Nothing here
    compiles: the test is not marked ``standalone``, so the conftest refuses any package
    simulation a doctest would start, and such a doctest fails instead of running one.
(b) Every public entry point has a numpydoc ``Examples`` section: the names ``meanfield`` and
    ``brianmodels`` export, the public functions and classes of the brianmodels submodules the
    top level exports (presets, network, units, seeds, result), the public methods of the
    classes they export (SSN, PowerLaw, Comparison, LIFNetwork, Result), the public functions
    and classes of ``brianmodels.lif.inputs``, the functions ``brianmodels.lif.analysis`` exports
    and ``brianmodels.lif.engine.connections``.
(c) A docstring whose examples are skipped names the gallery example that runs the same thing
    (``examples/plot_*.py``), and every gallery file a docstring names exists.

The checkers are tested on made-up objects too, so that they can be seen to fail.
"""
from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
import re
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples"
PACKAGES = ("meanfield", "brianmodels")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_SECTION = re.compile(r"^[ \t]*Examples[ \t]*\n[ \t]*-{8,}[ \t]*$", re.MULTILINE)
_GALLERY = re.compile(r"examples/(plot_\w+\.py)")


def _modules():
    """Every importable module of both packages (names), sorted."""
    out = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        out.append(pkg)
        out += [m.name for m in pkgutil.walk_packages(mod.__path__, prefix=pkg + ".")]
    return sorted(out)


MODULES = _modules()


# ----------------------------------------------------------------------------- (a) doctests
@pytest.mark.parametrize("module", MODULES)
def test_doctests_pass(module, tmp_path, monkeypatch):
    """The module's doctests pass (skipped examples stay skipped)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))   # examples' scratch folders
    mod = importlib.import_module(module)
    tests = doctest.DocTestFinder(exclude_empty=True).find(mod, module, globs=dict(vars(mod)))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures = []
    try:
        for t in tests:
            if t.filename and Path(t.filename).resolve() != Path(mod.__file__).resolve():
                continue   # objects imported from elsewhere run in their own module
            out = []
            res = runner.run(t, out=out.append)
            if res.failed:
                failures.append("".join(out))
    finally:
        plt.close("all")
    assert not failures, f"{len(failures)} docstring(s) of {module} fail:\n" + "\n".join(failures)


# ----------------------------------------------------------------------------- (b) Examples
def has_examples(obj) -> bool:
    """True if the object's own docstring has a numpydoc Examples section."""
    doc = obj.fget.__doc__ if isinstance(obj, property) else getattr(obj, "__doc__", None)
    return bool(doc) and bool(_SECTION.search(doc))


def _own_public_methods(cls):
    """Public methods (functions, class and static methods) defined in ``cls`` itself, and
    ``__call__``."""
    out = {}
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__call__":
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value):
            out[f"{cls.__module__}.{cls.__qualname__}.{name}"] = value
    return out


def _defined_in(module, kinds=(inspect.isfunction, inspect.isclass)):
    """Public functions/classes defined in ``module`` itself (its ``__all__`` if it has one)."""
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    out = {}
    for name in names:
        obj = getattr(module, name)
        if any(k(obj) for k in kinds) and getattr(obj, "__module__", None) == module.__name__:
            out[f"{module.__name__}.{name}"] = obj
    return out


def entry_points() -> dict:
    """Qualified name -> object of every public entry point that must have Examples."""
    import brianmodels
    import meanfield
    from brianmodels.lif import analysis, engine, inputs

    out = {}
    for pkg in (meanfield, brianmodels):
        for name in sorted(pkg._EXPORTS):
            out[f"{pkg.__name__}.{name}"] = getattr(pkg, name)
    for sub in sorted(brianmodels._SUBMODULES):
        out.update(_defined_in(getattr(brianmodels, sub)))
    # methods: of the classes the two packages export and of the result convention
    for obj in list(out.values()):
        if inspect.isclass(obj) and obj.__module__.split(".")[0] in PACKAGES:
            out.update(_own_public_methods(obj))
    out.update(_defined_in(inputs))
    out.update({f"brianmodels.lif.analysis.{n}": getattr(analysis, n) for n in analysis.__all__
                if inspect.isfunction(getattr(analysis, n))})
    out["brianmodels.lif.engine.connections"] = engine.connections
    return out


def missing_examples(objects: dict) -> list:
    return sorted(name for name, obj in objects.items() if not has_examples(obj))


def test_every_entry_point_has_examples():
    points = entry_points()
    # the list is what the brief names: a few anchors, so that a broken collector fails here
    for name in ("meanfield.SSN", "meanfield.ssn.model.SSN.steady_states", "meanfield.compare",
                 "brianmodels.simulate", "brianmodels.presets.get",
                 "brianmodels.lif.engine.connections", "brianmodels.lif.inputs.ramp",
                 "brianmodels.lif.analysis.firing_rates"):
        assert name in points, name
    missing = missing_examples(points)
    assert not missing, (f"{len(missing)} public entry point(s) have no Examples section: "
                         + ", ".join(missing))


# ----------------------------------------------------------------------------- (c) gallery
def gallery_problems(docstrings: dict, examples_dir: Path = EXAMPLES_DIR) -> list:
    """Docstrings with skipped examples that name no gallery file, or that name a missing one."""
    parser = doctest.DocTestParser()
    problems = []
    for name, doc in docstrings.items():
        named = _GALLERY.findall(doc)
        for f in named:
            if not (examples_dir / f).is_file():
                problems.append(f"{name}: names examples/{f}, which does not exist")
        try:
            examples = parser.get_examples(doc)
        except ValueError:      # not doctest syntax: test_doctests_pass reports it
            continue
        if any(ex.options.get(doctest.SKIP) for ex in examples) and not named:
            problems.append(f"{name}: has +SKIP examples but names no gallery example "
                            "(examples/plot_*.py)")
    return problems


def _all_docstrings() -> dict:
    out = {}
    for module in MODULES:
        mod = importlib.import_module(module)
        for t in doctest.DocTestFinder(exclude_empty=False).find(mod, module):
            if t.docstring and t.filename and \
                    Path(t.filename).resolve() == Path(mod.__file__).resolve():
                out[t.name] = t.docstring
    return out


def test_skipped_examples_name_an_existing_gallery_file():
    problems = gallery_problems(_all_docstrings())
    assert not problems, "\n".join(problems)


def test_gallery_has_the_documented_examples():
    names = {p.name for p in EXAMPLES_DIR.glob("plot_*.py")}
    assert {"plot_theory_only.py", "plot_sweep_vs_theory.py", "plot_design_inputs.py",
            "plot_rate_vs_dmft.py"} <= names, sorted(names)
    for p in EXAMPLES_DIR.glob("plot_*.py"):   # sphinx-gallery needs a titled docstring
        doc = ast.get_docstring(ast.parse(p.read_text())) or ""
        lines = doc.splitlines()
        assert len(lines) >= 2 and set(lines[1]) == {"="}, f"{p.name}: no title underlined with ="


# ----------------------------------------------------------------------------- the checkers fail
def test_checkers_report_what_is_missing(tmp_path):
    def documented():
        """Do it.

        Examples
        --------
        >>> 1 + 1
        2
        """

    def undocumented():
        """Do it, no examples."""

    class Thing:
        """A thing.

        Examples
        --------
        >>> Thing()  # doctest: +SKIP
        """

        def method(self):
            """No examples."""

    objects = {"documented": documented, "undocumented": undocumented, "Thing": Thing,
               **_own_public_methods(Thing)}
    assert missing_examples(objects) == [f"{Thing.__module__}.{Thing.__qualname__}.method",
                                         "undocumented"]
    (tmp_path / "plot_there.py").write_text('"""\nT\n=\n"""\n')
    skipped = ">>> run()  # doctest: +SKIP\n"
    problems = gallery_problems({
        "a": skipped,                                              # names nothing
        "b": skipped + "See examples/plot_there.py.\n",            # fine
        "c": skipped + "See examples/plot_gone.py.\n",             # names a missing file
        "d": ">>> 1\n1\n"}, tmp_path)                                 # nothing skipped
    assert len(problems) == 2 and problems[0].startswith("a:") and "plot_gone.py" in problems[1]
