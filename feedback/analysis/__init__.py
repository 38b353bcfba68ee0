"""Pure analysis functions (text segmentation, campaign detection); no models, no database."""
