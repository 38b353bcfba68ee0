"""The 稳评 public-opinion chapter (各方面意见及其采纳情况, issue 16 point 4): a document for the
risk assessor, PDF and DOCX, made from aggregates only, with the dashboard's suppression.

A package of its own (not a module set inside ``feedback.risk``): it reads three capabilities
(the assessor's aggregates in ``feedback.risk``, the published response's dispositions in
``feedback.response`` and the hearing in ``feedback.hearings``), so it sits in the layer above
them (pyproject.toml) instead of adding three cross-capability exceptions to ``feedback.risk``.
``document`` is the small block model and its PDF/DOCX writers, which the dossier reuses.
"""
