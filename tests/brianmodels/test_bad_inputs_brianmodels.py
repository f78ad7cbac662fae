"""Bad inputs on the brianmodels side are refused before any compile or run (issue 10).

Every case asserts the exception type, that the message names the parameter, and that nothing
was compiled or run: the build cache (``BRIANMODELS_CACHE``) points at an empty folder that must
stay empty, and the functions that compile (``build.get_build``), write connectivity
(``build.connectivity_files``) or run (``build.run_binary``) a LIF model, draw a rate network's
weights (``weight_matrix``) or run a rate-sweep point fail the test if they are reached. No case
compiles anything: the whole file takes about a second.
"""
import numpy as np
import pytest

from brianmodels import presets
from brianmodels.lif import build, inputs
from brianmodels.lif import simulate as lifsim
from brianmodels.lif.simulate import fi_curve, simulate
from brianmodels.lif.sweep import sweep
from brianmodels.network import LIFNetwork
from brianmodels.rate import params as rate_params
from brianmodels.rate import simulate as rate_sim
from brianmodels.rate import sweep as rate_sweep_mod
from brianmodels.rate import weights as rate_weights
from brianmodels.rate.simulate import simulate_rate_network
from brianmodels.rate.sweep import fit_exponent, rate_sweep

NAN, INF = float("nan"), float("inf")
#: 40 + 10 neurons, K = (4, 1, 4, 1): valid everywhere, never compiled here.
SMALL = LIFNetwork(N=(40, 10), p=0.1, j=0.01)
REFR = SMALL.replace(t_ref=(0.002, 0.002))
XOR = presets.XOR_INPUTS
KW = dict(duration=1.0, warmup=0.2, progress=False)
RATE = dict(N=50, K=50, T=1.0, progress=False)


def _sim(**kw):
    return lambda: simulate(SMALL, **{"mu_E": 20.0, **KW, **kw})


def _sweep(**kw):
    return lambda: sweep(SMALL, **{"mu_E": [10.0, 20.0], **KW, **kw})


def _net(**kw):
    return lambda: LIFNetwork(**{"N": (40, 10), "p": 0.1, "j": 0.01, **kw})


def _rate(**kw):
    return lambda: simulate_rate_network(**{**RATE, **kw})


def _rsweep(**kw):
    return lambda: rate_sweep(**{"K": [20, 40], "T": 1.0, "n_jobs": 1, "progress": False, **kw})


class _NoTimed:  # has at() and mean() but is not a protocol (no `timed`, no to_dict)
    def at(self, t):
        return np.zeros((np.size(t), 2))

    def mean(self, t0, t1):
        return np.zeros(2)


_nan_drive = inputs.Sampled(lambda t: np.where(t > 0.5, np.nan, 10.0))
_short_drive = inputs.Sampled(lambda t: np.ones(3))
_ramp = inputs.ramp([(0.0, 10.0, 10.0), (1.0, 20.0, 20.0)])
_theta_low = np.r_[np.ones(49), -1.0]  # one neuron with theta below v_reset = 0


def _fit(**kw):
    import pandas as pd

    t = pd.DataFrame({"K": [10, 20, 40], "N": [10, 20, 40], "seed": 0, "connectivity_seed": 0,
                      "population": "I", "phi_mean": [0.3, 0.2, 0.1]})
    return lambda: fit_exponent(t, **kw)


# (call, exception type, regex the message must contain: the parameter's name)
CASES = [
    # ------------------------------------------------------------- LIFNetwork and presets
    pytest.param(_net(p="abc"), TypeError, r"\bp\b", id="net-p-string"),
    pytest.param(_net(j=None), TypeError, r"\bj\b", id="net-j-None"),
    pytest.param(_net(tau=(0.02, NAN)), ValueError, "tau", id="net-tau-nan"),
    pytest.param(_net(tau=(0.02,)), ValueError, "tau", id="net-tau-length1"),
    pytest.param(_net(tau=0.0), ValueError, "tau", id="net-tau-zero"),
    pytest.param(_net(N=(40.5, 10)), ValueError, r"\bN\b", id="net-N-float"),
    pytest.param(_net(N=None), TypeError, r"\bN\b", id="net-N-None"),
    pytest.param(_net(N=(2**31, 10)), ValueError, r"\bN\b", id="net-N-over-int32"),
    pytest.param(_net(N=(40, 0)), ValueError, r"\bN\b", id="net-N-zero"),
    pytest.param(_net(p=(0.1, 0.2, 0.3)), ValueError, r"\bp\b", id="net-p-length3"),
    pytest.param(_net(p=1.5), ValueError, r"\bp\b", id="net-p-above-1"),
    pytest.param(_net(j=-0.1), ValueError, r"\bj\b", id="net-j-negative"),
    pytest.param(_net(synapse="alpha"), ValueError, "synapse", id="net-synapse-unknown"),
    pytest.param(_net(tau_s=-0.01), ValueError, "tau_s", id="net-tau_s-negative"),
    pytest.param(_net(synapse="exp", tau_s=0.0), ValueError, "tau_s", id="net-tau_s-zero-exp"),
    pytest.param(_net(delay_min=0.01, delay_max=0.0), ValueError, "delay_max", id="net-delay-order"),
    pytest.param(_net(t_ref=-0.001), ValueError, "t_ref", id="net-t_ref-negative"),
    pytest.param(_net(theta=0.0), ValueError, "theta", id="net-theta-at-reset"),
    pytest.param(_net(sigma_ext=0.0), ValueError, "sigma_ext", id="net-sigma-zero"),
    pytest.param(_net(N_ref="a"), TypeError, "N_ref", id="net-N_ref-string"),
    pytest.param(_net(N_ref=4000.5), ValueError, "N_ref", id="net-N_ref-float"),
    pytest.param(_net(N_ref=NAN), ValueError, "N_ref", id="net-N_ref-nan"),
    pytest.param(_net(name=5), TypeError, "name", id="net-name-int"),
    pytest.param(lambda: SMALL.replace(foo=1), TypeError, "foo", id="net-replace-unknown"),
    pytest.param(lambda: SMALL.scaled("x"), TypeError, "N_total", id="net-scaled-string"),
    pytest.param(lambda: SMALL.scaled(NAN), ValueError, "N_total", id="net-scaled-nan"),
    pytest.param(lambda: SMALL.mu_scale(None), TypeError, "N_total", id="net-mu_scale-None"),
    pytest.param(lambda: LIFNetwork.from_dict("x"), TypeError, r"\bd\b", id="net-from_dict-str"),
    pytest.param(lambda: LIFNetwork.from_dict({"N": (40, 10), "j": 0.1}), TypeError, r"\bp\b",
                 id="net-from_dict-missing-p"),
    pytest.param(lambda: presets.get("nope"), ValueError, "name", id="preset-unknown"),
    pytest.param(lambda: presets.get(3), TypeError, "name", id="preset-name-int"),
    pytest.param(lambda: presets.get("supersaturating", tau=-1.0), ValueError, "tau",
                 id="preset-change-tau-negative"),
    pytest.param(lambda: presets.get("supersaturating", foo=1), TypeError, "foo",
                 id="preset-change-unknown"),
    pytest.param(lambda: presets.info("nope"), ValueError, "name", id="preset-info-unknown"),
    # ------------------------------------------------------------- simulate
    pytest.param(lambda: simulate("supersaturating", mu_E=1.0), TypeError, "net", id="sim-net-str"),
    pytest.param(lambda: simulate(LIFNetwork(N=(10, 10), p=1.0, j=0.1), mu_E=1.0), ValueError,
                 "net", id="sim-net-K-too-big"),
    pytest.param(_sim(mu_E=None), ValueError, "mu_E", id="sim-mu-missing"),
    pytest.param(_sim(mu_E="abc"), TypeError, "mu_E", id="sim-mu-string"),
    pytest.param(_sim(mu_E=[1.0, 2.0]), ValueError, "mu_E", id="sim-mu-array"),
    pytest.param(_sim(mu_E=NAN), ValueError, "mu_E", id="sim-mu-nan"),
    pytest.param(_sim(r="abc"), TypeError, r"\br\b", id="sim-r-string"),
    pytest.param(_sim(r=NAN), ValueError, r"\br\b", id="sim-r-nan"),
    pytest.param(_sim(mu_I=INF), ValueError, "mu_I", id="sim-mu_I-inf"),
    pytest.param(_sim(mu_E=None, protocol="ramp"), TypeError, "protocol", id="sim-protocol-str"),
    pytest.param(_sim(protocol=_ramp), ValueError, "protocol", id="sim-protocol-and-mu"),
    pytest.param(_sim(mu_E=None, protocol=_NoTimed()), TypeError, "protocol",
                 id="sim-protocol-incomplete"),
    pytest.param(_sim(mu_E=None, protocol=_nan_drive), ValueError, "protocol",
                 id="sim-sampled-returns-nan"),
    pytest.param(_sim(mu_E=None, protocol=_short_drive), ValueError, "protocol",
                 id="sim-sampled-wrong-shape"),
    pytest.param(_sim(duration=None), TypeError, "duration", id="sim-duration-None"),
    pytest.param(_sim(duration=INF), ValueError, "duration", id="sim-duration-inf"),
    pytest.param(_sim(duration=0.0), ValueError, "duration", id="sim-duration-zero"),
    pytest.param(_sim(duration=1.00001), ValueError, "duration", id="sim-duration-not-multiple"),
    pytest.param(_sim(duration=0.5, warmup=1.0), ValueError, "warmup", id="sim-warmup-after-end"),
    pytest.param(_sim(warmup=NAN), ValueError, "warmup", id="sim-warmup-nan"),
    pytest.param(_sim(warmup=-0.1), ValueError, "warmup", id="sim-warmup-negative"),
    pytest.param(_sim(dt=0.0), ValueError, "dt", id="sim-dt-zero"),
    pytest.param(_sim(dt=0.002), ValueError, r"dt must be <= ", id="sim-dt-above-tau-over-10"),
    pytest.param(_sim(dt=1.0), ValueError, r"dt must be <= ", id="sim-dt-huge"),
    pytest.param(_sim(neuron_params={"tau": 2e-4}), ValueError, r"dt must be <= ", id="sim-dt-vs-per-neuron-tau"),
    pytest.param(lambda: simulate(SMALL.replace(synapse="exp", tau_s=1e-4), mu_E=20.0, **KW),
                 ValueError, r"dt must be <= ", id="sim-dt-vs-tau_s"),
    pytest.param(_sim(rate_bin=1.7e-4), ValueError, "rate_bin", id="sim-rate_bin-not-multiple"),
    pytest.param(_sim(rate_bin=NAN), ValueError, "rate_bin", id="sim-rate_bin-nan"),
    pytest.param(_sim(input_dt=-1e-3), ValueError, "input_dt", id="sim-input_dt-negative"),
    pytest.param(_sim(record_spikes=(1, 2, 3)), ValueError, "record_spikes", id="sim-rec-length3"),
    pytest.param(_sim(record_spikes=(100, 0)), ValueError, "record_spikes", id="sim-rec-above-N"),
    pytest.param(_sim(record_spikes=True), TypeError, "record_spikes", id="sim-rec-bool"),
    pytest.param(_sim(record_spikes=1.5), ValueError, "record_spikes", id="sim-rec-float"),
    pytest.param(_sim(record_spikes="some"), ValueError, "record_spikes", id="sim-rec-string"),
    pytest.param(_sim(record_currents=-1), ValueError, "record_currents", id="sim-cur-negative"),
    pytest.param(_sim(neuron_params=[1, 2]), TypeError, "neuron_params", id="sim-np-list"),
    pytest.param(_sim(neuron_params={"foo": 1.0}), ValueError, "neuron_params", id="sim-np-unknown"),
    pytest.param(_sim(neuron_params={"tau": np.full(7, 0.02)}), ValueError, "neuron_params",
                 id="sim-np-wrong-length"),
    pytest.param(_sim(neuron_params={"sigma": 0.0}), ValueError, "sigma", id="sim-np-sigma-zero"),
    pytest.param(_sim(neuron_params={"theta": _theta_low}), ValueError, "theta",
                 id="sim-np-theta-below-reset"),
    pytest.param(_sim(neuron_params={"t_ref": 0.002}), ValueError, "t_ref",
                 id="sim-np-t_ref-without-refractory-build"),
    pytest.param(_sim(mu_E=None, protocol=_ramp, neuron_params={"mu": 10.0}), ValueError, "mu",
                 id="sim-np-mu-with-ramp"),
    pytest.param(_sim(poisson_rates=5.0), ValueError, "poisson_rates", id="sim-prates-without-inputs"),
    pytest.param(_sim(poisson_inputs=XOR, poisson_rates=-1.0), ValueError, "poisson_rates",
                 id="sim-prates-negative"),
    pytest.param(_sim(poisson_inputs=XOR, poisson_rates=NAN), ValueError, "poisson_rates",
                 id="sim-prates-nan"),
    pytest.param(_sim(poisson_inputs=XOR, poisson_rates=[1.0, 2.0]), ValueError, "poisson_rates",
                 id="sim-prates-wrong-count"),
    pytest.param(_sim(poisson_inputs={"N": 100, "j": 0.01}), ValueError, "poisson_inputs",
                 id="sim-pinputs-missing-p"),
    pytest.param(_sim(poisson_inputs=dict(XOR, rate=5.0)), ValueError, "poisson_inputs",
                 id="sim-pinputs-unknown-key"),
    pytest.param(_sim(poisson_inputs=dict(XOR, N=1.5)), ValueError, "poisson_inputs",
                 id="sim-pinputs-N-float"),
    pytest.param(_sim(poisson_inputs=dict(XOR, p=NAN)), ValueError, "poisson_inputs",
                 id="sim-pinputs-p-nan"),
    pytest.param(_sim(poisson_inputs=[]), ValueError, "poisson_inputs", id="sim-pinputs-empty"),
    pytest.param(_sim(poisson_inputs="abc"), TypeError, "poisson_inputs", id="sim-pinputs-str"),
    pytest.param(_sim(seed=-1), ValueError, "seed", id="sim-seed-negative"),
    pytest.param(_sim(seed=1.5), TypeError, "seed", id="sim-seed-float"),
    pytest.param(_sim(seed=2**64), ValueError, "seed", id="sim-seed-huge"),
    pytest.param(_sim(seed="1"), TypeError, "seed", id="sim-seed-str"),
    pytest.param(_sim(connectivity_seed=-1), ValueError, "connectivity_seed", id="sim-cseed-negative"),
    pytest.param(_sim(synapse_weights={"EE": np.ones(3)}), ValueError, "synapse_weights",
                 id="sim-sw-wrong-size"),
    pytest.param(_sim(synapse_weights={"EE": np.full(160, NAN)}), ValueError, "synapse_weights",
                 id="sim-sw-nan"),
    pytest.param(_sim(synapse_weights={"EE": -np.ones(160)}), ValueError, "synapse_weights",
                 id="sim-sw-negative"),
    pytest.param(_sim(synapse_weights={"XY": np.ones(160)}), ValueError, "synapse_weights",
                 id="sim-sw-unknown-pathway"),
    pytest.param(_sim(synapse_weights={"EE": np.ones(160)}, synapses="brian2"), ValueError,
                 "synapse_weights", id="sim-sw-brian2-engine"),
    pytest.param(_sim(synapses="dense"), ValueError, "synapses", id="sim-synapses-unknown"),
    # ------------------------------------------------------------- fi_curve
    pytest.param(lambda: fi_curve("abc"), TypeError, "mu", id="fi-mu-string"),
    pytest.param(lambda: fi_curve([]), ValueError, "mu", id="fi-mu-empty"),
    pytest.param(lambda: fi_curve([10.0, 20.0], sigma=0.0), ValueError, "sigma", id="fi-sigma-zero"),
    pytest.param(lambda: fi_curve([10.0], tau=-0.02), ValueError, "tau", id="fi-tau-negative"),
    pytest.param(lambda: fi_curve([10.0], theta=0.0), ValueError, "theta", id="fi-theta-at-reset"),
    pytest.param(lambda: fi_curve([10.0], t_ref=-1e-3), ValueError, "t_ref", id="fi-t_ref-negative"),
    pytest.param(lambda: fi_curve([10.0, 20.0, 30.0], sigma=[1.0, 2.0]), ValueError, "sigma",
                 id="fi-shapes-mismatch"),
    pytest.param(lambda: fi_curve([10.0], n_per_point=0), ValueError, "n_per_point", id="fi-n-zero"),
    pytest.param(lambda: fi_curve([10.0], n_per_point="a"), TypeError, "n_per_point", id="fi-n-str"),
    pytest.param(lambda: fi_curve([10.0], n_per_point=1.5), ValueError, "n_per_point", id="fi-n-float"),
    pytest.param(lambda: fi_curve([10.0], tau=0.02, dt=0.01), ValueError, r"dt must be <= ", id="fi-dt-vs-tau"),
    pytest.param(lambda: fi_curve([10.0], duration=1.0, warmup=2.0), ValueError, "warmup",
                 id="fi-warmup-after-end"),
    # ------------------------------------------------------------- sweep
    pytest.param(lambda: sweep("x", mu_E=1.0), TypeError, "net", id="sweep-net-str"),
    pytest.param(_sweep(mu_E=[]), ValueError, "mu_E", id="sweep-mu-empty"),
    pytest.param(_sweep(mu_E=[1.0, NAN]), ValueError, "mu_E", id="sweep-mu-nan"),
    pytest.param(_sweep(mu_E=[1.0, 2.0, 3.0], r=[1.0, 2.0]), ValueError, r"\br\b",
                 id="sweep-r-length"),
    pytest.param(_sweep(r="abc"), TypeError, r"\br\b", id="sweep-r-string"),
    pytest.param(_sweep(mu_E=[1.0, 2.0, 3.0], mu_I=[1.0, 2.0]), ValueError, "mu_I",
                 id="sweep-mu_I-length"),
    pytest.param(_sweep(mu_E=None, protocols=[]), ValueError, "protocols", id="sweep-protocols-empty"),
    pytest.param(_sweep(mu_E=None, protocols=5), TypeError, "protocols", id="sweep-protocols-int"),
    pytest.param(_sweep(mu_E=None, protocols=["x"]), TypeError, r"protocols\[0\]",
                 id="sweep-protocols-item-str"),
    pytest.param(_sweep(mu_E=None, protocols=[inputs.Constant(1.0, 1.0), _ramp]), ValueError,
                 "protocols", id="sweep-protocols-mixed"),
    pytest.param(_sweep(mu_E=None, protocols=[_ramp, _nan_drive]), ValueError, r"protocols\[1\]",
                 id="sweep-protocols-nan"),
    pytest.param(_sweep(protocols=[_ramp]), ValueError, "protocols", id="sweep-protocols-and-mu"),
    pytest.param(_sweep(seeds=[]), ValueError, "seeds", id="sweep-seeds-empty"),
    pytest.param(_sweep(seeds=[1, -1]), ValueError, "seeds", id="sweep-seeds-negative"),
    pytest.param(_sweep(seeds=[1.5]), TypeError, "seeds", id="sweep-seeds-float"),
    pytest.param(_sweep(variants=[]), ValueError, "variants", id="sweep-variants-empty"),
    pytest.param(_sweep(variants={"tau": (0.02, 0.01)}), TypeError, "variants",
                 id="sweep-variants-dict"),
    pytest.param(_sweep(variants=[{"foo": 1}]), TypeError, r"variants\[0\]",
                 id="sweep-variants-unknown-field"),
    pytest.param(_sweep(variants=[{}, {"tau": -1.0}]), ValueError, r"variants\[1\].*tau",
                 id="sweep-variants-bad-value"),
    pytest.param(_sweep(variants=[{"N": (20, 10)}]), ValueError, r"variants\[0\]",
                 id="sweep-variants-change-N"),
    pytest.param(_sweep(variants=[{"t_ref": 0.002}]), ValueError, r"variants\[0\]",
                 id="sweep-variants-switch-refractory"),
    pytest.param(_sweep(variants=[{}, {"neuron_params": {"theta": _theta_low}}]), ValueError,
                 r"variants\[1\].*theta", id="sweep-variants-np-theta"),
    pytest.param(_sweep(variants=[{"neuron_params": {"t_ref": 0.002}}]), ValueError,
                 r"variants\[0\].*t_ref", id="sweep-variants-np-t_ref"),
    pytest.param(_sweep(variants=[{"tau": (0.02, 1e-4)}]), ValueError, r"variants\[0\].*dt must be <= ",
                 id="sweep-variants-dt-bound"),
    pytest.param(_sweep(variants=[{"neuron_params": {"tau": np.ones(3)}}]), ValueError,
                 r"variants\[0\].*neuron_params", id="sweep-variants-np-length"),
    pytest.param(_sweep(variants=[{"synapse_weights": {"EE": np.ones(3)}}]), ValueError,
                 r"variants\[0\].*synapse_weights", id="sweep-variants-sw-size"),
    pytest.param(_sweep(poisson_rates=[5.0]), ValueError, "poisson_rates",
                 id="sweep-prates-without-inputs"),
    pytest.param(_sweep(poisson_inputs=XOR, poisson_rates=[1.0, -1.0]), ValueError,
                 r"poisson_rates\[1\]", id="sweep-prates-negative"),
    pytest.param(_sweep(poisson_inputs=XOR, poisson_rates=[[1.0, 2.0]]), ValueError,
                 r"poisson_rates\[0\]", id="sweep-prates-wrong-count"),
    pytest.param(_sweep(poisson_inputs=XOR, poisson_rates=[]), ValueError, "poisson_rates",
                 id="sweep-prates-empty"),
    pytest.param(_sweep(poisson_inputs={"N": 100, "j": 0.01}), ValueError, "poisson_inputs",
                 id="sweep-pinputs-missing-p"),
    pytest.param(_sweep(n_jobs=0), ValueError, "n_jobs", id="sweep-n_jobs-zero"),
    pytest.param(_sweep(n_jobs="a"), TypeError, "n_jobs", id="sweep-n_jobs-str"),
    pytest.param(_sweep(n_jobs=1.5), ValueError, "n_jobs", id="sweep-n_jobs-float"),
    pytest.param(_sweep(n_jobs=True), TypeError, "n_jobs", id="sweep-n_jobs-bool"),
    pytest.param(_sweep(scheduler=5), TypeError, "scheduler", id="sweep-scheduler-int"),
    pytest.param(_sweep(scheduler=""), ValueError, "scheduler", id="sweep-scheduler-empty"),
    pytest.param(_sweep(duration=0.5, warmup=1.0), ValueError, "warmup", id="sweep-warmup-after-end"),
    pytest.param(_sweep(dt=0.002), ValueError, r"dt must be <= ", id="sweep-dt-above-tau-over-10"),
    pytest.param(_sweep(connectivity_seeds=[1, -1]), ValueError, "connectivity_seeds",
                 id="sweep-cseed-negative"),
    pytest.param(_sweep(connectivity_seeds=[]), ValueError, "connectivity_seeds",
                 id="sweep-cseeds-empty"),
    pytest.param(_sweep(connectivity_seeds=[2.0]), TypeError, "connectivity_seeds",
                 id="sweep-cseeds-float"),
    pytest.param(_sweep(connectivity_seed=1), TypeError, "connectivity_seed",
                 id="sweep-cseed-singular"),
    pytest.param(_sim(r=0.5, mu_I=10.0), ValueError, "either r or mu_I", id="sim-r-and-mu_I"),
    pytest.param(_sweep(record_spikes=(1, 2, 3)), ValueError, "record_spikes", id="sweep-rec-length3"),
    pytest.param(_sweep(synapses="dense"), ValueError, "synapses", id="sweep-synapses-unknown"),
    # ------------------------------------------------------------- input protocols
    pytest.param(lambda: inputs.ramp([]), ValueError, "breakpoints", id="in-ramp-empty"),
    pytest.param(lambda: inputs.ramp("abc"), TypeError, "breakpoints", id="in-ramp-str"),
    pytest.param(lambda: inputs.ramp([(0, 1, 1), (-1, 2, 2)]), ValueError, r"\bt\b",
                 id="in-ramp-t-decreasing"),
    pytest.param(lambda: inputs.ramp([(0, 1), (1, 2)], r=NAN), ValueError, r"\br\b", id="in-ramp-r-nan"),
    pytest.param(lambda: inputs.ramp([(0, 1), (1, 2)], r="a"), TypeError, r"\br\b", id="in-ramp-r-str"),
    pytest.param(lambda: inputs.from_preset("nope"), ValueError, "name", id="in-from_preset-unknown"),
    pytest.param(lambda: inputs.from_preset("supersaturating", scale=NAN), ValueError, "scale",
                 id="in-from_preset-scale-nan"),
    pytest.param(lambda: inputs.Constant("a", 1.0), TypeError, "mu_E", id="in-constant-str"),
    pytest.param(lambda: inputs.Constant([1.0, 2.0], 1.0), ValueError, "mu_E", id="in-constant-array"),
    pytest.param(lambda: inputs.PiecewiseLinear((0, 1), (1,), (1, 1)), ValueError, "mu_E",
                 id="in-pwl-lengths"),
    pytest.param(lambda: inputs.Sampled([1.0, 2.0]), ValueError, "sample_dt", id="in-sampled-no-dt"),
    pytest.param(lambda: inputs.Sampled([1.0, 2.0], sample_dt=NAN), ValueError, "sample_dt",
                 id="in-sampled-dt-nan"),
    pytest.param(lambda: inputs.Sampled([1.0, 2.0], sample_dt="a"), TypeError, "sample_dt",
                 id="in-sampled-dt-str"),
    pytest.param(lambda: inputs.Sampled([], sample_dt=1e-3), ValueError, "mu_E", id="in-sampled-empty"),
    pytest.param(lambda: inputs.Sampled(np.ones((2, 2)), sample_dt=1e-3), ValueError, "mu_E",
                 id="in-sampled-2d"),
    pytest.param(lambda: inputs.Sampled("abc", sample_dt=1e-3), TypeError, "mu_E", id="in-sampled-str"),
    pytest.param(lambda: inputs.Sampled(lambda t: t, r=NAN), ValueError, r"\br\b", id="in-sampled-r-nan"),
    pytest.param(lambda: inputs.Sampled([1.0, NAN], sample_dt=1e-3), ValueError, "mu_E",
                 id="in-sampled-nan"),
    # ------------------------------------------------------------- rate networks
    pytest.param(_rate(ei="yes"), TypeError, r"\bei\b", id="rate-ei-str"),
    pytest.param(_rate(ei=dict(g=[1.0, 2.0, 3.0])), ValueError, r"\bg\b", id="rate-ei-g-shape"),
    pytest.param(_rate(N="a"), TypeError, r"\bN\b", id="rate-N-str"),
    pytest.param(_rate(K=0), ValueError, r"\bK\b", id="rate-K-zero"),
    pytest.param(_rate(J0=NAN), ValueError, "J0", id="rate-J0-nan"),
    pytest.param(_rate(I0=INF), ValueError, "I0", id="rate-I0-inf"),
    pytest.param(_rate(nu=NAN), ValueError, "nu", id="rate-nu-nan"),
    pytest.param(_rate(weights=None), ValueError, "weights", id="rate-weights-None"),
    pytest.param(_rate(phi=None), TypeError, "phi", id="rate-phi-None"),
    pytest.param(_rate(T=INF), ValueError, r"\bT\b", id="rate-T-inf"),
    pytest.param(_rate(T=NAN), ValueError, r"\bT\b", id="rate-T-nan"),
    pytest.param(_rate(dt=0.1), ValueError, "dt", id="rate-dt-above-0.05"),
    pytest.param(_rate(warmup=-1.0), ValueError, "warmup", id="rate-warmup-negative"),
    pytest.param(_rate(seed=1.5), TypeError, "seed", id="rate-seed-float"),
    pytest.param(_rate(seed=True), TypeError, "seed", id="rate-seed-bool"),
    pytest.param(_rate(connectivity_seed=-1), ValueError, "connectivity_seed", id="rate-connectivity_seed-negative"),
    pytest.param(_rate(connectivity_seed=1.5), TypeError, "connectivity_seed", id="rate-connectivity_seed-float"),
    pytest.param(_rate(phi=1.5), ValueError, "phi", id="rate-phi-theory-only-exponent"),
    pytest.param(_rate(method="gpu"), ValueError, "method", id="rate-method-unknown"),
    pytest.param(_rate(n_rec="a"), TypeError, "n_rec", id="rate-n_rec-str"),
    pytest.param(_rate(n_rec=1.5), ValueError, "n_rec", id="rate-n_rec-float"),
    pytest.param(_rate(max_lag="a"), TypeError, "max_lag", id="rate-max_lag-str"),
    pytest.param(_rate(max_lag=INF), ValueError, "max_lag", id="rate-max_lag-inf"),
    pytest.param(_rate(max_lag=0.001), ValueError, "max_lag", id="rate-max_lag-below-dt"),
    pytest.param(_rate(hist_bins=1.5), ValueError, "hist_bins", id="rate-hist_bins-float"),
    pytest.param(_rate(hist_bins="a"), TypeError, "hist_bins", id="rate-hist_bins-str"),
    pytest.param(_rate(hist_range=(1.0, 0.0)), ValueError, "hist_range", id="rate-hist_range-order"),
    pytest.param(_rate(hist_range=(NAN, 1.0)), ValueError, "hist_range", id="rate-hist_range-nan"),
    pytest.param(_rate(hist_range=5.0), TypeError, "hist_range", id="rate-hist_range-scalar"),
    pytest.param(_rate(dtype="foo"), TypeError, "dtype", id="rate-dtype-unknown"),
    pytest.param(_rate(dtype="int32"), ValueError, "dtype", id="rate-dtype-int"),
    pytest.param(_rate(parallel="yes"), TypeError, "parallel", id="rate-parallel-str"),
    pytest.param(lambda: rate_params.RateNetworkSpec.ei(g=[[1.0, 2.0], [3.0, NAN]]), ValueError,
                 "g_II", id="rate-spec-g-nan"),
    pytest.param(_rsweep(K=[]), ValueError, r"\bK\b", id="rsweep-K-empty"),
    pytest.param(_rsweep(K=[1.5]), ValueError, r"\bK\b", id="rsweep-K-float"),
    pytest.param(_rsweep(K="a"), TypeError, r"\bK\b", id="rsweep-K-str"),
    pytest.param(_rsweep(K=[0]), ValueError, r"\bK\b", id="rsweep-K-zero"),
    pytest.param(_rsweep(seeds=[-1]), ValueError, "seeds", id="rsweep-seeds-negative"),
    pytest.param(_rsweep(seeds=[1.5]), TypeError, "seeds", id="rsweep-seeds-float"),
    pytest.param(_rsweep(seeds=[]), ValueError, "seeds", id="rsweep-seeds-empty"),
    pytest.param(_rsweep(connectivity_seeds=[-1]), ValueError, "connectivity_seeds",
                 id="rsweep-connectivity_seeds-negative"),
    pytest.param(_rsweep(connectivity_seeds=[]), ValueError, "connectivity_seeds",
                 id="rsweep-connectivity_seeds-empty"),
    pytest.param(_rsweep(connectivity_seed=3), TypeError, "connectivity_seed", id="rsweep-connectivity_seed-kwarg"),
    pytest.param(_rsweep(N=[100, 200, 300]), ValueError, r"\bN\b", id="rsweep-N-length"),
    pytest.param(_rsweep(foo=1), TypeError, "foo", id="rsweep-unknown-kwarg"),
    pytest.param(_rsweep(seed=3), TypeError, "seed", id="rsweep-seed-kwarg"),
    pytest.param(_rsweep(method="gpu"), ValueError, "method", id="rsweep-method-unknown"),
    pytest.param(_rsweep(max_lag=-1.0), ValueError, "max_lag", id="rsweep-max_lag-negative"),
    pytest.param(_rsweep(dt=0.1), ValueError, "dt", id="rsweep-dt-above-0.05"),
    pytest.param(_rsweep(n_jobs="a"), TypeError, "n_jobs", id="rsweep-n_jobs-str"),
    pytest.param(_rsweep(n_jobs=0), ValueError, "n_jobs", id="rsweep-n_jobs-zero"),
    pytest.param(_rsweep(ei=True), ValueError, r"\bei\b", id="rsweep-ei"),
    pytest.param(_fit(quantity="nope"), ValueError, "quantity", id="fit-quantity-unknown"),
    pytest.param(_fit(population="E"), ValueError, "population", id="fit-population-unknown"),
]


class _Reached(AssertionError):
    """Raised when a bad input reached a compile, a run or a weight draw."""


@pytest.fixture
def no_work(monkeypatch, tmp_path):
    """Empty build cache; compiling, writing connectivity or running fails the test."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("BRIANMODELS_CACHE", str(cache))
    assert build.cache_root() == cache  # read from the environment at each call

    def reached(what):
        def f(*a, **k):
            raise _Reached(f"{what} was called: the bad input was not stopped before the work")
        return f

    for name in ("get_build", "run_binary", "connectivity_files"):
        monkeypatch.setattr(build, name, reached(f"build.{name}"))
    monkeypatch.setattr(rate_sim, "weight_matrix", reached("rate weight_matrix"))
    monkeypatch.setattr(rate_sweep_mod, "_run_point", reached("rate_sweep._run_point"))
    yield cache
    assert not any(cache.iterdir()), f"the build cache was written: {list(cache.iterdir())}"


@pytest.mark.parametrize("call, exc, name", CASES)
def test_bad_input_is_refused_before_any_work(no_work, call, exc, name):
    with pytest.raises(exc, match=name) as info:
        call()
    assert not isinstance(info.value, _Reached)


def test_good_inputs_reach_the_build(no_work):
    """The fixture is not vacuous: valid arguments get as far as compiling (then stop)."""
    with pytest.raises(_Reached, match="get_build"):
        simulate(SMALL, mu_E=20.0, **KW)
    with pytest.raises(_Reached, match="get_build"):
        sweep(SMALL, mu_E=[10.0, 20.0], poisson_inputs=XOR, poisson_rates=[1.0, 2.0],
              variants=[{}, {"neuron_params": {"theta": np.full(50, 2.0)}}], **KW)
    with pytest.raises(_Reached, match="get_build"):
        simulate(REFR, mu_E=None, protocol=_ramp, neuron_params={"t_ref": 0.001}, **KW)
    with pytest.raises(_Reached, match="get_build"):
        fi_curve([10.0, 20.0], sigma=[3.0, 4.0], n_per_point=2, duration=1.0, warmup=0.2)
    with pytest.raises(_Reached, match="weight_matrix"):
        simulate_rate_network(**RATE)
    with pytest.raises(_Reached, match="_run_point"):
        rate_sweep(K=[20, 40], T=1.0, n_jobs=1, progress=False)


def test_dt_bound_is_tau_over_10(no_work):
    """dt may reach min(tau)/10 (here tau_I = 10 ms -> 1 ms), not beyond."""
    with pytest.raises(_Reached):
        simulate(SMALL, mu_E=20.0, dt=1e-3, duration=1.0, warmup=0.2, progress=False)
    with pytest.raises(ValueError, match=r"dt must be <= .*1e-03|dt must be <= 0\.001"):
        simulate(SMALL, mu_E=20.0, dt=1.25e-3, duration=1.25, warmup=0.25, progress=False)


def test_scalar_record_counts_are_capped_at_the_population_sizes():
    """An int is 'up to n per population' (the default 1000 on a 40 + 10 network)."""
    st = lifsim.settings(SMALL, duration=1.0, record_spikes=1000, record_currents=20)
    assert st.record_spikes == (40, 10) and st.record_currents == (20, 10)
    assert lifsim.settings(SMALL, duration=1.0).record_spikes == (40, 10)
    assert lifsim.settings(SMALL, duration=1.0, record_spikes="all").record_spikes == (40, 10)



@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: rate_weights.weight_matrix(rate_params.RateNetworkSpec.inhibitory(N=10, K=10),
                                                     connectivity_seed=-1), ValueError, "connectivity_seed", id="weights-seed"),
    pytest.param(lambda: rate_weights.weight_matrix("spec"), TypeError, "spec", id="weights-spec"),
])
def test_weight_matrix_checks_its_arguments(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
