"""The Pyomo model compiled to a ``LinearForm``, its columns in the fast build's order.

Pyomo's ``LinearStandardFormCompiler`` numbers columns as it meets them; here they are put in
declaration order (each variable's indices in its set's order), the fast build's order, so
both builds hand HiGHS the same matrix in the same order (rows already come in declaration
order from both). Its ``column_order`` option is not used: with variables fixed in the model
it labels some columns with the wrong variable (Pyomo 6.9).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from engine.models.matrix.assembly import LinearForm

ROW_SENSE_UPPER, ROW_SENSE_EQUAL, ROW_SENSE_LOWER = 1, 0, -1  # the compiler's mixed form
INF = float("inf")


def variable_key(var: VarData) -> tuple[str, object]:
    """(variable name, index) of a Pyomo variable: its column's key in a ``LinearForm``."""
    return var.parent_component().local_name, var.index()


def pyomo_form(model: pyo.ConcreteModel) -> tuple[LinearForm, list[VarData]]:
    """The model's matrix (explicit zeros dropped) and its variables, one per column."""
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    where = {id(v): i for i, v in enumerate(form.columns)}
    order = [
        where[id(v)]
        for component in model.component_objects(pyo.Var)
        for v in component.values()
        if id(v) in where
    ]
    variables: list[VarData] = [form.columns[i] for i in order]
    matrix = form.A.tocsc()[:, order] if form.A.shape[0] else form.A.tocsc()
    matrix.eliminate_zeros()
    cost = form.c.toarray()
    cost = cost[0][order] if cost.shape[0] else np.zeros(len(order))
    rhs = np.asarray(form.rhs, dtype=np.float64)
    sense = np.asarray([s for _, s in form.rows], dtype=np.int64)
    form_out = LinearForm(
        column_keys=[variable_key(v) for v in variables],
        lower=np.asarray([-INF if v.lb is None else v.lb for v in variables], dtype=float),
        upper=np.asarray([INF if v.ub is None else v.ub for v in variables], dtype=float),
        integrality=np.asarray([int(v.is_integer()) for v in variables], dtype=np.uint8),
        cost=np.asarray(cost, dtype=float),
        offset=float(form.c_offset[0]) if len(form.c_offset) else 0.0,
        matrix=matrix,
        row_lower=np.where(sense == ROW_SENSE_UPPER, -INF, rhs),
        row_upper=np.where(sense == ROW_SENSE_LOWER, INF, rhs),
        row_keys=[(c.parent_component().local_name, c.index()) for c, _ in form.rows],
    )
    return form_out, variables
