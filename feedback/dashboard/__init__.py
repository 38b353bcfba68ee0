"""The analysts' dashboard: figures, charts and cross-tabulations of a consultation's
opinions (suppressed below 5 outside the owning department). May import models, analysis,
audit and permissions."""
