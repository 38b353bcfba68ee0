"""Review: moderation of what is shown in public (never what is counted) and the public
opinions page. May import feedback.models, privacy, audit, permissions, web and intake.selectors."""
