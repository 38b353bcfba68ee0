"""The official response (意见采纳情况): dispositions, the publication check, the public page,
its PDF and the notifications to residents who left a contact (the purge of contacts is in
feedback.privacy.retention). May import feedback.models, analysis, audit, privacy and web."""
