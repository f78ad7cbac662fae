"""The theory core gives the same numbers under every OpenBLAS kernel (issue 10).

OpenBLAS picks its kernels by CPU kind (``OPENBLAS_CORETYPE`` forces one). On an AMD EPYC (AVX2,
no AVX-512) it picked Haswell kernels, ``chebfit`` then returned an exactly-zero top coefficient
for one piece of the E(x) table of ``phi``, ``cheb2poly`` trimmed it and every ``phi`` call
failed, while CI on an AVX-512 machine stayed green. This test runs the theory core (phi, its
gradient, the ISI CV, the power-law fit, the SSN's steady states and sweep, Phi_sc and the DMFT)
in one subprocess per kernel that this machine and the installed OpenBLAS can run, and asserts
that nothing crashes and that all kernels agree:

* bit for bit where the code calls no BLAS/LAPACK routine (the E(x) table, phi, phi_grad,
  cv_isi: the table is built from plain-float Gauss-Legendre and Chebyshev formulas, the rest is
  elementwise numpy, scipy.special and QUADPACK), so a BLAS-dependent step creeping back into
  them is caught even when its effect is below any tolerance;
* to ``RTOL = 1e-11`` relative plus ``ATOL = 1e-12`` (Hz, or dimensionless for the DMFT) where a
  LAPACK solve is involved (the fit's least squares, Newton and continuation solves, eigenvalues):
  each of these is solved to its stationary point or to ~1e-13 residual, and the kernels differ by
  a few ulp per operation, which moves the results by ~1e-14 relative (measured: fit 3e-14, SSN
  states 6e-15, Phi_sc 2e-15); 1e-11 leaves a margin of ~300 while still catching a solver that
  stops short (the power-law fit used to stop 1.6e-7 away from its optimum, at a kernel-dependent
  point). Counts, stability flags and solver statuses must be equal.

Each subprocess gets exactly the OpenBLAS settings tested: every ``OPENBLAS_*``/``GOTO*`` variable
of the caller is removed, ``OPENBLAS_CORETYPE`` is set (or left unset for the default), one thread.
A requested kernel that the OpenBLAS build does not have is replaced silently by another, so the
kernel actually used is read back from the library and duplicates are run once.

The BLAS-free building blocks (the Gauss-Legendre rule, the closed-form line fit) are also tested
in-process against their exact values and numpy's LAPACK-based counterparts.
"""
import json
import math
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

RTOL = 1e-11
ATOL = 1e-12
#: requested kernels -> the CPU flags they need (/proc/cpuinfo names: pni is SSE3); None: OpenBLAS chooses
KERNELS = {None: (), "Prescott": ("pni",), "Nehalem": ("ssse3", "sse4_2"), "Sandybridge": ("avx",),
           "Haswell": ("avx2", "fma"), "Zen": ("avx2", "fma"),
           "SkylakeX": ("avx512f", "avx512bw", "avx512dq", "avx512vl")}
#: quantities that must be bit-identical (no BLAS/LAPACK in their code path)
EXACT = ("E_table_sha256", "phi", "phi_scalar", "phi_grad", "cv")


def _blas_cores():
    """Core names of the OpenBLAS libraries loaded by numpy and scipy in this process (or None)."""
    import ctypes

    import numpy  # noqa: F401  (loads numpy's OpenBLAS)
    import scipy.linalg  # noqa: F401  (loads scipy's)

    names = {}
    with open("/proc/self/maps") as fh:
        libs = sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and ".so" in line})
    for path in libs:
        lib = ctypes.CDLL(path)
        for sym in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                    "openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                names[os.path.basename(path).split("-")[0]] = fn().decode()
                break
    return names or None


def _compute():
    """The theory core on small grids; a dict of plain floats/ints/bools (repr round-trips)."""
    import hashlib

    import numpy as np

    from brianmodels import presets
    from meanfield import SSN, cv_isi, dmft, fit_powerlaw, phi, phi_grad, selfconsistent
    from meanfield.lif.transfer import _E_table

    out = {"cores": _blas_cores()}
    coef, c_inf = _E_table()
    out["E_table_sha256"] = hashlib.sha256(np.ascontiguousarray(coef).tobytes()
                                           + np.float64(c_inf).tobytes()).hexdigest()
    # every regime of Eq 9: far below threshold (underflow), fluctuation- and mean-driven, near
    # the deterministic limit (weak noise), with refractoriness; broadcast (vector path)
    mu = np.linspace(-200.0, 600.0, 41)[:, None]
    sig = np.array([0.2, 1.0, 3.0, 10.0])[None, :]
    out["phi"] = phi(mu, sig, 0.02).ravel().tolist() + phi(mu, sig, 0.01, t_ref=0.002).ravel().tolist()
    out["phi_scalar"] = [phi(m, 3.0, 0.02) for m in (-30.0, 10.0, 50.0, 400.0)]
    out["phi_grad"] = [g.ravel().tolist() for g in phi_grad(mu, sig, 0.02)]
    out["cv"] = cv_isi(np.array([0.0, 30.0, 80.0]), 3.0, 0.02).tolist()

    net = presets.get("supersaturating")
    f = fit_powerlaw(3.0, 0.02)
    out["fit"] = [f.a, f.b, f.n, f.rms_error]
    ssn = SSN.from_network(net)
    out["ssn_params"] = [float(x) for x in ssn.params]
    st = ssn.steady_states(np.arange(0.0, 51.0, 10.0), r=1.0).table
    out["ssn_states"] = st[["nu_E", "nu_I"]].to_numpy().ravel().tolist()
    out["ssn_states_discrete"] = st["stable"].astype(bool).tolist()
    sw = ssn.sweep(np.linspace(0.0, 50.0, 21), r=1.0).table
    out["ssn_sweep"] = sw[["nu_E", "nu_I"]].to_numpy().ravel().tolist()
    out["ssn_sweep_discrete"] = [len(sw)] + sw["branch"].astype(int).tolist()
    sc = selfconsistent(net, np.linspace(0.0, 50.0, 11), r=1.0)
    out["phisc"] = sc.table[["nu_E", "nu_I"]].to_numpy().ravel().tolist()
    out["phisc_discrete"] = ([int(sc.status), len(sc.folds)] + sc.table["point"].astype(int).tolist()
                             + sc.table["stable"].astype(bool).tolist())
    d = dmft(phi="tanh", J0=3.0, g=2.0, I0=1.0, K=1000)
    out["dmft"] = [d.u, d.sigma0, d.sigma_inf, d.q, d.m, d.f, d.beta]
    out["dmft_discrete"] = [int(d.status), d.regime]
    return out


def _env(coretype):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "GOTO"))}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    return env


def _run(coretype, mode, timeout):
    proc = subprocess.run([sys.executable, __file__, mode], env=_env(coretype), capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (f"OPENBLAS_CORETYPE={coretype}: the theory core failed "
                                  f"(exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def _close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return abs(a - b) <= RTOL * abs(a) + ATOL
    return a == b


@pytest.fixture(scope="module")
def results():
    if not sys.platform.startswith("linux"):
        pytest.skip("reads the OpenBLAS kernel through /proc/self/maps (Linux only)")
    flags = _cpu_flags()
    wanted = [k for k, need in KERNELS.items() if flags is not None and set(need) <= flags or k is None]
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        probes = list(pool.map(lambda k: _run(k, "--cores", 60), wanted))
    if probes[0] is None:
        pytest.skip("numpy and scipy use no OpenBLAS here: OPENBLAS_CORETYPE has no effect")
    # one run per distinct (numpy kernel, scipy kernel); the default first
    distinct = {}
    for k, cores in zip(wanted, probes):
        distinct.setdefault(json.dumps(cores, sort_keys=True), k)
    todo = list(distinct.values())
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        runs = list(pool.map(lambda k: _run(k, "--compute", 300), todo))
    return dict(zip([k or "default" for k in todo], runs))


def test_theory_core_runs_under_every_available_kernel(results):
    kernels = {name: r["cores"] for name, r in results.items()}
    print("kernels run:", kernels)
    if platform.machine() in ("x86_64", "AMD64"):
        # at least the default and one forced kernel that differs from it (Prescott runs anywhere)
        assert len(results) >= 2, kernels
    for r in results.values():
        assert all(math.isfinite(x) and x >= 0 for x in r["phi"] + r["phi_scalar"])
        assert r["dmft_discrete"][0] == 0 and r["phisc_discrete"][0] == 0


@pytest.mark.parametrize("key", EXACT)
def test_blas_free_quantities_are_bit_identical(results, key):
    ref_name, ref = next(iter(results.items()))
    for name, r in results.items():
        assert r[key] == ref[key], f"{key}: kernel {name} {r['cores']} differs from {ref_name} {ref['cores']}"


@pytest.mark.parametrize("key", ["fit", "ssn_params", "ssn_states", "ssn_states_discrete", "ssn_sweep",
                                 "ssn_sweep_discrete", "phisc", "phisc_discrete", "dmft", "dmft_discrete"])
def test_lapack_dependent_quantities_agree(results, key):
    ref_name, ref = next(iter(results.items()))
    for name, r in results.items():
        a, b = ref[key], r[key]
        assert len(a) == len(b), f"{key}: {len(b)} values under {name}, {len(a)} under {ref_name}"
        bad = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if not _close(x, y)]
        assert not bad, f"{key}: kernel {name} vs {ref_name}, (index, {ref_name}, {name}): {bad[:5]}"


# ----------------------------------------------------------------------------- BLAS-free building blocks
@pytest.mark.parametrize("n", [1, 2, 5, 24, 30, 40])
def test_gauss_legendre_rule_is_exact_and_matches_numpy(n):
    # Gauss-Legendre with n nodes integrates x^k exactly for k <= 2n - 1 (2/(k+1), 0 for odd k);
    # the plain-float Newton rule (no LAPACK) must do so to rounding and sit on numpy's nodes
    import numpy as np

    from meanfield.quadrature import gauss_legendre

    t, w = gauss_legendre(n)
    assert t.shape == w.shape == (n,) and np.all(np.diff(t) > 0) and np.all(w > 0)
    for k in range(2 * n):
        exact = 2.0 / (k + 1) if k % 2 == 0 else 0.0
        assert abs(float(np.sum(w * t ** k)) - exact) < 1e-14, k
    T, W = np.polynomial.legendre.leggauss(n)
    assert np.max(np.abs(t - T)) <= 2.3e-16
    assert np.max(np.abs(w / W - 1.0)) < 1e-12        # leggauss's own weights err by up to 7e-13
    with pytest.raises(ValueError, match="n"):
        gauss_legendre(0)


def test_line_fit_matches_polyfit_and_refuses_degenerate_data():
    import numpy as np

    from brianmodels.rate.sweep import line_fit

    rng = np.random.default_rng(3)
    x = np.log(np.array([250.0, 500.0, 1000.0, 2000.0, 4000.0]))
    y = 0.7 - 0.5 * x + 0.01 * rng.standard_normal(x.size)
    slope, intercept, se = line_fit(x, y)
    ref = np.polyfit(x, y, 1)
    assert slope == pytest.approx(ref[0], rel=1e-12) and intercept == pytest.approx(ref[1], rel=1e-12)
    resid = y - np.polyval(ref, x)
    assert se == pytest.approx(math.sqrt(np.sum(resid ** 2) / 3 / np.sum((x - x.mean()) ** 2)), rel=1e-12)
    assert line_fit([1.0, 2.0], [3.0, 5.0]) == (2.0, 1.0, 0.0)
    for bad, match in (((np.ones(3), y[:3]), "two distinct x"), (([1.0, 2.0], [1.0, np.nan]), "finite"),
                       (([1.0, 2.0], [1.0, 2.0, 3.0]), "same length")):
        with pytest.raises(ValueError, match=match):
            line_fit(*bad, name="phi_mean")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "--compute"
    print(json.dumps(_blas_cores() if mode == "--cores" else _compute()))
