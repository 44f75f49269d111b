"""Thin commands: parse arguments, build a plan, call the library, render, return an exit code.

May import every other layer; nothing imports it.
"""
