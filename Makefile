# The two commands a newcomer runs (README): `make demo` and `make test`.
.PHONY: demo test bench

demo:
	scripts/demo.sh

test:
	scripts/test.sh
