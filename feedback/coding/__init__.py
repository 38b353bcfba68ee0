"""Themes and coding: the coding frame, people's coding, and machine suggestions (issue 4).

``services`` writes (every write checks the permission and records an audit entry),
``selectors`` reads, ``suggest`` computes suggestions (clustering and a classifier trained on the
officials' own coding) that a person accepts or rejects, ``views`` is the staff screen.

May import feedback.models, analysis, audit and permissions; no other capability.
"""
