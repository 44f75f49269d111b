"""Orchestration only: plan -> run (parallel, streaming) -> HuntResult, and coverage per technique.

Never prints; progress goes through a callback. Never imports ``report`` or ``cli``.
"""
