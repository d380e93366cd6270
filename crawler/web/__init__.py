"""``newsagg serve``: a read-only HTTP API with its OpenAPI description, an operator dashboard and
Prometheus ``/metrics``, on FastAPI and uvicorn (typed, bounded parameters and an event loop that a
slow client cannot starve)."""
