"""The web console and its JSON API, served by `monitor run` on the health listener's port.

    app.py        the aiohttp application: health routes, console, API, security headers
    auth.py       who may write: bearer token or basic auth, sessions and CSRF tokens
    views.py      what the pages and the API show, read from the store and the config
    actions.py    what they change: feeds (through monitor.feeds_admin), alerts (through
                  monitor.store.outbox_admin) and feedback (labels and regrouping)
    labels.py     the labels file feedback writes, in the labelling guide's format
    api.py        /api/v1/...: JSON, the one implementation of every read and write
    pages.py      the HTML pages, rendered from the same views; forms post to the API
    openapi.py    /api/v1/openapi.json
    wiring.py     the console of a running service (`monitor run`, `monitor demo`)
    templates/    Jinja2, autoescaped; static/ the stylesheet and the one small script

Reading needs no credentials; writing needs them (`web.token_env`...), so writes are off until
one is configured. Templates escape everything (feed titles are hostile input) and every asset
is served from static/, so the console works offline.
"""
