"""``{% hearing_status consultation as hearing %}``: what the consultation page says about its
hearing and majority count (the page is cached: the hearing services write the consultation row
at every step the page shows, never at a resident's token)."""

from django import template

register = template.Library()


@register.simple_tag
def hearing_status(consultation) -> dict:
    from feedback.hearings.selectors import majority_count_of, published_hearing

    hearing = published_hearing(consultation)
    count = majority_count_of(consultation)
    return {"hearing": hearing, "majority": count is not None}
