"""Which build a solve uses: the fast build (the default, for every size) or the Pyomo model
(the readable definition: diagnosis, and a check of the fast build). Both give HiGHS the same
matrix in the same order (tests/test_matrix_build.py), so the same plans."""

from __future__ import annotations

from enum import StrEnum

import pyomo.environ as pyo

from engine.models.build import build_model
from engine.models.data import ModelData
from engine.models.matrix.model import MatrixModel
from engine.plan_types import TierChoice


class ModelBuild(StrEnum):
    MATRIX = "matrix"  # engine.models.matrix: NumPy, straight from the data
    PYOMO = "pyomo"  # engine.models.build, compiled by Pyomo


DEFAULT_BUILD = ModelBuild.MATRIX


def solver_model(
    data: ModelData, tier_choice: TierChoice, build: ModelBuild = DEFAULT_BUILD
) -> MatrixModel | pyo.ConcreteModel:
    """The model a solve holds in ``HighsSession``, by ``build``."""
    if build is ModelBuild.PYOMO:
        return build_model(data, tier_choice)
    return MatrixModel(data, tier_choice)
