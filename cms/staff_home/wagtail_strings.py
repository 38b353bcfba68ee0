"""Wagtail's own admin strings, translated by this project (issue 15).

Wagtail 8's zh_Hans catalogue leaves these untranslated (or, for "%(label)s and Publish",
translated as "%(label)s 和发布", which made "批准并发布 和发布"). Listing them here puts the
msgids into the project's catalogue (``makemessages`` reads this file); their Chinese is in
locale/pending/staff_zh.json, and the project's catalogue (LOCALE_PATHS) takes precedence over
every app's, Wagtail's included (django.utils.translation.trans_real: the LOCALE_PATHS
catalogues are merged last). Nothing imports this module; the lazy calls never run.
cms/tests/test_staff_zh_walk.py finds what is still English.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

WAGTAIL_STRINGS = [
    _("Actions (footer)"),
    _("Add a concise description for search engines"),
    _("Anyone can edit this %(model_name)s"),
    _("Anyone can edit this %(model_name)s – lock it to prevent others from editing"),
    _("Autosave is paused"),
    _("Avoid skipping levels"),
    _("Checks"),
    _("Correct the validation errors to resume preview (saving will highlight errors)"),
    _(
        "Preview cannot display due to validation errors. <br /> Click save to highlight the relevant fields."
    ),
    _("Content metrics"),
    _("contrast"),
    _("density"),
    _("More contrast"),
    _("Snug"),
    _("Edit account avatar"),
    _("Enable custom keyboard shortcuts specific to Wagtail."),
    _("Go to the first error"),
    _("Locked by another user"),
    _("Locking: "),
    _("Maximum filesize: %(max_upload_size)s."),
    _("One or more references to this %(model_name)s prevent it from being deleted."),
    _("Only %(user)s can make changes while the %(model_name)s is locked"),
    _("Reading time"),
    _("Readability"),
    _("Saved"),
    _("Search all pages…"),
    _("Sent to %(task_name)s %(started_at)s"),
    _("Show issue"),
    _("Shortcuts"),
    _("Sort by '%(label)s' in ascending order."),
    _("Sort by '%(label)s' in descending order."),
    _(
        "The %(model_name)s '%(title)s' is not currently awaiting moderation in task '%(task_name)s'."
    ),
    _("The %(model_name)s '%(title)s' is not currently awaiting moderation."),
    _("Theme preferences"),
    _("This data explained"),
    _("This %(model_name)s hasn't been submitted for moderation yet"),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
        1,
    ),
    _("To be created by %(user)s"),
    _("Toggle checks"),
    _("Use a meaningful title for screen reader users"),
    _("Use meaningful text"),
    _("Use meaningful text for screen reader users"),
    _("Use proper heading tags"),
    _("Use server language: %(language_name)s"),
    _(
        "You are viewing a previous version of this %(model_name)s from <b>%(created_at)s</b> by %(user)s"
    ),
    _(
        'You haven\'t created any %(snippet_type_name)s snippets. Why not <a href="%(wagtailsnippets_create_snippet_url)s" target="_blank" rel="noreferrer">create one now</a>?'
    ),
    _("You haven't uploaded any images."),
    _("Privacy and access"),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    _("New: %(model_name)s"),
    _("%(label)s and Publish"),
    _("%(model_name)s '%(object)s' has been submitted for moderation."),
    _("Compare"),
    _("at %(time)s by %(user_display_name)s"),
    _("%(time)s by %(user_display_name)s"),
    _("%(time_period)s ago by %(user_display_name)s"),
    _("Status %(status)s"),
    _("<b>'{title}' is locked</b>."),
    _("<b>'{title}' is locked</b> by <b>you</b>."),
    _("<b>'{title}' was locked</b> by <b>you</b> on <b>{datetime}</b>."),
    _("<b>'{title}' was locked</b> by <b>{user}</b> on <b>{datetime}</b>."),
    _("Are you sure you want to move this page and all of its children into '%(title)s'?"),
]
