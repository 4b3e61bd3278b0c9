# Task runner. The README's whole set-up is `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Candidates for the interpreter that creates the virtualenv; the first that
# runs and is 3.12 or newer wins (Django 6.1 needs 3.12+). pyenv shims that
# refuse to run under another global version simply fail the check.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3))
HOST := 127.0.0.1
PORT := 8000
# `make run` serves the portal as officials see it: gunicorn (deploy/gunicorn.conf.py),
# debug off, static files through whitenoise, a secret key generated once for this checkout.
RUN_ENV = DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat .local-secret-key)" \
	DJANGO_ALLOWED_HOSTS=$(HOST),localhost DJANGO_SECURE_COOKIES=0

.PHONY: help run dev test test-postgres lint lock migrations-check seed superuser demo backup restore clean

help:
	@echo "make run              创建虚拟环境、安装、迁移、载入种子数据，并在 http://$(HOST):$(PORT) 提供服务"
	@echo "make test             安装测试依赖并运行全部测试（默认 SQLite；设置 DATABASE_URL 则用 PostgreSQL）"
	@echo "make test-postgres    用本机 PostgreSQL（127.0.0.1:5432，用户 postgres）运行全部测试"
	@echo "make dev              以调试模式运行（开发者用）"
	@echo "make migrations-check 检查模型与迁移、种子数据与原文是否一致"
	@echo "make seed             由原文和 curation.json 重新生成 fixtures/seed.json"
	@echo "make superuser        创建后台管理员账号"
	@echo "make demo             （调试模式）创建各角色演示账号和演示报告，密码只显示一次"
	@echo "make backup           备份数据库和佐证材料文件到 backups/（可用 OUT=路径 指定）"
	@echo "make restore FILE=…   从备份文件恢复数据库和佐证材料文件（会先询问确认）"

$(PY):
	@base=""; for c in $(PYTHON_CANDIDATES); do \
	  if "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then base="$$c"; break; fi; \
	done; \
	if [ -z "$$base" ]; then \
	  echo "找不到 Python 3.12 或更新版本（Django 6.1 需要 Python 3.12+）。请安装后重试，或用 PYTHON=/path/to/python3.12 make run 指定。" >&2; \
	  exit 1; \
	fi; \
	echo "使用 $$base（$$("$$base" --version)）创建虚拟环境 $(VENV)"; \
	"$$base" -m venv $(VENV)

# Dependencies come from the lock files, every file checked against its hash
# (regenerate them with `make lock` after changing pyproject.toml).
$(VENV)/.install-stamp: requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.test-stamp: requirements-test.lock $(VENV)/.install-stamp
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	@touch $@

.local-secret-key: | $(PY)
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: $(VENV)/.install-stamp .local-secret-key
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_seed
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "门户已启动：http://$(HOST):$(PORT)/  （后台：http://$(HOST):$(PORT)/admin/ ，按 Ctrl+C 停止）"
	@# The mail worker (django-tasks-db) beside gunicorn, stopped with it.
	$(RUN_ENV) $(PY) manage.py db_worker --no-startup-delay >> .mail-worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py portal.wsgi:application

# For developers: Django's development server, debug on, reloading on every change.
dev: $(VENV)/.install-stamp
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_seed
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# COVERAGE=0 skips the coverage measurement (CI measures it on SQLite only).
COVERAGE ?= 1
COVERAGE_ARGS = $(if $(filter 1,$(COVERAGE)),--cov --cov-report=term --cov-fail-under=85,)

# The suite runs on every core, up to four (pytest-xdist), each worker with its own test database;
# a module's tests stay on one worker (their module-scoped servers start once). WORKERS=0: one process.
WORKERS ?= auto
XDIST_ARGS = $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --maxprocesses 4 --dist loadscope)

test: $(VENV)/.test-stamp
	$(PY) -m pytest $(XDIST_ARGS) $(COVERAGE_ARGS) $(PYTEST_ARGS)

test-postgres: $(VENV)/.test-stamp
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/yingshang} $(PY) -m pytest $(XDIST_ARGS) $(PYTEST_ARGS)

lint: $(VENV)/.test-stamp
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Pin every dependency, with hashes, for Python 3.12+ (uv: https://docs.astral.sh/uv/).
lock: $(VENV)/.test-stamp
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 --generate-hashes --no-header -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --python-version 3.12 --generate-hashes --no-header \
		-o requirements-test.lock

migrations-check: $(VENV)/.install-stamp
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py build_seed --check

seed: $(VENV)/.install-stamp
	$(PY) manage.py build_seed

superuser: $(VENV)/.install-stamp
	$(PY) manage.py createsuperuser

# Demo accounts (passwords printed once) and sample adoption reports; debug mode only.
demo: $(VENV)/.install-stamp
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_seed
	DJANGO_DEBUG=1 $(PY) manage.py demo_setup

# Backups: the database (online, consistent) and the evidence files in one archive (cases/backups.py).
backup: $(VENV)/.install-stamp
	$(PY) manage.py backup $(if $(OUT),--output "$(OUT)")

restore: $(VENV)/.install-stamp
	@if [ -z "$(FILE)" ]; then echo "用法：make restore FILE=backups/yingshang-日期-时间.tar.gz" >&2; exit 2; fi
	$(PY) manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache *.egg-info

# Benchmarks on demand: make bench N=10000 DB=sqlite|postgres
# Builds (once) a database of N synthetic cases beside the seed and measures
# p50/p95 server time; results go to bench/results/<db>-<N>.json.
N ?= 10000
DB ?= sqlite
BENCH_URL = $(if $(filter postgres,$(DB)),postgres://postgres@127.0.0.1:5432/yingshang_bench_$(N),sqlite:///$(CURDIR)/bench/bench-$(N).sqlite3)
.PHONY: bench
bench: $(VENV)/.install-stamp
	@mkdir -p bench/results
	@if [ "$(DB)" = postgres ]; then \
	  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='yingshang_bench_$(N)'" | grep -q 1 \
	    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE yingshang_bench_$(N)"; \
	fi
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py load_seed --verbosity 0
	@have=$$(DATABASE_URL=$(BENCH_URL) $(PY) manage.py shell -c "from cases.models import Case; print(Case.objects.count())" 2>/dev/null | tail -n 1); \
	if [ "$$have" -lt "$(N)" ]; then DATABASE_URL=$(BENCH_URL) $(PY) manage.py generate_cases $$(( $(N) - $$have )); fi
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py benchmark --output bench/results/$(DB)-$(N).json
	@# The search core against tantivy on the same cases (the same lists, compared; tantivy is a test dependency).
	$(MAKE) --no-print-directory $(VENV)/.test-stamp
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py engine_peer --output bench/results/engines-$(DB)-$(N).json
