"""Staff authentication for the Wagtail admin (issue 13; docs/staff-accounts.md).

- lockouts of failed logins per username and per client address (django-axes): ``lockout``
- a second factor for every staff account, TOTP plus one-use recovery codes (django-otp),
  enrolled at the first login and checked after the password at every login: ``devices``,
  ``views``
- the enforcement and the 30-minute idle timeout of staff sessions: ``middleware``,
  ``activity``
- the site administrators' screen: current lockouts with an unlock button, and a reset of a
  colleague's second factor: ``admin_views`` (menu item in cms/wagtail_hooks.py)

Residents are never concerned: public pages read no session and write none of this.
"""
