# The crawler image: `newsagg` is the entry point (see README). Build: docker build -t newsagg .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler ./crawler
COPY storage ./storage
COPY settings ./settings
RUN pip install . && useradd --create-home newsagg
USER newsagg
WORKDIR /home/newsagg
# Pages kept through a database outage (NEWSAGG_SPOOL_DIR's default, ./newsagg-spool); docker-compose.yml
# mounts a volume here so that they outlive the container.
RUN mkdir newsagg-spool

# `newsagg serve --host 0.0.0.0` listens here (dashboard, API, /metrics).
EXPOSE 8080
# The embedded default: SQLite in the working directory, the demo site on loopback.
ENTRYPOINT ["newsagg"]
CMD ["demo"]
