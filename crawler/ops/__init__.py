"""Operations: running crawls, schedules, locks, job records, health rules, alerts, metrics."""
