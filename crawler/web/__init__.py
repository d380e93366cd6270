"""``newsagg serve``: a read-only HTTP API, an operator dashboard and Prometheus ``/metrics``.

Standard library only (wsgiref): a handful of GET routes over the database need no framework.
"""
