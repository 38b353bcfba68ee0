# Size: a list of msgids, one call each and no logic; splitting it would only scatter them.
"""Wagtail's own admin strings, translated by this project (issue 15).

Wagtail 8's zh_Hans catalogue leaves these untranslated (or, for "%(label)s and Publish",
translated as "%(label)s 和发布", which made "批准并发布 和发布"). Listing them here puts the
msgids into the project's catalogue (``makemessages`` reads this file); their Chinese is in
locale/pending/staff_zh.json (WAGTAIL_STRINGS) and locale/pending/staff_zh_admin.json
(WAGTAIL_ADMIN_STRINGS), and the project's catalogue (LOCALE_PATHS) takes precedence over
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


# Every other msgid of Wagtail 8's admin that its zh_Hans catalogue leaves untranslated (found by
# extracting Wagtail's own sources with makemessages and comparing with every installed zh_Hans
# catalogue), except the strings of Wagtail's own test apps and of page translations
# (WAGTAIL_I18N_ENABLED is False). Most of them are on the site administrator's screens (users,
# groups, sites, workflows, tasks, reports, redirects), in Wagtail's e-mails and messages after a
# save. Plural msgids: Chinese has one form, so the Chinese of the singular carries the count.
WAGTAIL_ADMIN_STRINGS = [
    _('You do not have permission to publish pages at "%(page_title)s"'),
    _("The slug '%(page_slug)s' is already in use within the parent page."),
    _("The new page will be a child of this given parent page."),
    _("Tag(s) %(value_too_long)s are over %(max_tag_length)d characters."),
    _("Can access Wagtail admin"),
    _("item"),
    _("items"),
    _(
        "This %(model_name)s is currently at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>."
    ),
    _("Publishing this %(model_name)s will cancel the current workflow."),
    _('There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'),
    _("Wagtail %(current_version)s editor guide"),
    _("Wagtail upgrade available"),
    _("Read the release notes."),
    _("Your pages and snippets in a workflow"),
    _("Things in Wagtail %(version)s have changed!"),
    _(
        'Don\'t worry, we\'ve got your back. Check out the <a class="w-whats-new__link" href="%(editor_guide_link)s" target="_blank" rel="noreferrer">Wagtail Editor Guide</a> to get the low down on what\'s changed and some exciting new features!'
    ),
    _('The %(model_name)s "%(title)s" has been approved in moderation stage "%(task)s".'),
    _('The %(model_name)s "%(title)s" has been approved in "%(task)s".'),
    _('The %(model_name)s "%(title)s" has been rejected in moderation stage "%(task)s".'),
    _('The %(model_name)s "%(title)s" has been rejected during "%(task)s".'),
    _(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s".'
    ),
    _("You can preview the %(model_name)s here:"),
    _(
        'The %(model_name)s "%(title)s" has been submitted for approval to moderation stage "%(task)s".'
    ),
    _(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation stage "%(task)s"'
    ),
    _('The %(model_name)s "%(title)s" has been approved in workflow "%(workflow)s".'),
    _('The %(model_name)s "%(title)s" has been approved in "%(workflow)s".'),
    _(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s" by %(rejector)s.'
    ),
    _(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in workflow "%(workflow)s".'
    ),
    _('The %(model_name)s "%(title)s" has been rejected during "%(workflow)s".'),
    _(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s" by %(requester)s.'
    ),
    _(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow "%(workflow)s".'
    ),
    _('The page "%(title)s" has been submitted to workflow "%(workflow)s"'),
    _('The %(model_name)s "%(title)s" has been submitted to workflow "%(workflow)s"'),
    _("Changing the privacy for this page has been disabled."),
    _("Scheduling…"),
    _("Schedule to publish"),
    _(
        "This page was marked as needing changes at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>."
    ),
    _("This page is currently at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>."),
    _(
        "The root level is where you can add new sites to your Wagtail installation. Pages created here will not be accessible at any URL until they are associated with a site."
    ),
    _(
        "If you just want to add pages to an existing site, create them as children of the homepage instead."
    ),
    _(
        "Pages created here will not be accessible at any URL. To add pages to an existing site, create them as children of the homepage."
    ),
    _(
        "There is no site set up for this location. Pages created here will not be accessible at any URL until a site is associated with this location."
    ),
    _(
        "There is no site record for this location. Pages created here will not be accessible at any URL."
    ),
    _("This page is locked, by you, to further editing"),
    _("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s across entire site."),
    _("No results across entire site."),
    _("Search in '<span class=\"w-title-ellipsis\">%(title)s</span>'"),
    _(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s in '<span class=\"w-title-ellipsis\">%(title)s</span>'."
    ),
    _("No results in '<span class=\"w-title-ellipsis\">%(title)s</span>'."),
    _("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    _("Choose when this %(model_name)s should go live and/or expire"),
    _("Choose when this page should go live and/or expire"),
    _(
        'This publishing schedule will only take effect after you select the "Schedule to publish" option'
    ),
    _("Anyone with editing permissions can create schedules"),
    _("But only those with publishing permissions can make them effective."),
    _("Locked by <b>you</b> at <b>%(locking_date)s</b>"),
    _("Locked by <b>%(locked_by)s</b> at <b>%(locking_date)s</b>"),
    _("%(field_label)s:"),
    _("Please type <b>%(wagtail_site_name)s</b> to confirm."),
    _("You saved a new version in another window"),
    _("System"),
    _("%(user_name)s saved a new version"),
    _("You have unsaved changes in another window"),
    _("%(user_name)s has unsaved changes"),
    _("Currently idle"),
    _("Currently viewing"),
    _("Proceeding will overwrite the changes you made in that window."),
    _("Proceeding will overwrite the changes made by %(user_name)s."),
    _("A network error occurred"),
    _(
        "Troubleshoot your connection to the site before proceeding. Open the editor in a separate tab to view the last saved version."
    ),
    _("Keyboard shortcuts are currently disabled; manage your %(account_link)s to enable them."),
    _("Section"),
    _("Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them."),
    _("How we calculate our metrics"),
    _(
        "We extract the main content from the page preview, remove all formatting, and calculate the number of words."
    ),
    _(
        "We calculate reading time from word count, using different reading speeds for different languages."
    ),
    _(
        "We use a readability formula based on length of words and sentences. Long sentences and words result in a worse readability score."
    ),
    _(
        'See our <a href="%(guide_link)s" target="_blank">content checks guide</a> for more information on how content metrics are calculated.'
    ),
    _("Choose who can view the live version of this page"),
    _("Invalid schedule"),
    _("Go-live:"),
    _("Once scheduled:"),
    _("Refreshing…"),
    _("Refresh"),
    _("Autosave is <span>paused</span>"),
    _("Save your changes before leaving"),
    _("%(action)s by <b>%(who)s</b> at <b>%(at)s</b>"),
    _("%(action)s at <b>%(at)s</b>"),
    _("%(action)s by <b>%(who)s</b>"),
    _(
        'JavaScript is required to use Wagtail, but it is currently disabled.<br /> Here are the <a href="https://www.enable-javascript.com/" target="_blank" rel="noreferrer">instructions how to enable JavaScript in your web browser</a>.'
    ),
    _("Item %(index)s of %(total)s"),
    _("Disable custom ordering"),
    _("Enable custom ordering"),
    _(
        "This workflow is currently in progress on %(workflow_states_in_progress)s pages. Deleting this workflow will cancel moderation on these page. Are you sure you want to delete this workflow?"
    ),
    _("Assign your workflow to snippets"),
    _("This workflow is disabled so it cannot be assigned to any snippets."),
    _(
        'Why not <a class="create-one-now" href="#tab-new" data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" data-w-tabs-focus-param="true">create one now</a>?'
    ),
    _("Cancelled by %(cancelled_by)s"),
    _("More bulk actions"),
    _("at %(time)s"),
    _("Changes requested %(finished_at)s"),
    _("%(status_display)s %(task_name)s %(started_at)s"),
    _("Application"),
    _("Show keyboard shortcuts"),
    _("Toggle minimap"),
    _("Close modal dialogs (like this one)"),
    _("Save changes"),
    _("Add or show comments"),
    _("Text editing"),
    _("Cut"),
    _("Paste"),
    _("Paste and match style"),
    _("Paste without formatting"),
    _("Text formatting"),
    _("Insert or edit a link"),
    _("Monospace (code)"),
    _("Strike-through"),
    _("(blank)"),
    _("'%(page_title)s' has been moved successfully."),
    _(
        "Focus on the drag button and press up or down arrows to move the item, then press enter to submit the change."
    ),
    _("Button text is empty"),
    _("Empty heading found"),
    _("Table header text is empty"),
    _("Empty frame title found"),
    _("Incorrect heading hierarchy"),
    _("Input button text is empty"),
    _("Link text is empty"),
    _("Misusing paragraphs as headings"),
    _("Image alt text has inappropriate pattern"),
    _("Meta description is empty"),
    _("%(classname)s object (%(id)s)"),
    _("No %(model_name)s match your query."),
    _("%(model_name)s '%(title)s' is now unlocked."),
    _("%(model_name)s '%(object)s' has been scheduled for publishing."),
    _("%(model_name)s '%(object)s' created and scheduled for publishing."),
    _("%(model_name)s '%(object)s' is live and this version has been scheduled for publishing."),
    _("%(model_name)s '%(object)s' updated and published."),
    _("%(model_name)s '%(object)s' created and published."),
    _("%(model_name)s '%(object)s' created and submitted for moderation."),
    _("Workflow on %(model_name)s '%(object)s' has been restarted."),
    _("Workflow on %(model_name)s '%(object)s' has been cancelled."),
    _("Saving will overwrite a newer version."),
    _("The %(model_name)s could not be saved as it is locked"),
    _("%(model_name)s '%(object)s' has been replaced with version from %(timestamp)s."),
    _("Version from %(timestamp)s of %(model_name)s '%(object)s' has been published."),
    _(
        "Version from %(timestamp)s of %(model_name)s '%(object)s' has been scheduled for publishing."
    ),
    _("%(related_model_name)s %(field_label)s"),
    _("Sort item order"),
    _("There are validation errors, click save to highlight them."),
    _("Preview for %(block_label)s (%(block_type)s)"),
    _("If you confirm deletion"),
    _("(Private %(object)s)"),
    _("Privacy is inherited from the ancestor page - %(ancestor_page)s"),
    _("%(parent_pages)s and %(child_pages)s have been deleted"),
    _("%(parent_pages)s and %(child_pages)s have been published"),
    _("%(parent_pages)s and %(child_pages)s have been unpublished"),
    _("Choose parent"),
    _("Create a new %(model_name)s"),
    _("Request to create %(model_name)s was blocked by hook."),
    _("The page could not be created due to validation errors."),
    _("Request to edit %(model_name)s was blocked by hook."),
    _("The page could not be saved as it is locked."),
    _("The page could not be saved due to validation errors."),
    _("Is commenting action"),
    _("Date updated"),
    _("Edited by"),
    _("Has child pages"),
    _("Any"),
    _("Page type"),
    _("Exploring"),
    _(
        "The slug '%(page_slug)s' is already in use at the selected parent page. Make sure the slug is unique and try again."
    ),
    _("Placeholder title"),
    _("Page types usage"),
    _("Locked by"),
    _("Anyone"),
    _("By task"),
    _("By workflow"),
    _("Show disabled"),
    _("- Select an option -"),
    _("Unknown content type"),
    _(
        'Why not <a class="upload-one-now" href="#tab-upload" data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" data-w-tabs-focus-param="true">upload one now</a>?'
    ),
    _("The document could not be created due to errors."),
    _("The file could not be found. Please change the source or delete the document."),
    _("Date cannot be in the future."),
    _("unknown number"),
    _("Layout"),
    _("Image focal point"),
    _("Grid layout"),
    _("List layout"),
    _("Please provide an image description to comply with best practices for accessibility."),
    _(
        "Upload successful. However, your new image seems to be a duplicate of this existing image. You may delete it if it wasn't required."
    ),
    _("Oldest"),
    _("Usage count: (low to high)"),
    _("Usage count: (high to low)"),
    _("Generate URL"),
    _("The filter options you have selected are not valid."),
    _("%(num_pages)d pages and %(num_others)d others"),
    _("No one can make changes while the %(model_name)s is locked"),
    _("Locked by you"),
    _("Only you can make changes while the %(model_name)s is locked"),
    _("This %(model_name)s is currently awaiting moderation."),
    _(
        "This {model_name} is awaiting <b>'{task_name}'</b> in the <b>'{workflow_name}'</b> workflow."
    ),
    _("Only reviewers for this task can edit the %(model_name)s."),
    _("Locked by workflow"),
    _("Reviewers can edit this %(model_name)s – lock it to prevent other reviewers from editing"),
    _("Only reviewers can edit and approve the %(model_name)s"),
    _("{model_name} '{title}' is locked and has been scheduled to go live at {datetime}"),
    _("Locked by schedule"),
    _("Currently locked and will go live on the scheduled date"),
    _("A human-readable label to identify this token."),
    _("created"),
    _("revoked at"),
    _("last used at"),
    _("API token"),
    _("API tokens"),
    _("locale"),
    _("for content type"),
    _(
        "The slug '%(page_slug)s' is already in use within the parent page at '%(parent_url_path)s'."
    ),
    _("Cannot overwrite a revision that was not created by the current user."),
    _("Cannot overwrite a revision that is not the latest for this %(model_name)s."),
    _("the %(model_name)s will also be deleted"),
    _("prevents deletion"),
    _("will be set to the default %(model_name)s"),
    _("will do nothing"),
    _("may prevent deletion"),
    _("will be set to a %(model_name)s specified by the system"),
    _("will unset the reference"),
    _("group site permission"),
    _("group site permissions"),
    _("Private, accessible with a shared password"),
    _("Private, accessible to any logged-in users"),
    _("shared password"),
    _(
        "Shared passwords should not be used to protect sensitive content. Anyone who has this password will be able to view the content."
    ),
    _("There may only be one in progress or needs changes workflow state per page/snippet."),
    _("Workflow '%(workflow_name)s' on %(model_name)s '%(title)s': %(status)s"),
    _(
        "Active workflows can be added to pages/snippets. Deactivating a workflow does not remove it from existing pages/snippets."
    ),
    _(
        "Pages/snippets at this step in a workflow will be moderated or approved by these groups of users"
    ),
    _("Task '%(task_name)s' on Revision '%(revision_info)s': %(status)s"),
    _("Required. Letters, digits and @/./+/-/_ only."),
    _("admin theme"),
    _("Yes, revoke"),
    _("No, don't revoke"),
    _('The token "%(name)s" has been created, copy it now, it will never be shown again.'),
    _("Copy token"),
    _("Back to API tokens"),
    _("Copying failed — please select and copy the token manually."),
    _("Revoked"),
    _("Toggle all change permissions"),
    _("Toggle all delete permissions"),
    _("Toggle all custom permissions"),
    _("Can view"),
    _("Last used"),
    _("Token"),
    _("Revoke"),
    _("API token created"),
    _("Never"),
    _("Are you sure you want to revoke this API token?"),
    _("API token '%(name)s' revoked."),
    _("Create API token"),
    _("Revoke API token"),
    _("API token revoked"),
    _("%(model_name)s scheduled for publishing at %(go_live_at)s"),
    _("%(model_name)s scheduled for publishing"),
    _("%(model_name)s unscheduled for publishing at %(go_live_at)s"),
    _("%(model_name)s unscheduled from publishing"),
    _("Removed the '%(restriction)s' view restriction. The page is public."),
    _("Resubmitted '%(task)s'. Workflow resumed"),
    ngettext_lazy("Moved down 1 place.", "Moved down %(counter)s places.", 1),
    ngettext_lazy("Moved up 1 place.", "Moved up %(counter)s places.", 1),
    ngettext_lazy(
        "Deleting this page will also delete %(descendant_count)s child page.",
        "Deleting this page will also delete %(descendant_count)s more child pages.",
        1,
    ),
    ngettext_lazy(
        "This page has one subpage. Unpublish this too",
        "This page has %(live_descendant_count)s subpages. Unpublish these too",
        1,
    ),
    ngettext_lazy("There is one matching page", "There are %(counter)s matching pages", 1),
    ngettext_lazy(
        "This action will delete <b>%(total_pages_formatted)s</b> page in total.",
        "This action will delete <b>%(total_pages_formatted)s</b> pages in total.",
        1,
    ),
    ngettext_lazy(
        "One other user is currently viewing", "%(num_user)s other users are currently viewing", 1
    ),
    ngettext_lazy("1 snippet type", "%(counter)s snippet types", 1),
    ngettext_lazy("Referenced %(count)s time", "Referenced %(count)s times", 1),
    ngettext_lazy(
        "%(num_parent_objects)d page has been deleted",
        "%(num_parent_objects)d pages have been deleted",
        1,
    ),
    ngettext_lazy("%(num_parent_objects)d page", "%(num_parent_objects)d pages", 1),
    ngettext_lazy("%(num_child_objects)d child page", "%(num_child_objects)d child pages", 1),
    ngettext_lazy(
        "%(num_parent_objects)d page has been published",
        "%(num_parent_objects)d pages have been published",
        1,
    ),
    ngettext_lazy(
        "%(num_parent_objects)d page has been unpublished",
        "%(num_parent_objects)d pages have been unpublished",
        1,
    ),
    ngettext_lazy(
        "This workflow is in progress on %(states_in_progress)d page/snippet. Disabling this workflow will cancel moderation on this page/snippet.",
        "This workflow is in progress on %(states_in_progress)d pages/snippets. Disabling this workflow will cancel moderation on these pages/snippets.",
        1,
    ),
    ngettext_lazy(
        "This task is in progress on %(states_in_progress)d page/snippet. Disabling this task will cause it to be skipped in the moderation workflow and not be listed for selection when editing a workflow.",
        "This task is in progress on %(states_in_progress)d pages/snippets. Disabling this task will cause it to be skipped in the moderation workflow and not be listed for selection when editing a workflow.",
        1,
    ),
    _(
        'Your version: <strong>%(current_version)s</strong>. New version: <strong data-w-upgrade-target="latestVersion"></strong>.'
    ),
    _("View latest version"),
    _("Alternatively, you can view the latest version in a new tab."),
    # wagtail.contrib.redirects and wagtail.contrib.forms (installed).
    _(
        "The name '%(duplicate_clean_name)s' is already assigned to this field and cannot be changed. Please enter a different label for the conflicting field."
    ),
    _(
        "Field name '%(duplicate_clean_name)s' conflicts with another field. Please change the label."
    ),
    _(
        "Comma or new line separated list of choices. Only applicable in checkboxes, radio and dropdown."
    ),
    _("Default value. Comma or new line separated values supported for checkboxes."),
    ngettext_lazy(
        "Are you sure you want to delete this form submission?",
        "Are you sure you want to delete these form submissions?",
        1,
    ),
    _(
        "<p>Select a file where redirects are separated into rows and contains the columns representing <code>from</code> and <code>to</code> (they can be named anything).</p> <p>After submitting you will be taken to a confirmation view where you can customize your redirects before import.</p>"
    ),
    _('File format of type "%(extension)s" is not supported.'),
    _("Imported file has a wrong encoding: %(error_message)s."),
    _("%(error)s encountered while trying to read file: %(filename)s."),
]
