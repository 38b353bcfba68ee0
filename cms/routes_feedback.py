"""Routes of the opinion form and receipts, mixed into ConsultationIndexPage.

The views live in ``feedback.intake.views`` and ``feedback.intake.receipt_views``; this mixin only maps URLs to them, so cms/models.py stays
free of feedback details. It must come before ``RoutablePageMixin`` in the page's bases: its
``get_subpage_urls`` puts these fixed routes ahead of the page's own ``<slug>/`` route, which
would otherwise swallow ``receipt/`` (so no consultation can use the slug ``receipt``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from wagtail.contrib.routable_page.models import path

FEEDBACK_ROUTE_NAMES = (
    "receipt_lookup",
    "receipt_edit",
    "receipt_withdraw",
    "receipt_contact_delete",
    "receipt_close",
    "receipt_old_link",
    "receipt_old_edit",
    "receipt_old_withdraw",
    "opinion_form",
    "implementation_form",
    "implementation_opinions",
)


class FeedbackRoutesMixin:
    """Opinion form ``<slug>/opinion/`` and the code-free receipt pages ``receipt/``…

    No receipt code is in any URL: the receipt pages act on the opinion of the browser's
    receipt session (``feedback.intake.receipt_session``). The routes with ``<code>`` only
    answer old links, once (``receipt_views.receipt_old_link``); they come after the fixed
    ``receipt/…/`` routes, which they would otherwise swallow.
    """

    @classmethod
    def get_subpage_urls(cls):
        routes = super().get_subpage_urls()
        ours = [r for r in routes if r.name in FEEDBACK_ROUTE_NAMES]
        return tuple(ours + [r for r in routes if r.name not in FEEDBACK_ROUTE_NAMES])

    @path("receipt/", name="receipt_lookup")
    def receipt_lookup_route(self, request: HttpRequest):
        from feedback.intake import receipt_views

        return receipt_views.receipt_lookup(request, page=self)

    @path("receipt/edit/", name="receipt_edit")
    def receipt_edit_route(self, request: HttpRequest):
        from feedback.intake import receipt_views

        return receipt_views.receipt_edit(request, page=self)

    @path("receipt/withdraw/", name="receipt_withdraw")
    def receipt_withdraw_route(self, request: HttpRequest):
        from feedback.intake import receipt_views

        return receipt_views.receipt_withdraw(request, page=self)

    @path("receipt/contact/delete/", name="receipt_contact_delete")
    def receipt_contact_delete_route(self, request: HttpRequest):
        from feedback.intake import receipt_views

        return receipt_views.receipt_contact_delete(request, page=self)

    @path("receipt/close/", name="receipt_close")
    def receipt_close_route(self, request: HttpRequest):
        from feedback.intake import receipt_views

        return receipt_views.receipt_close(request, page=self)

    @path("receipt/<str:code>/", name="receipt_old_link")
    def receipt_old_link_route(self, request: HttpRequest, code: str):
        from feedback.intake import receipt_views

        return receipt_views.receipt_old_link(request, page=self, code=code)

    @path("receipt/<str:code>/edit/", name="receipt_old_edit")
    def receipt_old_edit_route(self, request: HttpRequest, code: str):
        from feedback.intake import receipt_views

        return receipt_views.receipt_old_link(request, page=self, code=code, then="receipt_edit")

    @path("receipt/<str:code>/withdraw/", name="receipt_old_withdraw")
    def receipt_old_withdraw_route(self, request: HttpRequest, code: str):
        from feedback.intake import receipt_views

        return receipt_views.receipt_old_link(
            request, page=self, code=code, then="receipt_withdraw"
        )

    @path("<slug:slug>/opinion/", name="opinion_form")
    def opinion_form_route(self, request: HttpRequest, slug: str):
        from feedback.intake import views

        try:
            return views.opinion_form(request, page=self, slug=slug)
        except Http404:
            # A consultation withdrawn by two people: the same notice as its page (410).
            return self._withdrawn_notice(request, slug)

    @path("<slug:slug>/implementation/", name="implementation_form")
    def implementation_form_route(self, request: HttpRequest, slug: str):
        """Opinions during the decision's implementation (issue 16 point 5)."""
        from feedback.after_decision import views

        try:
            return views.implementation_form(request, page=self, slug=slug)
        except Http404:
            return self._withdrawn_notice(request, slug)

    @path("<slug:slug>/implementation/opinions/", name="implementation_opinions")
    def implementation_opinions_route(self, request: HttpRequest, slug: str):
        from feedback.after_decision import views

        return views.implementation_opinions(request, page=self, slug=slug)

    def opinion_form_url(self, consultation, request: HttpRequest | None = None) -> str:
        """The public URL of ``consultation``'s opinion form (for the detail page's links)."""
        base = self.get_url(request=request) or "/"
        return (
            base.rstrip("/")
            + "/"
            + self.reverse_subpage("opinion_form", kwargs={"slug": consultation.slug}).lstrip("/")
        )
