# The two commands a newcomer runs (README): `make demo` and `make test`; `make bench` measures.
.PHONY: demo test bench screenshots

demo:
	scripts/demo.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# Re-takes docs/images/*.png in headless Chromium against a throw-away database.
screenshots:
	scripts/odoo-env.sh python scripts/screenshots.py
