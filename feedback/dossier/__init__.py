"""The dossier (决策档案, issue 16 point 6; rules-zh.md §1.8, R55): one ZIP per consultation for
archiving, with a manifest of SHA-256 checksums, made by a task like the exports and by
``manage.py dossier_export``, checked by ``manage.py dossier_verify``.

It gathers what the capabilities publish or keep (drafts, notices, the de-identified register of
``feedback.exports``, the response, the hearing, the decision chain, the 稳评 chapter, the audit
checkpoint), so it sits in the layer above them (pyproject.toml). It never reads a contact.
"""
