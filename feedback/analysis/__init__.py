"""Analysis: computations over the opinion register (text folding and segmentation, campaign
matching, aggregates with suppression, charts, evaluation). No request, no HTTP, no views.
May import feedback.models and consultations only."""
