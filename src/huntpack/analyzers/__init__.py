"""Detections Sigma cannot express: e-mail, URLs and domains, files, network (Event -> Findings).

May use ``intel`` for indicator look-ups; never imports ``rules``.
"""
