"""The resilience decision: which split to run, what it costs in the plan and what it saves
under disruptions, on average and in the bad tail (docs/resilience.md).

* ``risk_measures``: mean, VaR (P95) and CVaR of a cost distribution, with Monte Carlo
  intervals.
* ``total_cost``: one figure of merit per replication of the stress test.
* ``selection``: efficient candidates, the recommendation for a risk weight, and sequential
  sampling until the best is separated from the runner-up (or a cap is hit).
* ``frontier``: candidates (backup shares or classic splits) planned by the optimizer and
  stress-tested on common random numbers.
* ``newsvendor``: the one-period closed-form reference case.
* ``stochastic``: the two-stage stochastic allocation at an aggregated grain.
* ``stress_value``: its VSS and EVPI with the plans judged in the stress test.
"""
