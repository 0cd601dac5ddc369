"""The operator pages under ``/admin``: the handoff desk, the dashboard, conversations and
the review loop, server-rendered with Jinja2 templates (``templates/``), with Chart.js
installed from npm by ``make admin-assets`` (``static/vendor/``)."""
