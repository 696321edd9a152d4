"""Scorecards on a small history, every figure worked out by hand (tests/history/small.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from engine.history.read import read_history
from engine.history.scorecards import ALL_PERIODS, ScoreWeights, parse_weights, scorecards
from engine.history.stats import wilson_interval
from engine.scenario import load_scenario
from tests.conftest import DTC_BRAND
from tests.history.small import write_history


@pytest.fixture(scope="module")
def overall(tmp_path_factory: pytest.TempPathFactory) -> pd.Series:
    path = write_history(tmp_path_factory.mktemp("small"))
    cards = scorecards(read_history(path), load_scenario(DTC_BRAND))
    assert cards.as_of == dt.date(2026, 4, 10)
    table = cards.suppliers
    return table[(table["supplier"] == "GZ-01") & (table["period"] == ALL_PERIODS)].iloc[0]


def test_delivery_rates_by_hand(overall: pd.Series) -> None:
    assert overall["pos"] == 5
    # on time: P1 yes, P2 no, P3 yes, P4 no (P5 not yet due)
    assert (overall["on_time_pos"], overall["on_time_rate"]) == (4, 0.5)
    # in full: the arrived P1 yes, P2 no (950 of 1000), P3 yes
    assert overall["in_full_pos"] == 3
    assert overall["in_full_rate"] == pytest.approx(2 / 3)
    # OTIF: P1, P3 yes; P2 (late and short), P4 (late, open) no
    assert (overall["otif_pos"], overall["otif_rate"]) == (4, 0.5)
    low, high = wilson_interval(2, 4)
    assert (overall["otif_ci_low"], overall["otif_ci_high"]) == pytest.approx((low, high))
    # Wilson for 2 of 4 at 95 %: 0.15004 .. 0.84996
    assert low == pytest.approx(0.15004, abs=1e-5)


def test_lead_times_by_hand(overall: pd.Series) -> None:
    # PO to arrival: 68, 74, 64 days; P90 linear: 68 + 0.8 * (74 - 68) = 72.8
    assert overall["lead_time_pos"] == 3
    assert overall["lead_time_mean_days"] == pytest.approx(206 / 3)
    assert overall["lead_time_p90_days"] == pytest.approx(72.8)
    # production (PO to ship) 35, 41, 28, 40: mean 36, P90 = 40 + 0.7 * 1 = 40.7
    assert overall["production_pos"] == 4
    assert overall["production_mean_days"] == pytest.approx(36.0)
    assert overall["production_p90_days"] == pytest.approx(40.7)
    # transit 33, 33, 36
    assert overall["transit_mean_days"] == pytest.approx(34.0)
    assert overall["transit_std_days"] == pytest.approx(3**0.5)


def test_defects_and_prices_by_hand(overall: pd.Series) -> None:
    # 50 rejected of 3,950 received
    assert overall["defect_pct"] == pytest.approx(100 * 50 / 3950)
    assert overall["defect_ppm"] == pytest.approx(1e6 * 50 / 3950)  # 12,658 PPM
    # 2,000 units 0.20 dearer than agreed, over 38,000 agreed on the 4 invoiced POs
    assert overall["price_pos"] == 4
    assert overall["price_variance_agreed_pct"] == pytest.approx(100 * 400 / 38000)
    # the scenario's breaks give 7.80 below 1,500 units and 7.30 from 1,500: the same here
    assert overall["price_variance_scenario_pct"] == pytest.approx(100 * 400 / 38000)


def test_score_by_hand(overall: pd.Series) -> None:
    otif = 50.0
    quality = 100 * (1 - (50 / 3950) / 0.05)
    cost = 100 * (1 - (400 / 38000) / 0.10)
    std = pd.Series([68.0, 74.0, 64.0]).std()
    lead = 100 * (1 - (std / (206 / 3)) / 0.5)
    expected = (0.4 * otif + 0.3 * quality + 0.2 * cost + 0.1 * lead) / 1.0
    assert overall["score"] == pytest.approx(expected)


def test_quarters_split_the_pos(tmp_path: Path) -> None:
    cards = scorecards(read_history(write_history(tmp_path)))
    quarters = cards.suppliers[cards.suppliers["period"] != ALL_PERIODS]
    assert list(quarters["period"]) == ["2026Q1", "2026Q2"]
    assert list(quarters["pos"]) == [4, 1]
    assert cards.supplier_skus["sku"].unique().tolist() == ["SKL-10IN"]


def test_weights_parse_and_reject_nonsense() -> None:
    assert parse_weights("otif=1,quality=0") == ScoreWeights(otif=1.0, quality=0.0)
    with pytest.raises(ValueError, match="unknown score weight"):
        parse_weights("speed=1")
    with pytest.raises(ValueError, match="not all 0"):
        parse_weights("otif=0,quality=0,cost=0,lead_time=0")


def test_score_range_moves_otif_and_defects_to_their_interval_ends(overall: pd.Series) -> None:
    otif_low, otif_high = wilson_interval(2, 4)
    defect_low, defect_high = wilson_interval(50, 3950)
    cost = 100 * (1 - (400 / 38000) / 0.10)
    std = pd.Series([68.0, 74.0, 64.0]).std()
    lead = 100 * (1 - (std / (206 / 3)) / 0.5)

    def score(otif: float, defect: float) -> float:
        return 0.4 * 100 * otif + 0.3 * 100 * (1 - defect / 0.05) + 0.2 * cost + 0.1 * lead

    assert overall["score_ci_low"] == pytest.approx(score(otif_low, defect_high))
    assert overall["score_ci_high"] == pytest.approx(score(otif_high, defect_low))
    assert overall["score_ci_low"] < overall["score"] < overall["score_ci_high"]
