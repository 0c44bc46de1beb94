"""The browser side every service's staff pages share: server-side sessions, sign-in (OIDC with PKCE, or a
development token), the route class that sends a missing session to the login page, Jinja pages, gettext
catalogues (Babel) and the zone's local time.

A service describes its site once (``site.Site``: its path prefix, session table, roles, catalogue, template
folders, time-zone setting) and builds its pages on these modules: the dispatch desk (``/desk``) and the repair
bench (``/bench``) sign in, render and translate the same way.
"""
