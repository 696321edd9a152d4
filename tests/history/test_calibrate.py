"""Calibration on the bundled history recovers the parameters it was drawn from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from engine.history.calibrate import Calibration, calibrate, write_calibrated
from engine.history.example import EXAMPLE_SEED, TRUE_SUPPLIERS, example_history
from engine.history.lead_time_fit import fit_lead_times, lead_time_probabilities
from engine.history.read import read_history
from engine.scenario import load_scenario
from engine.scenario.write import TargetExistsError
from engine.simulation.production import production_working_days, round_half_up_int
from engine.simulation.terms import on_time_base
from engine.simulation.world import build_world
from tests.conftest import DTC_BRAND

HISTORY = DTC_BRAND / "po_history.csv"


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    scenario = load_scenario(DTC_BRAND)
    return calibrate(scenario, read_history(HISTORY, scenario))


def test_bundled_history_is_the_seeded_generator_output() -> None:
    frame = example_history(load_scenario(DTC_BRAND), np.random.default_rng(EXAMPLE_SEED))
    assert len(frame) == 204
    assert frame.to_csv(index=False) == HISTORY.read_text(encoding="utf-8")


@pytest.mark.slow
def test_true_parameters_inside_their_intervals(calibration: Calibration) -> None:
    changes = calibration.changes.set_index(["supplier", "field"])
    for supplier, truth in TRUE_SUPPLIERS.items():
        for name in (
            "production_lead_time_days_mean",
            "production_lead_time_days_std",
            "on_time_rate",
            "defect_rate",
        ):
            row = changes.loc[(supplier, name)]
            true = getattr(truth, name)
            assert row["applied"], (supplier, name)
            assert row["ci_low"] <= true <= row["ci_high"], (supplier, name, true, row.to_dict())
            # and the typed-in value it replaces is outside for most: the data tell them apart
        # the price trend read at the last invoiced PO: the generator's line at that date
        history = read_history(HISTORY).frame
        invoiced = history[
            (history["supplier"] == supplier) & history["invoiced_unit_price"].notna()
        ]
        last = max(invoiced["po_date"])
        share = (last - dt.date(2026, 1, 5)).days / 365.0
        true_price = (
            truth.price_ratio_start + (truth.price_ratio_end - truth.price_ratio_start) * share
        )
        row = changes.loc[(supplier, "price_factor")]
        assert row["ci_low"] <= true_price <= row["ci_high"], (supplier, true_price, row.to_dict())


@pytest.mark.slow
def test_lanes_transit_times_recovered(calibration: Calibration) -> None:
    """The example draws transit times from the scenario's own lanes: the typed-in values are
    the true ones, and each lane with enough POs has them inside its intervals."""
    lanes = calibration.changes[calibration.changes["lane"] != ""]
    assert set(lanes["lane"]) >= {"YTN-ONT-LCL", "SGN-ONT-LCL", "NGB-ONT-LCL"}
    for row in lanes.itertuples():
        assert row.applied, row
        assert row.ci_low <= row.current <= row.ci_high, row
    fitted = {lane.lane: lane for lane in calibration.scenario.lanes}
    row = lanes[(lanes["lane"] == "YTN-ONT-LCL") & (lanes["field"] == "transit_days_mean")]
    assert fitted["YTN-ONT-LCL"].transit_days_mean == row["fitted"].iloc[0]


def test_typed_in_values_are_rejected_where_they_differ(calibration: Calibration) -> None:
    changes = calibration.changes.set_index(["supplier", "field"])
    # GZ-01 was typed in at 35 days and 1.5 % defects; it really takes 39 and rejects 2.2 %
    assert not changes.loc[("GZ-01", "production_lead_time_days_mean"), "current_inside_ci"]
    assert not changes.loc[("GZ-01", "defect_rate"), "current_inside_ci"]


def test_written_scenario_validates_and_is_never_overwritten(
    calibration: Calibration,
    tmp_path: Path,
) -> None:
    written = write_calibrated(calibration, tmp_path / "calibrated")
    reloaded = load_scenario(written)
    gz = next(s for s in reloaded.suppliers if s.supplier == "GZ-01")
    fitted = calibration.changes.set_index(["supplier", "field"])["fitted"]
    assert gz.production_lead_time_days_mean == fitted[("GZ-01", "production_lead_time_days_mean")]
    assert gz.defect_rate == fitted[("GZ-01", "defect_rate")]
    factor = fitted[("GZ-01", "price_factor")]
    first = next(b for b in reloaded.price_breaks if (b.supplier, b.sku) == ("GZ-01", "SKL-10IN"))
    assert first.unit_price == pytest.approx(round(7.80 * factor, 4))
    with pytest.raises(TargetExistsError):
        write_calibrated(calibration, tmp_path / "calibrated")
    write_calibrated(calibration, tmp_path / "calibrated", force=True)


@pytest.mark.slow
def test_too_few_pos_keep_their_value_with_the_reason() -> None:
    scenario = load_scenario(DTC_BRAND)
    result = calibrate(scenario, read_history(HISTORY, scenario), min_pos=60)
    changes = result.changes.set_index(["supplier", "field"])
    kept = changes.loc[("YW-TC", "production_lead_time_days_mean")]
    assert not kept["applied"]
    assert "calibration needs 60" in kept["reason"]
    yw = next(s for s in result.scenario.suppliers if s.supplier == "YW-TC")
    assert yw.production_lead_time_days_mean == 25.0
    assert changes.loc[("GZ-01", "production_lead_time_days_mean"), "applied"]


def test_probabilities_sum_to_one_and_match_the_simulation() -> None:
    """The likelihood is the simulation's production time: its probabilities add up to 1
    and match 20,000 draws of ``production_working_days`` within Monte Carlo error."""
    scenario = load_scenario(DTC_BRAND)
    world = build_world(scenario)
    info = world.supplier("HCM-01")  # 42 +- 7 days, on time 0.85: no slip (p = 0.52)
    rng = np.random.default_rng(1)
    # the fitted family: the promise at the mean, and a rate above p read as p (calibrate
    # writes min(rho, p) and the mean as the quote)
    base = on_time_base(info.lognormal_mu, info.lognormal_sigma, 42.0, 42.0)
    for rate in (0.85, 0.30):
        row = info.row.model_copy(update={"on_time_rate": min(rate, base)})
        supplier = dataclasses.replace(info, row=row, quoted_days=42.0, on_time_base=base)
        draws = np.array(
            [round_half_up_int(production_working_days(rng, supplier, 7.0)) for _ in range(20000)]
        )
        days = np.arange(0, 400)
        probabilities = lead_time_probabilities(days, 42.0, 7.0, rate)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
        observed = np.bincount(draws, minlength=400)[:400] / len(draws)
        se = np.sqrt(probabilities * (1 - probabilities) / len(draws))
        assert np.all(np.abs(observed - probabilities) <= 5 * se + 1e-4)


def test_fit_needs_spread() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        fit_lead_times(np.array([30.0, 30.0, 30.0]))
    assert math.isfinite(fit_lead_times(np.array([30.0, 31.0, 35.0, 40.0, 33.0])).mean_days)
