"""Command-line subcommands for the formal models (``secdilemma.formal``).

Each prints its result as a table (or JSON with ``--json``) and can save a plot (``--plot``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli.common import emit_json, fail
from secdilemma.errors import InputError
from secdilemma.formal import richardson

if TYPE_CHECKING:  # imported by the commands that use them: pandas, which they need, is slow
    from secdilemma.formal import jervis

PlotOption = Annotated[Path | None, typer.Option(help="Save a plot to this file (PNG, PDF, SVG).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _numbers(text: str, count: int, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(
            option, option, text, f"expected {count} comma-separated numbers"
        ) from None
    if len(values) != count:
        raise InputError(option, option, text, f"expected {count} comma-separated numbers")
    return values


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    try:
        fig.savefig(path, bbox_inches="tight", dpi=150)
    except (OSError, ValueError) as err:
        raise InputError("--plot", "--plot", str(path), f"cannot save the plot: {err}") from None
    Console(stderr=True).print(f"plot: {path}")


def richardson_command(
    nmc: Annotated[bool, typer.Option("--nmc", help="Fit two blocs' COW NMC milex.")] = False,
    bloc: Annotated[
        list[str] | None,
        typer.Option(help="A bloc as COW abbreviations or codes, e.g. FRN,RUS (give two)."),
    ] = None,
    years: Annotated[str, typer.Option(help="Years to fit, FIRST-LAST.")] = "1909-1913",
    at: Annotated[
        str, typer.Option(help="Additive form: regress on the sum at 'mid' or 'start'.")
    ] = "mid",
    grh: Annotated[
        bool, typer.Option("--grh", help="Fit every Gibler-Rider-Hutchison arms race.")
    ] = False,
    lead: Annotated[
        int, typer.Option(help="GRH: years before each race in the window.", min=0)
    ] = 3,
    min_obs: Annotated[
        int, typer.Option(help="GRH: usable year-to-year changes a fit needs.", min=4)
    ] = 5,
    out: Annotated[Path | None, typer.Option(help="GRH: write the per-race table (CSV).")] = None,
    coefficients: Annotated[
        str | None, typer.Option(help="A model to solve: a,m,g,b,n,h (comma-separated).")
    ] = None,
    start: Annotated[str, typer.Option(help="Starting arms x,y for --coefficients.")] = "1,1",
    horizon: Annotated[float, typer.Option(help="Time to solve --coefficients over.")] = 10.0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Richardson's arms race: fit NMC blocs or the GRH races, or solve a given model."""
    try:
        if sum([nmc, grh, coefficients is not None]) != 1:
            raise InputError(
                "richardson", "mode", None, "give exactly one of --nmc, --grh, --coefficients"
            )
        if nmc:
            result = _richardson_blocs(bloc or [], years, at, plot)
        elif grh:
            result = _richardson_grh(lead, min_obs, out, plot)
        else:
            result = _richardson_model(coefficients, start, horizon, plot)
    except InputError as err:
        fail(err)
    title = result.pop("title")
    if as_json:
        emit_json(result)
        return
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = {k: v for k, v in result.items() if not isinstance(v, dict | list)}
    rows.update({f"pairwise {k}": v for k, v in (result.get("pairwise") or {}).items()})
    for key, value in rows.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(key.replace("_", " "), shown)
    Console().print(table)


def _richardson_blocs(blocs: list[str], years: str, at: str, plot: Path | None) -> dict:
    if len(blocs) != 2:
        raise InputError(
            "--bloc", "--bloc", blocs, "give two blocs, e.g. --bloc FRN,RUS --bloc GMY,AUH"
        )
    if at not in ("mid", "start"):
        raise InputError("--at", "--at", at, "expected 'mid' or 'start'")
    from secdilemma.formal.arms_races import fit_blocs
    from secdilemma.model.cow import load_nmc, parse_years

    span = parse_years(years)
    members = [[s.strip() for s in b.split(",") if s.strip()] for b in blocs]
    try:
        series, additive, pairwise = fit_blocs(load_nmc(), members, span, at=at)
    except ValueError as err:
        raise InputError("--years", "years", years, f"cannot fit these blocs: {err}") from None
    currency = "GBP" if span[-1] < 1914 else "USD"
    result = {
        "title": f"Richardson's additive form: {' vs '.join(series.columns)}, {years}",
        **additive.as_dict(),
        "unit": f"millions of current {currency}",
        "currency": currency,
        "unstable": additive.slope > 0,
        "years": list(span),
        "blocs": list(series.columns),
        "series": {c: series[c].tolist() for c in series.columns},
        "pairwise": None if pairwise is None else pairwise.as_dict(),
    }
    if plot is not None:
        plt = _figure()
        total = series.sum(axis=1, min_count=2).to_numpy()
        level = (total[:-1] + total[1:]) / 2 if at == "mid" else total[:-1]
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.scatter(level, np.diff(total), label="NMC milex")
        grid = np.linspace(np.nanmin(level), np.nanmax(level), 50)
        ax.plot(grid, additive.slope * grid + additive.intercept, label="least squares")
        ax.axvline(additive.zero_point, ls=":", c="grey", label="zero point")
        ax.set_xlabel(f"x + y ({result['unit']})")
        ax.set_ylabel("change of x + y per year")
        ax.legend()
        _save(fig, plot)
    return result


def _richardson_grh(lead: int, min_obs: int, out: Path | None, plot: Path | None) -> dict:
    from secdilemma.formal.arms_races import TOO_LITTLE_DATA, fit_grh_races, unstable_share
    from secdilemma.model.cow import load_grh, load_nmc

    fits = fit_grh_races(load_nmc(), load_grh(), lead=lead, min_obs=min_obs)
    fitted = fits[fits["status"] == "fitted"]
    short = fits[fits["status"].str.startswith(TOO_LITTLE_DATA)]
    if out is not None:
        try:
            fits.to_csv(out, index=False)
        except OSError as err:
            raise InputError("--out", "--out", str(out), f"cannot write: {err}") from None
    if plot is not None:
        plt = _figure()
        fig, ax = plt.subplots(figsize=(5, 4))
        stable = fitted["stable"].astype(bool)
        ax.scatter(
            fitted["a"] * fitted["b"], fitted["m"] * fitted["n"], c=np.where(stable, "C0", "C3")
        )
        lim = np.nanpercentile(np.abs(fitted[["a", "m"]].to_numpy()), 90) ** 2
        ax.plot([-lim, lim], [-lim, lim], c="grey", ls=":")
        ax.set_xlabel("a b (reaction)")
        ax.set_ylabel("m n (fatigue)")
        ax.set_title("GRH races: stable above the diagonal")
        _save(fig, plot)
    return {
        "title": f"Richardson fits to the GRH arms races (window: {lead} years before each race)",
        "races": len(fits),
        "fitted": len(fitted),
        "unstable": int((~fitted["stable"].astype(bool)).sum()),
        "unstable_share": unstable_share(fits),
        "with_richardson_signs": int(fitted["richardson_signs"].astype(bool).sum()),
        "unstable_share_richardson_signs": unstable_share(fits, richardson_signs_only=True),
        "unstable_share_yearly_map": unstable_share(fits, discrete=True),
        "too_little_data": short[["race_id", "state1", "state2", "window", "status"]].to_dict(
            "records"
        ),
        "fits": fitted.drop(columns=["status"]).to_dict("records"),
    }


def _richardson_model(coefficients: str, start: str, horizon: float, plot: Path | None) -> dict:
    a, m, g, b, n, h = _numbers(coefficients, 6, "--coefficients")
    z0 = _numbers(start, 2, "--start")
    model = richardson.Richardson.of(a, m, g, b, n, h)
    star = richardson.equilibrium(model)
    values = richardson.eigenvalues(model)
    result = {
        "title": "Richardson model",
        "stable": bool(richardson.is_stable(model)),
        "outcome": str(richardson.classify(model, z0)),
        "equilibrium_x": float(star[0]),
        "equilibrium_y": float(star[1]),
        "max_eigenvalue": float(values[0].real),
        "eigenvalues": [[float(v.real), float(v.imag)] for v in values],
    }
    if plot is not None:
        times = np.linspace(0, horizon, 200)
        path = richardson.solve(model, z0, times)
        plt = _figure()
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.plot(times, path[:, 0], label="x")
        ax.plot(times, path[:, 1], label="y")
        ax.set_xlabel("t")
        ax.set_ylabel("arms")
        ax.set_title(result["outcome"])
        ax.legend()
        _save(fig, plot)
    return result


def jervis_command(
    balance: Annotated[float, typer.Option(help="Offense-defense balance (> 1: offense).")] = 3.0,
    distinguishability: Annotated[float, typer.Option(help="In [0, 1].")] = 0.0,
    stake: Annotated[float, typer.Option(help="What a war decides.")] = 1.0,
    arms_cost: Annotated[float, typer.Option(help="Cost of arming to attack.")] = 0.2,
    greed: Annotated[
        float | None,
        typer.Option(help="Value of conquest (default 0; in --four-worlds the greedy one's, 0.5)."),
    ] = None,
    primitives: Annotated[
        str | None,
        typer.Option(
            help="Build from Jervis's primitives instead: mutual-cooperation gain, "
            "cost of being exploited, gain from exploiting, cost of mutual defection."
        ),
    ] = None,
    four_worlds: Annotated[
        bool, typer.Option("--four-worlds", help="Print Jervis's four-worlds table.")
    ] = False,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Jervis's security game: its payoffs, type and cooperation threshold, or the four worlds."""
    from secdilemma.formal import games, jervis

    try:
        if four_worlds:
            table = jervis.four_worlds(
                arms_cost=arms_cost, stake=stake, greed=0.5 if greed is None else greed
            )
            result = {"four_worlds": table.to_dict("records")}
        else:
            if primitives is not None:
                game = jervis.SecurityGame.from_primitives(*_numbers(primitives, 4, "--primitives"))
            else:
                if balance <= 0 or not 0 <= distinguishability <= 1:
                    raise InputError(
                        "jervis",
                        "--balance/--distinguishability",
                        (balance, distinguishability),
                        "need balance > 0 and distinguishability in [0, 1]",
                    )
                game = jervis.from_offense_defense(
                    balance, distinguishability, stake, arms_cost, greed or 0.0
                )
            solved = games.solve_security_game(game)
            pure = [f"{'CD'[i]}{'CD'[j]}" for i in range(2) for j in range(2) if solved.pure[i, j]]
            result = {
                "CC": float(game.cc),
                "CD": float(game.cd),
                "DC": float(game.dc),
                "DD": float(game.dd),
                "game": jervis.classify(game),
                "threshold": (
                    float(jervis.cooperation_threshold(game))
                    if jervis.classify(game) == jervis.STAG_HUNT
                    else None
                ),
                "pure_equilibria": pure,
                "mixed_equilibrium": (
                    {"p_cooperate_row": float(solved.p), "p_cooperate_column": float(solved.q)}
                    if bool(solved.mixed)
                    else None
                ),
            }
        if plot is not None and four_worlds:
            _plot_game_map(plot, stake, arms_cost, greed or 0.0)
        elif plot is not None:
            _plot_best_responses(plot, game)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    if four_worlds:
        out = Table(title="Jervis's four worlds (two security seekers)")
        columns = ["world", "jervis", "game", "threshold", "greedy_exploits"]
        for col in columns:
            out.add_column(col.replace("_", " "))
        for row in result["four_worlds"]:
            out.add_row(
                *(f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]) for c in columns)
            )
    else:
        out = Table(title=f"security game: {result['game']}")
        out.add_column("")
        out.add_column("C", justify="right")
        out.add_column("D", justify="right")
        out.add_row("C", f"{result['CC']:.3g}", f"{result['CD']:.3g}")
        out.add_row("D", f"{result['DC']:.3g}", f"{result['DD']:.3g}")
        mixed = result["mixed_equilibrium"]
        threshold = "-" if result["threshold"] is None else f"{result['threshold']:.3g}"
        out.caption = (
            f"cooperation threshold q* = {threshold}; pure equilibria: "
            f"{', '.join(result['pure_equilibria']) or 'none'}"
            + (f"; mixed: cooperate with p = {mixed['p_cooperate_row']:.3g}" if mixed else "")
        )
    Console().print(out)


def _plot_best_responses(path: Path, game: jervis.SecurityGame) -> None:
    """Expected payoff of cooperating and of defecting against the chance q that the other
    cooperates: where the lines cross is the threshold q*."""
    from secdilemma.formal import jervis

    q = np.linspace(0.0, 1.0, 101)
    plt = _figure()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(q, q * game.cc + (1 - q) * game.cd, label="cooperate")
    ax.plot(q, q * game.dc + (1 - q) * game.dd, label="defect")
    ax.set_xlabel("chance the other cooperates")
    ax.set_ylabel("expected payoff")
    ax.set_title(str(jervis.classify(game)))
    ax.legend()
    _save(fig, path)


def _plot_game_map(path: Path, stake: float, arms_cost: float, greed: float) -> None:
    from secdilemma.formal import jervis

    betas = np.geomspace(0.2, 5.0, 120)
    deltas = np.linspace(0.0, 1.0, 101)
    B, D = np.meshgrid(betas, deltas)
    labels = np.asarray(jervis.classify(jervis.from_offense_defense(B, D, stake, arms_cost, greed)))
    codes = np.vectorize(jervis.GAME_TYPES.index)(labels)
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 4))
    mesh = ax.pcolormesh(B, D, codes, cmap="tab10", vmin=0, vmax=9, shading="auto")
    ax.set_xscale("log")
    ticks = [0.2, 0.5, 1, 2, 5]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("offense-defense balance")
    ax.set_ylabel("distinguishability")
    present = sorted(set(codes.ravel()))
    handles = [plt.Rectangle((0, 0), 1, 1, color=mesh.cmap(mesh.norm(c))) for c in present]
    ax.legend(handles, [jervis.GAME_TYPES[c] for c in present], loc="upper left", fontsize=8)
    _save(fig, path)


def _print_rows(title: str, rows: dict) -> None:
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        table.add_row(key.replace("_", " "), shown)
    Console().print(table)


def kydd_command(
    cc: Annotated[float, typer.Option(help="Payoff of mutual cooperation.")] = 3.0,
    cd: Annotated[float, typer.Option(help="Payoff of being exploited.")] = 0.0,
    dd: Annotated[float, typer.Option(help="Payoff of mutual defection.")] = 1.0,
    dc_trustworthy: Annotated[float, typer.Option(help="Exploiting, trustworthy type.")] = 2.0,
    dc_untrustworthy: Annotated[float, typer.Option(help="Exploiting, untrustworthy type.")] = 4.0,
    prior: Annotated[float, typer.Option(help="Prior that the other is trustworthy.")] = 0.7,
    cost_trustworthy: Annotated[float, typer.Option(help="Signal cost, trustworthy type.")] = 0.5,
    cost_untrustworthy: Annotated[
        float, typer.Option(help="Signal cost, untrustworthy type.")
    ] = 0.5,
    moves: Annotated[
        str, typer.Option(help="Observed moves of the other, e.g. CCDDD, for the trust path.")
    ] = "",
    p_trustworthy: Annotated[float, typer.Option(help="P(cooperate | trustworthy).")] = 0.95,
    p_untrustworthy: Annotated[float, typer.Option(help="P(cooperate | untrustworthy).")] = 0.05,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Kydd's trust game: the minimum trust for cooperation, reassurance by costly signals,
    and the spiral of trust after observed moves."""
    from secdilemma.formal import kydd

    try:
        if set(moves.upper()) - {"C", "D"}:
            raise InputError("--moves", "--moves", moves, "use only C and D")
        try:
            game = kydd.TrustGame(cc, cd, dd, dc_trustworthy, dc_untrustworthy)
        except ValueError as err:
            raise InputError(
                "kydd", "payoffs", (cc, cd, dd, dc_trustworthy, dc_untrustworthy), str(err)
            ) from None
        for option, value in (
            ("--prior", prior),
            ("--p-trustworthy", p_trustworthy),
            ("--p-untrustworthy", p_untrustworthy),
        ):
            if not 0 <= value <= 1:
                raise InputError(option, option, value, "must lie in [0, 1]")
        for option, value in (
            ("--cost-trustworthy", cost_trustworthy),
            ("--cost-untrustworthy", cost_untrustworthy),
        ):
            if value < 0:
                raise InputError(option, option, value, "a cost may not be negative")
        v_t, v_u = kydd.value_of_trust(game, prior)
        path = kydd.trust_path(
            prior, [m == "C" for m in moves.upper()], p_trustworthy, p_untrustworthy
        )
        if not np.all(np.isfinite(path)):
            raise InputError(
                "--moves", "--moves", moves, "a move neither type would make (check the p options)"
            )
        threshold = float(kydd.minimum_trust(game))
        result = {
            "minimum_trust": threshold,
            "cooperation_sustained": bool(kydd.cooperation_sustained(game, prior)),
            "value_of_trust_trustworthy": float(v_t),
            "value_of_trust_untrustworthy": float(v_u),
            "signalling": kydd.signalling_equilibrium(
                game, prior, cost_trustworthy, cost_untrustworthy
            ),
            "flat_cost_signalling": kydd.signalling_equilibrium(
                game, prior, cost_trustworthy, cost_trustworthy
            ),
            "trust_path": [float(x) for x in path],
            "cooperation_after_moves": bool(path[-1] >= threshold),
        }
        if plot is not None:
            plt = _figure()
            fig, ax = plt.subplots(figsize=(5, 3.5))
            ax.plot(range(len(path)), path, marker="o", label="trust")
            ax.axhline(threshold, ls=":", c="grey", label="minimum trust q*")
            ax.set_xticks(range(len(path)), ["prior", *moves.upper()])
            ax.set_ylim(0, 1)
            ax.set_ylabel("P(other is trustworthy)")
            ax.legend()
            _save(fig, plot)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    _print_rows("Kydd's trust game", {k: v for k, v in result.items() if k != "trust_path"})
    if moves:
        typer.echo("trust path: " + " -> ".join(f"{x:.3f}" for x in result["trust_path"]))


def fearon_command(
    p: Annotated[float, typer.Option(help="A's probability of winning a war.")] = 0.5,
    cost_a: Annotated[float, typer.Option(help="A's cost of war (share of the good).")] = 0.1,
    cost_b: Annotated[float, typer.Option(help="B's cost of war.")] = 0.1,
    risk_attitude: Annotated[
        float, typer.Option(help="r in u(x) = x^r: < 1 risk-averse, 1 neutral, > 1 acceptant.")
    ] = 1.0,
    p_next: Annotated[
        float | None, typer.Option(help="A's win probability after a power shift (B declines).")
    ] = None,
    discount: Annotated[float, typer.Option(help="Discount factor per period, in (0, 1).")] = 0.9,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Fearon's bargaining range, and the commitment problem behind preventive war."""
    from secdilemma.formal import fearon

    try:
        try:
            low, high = fearon.bargaining_range(p, cost_a, cost_b, risk_attitude)
            result = {
                "range_low": float(low),
                "range_high": float(high),
                "deal_exists": bool(fearon.deal_exists(p, cost_a, cost_b, risk_attitude)),
            }
            if p_next is not None:
                result.update(
                    {
                        "p_next": p_next,
                        "discount": discount,
                        "war_value_now": float(fearon.declining_war_value(p, discount, cost_b)),
                        "peace_value_now": float(
                            fearon.declining_peace_value(p_next, discount, cost_b)
                        ),
                        "preventive_war": bool(fearon.preventive_war(p, p_next, discount, cost_b)),
                    }
                )
        except ValueError as err:
            raise InputError("fearon", "parameters", None, str(err)) from None
        if plot is not None:
            plt = _figure()
            fig, ax = plt.subplots(figsize=(5, 3.5))
            ps = np.linspace(0.0, 1.0, 201)
            for r, style in ((risk_attitude, "-"), (1.0, ":")):
                lo, hi = fearon.bargaining_range(ps, cost_a, cost_b, r)
                ax.fill_between(ps, lo, hi, alpha=0.3 if style == "-" else 0.1, label=f"r = {r:g}")
            ax.plot(ps, ps, c="grey", lw=0.8)
            ax.set_xlabel("p (A's chance of winning)")
            ax.set_ylabel("A's share x both prefer to war")
            ax.legend()
            _save(fig, plot)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    _print_rows("Fearon's bargaining model", result)


def tournament_command(
    balance: Annotated[
        float, typer.Option(help="Offense-defense balance of the stage game.")
    ] = 3.0,
    distinguishability: Annotated[float, typer.Option(help="In [0, 1].")] = 0.0,
    primitives: Annotated[
        str | None,
        typer.Option(help="Stage game from Jervis's primitives instead (see `jervis`)."),
    ] = None,
    turns: Annotated[int, typer.Option(help="Turns per match.", min=1)] = 200,
    repetitions: Annotated[int, typer.Option(help="Repetitions of each match.", min=1)] = 10,
    noise: Annotated[float, typer.Option(help="Chance each move is flipped.", min=0, max=1)] = 0.0,
    seed: Annotated[int, typer.Option(help="Root seed.", min=0)] = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """A round-robin tournament of the iterated security game (Axelrod 1984)."""
    from secdilemma.formal import iterated, jervis

    try:
        if primitives is not None:
            game = jervis.SecurityGame.from_primitives(*_numbers(primitives, 4, "--primitives"))
        elif balance <= 0 or not 0 <= distinguishability <= 1:
            raise InputError(
                "tournament",
                "--balance/--distinguishability",
                (balance, distinguishability),
                "need balance > 0 and distinguishability in [0, 1]",
            )
        else:
            game = jervis.from_offense_defense(balance, distinguishability)
        result = iterated.tournament(
            iterated.axelrod_strategies(), game, turns, repetitions, noise, seed
        )
        summary = result.summary
        data = {
            "game": jervis.classify(game),
            "R_S_T_P": list(game.as_rstp()),
            "turns": turns,
            "repetitions": repetitions,
            "noise": noise,
            "seed": seed,
            "ranking": summary.drop(columns=["rank"]).to_dict("records"),
        }
        if plot is not None:
            plt = _figure()
            fig, ax = plt.subplots(figsize=(6, 4))
            order = result.ranking
            scores = result.normalised_scores[order]
            median = np.median(scores, axis=1)
            spread = np.abs(np.percentile(scores, [0, 100], axis=1) - median)
            ax.barh(range(len(order)), median, xerr=spread, color="C0", alpha=0.7)
            ax.set_yticks(range(len(order)), [result.names[i] for i in order])
            ax.invert_yaxis()
            ax.set_xlabel("payoff per turn and opponent")
            ax.set_title(f"{data['game']}, noise {noise:g}")
            _save(fig, plot)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(data)
        return
    table = Table(title=f"tournament: {data['game']} {tuple(round(v, 3) for v in data['R_S_T_P'])}")
    for col in ("rank", "strategy", "median score", "cooperation"):
        table.add_column(col, justify="right" if col != "strategy" else "left")
    for rank, row in enumerate(data["ranking"]):
        table.add_row(
            str(rank + 1),
            row["name"],
            f"{row['median_score']:.3f}",
            f"{row['cooperation_rating']:.2f}",
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("tournament")(tournament_command)
    app.command("richardson")(richardson_command)
    app.command("jervis")(jervis_command)
    app.command("kydd")(kydd_command)
    app.command("fearon")(fearon_command)
