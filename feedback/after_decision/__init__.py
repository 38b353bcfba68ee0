"""Opinions during implementation (issue 16 point 5, R26): after the decision the consultation's
page keeps a channel open, counts the opinions in public, and past a threshold prompts the
department to consider a post-decision evaluation (决策后评估)."""
