"""The official response (意见采纳情况): dispositions, the publication check, the public page,
its PDF, the notifications to residents who left a contact, and the purge of contacts."""
