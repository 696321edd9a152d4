"""Supplier PO history: the file format and its validation, scorecards, the decision rules
replayed on it, and calibration of the scenario's suppliers (``docs/po-history.md``)."""

from engine.history.calibrate import MIN_POS, Calibration, calibrate, write_calibrated
from engine.history.example import EXAMPLE_SEED, TRUE_SUPPLIERS
from engine.history.lead_time_fit import LeadTimeFit, fit_lead_times, lead_time_probabilities
from engine.history.read import History, HistoryError, read_history
from engine.history.rules_replay import RulesReplay, replay_rules
from engine.history.scorecards import ALL_PERIODS, Scorecards, ScoreWeights, scorecards
from engine.history.whatif import paired_difference

__all__ = [
    "ALL_PERIODS",
    "EXAMPLE_SEED",
    "MIN_POS",
    "TRUE_SUPPLIERS",
    "Calibration",
    "History",
    "HistoryError",
    "LeadTimeFit",
    "RulesReplay",
    "ScoreWeights",
    "Scorecards",
    "calibrate",
    "fit_lead_times",
    "lead_time_probabilities",
    "paired_difference",
    "read_history",
    "replay_rules",
    "scorecards",
    "write_calibrated",
]
