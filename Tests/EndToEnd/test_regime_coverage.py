"""Every regime the maps name shows somewhere a user lands: in the first tiles (z 0-2) of the shipped maps, each
backprop_flow regime (exploded, vanished, unit_circle) covers at least 1% of the pixels of some map."""
from conftest import run_cli


def regime_fractions(name, zooms=range(3)):
    counts = {}
    for z in zooms:
        for x in range(2 ** z):
            for y in range(2 ** z):
                result = run_cli("render", name, z, x, y, "--output", "/dev/null", "--report")
                assert result.returncode == 0, result.stderr
                for token in result.stdout.split():
                    key, _, value = token.partition("=")
                    if key in ("exploded", "vanished", "unit_circle", "bounded"):
                        counts[key] = counts.get(key, 0) + int(value)
    total = sum(counts.values())
    return {key: value / total for key, value in counts.items()}


def test_backprop_flow_regimes_preset_shows_all_three_fates():
    fractions = regime_fractions("backprop-flow-regimes")
    for regime in ("exploded", "vanished", "unit_circle"):
        assert fractions.get(regime, 0) >= 0.01, fractions
