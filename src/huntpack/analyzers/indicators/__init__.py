"""Campaign indicators matched against evidence: the ``indicators`` analyzer.

The pack's ``indicators.yaml`` values (hashes, file paths and names, registry keys and values,
domains, URLs, IPv4 addresses, service names, strings and mutexes in command lines; ports as
context) are normalised once into look-up tables; each event is read field by field and every
value is looked up, so the work per event grows with its fields, not with the indicators.

The indicators reach the analyzer through the pack's analyzer settings (``indicators`` ->
``{"indicators": [plain indicator data]}``, see ``analyzer.indicator_settings``), so the hunt
plan stays plain, picklable data.

Imports ``huntpack.model``, ``huntpack.intel`` (the ``Indicator`` model) and the ``url``
analyzer's link and URL helpers only; never ``rules``, ``sources``, ``hunt``, ``report`` or
``cli``.
"""
