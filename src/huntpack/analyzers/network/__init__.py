"""Network analyzers: protocol mismatch, TLS fingerprints and certificates, beacons, first-seen
destinations and processes, exfiltration volume, and FatalRAT's encrypted C2.

They read connection-shaped events from Zeek logs (``zeek.conn``, ``zeek.ssl``, ``zeek.x509``),
packet captures reduced to flows (``pcap.flow``) and Sysmon network events (``windows``, EID 3
and 22). Registry names: ``network.protocol``, ``network.tls``, ``network.flows``,
``network.c2``.

Imports ``huntpack.model`` only (never ``rules``, ``hunt`` or ``sources``).
"""
