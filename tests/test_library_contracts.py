"""Contracts with library internals the engine relies on, so an upgrade that breaks one fails
here, by name, rather than as wrong plans or wrong simulations elsewhere.

- Pyomo's ``LinearStandardFormCompiler`` (``engine/models/matrix/pyomo_form.py`` hands its
  matrix to HiGHS): the fields ``columns``, ``rows`` (constraint, sense), ``A``, ``rhs``, ``c`` and
  ``c_offset`` of ``write(model, mixed_form=True)``, and the sense codes 1 (<=), -1 (>=) and
  0 (==).
- SimPy's event internals (``engine/simulation/processes.py``): an ``Event`` is made by setting
  ``env``, ``callbacks``, ``_value`` and ``_ok`` without ``Event.__init__``, scheduled with
  ``env.schedule(event, NORMAL, delay)`` and processed in (time, priority, order scheduled).
- The package ships ``ui/`` (with ``ui/app_pages``, which has no ``__init__.py``) beside
  ``engine/``: ``sourcing ui`` runs ``ui/app.py`` from the installed package.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pyomo.environ as pyo
import simpy
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from setuptools import find_namespace_packages
from simpy.events import NORMAL, PENDING, URGENT

from engine.models.matrix.pyomo_form import ROW_SENSE_EQUAL, ROW_SENSE_LOWER, ROW_SENSE_UPPER
from engine.simulation.processes import Agenda, _Due
from tests.conftest import ROOT


def test_pyomo_standard_form_fields_and_senses() -> None:
    model = pyo.ConcreteModel()
    model.x = pyo.Var(bounds=(0, 10))
    model.y = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 5))
    model.z = pyo.Var()
    model.z.fix(2)
    model.upper = pyo.Constraint(expr=model.x + 2 * model.y + model.z <= 8)
    model.lower = pyo.Constraint(expr=model.x - model.y >= 1)
    model.equal = pyo.Constraint(expr=model.x + model.y == 4)
    model.cost = pyo.Objective(expr=3 * model.x + 5 * model.y + 7)

    form = LinearStandardFormCompiler().write(model, mixed_form=True)

    assert list(form.columns) == [model.x, model.y]  # the fixed z is left out
    assert [(row, sense) for row, sense in form.rows] == [
        (model.upper, ROW_SENSE_UPPER),
        (model.lower, ROW_SENSE_LOWER),
        (model.equal, ROW_SENSE_EQUAL),
    ]
    assert (ROW_SENSE_UPPER, ROW_SENSE_EQUAL, ROW_SENSE_LOWER) == (1, 0, -1)
    np.testing.assert_array_equal(form.A.tocsc().toarray(), [[1, 2], [1, -1], [1, 1]])
    np.testing.assert_array_equal(np.asarray(form.rhs, dtype=float), [6, 1, 4])  # 8 - z
    np.testing.assert_array_equal(form.c.toarray(), [[3, 5]])
    assert list(form.c_offset) == [7]


def test_simpy_event_attributes_are_the_ones_due_sets() -> None:
    env = simpy.Environment()
    made = simpy.Event(env)
    assert made._value is PENDING
    made.succeed("v")
    assert {"env", "callbacks", "_value", "_ok"} <= set(vars(made))
    assert (made._ok, made._value) == (True, "v")

    due = _Due(env, lambda event: None)
    assert set(vars(due)) == {"env", "callbacks", "_value", "_ok"}
    assert due.triggered and due.ok and not due.processed


def test_simpy_runs_scheduled_events_by_time_priority_and_order() -> None:
    env = simpy.Environment()
    ran: list[tuple[float, str]] = []

    def due(name: str) -> _Due:
        return _Due(env, lambda event: ran.append((env.now, name)))

    env.schedule(due("b at 2"), NORMAL, 2.0)
    env.schedule(due("a at 1"), NORMAL, 1.0)
    env.schedule(due("c at 2, after b"), NORMAL, 2.0)
    env.schedule(due("urgent at 2"), URGENT, 2.0)
    first = due("processed")
    env.schedule(first, NORMAL, 0.5)
    env.run()
    assert ran == [
        (0.5, "processed"),
        (1.0, "a at 1"),
        (2.0, "urgent at 2"),
        (2.0, "b at 2"),
        (2.0, "c at 2, after b"),
    ]
    assert first.processed and first.callbacks is None


def test_the_agenda_keeps_simpy_order() -> None:
    env = simpy.Environment()
    agenda = Agenda(env)
    ran: list[tuple[float, str]] = []
    agenda.at(2.0, lambda name: ran.append((env.now, name)), "later")
    agenda.at(1.0, lambda name: ran.append((env.now, name)), "first")
    agenda.at(1.0, lambda name: ran.append((env.now, name)), "second")
    assert agenda.peek() == 1.0
    env.run()
    assert ran == [(1.0, "first"), (1.0, "second"), (2.0, "later")]


def test_the_package_ships_the_app() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = set(find_namespace_packages(where=str(ROOT), include=include))
    assert {"engine", "engine.models", "engine.simulation", "ui", "ui.app_pages"} <= packages
    assert not any(name.startswith(("tests", "bench")) for name in packages)
