"""Hearings (听证会) of a consultation: notice, registration, the verifiable draw, materials,
record, confirmations and report; and the majority count of a requisition plan (issue 16)."""
