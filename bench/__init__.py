"""Benchmarks (issue 6).

Run ``python -m bench [--sizes S,M,L] [--sections optimizer,simulation] [--out DIR] [--quick]``.

A section is a module ``bench.<name>`` with ``run(sizes, quick) -> list[BenchRow]``, listed in
``bench.harness.SECTIONS``; a listed section whose module is not there yet is skipped. Every
figure is compared in the same run with a baseline (``BenchRow``), so its ratio holds on a
noisy machine; cases run in their own processes (``bench.isolate``) so their time and peak
memory are their own. Results: a table on the console, ``results.csv`` and ``results.json``
(with the machine block) in the output folder. Benchmarks are not tests: nothing here asserts
a time.
"""
