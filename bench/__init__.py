"""Load benchmarks run against a production-like server (gunicorn, PostgreSQL); see docs/performance.md."""
