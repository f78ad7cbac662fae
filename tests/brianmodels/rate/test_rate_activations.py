"""The three spellings of each response function agree with Eqs 2-3."""
import numpy as np
import pytest

from brianmodels.rate import activations
from brianmodels.rate.fastpath import _phi_vec
from brianmodels.rate.params import RateNetworkSpec

X = np.array([-3.0, -1e-9, 0.0, 1e-12, 0.3, 1.0, 2.5, 7.0])
EXPECTED = {                                  # Eq 2 and Eq 3 with lambda = 0, 1, 2, by hand
    "heaviside": (X > 0).astype(float),
    "tanh": np.array([0, 0, 0, np.tanh(1e-12), np.tanh(0.3), np.tanh(1.0), np.tanh(2.5), np.tanh(7.0)]),
    "relu": np.array([0, 0, 0, 1e-12, 0.3, 1.0, 2.5, 7.0]),
    "quadratic": np.array([0, 0, 0, 1e-24, 0.09, 1.0, 6.25, 49.0]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_numpy_numba_and_brian2_spellings(name):
    act = activations.get(name)
    np.testing.assert_allclose(act.numpy(X), EXPECTED[name], rtol=1e-15, atol=0)
    np.testing.assert_allclose(_phi_vec(X, act.code), EXPECTED[name], rtol=1e-15, atol=0)
    # the Brian2 expression, parsed by Brian2 itself and evaluated by sympy (no device needed)
    import sympy
    from brian2.parsing.sympytools import str_to_sympy
    expr = str_to_sympy(act.brian2)
    xs = [s for s in expr.free_symbols if s.name == "x"][0]
    f = sympy.lambdify(xs, expr, [{"int_": lambda b: 1 if b else 0}, "math"])   # Brian2 int()
    np.testing.assert_allclose([float(f(v)) for v in X], EXPECTED[name], rtol=1e-15, atol=0)


def test_aliases_and_unknown():
    assert activations.get("rect_tanh").name == "tanh"
    assert activations.get("Heaviside").name == "heaviside"
    with pytest.raises(ValueError, match="phi"):
        activations.get("sigmoid")
    with pytest.raises(TypeError, match="phi"):
        activations.get([3])
    # one table (issue 11): a number is the exponent lambda of Eq 3 on both sides (it was a
    # TypeError here and an exponent in the DMFT's copy); 0, 1, 2 are the named members, other
    # exponents have no simulation kernel and the simulation refuses them naming phi
    assert activations.get(1).name == "relu" and activations.get(3).name == "power3"
    with pytest.raises(ValueError, match="phi"):
        RateNetworkSpec.inhibitory(N=10, K=10, phi=3)


@pytest.mark.parametrize("name", ["tanh", "rect_tanh", "Heaviside", "step", "relu", "linear", "quadratic",
                                  "square", 0, 2.0])
def test_simulation_and_dmft_accept_the_same_names(name):
    from meanfield.sparse_balance.activations import get_activation
    act = activations.get(name)
    assert get_activation(name) is act                       # the same table, the same entry
    assert RateNetworkSpec.inhibitory(N=10, K=10, phi=name).phi == act.name
    # the sympy antiderivative is that of the simulated phi: Phi' = phi away from the kink
    x = np.array([0.3, 1.0, 2.5])
    h = 1e-6
    np.testing.assert_allclose((act.Phi(x + h) - act.Phi(x - h)) / (2 * h), act.numpy(x), rtol=1e-6)
