"""The fast build of the sourcing MILP: the matrix of ``engine.models.build`` straight from
``ModelData`` with NumPy, one function per constraint family (docs/optimizer.md, "Two
builds"). The Pyomo model stays the readable definition; tests/test_matrix_build.py checks
that both give the same matrix."""
