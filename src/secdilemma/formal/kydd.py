"""Kydd's trust, spiral and reassurance games (Kydd 1997, 2000, 2005).

Each state is of one of two types, and each is unsure of the other's. A *trustworthy* state has
Assurance (Stag Hunt) preferences, ``CC > DC_T``: it would rather cooperate with a cooperator
than exploit it. An *untrustworthy* state has Prisoner's Dilemma preferences, ``DC_U > CC``.
The types share ``CC``, ``CD`` and ``DD`` and differ only in ``DC``, with ``DD > CD`` (being
exploited is worse than mutual defection), so defection is dominant for untrustworthy types.

A trustworthy state cooperates iff its belief that the other cooperates is at least

    q* = (DD - CD) / ((CC - DC_T) + (DD - CD))

and in the equilibrium where trustworthy types cooperate and untrustworthy ones defect, the other
cooperates with exactly the probability that it is trustworthy: cooperation needs trust
``pi >= q*``. Costly signals can reassure (Kydd 2000), but only if they cost an untrustworthy
type more than a trustworthy one: see :func:`value_of_trust`. Observed moves update trust by
Bayes' rule, and a few defections can push trust below ``q*``, after which trustworthy types
defect too: the spiral (Kydd 1997).

Sources: Kydd, A. (1997), "Game Theory and the Spiral Model", World Politics 49(3): 371-400;
Kydd, A. (2000), "Trust, Reassurance, and Cooperation", International Organization 54(2):
325-357; Kydd, A. (2005), *Trust and Mistrust in International Relations*, Princeton UP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from secdilemma.formal.jervis import SecurityGame, cooperation_threshold

SEPARATING = "separating"
POOLING = "pooling"


def _probability(name: str, value: ArrayLike) -> np.ndarray:
    """``value`` as floats, after checking it lies in [0, 1] (NaN, an undefined belief such as
    :func:`update_trust` returns after an impossible move, passes through)."""
    value = np.asarray(value, dtype=float)
    if np.any((value < 0) | (value > 1)):
        raise ValueError(f"{name} must be a probability in [0, 1], got values outside it")
    return value


@dataclass(frozen=True)
class TrustGame:
    """The two-type security game: shared CC, CD, DD; DC by type (scalars or arrays).

    Requires ``DC_T < CC < DC_U`` and ``DD > CD``, elementwise.

    >>> g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)
    >>> float(minimum_trust(g))
    0.5
    """

    cc: np.ndarray
    cd: np.ndarray
    dd: np.ndarray
    dc_trustworthy: np.ndarray
    dc_untrustworthy: np.ndarray

    def __post_init__(self) -> None:
        for name in ("cc", "cd", "dd", "dc_trustworthy", "dc_untrustworthy"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=float))
        if np.any(self.dc_trustworthy >= self.cc):
            raise ValueError("a trustworthy type needs CC > DC_T (Assurance preferences)")
        if np.any(self.dc_untrustworthy <= self.cc):
            raise ValueError("an untrustworthy type needs DC_U > CC (Prisoner's Dilemma)")
        if np.any(self.dd <= self.cd):
            raise ValueError("the types need DD > CD (being exploited is worst)")

    @property
    def trustworthy(self) -> SecurityGame:
        """The trustworthy type's game (a Stag Hunt when also CC > DD)."""
        return SecurityGame(cc=self.cc, cd=self.cd, dc=self.dc_trustworthy, dd=self.dd)

    @property
    def untrustworthy(self) -> SecurityGame:
        """The untrustworthy type's game (a Prisoner's Dilemma when also CC > DD)."""
        return SecurityGame(cc=self.cc, cd=self.cd, dc=self.dc_untrustworthy, dd=self.dd)


def minimum_trust(game: TrustGame) -> np.ndarray:
    """``q* = (DD - CD) / ((CC - DC_T) + (DD - CD))``, in (0, 1): the least probability that the
    other cooperates at which a trustworthy type cooperates (Kydd's minimum trust threshold)."""
    return cooperation_threshold(game.trustworthy)


def expected_payoffs(
    game: TrustGame, belief: ArrayLike, trustworthy: ArrayLike = True
) -> tuple[np.ndarray, np.ndarray]:
    """(value of C, value of D) for a type that believes the other cooperates with ``belief``:
    ``C: q CC + (1 - q) CD`` and ``D: q DC + (1 - q) DD``, with DC the type's own."""
    q = np.asarray(belief, dtype=float)
    dc = np.where(np.asarray(trustworthy, dtype=bool), game.dc_trustworthy, game.dc_untrustworthy)
    return q * game.cc + (1.0 - q) * game.cd, q * dc + (1.0 - q) * game.dd


def cooperation_sustained(
    game: TrustGame, prior: ArrayLike, other_prior: ArrayLike | None = None
) -> np.ndarray:
    """Whether the equilibrium where trustworthy types cooperate (and untrustworthy types
    defect) exists: ``prior >= q*``, and ``other_prior >= q*`` too when the two sides' trust
    differs (``prior`` is one side's belief that the other is trustworthy, ``other_prior`` the
    other's). Ties cooperate. Mutual defection is always an equilibrium as well."""
    q_star = minimum_trust(game)
    sustained = np.asarray(prior, dtype=float) >= q_star
    if other_prior is not None:
        sustained = sustained & (np.asarray(other_prior, dtype=float) >= q_star)
    return sustained


def value_of_trust(game: TrustGame, prior_receiver: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(V_T, V_U)``: what a trustworthy and an untrustworthy sender gain from being believed
    trustworthy (posterior 1) rather than untrustworthy (posterior 0) by a receiver that the
    sender believes trustworthy with ``prior_receiver = pi_R``.

    After the signal the two play the game once. An untrustworthy receiver defects; a
    trustworthy one cooperates iff its posterior that the sender cooperates clears ``q*``. A
    sender believed untrustworthy therefore meets defection and defects, getting ``DD``. A
    sender believed trustworthy meets cooperation with probability ``pi_R``, provided
    ``pi_R >= q*`` (otherwise the trustworthy sender itself defects, the receiver foresees it,
    and nothing changes). So, with ``[.]`` the indicator,

        V_T = [pi_R >= q*] * (pi_R CC + (1 - pi_R) CD - DD)
        V_U = [pi_R >= q*] * pi_R (DC_U - DD)

    The cooperative equilibrium is taken to be played whenever it exists. ``V_T >= 0`` when
    ``DC_T >= DD`` (the usual Stag Hunt ordering ``CC > DC > DD > CD``); with ``DC_T < DD`` it
    is negative for ``pi_R`` just above ``q*``. Always
    ``V_U - V_T = [pi_R >= q*] * (pi_R (DC_U - CC) + (1 - pi_R)(DD - CD)) >= 0``: an
    untrustworthy type values trust at least as much (it exploits it), strictly so whenever
    trust can be reciprocated, which is why no type-independent cost separates (see
    :func:`separating`).
    """
    pi = np.asarray(prior_receiver, dtype=float)
    reciprocated = pi >= minimum_trust(game)
    v_trustworthy = np.where(reciprocated, pi * game.cc + (1.0 - pi) * game.cd - game.dd, 0.0)
    v_untrustworthy = np.where(reciprocated, pi * (game.dc_untrustworthy - game.dd), 0.0)
    return v_trustworthy, v_untrustworthy


def separating(
    game: TrustGame,
    prior_receiver: ArrayLike,
    cost_trustworthy: ArrayLike,
    cost_untrustworthy: ArrayLike,
) -> np.ndarray:
    """Whether a separating equilibrium exists (trustworthy senders pay for the signal,
    untrustworthy ones do not, and the receiver believes the signal) that reassures: trust
    must be worth something to the trustworthy type, ``V_T > 0``, and then ``k_T <= V_T`` and
    ``k_U >= V_U`` (ties in the costs resolved towards the equilibrium).

    Where ``V_T <= 0`` (the receiver's trust is below ``q*``, so being believed changes
    nothing, or ``DC_T < DD`` and trust only just above ``q*`` makes it a loss) there is
    nothing for reassurance to achieve, and a "separation" there, e.g. by a free signal when
    ``V_T = V_U = 0``, would be an artefact of indifference: it counts as pooling.

    With a flat cost ``k_T = k_U = k`` separation needs ``V_U <= k <= V_T``, impossible:
    ``V_T > 0`` needs ``pi_R >= q*``, and then ``V_U > V_T`` strictly (see
    :func:`value_of_trust`). No flat cost, free signals included, separates."""
    v_trustworthy, v_untrustworthy = value_of_trust(game, prior_receiver)
    k_trustworthy = np.asarray(cost_trustworthy, dtype=float)
    k_untrustworthy = np.asarray(cost_untrustworthy, dtype=float)
    return (
        (v_trustworthy > 0)
        & (k_trustworthy <= v_trustworthy)
        & (k_untrustworthy >= v_untrustworthy)
    )


def signalling_equilibrium(
    game: TrustGame,
    prior_receiver: ArrayLike,
    cost_trustworthy: ArrayLike,
    cost_untrustworthy: ArrayLike,
) -> np.ndarray | str:
    """``"separating"`` where :func:`separating` holds, else ``"pooling"`` (the signal tells the
    receiver nothing; its belief stays at the prior).

    Pooling on no signal, with a signal off the path read as untrustworthy, is always an
    equilibrium; "separating" reports that reassurance is *possible*.

    >>> g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)
    >>> signalling_equilibrium(g, 0.8, 0.5, 0.5)
    'pooling'
    >>> signalling_equilibrium(g, 0.8, 0.5, 3.0)
    'separating'
    """
    labels = np.where(
        separating(game, prior_receiver, cost_trustworthy, cost_untrustworthy),
        SEPARATING,
        POOLING,
    )
    return str(labels) if labels.ndim == 0 else labels


def update_trust(
    prior: ArrayLike,
    cooperated: ArrayLike,
    p_trustworthy: ArrayLike = 0.95,
    p_untrustworthy: ArrayLike = 0.05,
) -> np.ndarray:
    """Posterior that the other is trustworthy after seeing it cooperate (``cooperated``
    true) or defect, when a trustworthy type cooperates with probability ``p_trustworthy``
    (e.g. ``1 - eps``, a tremble) and an untrustworthy one with ``p_untrustworthy`` (``eps``,
    or its equilibrium probability). A move neither type would make gives NaN. Raises
    ValueError if ``prior`` or either probability lies outside [0, 1].

    >>> round(float(update_trust(0.5, False, 0.9, 0.2)), 4)
    0.1111
    """
    pi = _probability("prior", prior)
    c = np.asarray(cooperated, dtype=bool)
    a = _probability("p_trustworthy", p_trustworthy)
    b = _probability("p_untrustworthy", p_untrustworthy)
    joint_t = pi * np.where(c, a, 1.0 - a)
    joint_u = (1.0 - pi) * np.where(c, b, 1.0 - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return joint_t / (joint_t + joint_u)


def trust_path(
    prior: ArrayLike,
    moves: ArrayLike,
    p_trustworthy: ArrayLike = 0.95,
    p_untrustworthy: ArrayLike = 0.05,
) -> np.ndarray:
    """Trust after each of a sequence of observed moves: ``moves`` is ``(..., T)`` booleans
    (true = cooperated), ``prior`` broadcasts against ``(...)``, and the cooperation
    probabilities against ``(..., T)`` (so they may change over time, e.g. to equilibrium
    play). Returns ``(..., T + 1)``: the prior (exactly), then the posterior after each move.
    Raises ValueError if ``prior`` or either probability lies outside [0, 1].

    Bayes' rule in log-odds, so a history is a cumulative sum; a move impossible for one type
    (probability 0) settles the question for good, and one impossible for both gives NaN.

    >>> np.round(trust_path(0.9, [False, False, False], 0.8, 0.4), 3)
    array([0.9 , 0.75, 0.5 , 0.25])
    """
    m = np.asarray(moves, dtype=bool)
    a = _probability("p_trustworthy", p_trustworthy)
    b = _probability("p_untrustworthy", p_untrustworthy)
    prior = _probability("prior", prior)
    pi = prior[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_t = np.log(np.where(m, a, 1.0 - a))
        log_u = np.log(np.where(m, b, 1.0 - b))
        log_t, log_u = np.broadcast_arrays(log_t, log_u)
        zero = np.zeros(log_t.shape[:-1] + (1,))
        cum_t = np.concatenate([zero, np.cumsum(log_t, axis=-1)], axis=-1)
        cum_u = np.concatenate([zero, np.cumsum(log_u, axis=-1)], axis=-1)
        # kept apart so a certain prior (0 or 1) stays certain instead of giving inf - inf
        path = expit((np.log(pi) + cum_t) - (np.log1p(-pi) + cum_u))
    # the round trip through log-odds is off by an ulp or so; the prior is known exactly
    path[..., 0] = prior
    return path
