"""The ``signin`` analyzer: Entra ID (Azure AD) sign-ins made by scripting clients.

Reads events of kind ``signin`` (``huntpack.sources.entra_signin`` makes them from Graph, Azure
Monitor, Log Analytics and admin-center CSV exports). Per sign-in: a finding when the user agent
names a scripting runtime and the source address is not an expected one. After every file
(``conclude``): bursts of scripted sign-ins by one user, and scripted sign-ins of one user from
several addresses new to that user. Findings map to T1119 (Automated Collection), and successful
sign-ins also to T1078.004 (Cloud Accounts). Settings: see ``settings.SigninSettings``.

Imports ``huntpack.model`` only (never ``rules``, ``hunt`` or ``sources``).
"""
