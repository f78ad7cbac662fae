"""Sphinx configuration of the brianmodels + meanfield documentation.

Build (what ``.ci/run`` runs, warnings are errors)::

    .venv/bin/pip install -e ".[docs]"
    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery (``examples/plot_*.py``) is executed at every build; its simulations compile into
``$BRIANMODELS_CACHE`` like any other run (set it to reuse builds between doc builds).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))          # the package as checked out, installed or not

import brianmodels  # noqa: E402

project = "brianmodels + meanfield"
author = "the brianmodels authors"
copyright = "2026, the brianmodels authors"
release = version = brianmodels.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "**/*.md5", "sg_execution_times.rst"]

# -- API reference: autosummary pages from the docstrings (numpydoc) ---------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"               # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False      # the class template lists the members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Markdown (theory notes, user guide) -------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = [
    # the theory notes link to source files (``../../meanfield/...``) outside the doc tree;
    # those links are meant for readers of the repository and stay plain text here
    "myst.xref_missing",
]

# -- the gallery: examples/plot_*.py, executed at every build ---------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
}
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "brianmodels + meanfield"
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
}
html_static_path = []
