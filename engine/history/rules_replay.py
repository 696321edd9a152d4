"""The decision rules replayed on a real PO history: when each would have fired, and what it
would have moved.

The rules are the simulation's (``engine.simulation.rules.RuleEngine``, one definition of each
trigger), fed with what the history records instead of simulated draws:

* **late shift**: each PO's lot is judged when it shipped (its ``actual_ship_date``; on its
  arrival date when it was judged on arrival), late when it missed its promised date (the
  scorecard's ``on_time``); lots are fed in the order they were judged. Open POs that are
  overdue are not fed: the simulation judges a lot when production finishes.
* **defect pause**: each arrived PO is an inspected lot on its arrival date
  (``quantity_received`` inspected, ``quantity_rejected`` rejected).
* **routing**: every PO of the history, on its PO date, goes through ``RuleEngine.route``: a
  shifted supplier's PO moves ``shift_share`` of its units to the backup, a paused supplier's
  PO moves whole (or is skipped when there is no backup); the price difference is the
  backup's tier price minus the agreed price, per unit moved.

On one day, pauses that are over end first, then the day's lots are judged and inspected (in
file order), then the day's POs are routed: a PO placed on the day a rule fires is already
moved. The expedite rule needs stock levels, which a PO history does not have: it is not
replayed. POs of a supplier or SKU without an offer in the scenario are judged but not routed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from engine.history.read import History
from engine.history.scorecards import outcomes
from engine.scenario.schema import Scenario
from engine.simulation.events import EventKind, Recorder
from engine.simulation.orders import OrderRequest, OrderSource
from engine.simulation.rules import DecisionRules, RuleEngine
from engine.simulation.world import build_world

__all__ = ["RulesReplay", "replay_rules"]

_FIRING_KINDS = {
    EventKind.SHIFT_ON: ("late_shift", "shift on"),
    EventKind.SHIFT_OFF: ("late_shift", "shift off"),
    EventKind.PAUSE: ("defect_pause", "pause"),
    EventKind.RESUME: ("defect_pause", "resume"),
}
_MOVE_KINDS = {
    EventKind.SHIFTED: ("late_shift", "shifted"),
    EventKind.REDIRECTED: ("defect_pause", "redirected"),
    EventKind.PO_SKIPPED: ("defect_pause", "skipped"),
}


@dataclass(frozen=True)
class RulesReplay:
    """What the rules would have done on the history.

    Attributes:
        firings: One row per rule firing: ``date``, ``rule``, ``event`` (shift on/off, pause,
            resume), ``supplier``, ``po`` (the lot that triggered it; empty for a resume) and
            ``detail``.
        moves: One row per PO the rules would have changed: ``date``, ``po``, ``supplier``,
            ``sku``, ``quantity_ordered``, ``rule``, ``action`` (shifted, redirected, skipped),
            ``to_supplier``, ``moved_units`` (what the rule moves: ``shift_share`` of the PO,
            or all of it; the backup's PO is then raised to its MOQ and order multiple) and
            ``price_difference`` (``moved_units`` x (backup tier price - agreed price), + =
            dearer).
    """

    firings: pd.DataFrame
    moves: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"rule_firings": self.firings, "rule_moves": self.moves}


def replay_rules(scenario: Scenario, history: History, rules: DecisionRules) -> RulesReplay:
    """Replay the late-shift and defect-pause rules of ``rules`` on ``history``.

    Args:
        scenario: Gives the offers, backups and prices of the moved units.
        history: The PO history.
        rules: The rules in force (``expedite`` is ignored, see the module docstring).
    """
    judged = outcomes(history, scenario)
    start: dt.date = min(judged["po_date"])
    world = build_world(scenario)
    recorder = Recorder(0)
    engine = RuleEngine(DecisionRules(rules.late_shift, rules.defect_pause), world, recorder)
    # (day, order within the day, file position, what, row)
    agenda: list[tuple[int, int, int, str, pd.Series]] = []
    for position, (_, row) in enumerate(judged.iterrows()):
        agenda.append(((row["po_date"] - start).days, 2, position, "po", row))
        if row["on_time"] is not None and row["judged_on"] in ("ship", "arrival"):
            when = (
                row["actual_ship_date"]
                if row["judged_on"] == "ship"
                else row["actual_arrival_date"]
            )
            agenda.append(((when - start).days, 1, position, "lot", row))
        if isinstance(row["actual_arrival_date"], dt.date) and row["quantity_received"] > 0:
            agenda.append(((row["actual_arrival_date"] - start).days, 1, position, "qc", row))
    agenda.sort(key=lambda item: item[:3])
    firings: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    today = None
    for day, _, _, what, row in agenda:
        if day != today:
            seen = len(recorder.events)
            engine.start_of_day(day)
            firings.extend(_firings(recorder, seen, start, ""))
            today = day
        seen = len(recorder.events)
        if what == "lot":
            engine.on_lot_finished(day, row["supplier"], not row["on_time"])
            firings.extend(_firings(recorder, seen, start, row["po"]))
        elif what == "qc":
            engine.on_qc(day, row["supplier"], row["quantity_received"], row["quantity_rejected"])
            firings.extend(_firings(recorder, seen, start, row["po"]))
        elif (row["supplier"], row["sku"]) in world.offers:
            request = OrderRequest(
                row["sku"],
                row["supplier"],
                world.default_lane[(row["supplier"], row["sku"])],
                float(row["quantity_ordered"]),
                float(row["unit_price_agreed"]),
                OrderSource.PLAN,
            )
            engine.route(day, request)
            for event in recorder.events[seen:]:
                rule, action = _MOVE_KINDS[event.kind]
                moves.append(
                    {
                        "date": start + dt.timedelta(days=event.day),
                        "po": row["po"],
                        "supplier": row["supplier"],
                        "sku": row["sku"],
                        "quantity_ordered": row["quantity_ordered"],
                        "rule": rule,
                        "action": action,
                        "to_supplier": "" if event.kind is EventKind.PO_SKIPPED else event.supplier,
                        "moved_units": event.quantity,
                        "price_difference": event.value,
                    }
                )
    firing_columns = ["date", "rule", "event", "supplier", "po", "detail"]
    move_columns = [
        "date",
        "po",
        "supplier",
        "sku",
        "quantity_ordered",
        "rule",
        "action",
        "to_supplier",
        "moved_units",
        "price_difference",
    ]
    return RulesReplay(
        pd.DataFrame(firings, columns=firing_columns), pd.DataFrame(moves, columns=move_columns)
    )


def _firings(recorder: Recorder, seen: int, start: dt.date, po: str) -> list[dict[str, object]]:
    out = []
    for event in recorder.events[seen:]:
        rule, name = _FIRING_KINDS[event.kind]
        detail = ""
        if event.kind is EventKind.SHIFT_ON:
            detail = f"{event.quantity:g} late lots in a row"
        elif event.kind is EventKind.PAUSE:
            detail = f"reject rate {event.value:.2%} over the last lots"
        out.append(
            {
                "date": start + dt.timedelta(days=event.day),
                "rule": rule,
                "event": name,
                "supplier": event.supplier,
                "po": "" if event.kind is EventKind.RESUME else po,
                "detail": detail,
            }
        )
    return out
