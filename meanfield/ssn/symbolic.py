"""Symbolic derivation (sympy) of everything the SSN analysis needs, done once from Eq 2.

The stabilized supralinear network (Ekelmans et al. 2023, Eq 2; ``docs/theory/ssn_lif.md`` §6)

    tau_X dnu_X/dt = -nu_X + a_X (mu_X - b_X)_+^{n_X},
    mu_E = J_EE nu_E - J_EI nu_I + mu_E^ext,   mu_I = J_IE nu_E - J_II nu_I + mu_I^ext,

is written down here exactly once, as sympy expressions. From it sympy derives

* the local gains g_X = d nu_X / d mu_X of the power law (§6);
* the Jacobian of Eq 2 in terms of the gains (§7.4), its trace and determinant;
* Delta = det(1 - G J) and the linear response d nu / d mu^ext (§6), by implicit differentiation
  of the steady-state condition;
* the characteristic function F(z) (Eq S10, §7.1) by eliminating nu_I through the E nullcline,
  and its mirror F_I(w) (§7.1, used for supersaturation) by eliminating nu_E through the I nullcline;
* the regime thresholds: z_E^* / nu_E^ISN (Eq 7), w^* / nu_I^* (Eq S6), and the balanced-state
  rates per unit input (Eq S1) with det J (Eqs S2, S4).

Each expression is turned into a numpy function with :func:`sympy.lambdify` and cached, so the
numerical kernels (:mod:`meanfield.ssn.kernels`) never retype a formula. The rectification ``(.)_+``
is kept outside the symbolic expressions: the characteristic functions take the rectified argument
``wp = max(w, 0)`` as a separate variable, and the chain rule through it is applied by the kernel.

sympy is imported only when :func:`functions` is first called (``import meanfield`` stays fast).

Argument conventions of the lambdified functions (all plain floats / numpy arrays, broadcast):
``P = (J_EE, J_EI, J_IE, J_II, a_E, a_I, b_E, b_I, n_E, n_I)`` (couplings in mV as magnitudes,
a in Hz (mV/s)^-n, b in mV/s), inputs ``mu_E, mu_I`` in mV/s (external), rates in Hz, gains in
Hz per mV/s, time constants in s.
"""
from __future__ import annotations

import functools
from types import SimpleNamespace

#: Names of the SSN parameters in the order the lambdified functions take them.
PARAM_NAMES = ("J_EE", "J_EI", "J_IE", "J_II", "a_E", "a_I", "b_E", "b_I", "n_E", "n_I")


@functools.lru_cache(maxsize=None)
def derivation():
    """Derive all SSN expressions symbolically from Eq 2 (cached).

    Returns
    -------
    types.SimpleNamespace
        sympy symbols (``sym``) and expressions: ``power_law``, ``gain``, ``jacobian`` (2x2, in the
        gains), ``delta``, ``response`` (2x2 d nu / d mu^ext), ``nuI_of_z``, ``w_of_z``, ``F`` (in z
        and wp), ``nuE_of_w``, ``u_of_w``, ``F_I`` (in w and up), ``z_isn``, ``w_supersat``,
        ``balanced`` (rates per unit mu for inputs (1, r)), ``det_J`` (paper's convention).
    """
    import sympy as sp

    JEE, JEI, JIE, JII = sp.symbols("J_EE J_EI J_IE J_II", positive=True)
    aE, aI, nE, nI = sp.symbols("a_E a_I n_E n_I", positive=True)
    bE, bI = sp.symbols("b_E b_I", real=True)
    nuE, nuI, muE, muI, r = sp.symbols("nu_E nu_I mu_E mu_I r", real=True)
    tauE, tauI = sp.symbols("tau_E tau_I", positive=True)
    gE, gI = sp.symbols("g_E g_I", nonnegative=True)
    x, z, w, wp, up = sp.symbols("x z w wp up", real=True)
    a_, b_, n_ = sp.symbols("a b n", positive=True)

    # Eq 1 power law on its supra-threshold branch, and its slope (local gain, §6).
    power_law = a_ * (x - b_) ** n_
    gain = sp.diff(power_law, x)

    # Eq 2: total inputs and drift. f_X are abstract functions whose derivative is the gain g_X,
    # so the Jacobian comes out in terms of the local gains at the operating point.
    f_E = type("f_E", (sp.Function,), {"fdiff": lambda self, argindex=1: gE})
    f_I = type("f_I", (sp.Function,), {"fdiff": lambda self, argindex=1: gI})
    Js = sp.Matrix([[JEE, -JEI], [JIE, -JII]])  # signed coupling matrix
    nu = sp.Matrix([nuE, nuI])
    mu_ext = sp.Matrix([muE, muI])
    mu_tot = Js * nu + mu_ext
    inputs = mu_tot - sp.Matrix([bE, bI])  # distance of the total input from the power-law threshold
    drift = sp.Matrix([(-nuE + f_E(mu_tot[0])) / tauE, (-nuI + f_I(mu_tot[1])) / tauI])
    jacobian = sp.simplify(drift.jacobian(nu))
    # steady state: drift = 0 => d nu/d mu_ext = -(d drift/d nu)^-1 (d drift/d mu_ext)
    response = sp.simplify(-jacobian.inv() * drift.jacobian(mu_ext))
    delta = sp.expand((sp.eye(2) - sp.diag(gE, gI) * Js).det())  # Delta = det(1 - G J)
    det_J = sp.expand(Js.det())  # = J_EI J_IE - J_EE J_II (paper's convention)

    # Characteristic function (Eq S10, §7.1): z = mu_E - b_E, nu_E = a_E z^n_E; the E nullcline
    # gives nu_I(z); w = mu_I - b_I along it; F = J_EI (nu_I(z) - a_I (w)_+^n_I).
    nuE_z = power_law.subs({a_: aE, n_: nE, x: z, b_: 0})
    nuI_z = sp.solve(sp.Eq(mu_tot[0] - bE, z).subs(nuE, nuE_z), nuI)[0]
    w_z = sp.expand((mu_tot[1] - bI).subs({nuE: nuE_z, nuI: nuI_z}))
    F = sp.expand(JEI * (nuI_z - power_law.subs({a_: aI, n_: nI, x: wp, b_: 0})))
    # Mirror function in w = mu_I - b_I (eliminate nu_E through the I nullcline), sign as in §7.1.
    nuI_w = power_law.subs({a_: aI, n_: nI, x: w, b_: 0})
    nuE_w = sp.solve(sp.Eq(mu_tot[1] - bI, w).subs(nuI, nuI_w), nuE)[0]
    u_w = sp.expand((mu_tot[0] - bE).subs({nuI: nuI_w, nuE: nuE_w}))
    F_I = sp.expand(JIE * (power_law.subs({a_: aE, n_: nE, x: up, b_: 0}) - nuE_w))

    # Eq 7: ISN <=> g_E J_EE > 1; threshold input z_E^* (nu_E^ISN = a_E z_E^*^n_E).
    gE_z = gain.subs({a_: aE, n_: nE, b_: 0, x: z})
    z_isn = sp.solve(sp.Eq(gE_z * JEE, 1), z)[0]
    # Eq S6: along inputs (1, r) the E response d nu_E/d mu = g_E [1 + g_I (J_II - r J_EI)] / Delta;
    # at a stable state (Delta > 0) it is negative iff the bracket is: solve bracket = 0 for g_I, then
    # the power law's gain for w.
    along_r = sp.simplify((response * sp.Matrix([1, r]))[0] * delta / gE)
    gI_star = sp.solve(sp.Eq(along_r, 0), gI)[0]
    gI_w = gain.subs({a_: aI, n_: nI, b_: 0, x: w})
    w_supersat = sp.solve(sp.Eq(gI_w, gI_star), w)[0]
    # Eq S1: balanced limit J nu + mu (1, r) = 0, per unit mu.
    bal = sp.simplify(Js.LUsolve(-sp.Matrix([1, r])))

    sym = SimpleNamespace(J_EE=JEE, J_EI=JEI, J_IE=JIE, J_II=JII, a_E=aE, a_I=aI, b_E=bE, b_I=bI,
                          n_E=nE, n_I=nI, nu_E=nuE, nu_I=nuI, mu_E=muE, mu_I=muI, r=r, tau_E=tauE,
                          tau_I=tauI, g_E=gE, g_I=gI, x=x, z=z, w=w, wp=wp, up=up, a=a_, b=b_, n=n_)
    return SimpleNamespace(
        sym=sym, power_law=power_law, gain=gain, inputs=inputs, jacobian=jacobian, response=response, delta=delta,
        det_J=det_J, nuE_of_z=nuE_z, nuI_of_z=nuI_z, w_of_z=w_z, F=F, nuI_of_w=nuI_w, nuE_of_w=nuE_w,
        u_of_w=u_w, F_I=F_I, z_isn=z_isn, gI_supersat=gI_star, w_supersat=w_supersat,
        along_r_bracket=along_r, balanced=bal)


@functools.lru_cache(maxsize=None)
def functions():
    """numpy functions lambdified from :func:`derivation` (cached).

    Returns
    -------
    types.SimpleNamespace
        ``rate(x, a, n)`` and ``gain(x, a, n)`` of the power law at x = mu - b >= 0 (Hz, Hz per mV/s);
        ``inputs(nuE, nuI, muE, muI, *P)`` -> [mu_E - b_E, mu_I - b_I] (total input above threshold);
        ``jacobian(gE, gI, tauE, tauI, *P)`` -> nested 2x2 list (1/s);
        ``delta(gE, gI, *P)``; ``response(gE, gI, *P)`` -> 2x2 list of d nu_X/d mu_Y^ext (Hz per mV/s);
        ``nuI_of_z, w_of_z, dw_dz(z, muE, muI, *P)``;
        ``F, F_z, F_wp(z, wp, muE, muI, *P)`` (partials of F at fixed wp / z, mV/s);
        ``nuE_of_w, u_of_w, du_dw(w, muE, muI, *P)``; ``F_I(w, up, muE, muI, *P)``;
        ``z_isn(*P)`` (mV/s); ``w_supersat(r, *P)`` (mV/s; real only if r J_EI > J_II);
        ``balanced(r, *P)`` -> (nu_E, nu_I) per unit mu (Hz per mV/s); ``det_J(*P)`` (mV^2).
    """
    import sympy as sp

    d = derivation()
    s = d.sym
    P = [getattr(s, name) for name in PARAM_NAMES]

    def lam(args, expr):
        # powsimp turns n x**n / x into n x**(n-1), finite at x = 0
        if isinstance(expr, sp.MatrixBase):
            expr = expr.applyfunc(sp.powsimp)
        elif isinstance(expr, list):
            expr = [sp.powsimp(e) for e in expr]
        else:
            expr = sp.powsimp(expr)
        return sp.lambdify(args, expr, modules="numpy", cse=True)

    zargs = [s.z, s.mu_E, s.mu_I, *P]
    Fargs = [s.z, s.wp, s.mu_E, s.mu_I, *P]
    wargs = [s.w, s.mu_E, s.mu_I, *P]
    FIargs = [s.w, s.up, s.mu_E, s.mu_I, *P]
    g = [s.g_E, s.g_I]
    return SimpleNamespace(
        rate=lam([s.x, s.a, s.n], d.power_law.subs(s.b, 0)),
        gain=lam([s.x, s.a, s.n], d.gain.subs(s.b, 0)),
        inputs=lam([s.nu_E, s.nu_I, s.mu_E, s.mu_I, *P], list(d.inputs)),
        jacobian=lam([*g, s.tau_E, s.tau_I, *P], d.jacobian),
        delta=lam([*g, *P], d.delta),
        response=lam([*g, *P], d.response),
        nuE_of_z=lam(zargs, d.nuE_of_z),
        nuI_of_z=lam(zargs, d.nuI_of_z),
        w_of_z=lam(zargs, d.w_of_z),
        dw_dz=lam(zargs, sp.diff(d.w_of_z, s.z)),
        F=lam(Fargs, d.F),
        F_z=lam(Fargs, sp.diff(d.F, s.z)),
        F_wp=lam(Fargs, sp.diff(d.F, s.wp)),
        nuI_of_w=lam(wargs, d.nuI_of_w),
        nuE_of_w=lam(wargs, d.nuE_of_w),
        u_of_w=lam(wargs, d.u_of_w),
        F_I=lam(FIargs, d.F_I),
        z_isn=lam(P, d.z_isn),
        w_supersat=lam([s.r, *P], d.w_supersat),
        gI_supersat=lam([s.r, *P], d.gI_supersat),
        balanced=lam([s.r, *P], list(d.balanced)),
        det_J=lam(P, d.det_J),
    )
