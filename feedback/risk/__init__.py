"""稳评 evidence for the assessor: aggregate-only figures and the level a person records (R33–R36).
May import feedback.models, analysis and audit; no other capability."""
