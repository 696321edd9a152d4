"""The decision rules replayed on a history fire exactly on the hand-marked POs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.history.read import read_history
from engine.history.rules_replay import replay_rules
from engine.scenario import load_scenario
from engine.simulation.rules import DecisionRules, DefectPauseRule, LateShiftRule
from tests.conftest import DTC_BRAND
from tests.history.small import HEADER, write_history

ROWS = (
    # GZ-01: late, late (-> shift on, 2 in a row), ...
    "A1,GZ-01,SKL-10IN,2026-01-01,1000,7.80,2026-01-20,2026-01-25,,,,,sea_fcl",
    "A2,GZ-01,SKL-10IN,2026-01-05,1000,7.80,2026-01-25,2026-01-30,,,,,sea_fcl",
    # placed while shifted: half moves to HCM-01; judged late on 03-10 (count 1 after A4)
    "A3,GZ-01,SKL-10IN,2026-02-01,1000,7.80,2026-03-05,2026-03-10,,,,,sea_fcl",
    # placed on 02-03, still shifted (moved); on time on 02-10: shift off
    "A4,GZ-01,SKL-10IN,2026-02-03,1000,7.80,2026-02-20,2026-02-10,,,,,sea_fcl",
    # placed after the shift ended: kept; late on 03-25 (2 in a row with A3: shift on)
    "A5,GZ-01,SKL-10IN,2026-02-15,1000,7.80,2026-03-20,2026-03-25,,,,,sea_fcl",
    # placed the day the shift comes back on: moved
    "A6,GZ-01,SKL-10IN,2026-03-25,1000,7.80,2026-05-20,,,,,,sea_fcl",
    # YW-TC: 2 % rejected, then 10 %: 12 of 200 over the last 2 lots > 5 % -> pause 10 days
    "B1,YW-TC,SKL-10IN,2026-01-01,300,8.90,2026-01-20,,2026-02-01,100,2,,sea_fcl",
    "B2,YW-TC,SKL-10IN,2026-01-02,300,8.90,2026-01-21,,2026-02-05,100,10,,sea_fcl",
    # placed during the pause: redirected whole to GZ-01
    "B3,YW-TC,SKL-10IN,2026-02-10,300,8.90,2026-05-20,,,,,,sea_fcl",
    # placed the day the pause ends: kept
    "B4,YW-TC,SKL-10IN,2026-02-15,300,8.90,2026-05-20,,,,,,sea_fcl",
)


def test_rules_fire_on_the_hand_marked_pos(tmp_path: Path) -> None:
    scenario = load_scenario(DTC_BRAND)
    history = read_history(write_history(tmp_path, ROWS, HEADER), scenario)
    rules = DecisionRules(
        late_shift=LateShiftRule(2, 0.5, backups={"GZ-01": "HCM-01"}),
        defect_pause=DefectPauseRule(
            0.05, window_lots=2, pause_days=10, backups={"YW-TC": "GZ-01"}
        ),
    )
    replay = replay_rules(scenario, history, rules)
    d = dt.date
    assert [tuple(r) for r in replay.firings[["date", "event", "supplier", "po"]].to_numpy()] == [
        (d(2026, 1, 30), "shift on", "GZ-01", "A2"),
        (d(2026, 2, 5), "pause", "YW-TC", "B2"),
        (d(2026, 2, 10), "shift off", "GZ-01", "A4"),
        (d(2026, 2, 15), "resume", "YW-TC", ""),
        (d(2026, 3, 25), "shift on", "GZ-01", "A5"),
    ]
    moves = replay.moves.set_index("po")
    assert list(moves.index) == ["A3", "A4", "B3", "A6"]
    assert moves.loc["A3", ["action", "to_supplier", "moved_units"]].tolist() == [
        "shifted",
        "HCM-01",
        500.0,
    ]
    # HCM-01 sells 500 skillets at its first tier, 9.90, against 7.80 agreed with GZ-01
    assert moves.loc["A3", "price_difference"] == pytest.approx(500 * (9.90 - 7.80))
    assert moves.loc["B3", ["action", "to_supplier", "moved_units"]].tolist() == [
        "redirected",
        "GZ-01",
        300.0,
    ]
    assert moves.loc["B3", "price_difference"] == pytest.approx(300 * (7.80 - 8.90))


def test_no_rules_no_firings(tmp_path: Path) -> None:
    scenario = load_scenario(DTC_BRAND)
    history = read_history(write_history(tmp_path, ROWS, HEADER), scenario)
    replay = replay_rules(scenario, history, DecisionRules())
    assert replay.firings.empty and replay.moves.empty
