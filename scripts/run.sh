#!/usr/bin/env bash
# Starts the task worker in the background and the web server in the foreground.
set -euo pipefail
host="$1"; port="$2"
cat <<MSG

  Tingjian is starting.
    Site:   http://${host}:${port}/
    Admin:  http://${host}:${port}/admin/
    Demo logins (development only; password for all: tingjian-demo):
      admin        site administrator
      editor       editor, 市生态环境局
      approver     approver, 市生态环境局
      editor2      editor, 市自然资源和规划局
      approver2    approver, 市自然资源和规划局
      analyst      analyst, 市生态环境局
      intake       intake clerk (offline opinions), 市生态环境局
      privacy      privacy officer (reads contact details, logged)
      assessor     stability-risk assessor (aggregates only)
  Stop with Ctrl+C.

MSG
.venv/bin/python manage.py db_worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py runserver "${host}:${port}"
