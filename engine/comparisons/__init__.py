"""Plans compared honestly: the difference of two plans with the interval their gaps allow,
the exact marginal cost of a policy, starts across variants (``plans``), and the cost of
resilience over backup shares or splits (``frontier``)."""
