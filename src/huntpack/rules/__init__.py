"""Sigma: load rules with pySigma, compile them to predicates, route, prefilter, evaluate, correlate.

Imports ``sources``/``intel``/``model``; never ``analyzers``.
"""
